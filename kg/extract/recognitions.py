"""What organisations and places are recognised as (recognizedAs): 甲公司被认定为国家级专精特新企业,
and the lists an award heads (国家级绿色工厂（3家）：甲公司、乙公司)."""

from __future__ import annotations

import re

from kg.extract.clauses import group_after, group_before
from kg.extract.context import Context
from kg.extract.records import Evidence, RecognitionFact, Sentence
from kg.extract.registry import rule
from kg.recognize import Mention
from kg.resources import cue

__all__ = ["award_lists", "recognitions_in"]

RECOG = re.compile(rf"(?:被|成功)?(?:{cue('recognition_verbs')}|通过(?=[^，。；]{{2,12}}(?:认定|验收|考核)))(?:为)?")
DESIGNATION_WORDS = re.compile(cue("designation_words"))
RECOG_CLASSES = ("Enterprise", "IndustrialPark", "Place", "Institution", "Project")


@rule("recognizedAs", name="recognitions")
def recognitions_in(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[RecognitionFact]:
    """被认定为/被评为/获评/入选/列入 …: the named subjects and the designation after the verb."""
    text = ctx.document.text
    top = [m for m in ms if not m.nested]
    out: list[RecognitionFact] = []
    for v in RECOG.finditer(sent.text):
        vs, ve = sent.start + v.start(), sent.start + v.end()
        des = _designation(text, ve, sent.end)
        if not des:
            continue
        clause_start = max([sent.start] + [m.end() + sent.start for m in re.finditer(r"[，,；;。]", sent.text[: v.start()])])
        subjects = [m for m in top if clause_start <= m.start and m.end <= vs and m.label in RECOG_CLASSES]
        lead = [m for m in subjects if m.start - clause_start <= 2]
        if lead:  # the clause's subject stands at its start: 我市连续四年在全省…中被评为…
            subjects = group_after(text, subjects, lead[0].start, vs)
        else:
            subjects = [m for m in subjects if m.text not in ("全省", "全市", "全国")]
            subjects = group_before(text, subjects, _subject_edge(text, subjects, vs), clause_start) if subjects else []
        refs = [ctx.ref(m) for m in subjects]
        lead_text = text[clause_start:vs]
        if not refs and re.search(r"(我市|全市|本市)", lead_text) and ctx.home_city():
            refs = [ctx.home_city()]
        if not refs and re.search(r"(?:该|这家)(?:公司|企业)|^\s*(?:公司|企业)", lead_text):
            firm = ctx.firm_before(clause_start, reach=150)  # 该公司被认定为…
            refs = [firm] if firm is not None else []
        if not refs and clause_start > sent.start and re.fullmatch(r"(?:去年|今年|近年来|近日|日前|还|也|已|先后|曾|并)*", lead_text):
            firm = ctx.firm_before(clause_start, reach=clause_start - sent.start)  # 甲公司…，去年被认定为…
            refs = [firm] if firm is not None else []
        for r in refs:
            out.append(RecognitionFact(r, des, ev))
    return out


AWARD_LIST = re.compile(r"(?:^|(?<=[；;。：:\n]))\s*([^；;。：:\n（(、，]{3,30}?)[（(](?:\d+|[一二三四五六七八九十]+)[家个户项所][）)][：:]")


@rule("recognizedAs", name="award-lists")
def award_lists(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[RecognitionFact]:
    """国家级绿色工厂（3家）：甲公司（高新区）、乙公司（凤翔区）: each named in the list holds the designation
    that heads it (the bracketed place after a name is not listed)."""
    text = ctx.document.text
    top = [m for m in ms if not m.nested]
    out = []
    for h in AWARD_LIST.finditer(sent.text):
        des = _designation(h.group(1), 0, len(h.group(1)))
        if not des:
            continue
        start = sent.start + h.end()
        stop = re.compile(r"[；;。\n]").search(text, start, sent.end)
        end = stop.start() if stop else sent.end
        for m in top:
            if start <= m.start and m.end <= end and m.label in RECOG_CLASSES \
                    and text[m.start - 1:m.start] not in "（(":
                out.append(RecognitionFact(ctx.ref(m), des, ev))
    return out


def _subject_edge(text: str, subjects: list[Mention], verb_start: int) -> int:
    """Where the subjects before a verb end: at the verb when the last stands close before it."""
    last = subjects[-1]
    gap = text[last.end:verb_start]
    return verb_start if len(gap) <= 12 else last.end


def _designation(text: str, start: int, limit: int) -> str | None:
    """The designation a verb confers, read from ``start``: up to the clause's end, quotes and 称号/之一 trimmed,
    None when it names no rank, programme or title (a number, a slogan).

    >>> _designation("“国家级专精特新小巨人企业”称号，", 0, 20)
    '国家级专精特新小巨人企业'
    """
    m = re.compile(r"[^，,。；;、！？]{2,32}").match(text, start, limit)
    if not m:
        return None
    des = m.group().strip()
    if "”" in des.lstrip("“") and not des.startswith("“") and des.count("“") != des.count("”"):
        return None  # …示范区”添砖加瓦: the verb was inside a quoted slogan
    des = des.split("”")[0] if des.startswith("“") else des
    des = des.strip("“”\"《》 ")
    des = re.sub(r"(之一|称号|荣誉称号|名单)$", "", des).strip("“”\"《》")
    des = re.sub(r"(成果)$", "", des)
    if len(des) < 3 or re.fullmatch(r"[\d.%％亿万元个户项家]+", des):
        return None
    if not DESIGNATION_WORDS.search(des):
        return None
    return des

