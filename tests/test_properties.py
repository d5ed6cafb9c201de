"""Property-based tests (hypothesis): cleaning is idempotent, every evidence offset slices exactly its
sentence, and `kg ner` never crashes on arbitrary Unicode and keeps its spans inside the text.

Texts are drawn both from all of Unicode and from the pieces news pages are made of (names, titles,
bodies, punctuation, line and column breaks, page furniture). Under CI the examples are derandomised
(the same every run); locally each run explores new ones.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import ner_entities
from kg.extract import extract
from kg.ingest import InputError, clean_text, document_from_text, normalise_newlines
from kg.nlp import make_nlp

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

PIECES = [
    "市长", "副市长", "市委书记", "董事长", "总经理", "程宇", "司马江", "田海峰", "吴碧磊", "张伟",
    "辽源市人民政府", "中国一汽", "吉林化纤集团有限责任公司", "辽源高新区", "经济开发区", "年产10万吨碳纤维项目",
    "签署", "战略合作协议", "出席", "主持", "会议", "表示", "在", "与", "和", "的", "、", "，", "。", "；", "：",
    "“", "”", "《", "》", "（", "）", "(", ")", "！", "？", " ", "\u3000", "\n", "\n\n", "\r\n", "\t",
    "本报讯", "（记者 邢国徽）", "2025年2月12日", "星期三", "总第9193期", "辽源日报", "(下转第二版)", "（上接第一版）",
    " 刘海娇 摄", "第二版", "\u200b", "\ufeff", "\x00", "\f", "a", "1", "#",
]
news = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
anything = st.text(max_size=300)
texts = st.one_of(news, anything, st.lists(st.one_of(news, anything), max_size=4).map("".join))


def document_or_none(raw: str):
    try:
        return document_from_text(raw, "page.txt")
    except InputError:  # nothing left after cleaning, or no Chinese: not a document
        return None


@settings(max_examples=400)
@given(texts)
def test_cleaning_is_idempotent(raw):
    once, _ = clean_text(raw)
    twice, credits = clean_text(once)
    assert twice == once
    assert credits == []


@settings(max_examples=300)
@given(texts)
def test_a_document_text_is_clean_and_stays_so(raw):
    doc = document_or_none(raw)
    if doc is None:
        return
    assert normalise_newlines(doc.text) == doc.text
    assert clean_text(doc.text)[0] == doc.text
    assert "\r" not in doc.text and "\x00" not in doc.text and doc.text == doc.text.strip()


@settings(max_examples=60)
@given(news)
def test_every_evidence_offset_slices_its_sentence(raw):
    doc = document_or_none(raw)
    if doc is None:
        return
    facts = extract(doc, make_nlp(fast=True), home_city="辽源市")
    evidence = [p.evidence for p in facts.posts] + [p.evidence for p in facts.pairs] \
        + [r.evidence for r in facts.recognitions] + [a.evidence for a in facts.agreements]
    for ev in evidence:
        assert ev.doc_id == doc.doc_id
        assert 0 <= ev.start < ev.end <= len(doc.text)
        assert doc.text[ev.start:ev.end] == ev.text
    for m in facts.mentions:
        assert 0 <= m.start < m.end <= len(doc.text)


surrogates = st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3)


@settings(max_examples=200)
@given(st.one_of(anything, news, st.tuples(news, surrogates, anything).map("".join)))
def test_kg_ner_never_crashes_and_its_spans_lie_inside_the_text(text):
    for e in ner_entities(make_nlp(fast=True), text, "辽源市"):
        assert 0 <= e["start"] < e["end"] <= len(text)
        assert text[e["start"]:e["end"]] == e["text"]
