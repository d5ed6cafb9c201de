"""NLP: a spaCy pipeline (``blank("zh")`` + jieba) whose components find the entity spans.

Components, in order (registered like spaCy's own, so they can be reused in other pipelines):

* ``zhengqi_lac`` – the statistical tagger (Baidu LAC via ONNX), run only on sentences where it can
  matter (a title, a speech verb, an enterprise head word); skipped with ``fast=True``.
* ``zhengqi_entities`` – the rule recogniser (:mod:`kg.recognize`): sets ``doc.spans["kg"]`` (every
  mention, Posts and nested names included), ``doc.ents`` (the non-overlapping entities) and
  ``doc.user_data["mentions"]`` (exact character offsets, the source of truth downstream).

>>> nlp = make_nlp(fast=True)
>>> doc = nlp.make_doc("副市长司马江出席。")
>>> doc = annotate(nlp, "副市长司马江出席。", home_city="辽源市")
>>> [(s.text, s.label_) for s in doc.spans["kg"]]
[('副市长', 'Post'), ('司马江', 'Person')]
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg import statmodel
from kg.recognize import Home, Mention, Recognizer, detect_home

logging.getLogger("jieba").setLevel(logging.WARNING)

# sentences worth the tagger: a title, a byline, a speech verb or an enterprise-ish head word
_WORTH_TAGGING = re.compile(
    r"长|书记|常委|主任|记者|董事|经理|总裁|代表|教授|院士|说|表示|指出|介绍|强调|认为|集团|公司|企业|"
    r"钢铁|铝业|食品|药业|制药|汽车|科技|纺织|林业|矿业|牧业|农业|碳业|项目|生产线|合作")


@Language.factory("zhengqi_lac")
def make_lac(nlp: Language, name: str):
    def tag(doc: Doc) -> Doc:
        doc.user_data["lac"] = statmodel.tag_text(doc.text, only=_WORTH_TAGGING.search)
        return doc

    return tag


@Language.factory("zhengqi_entities")
def make_entities(nlp: Language, name: str):
    recognizer = Recognizer()

    def recognize(doc: Doc) -> Doc:
        home = doc.user_data.get("home") or detect_home(doc.text)
        doc.user_data["home"] = home
        mentions = recognizer.find(doc.text, home, doc.user_data.get("lac"))
        doc.user_data["mentions"] = mentions
        set_spans(doc, mentions)
        return doc

    return recognize


def set_spans(doc: Doc, mentions: list[Mention]) -> None:
    """Mentions → spaCy spans (token-aligned by expansion; exact offsets stay in the mentions)."""
    spans, ents, taken = [], [], set()
    for m in mentions:
        span = doc.char_span(m.start, m.end, label=m.label, alignment_mode="expand")
        if span is None:
            continue
        spans.append(span)
        if m.label != "Post" and not m.nested and not taken & set(range(span.start, span.end)):
            ents.append(span)
            taken |= set(range(span.start, span.end))
    doc.spans["kg"] = spans
    doc.set_ents(sorted(ents, key=lambda s: s.start), default="unmodified")


@lru_cache(maxsize=2)
def make_nlp(fast: bool = False) -> Language:
    """The pipeline: jieba tokens, then (unless ``fast``) the tagger, then the recogniser."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    if not fast and statmodel.available():
        nlp.add_pipe("zhengqi_lac")
    nlp.add_pipe("zhengqi_entities")
    return nlp


def annotate(nlp: Language, text: str, home_city: str | None = None, newspaper: str | None = None) -> Doc:
    """Run the pipeline on one text with its home context (detected when not given)."""
    doc = nlp.make_doc(text)
    doc.user_data["home"] = Home.of_city(home_city, newspaper) if home_city else detect_home(text, newspaper)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc
