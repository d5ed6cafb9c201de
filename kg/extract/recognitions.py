"""What organisations and places are recognised as (recognizedAs): 甲公司被认定为国家级专精特新企业,
and the lists an award heads (国家级绿色工厂（3家）：甲公司、乙公司)."""

from __future__ import annotations

import re

from kg.extract.clauses import group_after, group_before
from kg.extract.context import Context
from kg.extract.records import DocumentFacts, EntityRef, Evidence, RecognitionFact, Sentence
from kg.extract.registry import rule
from kg.recognize import Mention
from kg.resources import cue

__all__ = ["award_lists", "recognitions_in", "table_lists"]

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


LIST_NUMBER = re.compile(r"^\s*(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[、.．)）]|[①-⑳])\s*")
LEGAL_CHUNK = re.compile(r"[^，,。；;：:、！？\s]{2,40}?(?:有限责任公司|股份有限公司|有限公司|[（(]集团[)）]公司)")
LIST_HEADS = re.compile(rf"(?:{cue('list_heads')})$")


@rule("recognizedAs", name="table-lists", scope="document")
def table_lists(facts: DocumentFacts, ctx: Context) -> list[RecognitionFact]:
    """A list laid out as a table: a heading line (（一）商业一类市属国有重点企业。, 省级智能工厂名单：) and under
    it, one name to a line, at least two firms, parks or institutions: each holds the heading's designation.
    Lines a PDF pasted together (甲有限公司乙有限公司（二）公益类企业。) are read name by name."""
    by_start = {m.start: m for m in ctx.mentions if not m.nested and m.label in RECOG_CLASSES}
    out: list[RecognitionFact] = []
    designation, items = None, []

    def flush(new: str | None) -> None:
        nonlocal designation, items
        if len(items) >= 2:
            out.extend(RecognitionFact(r, designation, ctx.evidence(line)) for r, line in items)
            facts.entities.extend(r for r, _ in items if r not in facts.entities)
        designation, items = new, []

    for s in ctx.sentences:
        names, heading = _line_chunks(s, by_start, ctx)
        if names is None:  # a line of text: no list goes on through it
            flush(_list_heading(s.text))
            continue
        if designation:
            items.extend((r, s) for r in names)
        if heading is not None:
            flush(heading)
    flush(None)
    return out


def _line_chunks(s: Sentence, by_start: dict, ctx: Context) -> tuple[list[EntityRef] | None, str | None]:
    """A list line read as (its names, the heading that ends it): 甲有限公司乙有限公司（三）公益类企业。 →
    ([甲, 乙], "公益类企业"); (None, None) for a line that is not names (a sentence, a heading alone)."""
    text, pos, names = ctx.document.text, s.start, []
    lead = LIST_NUMBER.match(s.text)
    if lead and not _list_heading(s.text):
        pos += lead.end()
    while pos < s.end:
        rest = text[pos:s.end]
        if names and LIST_NUMBER.match(rest) and _list_heading(rest):
            return names, _list_heading(rest)
        if rest.strip("。；;，, ") == "":
            break
        found = _name_at(pos, s.end, by_start, ctx)
        if found is None:
            return None, None
        names.append(found[0])
        pos = found[1]
    return (names or None), None


def _name_at(pos: int, limit: int, by_start: dict, ctx: Context) -> tuple[EntityRef, int] | None:
    """The name a list line holds at ``pos`` and where it ends: a recognised name that ends where another
    name, a heading or the line starts, else the text up to a registered legal form (重庆化医控股（集团）公司),
    else None."""
    text = ctx.document.text
    m = by_start.get(pos)
    m = m if m is not None and m.end <= limit else None
    ends_clean = m is not None and (m.end in by_start or LIST_NUMBER.match(text, m.end, limit)
                                    or not text[m.end:limit].strip("。；;，, "))
    if m is not None and ends_clean and m.label != "Place":
        return ctx.ref(m), m.end
    legal = LEGAL_CHUNK.match(text, pos, limit)
    if legal is not None:
        return EntityRef("Enterprise", legal.group(), legal.group()), legal.end()
    if m is not None and ends_clean:
        return ctx.ref(m), m.end
    return None


def _list_heading(line: str) -> str | None:
    """The designation a heading line gives its list, or None for a line that heads no list of names.

    >>> _list_heading("（一）商业一类市属国有重点企业。"), _list_heading("2023年省级智能工厂名单："), _list_heading("一、分类原则")
    ('商业一类市属国有重点企业', '2023年省级智能工厂', None)
    """
    text = LIST_NUMBER.sub("", line).rstrip("。：:；; ")
    text = re.sub(r"(?:名单|名录)$", "", text)
    if not 4 <= len(text) <= 30 or re.search(r"[，,。；;：:、！？]", text) or not LIST_HEADS.search(text):
        return None
    return text


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

