"""How organisations and places hang together: a unit of a parent organisation (subOrganizationOf, from
names and from 旗下/所属/隶属), and a place in its parent place (locatedIn: the divisions' hierarchy and a
town after its county)."""

from __future__ import annotations

import re

from kg.extract.clauses import top_names
from kg.extract.context import Context
from kg.extract.names import name_relation, organisation_names
from kg.extract.records import DocumentFacts, EntityRef, Evidence, PairFact, Sentence
from kg.extract.registry import rule
from kg.gazetteer import gazetteer
from kg.recognize import Mention
from kg.resources import cue

__all__ = ["hierarchy", "name_units", "owned", "town_parents"]

OWNED_BEFORE = re.compile(rf"(?:{cue('owner_markers')})的?")
UNIT_OF = re.compile(rf"的?(?:全资|控股)?(?:{cue('unit_of_words')})")


@rule("subOrganizationOf", name="name-units")
def name_units(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """A parent's name that starts a unit's (中国一汽党委工作部 → 中国一汽), or a group's name right before a
    firm's (华润集团东阿阿胶): the unit belongs to it."""
    out: list[PairFact] = []
    names = organisation_names(ms)
    for outer, inner in names:
        if inner and name_relation(outer, inner[0]) == "subOrganizationOf":
            out.append(PairFact("subOrganizationOf", ctx.ref(outer), ctx.ref(inner[0]), ev))
        if outer.label in ("Enterprise", "Institution", "GovernmentBody") \
                and outer.source in ("department", "subsidiary", "body-unit") and not inner:
            parent = ctx.parent_named(outer)
            if parent is not None:
                out.append(PairFact("subOrganizationOf", ctx.ref(outer), parent, ev))
    tops = [outer for outer, _ in names]
    for a, b in zip(tops, tops[1:]):  # 华润集团东阿阿胶: a group's name right before a firm's
        if a.end == b.start and a.label == b.label == "Enterprise" and a.canonical.endswith("集团"):
            out.append(PairFact("subOrganizationOf", ctx.ref(b), ctx.ref(a), ev))
    return out


@rule("subOrganizationOf", name="owned")
def owned(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """甲旗下(的)乙 / 甲所属乙 / 乙是甲旗下企业 / 乙是甲的全资子公司 / 乙隶属于甲: 乙 is a unit of 甲."""
    text = ctx.document.text
    out: list[PairFact] = []
    orgs = [m for m in top_names(ms) if m.label in ("Enterprise", "Institution")]
    for a, b in zip(orgs, orgs[1:]):
        gap = text[a.end:b.start]
        if OWNED_BEFORE.fullmatch(gap):
            out.append(PairFact("subOrganizationOf", ctx.ref(b), ctx.ref(a), ev))
        elif gap == "是" and UNIT_OF.match(text, b.end, b.end + 8):
            out.append(PairFact("subOrganizationOf", ctx.ref(a), ctx.ref(b), ev))
        elif re.fullmatch(r"隶属于?", gap):
            out.append(PairFact("subOrganizationOf", ctx.ref(a), ctx.ref(b), ev))
    return out


# ------------------------------------------------------------------ places in places

@rule("locatedIn", name="hierarchy", scope="document")
def hierarchy(facts: DocumentFacts, ctx: Context) -> list[PairFact]:
    """Place → parent place, when the parent is named in the document or is the home city/province."""
    gaz = gazetteer()
    mentions = ctx.mentions
    named = {m.canonical for m in mentions if m.label == "Place"}
    if ctx.home.city:
        named |= {ctx.home.city}
    out, done = [], set()
    for m in mentions:
        if m.label != "Place" or m.canonical in done:
            continue
        div = gaz.by_name.get(m.canonical)
        if div is None or div.parent is None:
            continue
        home_city = gaz.by_name.get(ctx.home.city) if ctx.home.city else None
        local = home_city is not None and (div.parent is home_city or div is home_city)
        if div.parent.name in named and (local or _near(m, div.parent.name, ctx)):
            done.add(m.canonical)
            out.append(PairFact("locatedIn", EntityRef("Place", div.name, m.text),
                                EntityRef("Place", div.parent.name, div.parent.name), ctx.evidence_for(m)))
    return out


def _near(m: Mention, parent: str, ctx: Context) -> bool:
    """The parent place is named in the same or the next sentence (沈阳市铁西区; 杭州 … 浙江)."""
    sents = ctx.sentences
    idx = next((i for i, s in enumerate(sents) if s.start <= m.start < s.end), None)
    if idx is None:
        return False
    lo, hi = sents[max(0, idx - 1)].start, sents[min(len(sents) - 1, idx + 1)].end
    return any(o.label == "Place" and o.canonical == parent and lo <= o.start < hi for o in ctx.mentions)


@rule("locatedIn", name="town-parents", scope="document")
def town_parents(facts: DocumentFacts, ctx: Context) -> list[PairFact]:
    """梨树县郭家店镇: a town named right after its county (or city) is in it; on a county page of a city
    paper, the towns are the county's (锦屏镇 → 宜阳县)."""
    places = sorted((m for m in ctx.mentions if m.label == "Place"), key=lambda m: m.start)
    out = []
    placed = set()
    for a, b in zip(places, places[1:]):
        if b.source == "town" and a.end == b.start:
            out.append(PairFact("locatedIn", ctx.ref(b), ctx.ref(a), ctx.evidence_for(b)))
            placed.add(b.canonical)
    if ctx.home.county:  # a county page of a city paper: its towns are the county's (锦屏镇 → 宜阳县)
        county = EntityRef("Place", ctx.home.county, ctx.home.county)
        for m in places:
            if m.source == "town" and m.canonical not in placed:
                placed.add(m.canonical)
                out.append(PairFact("locatedIn", ctx.ref(m), county, ctx.evidence_for(m)))
    return out
