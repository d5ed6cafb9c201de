"""An interview's places (locatedIn): in an interview with a county's or a park's leader (——访…东丰县县长
王东), the firms, parks and projects the interviewee names without a place are that county's or park's."""

from __future__ import annotations

import re

from kg.extract.context import Context, canonical
from kg.extract.records import DocumentFacts, EntityRef, PairFact, Sentence
from kg.extract.registry import rule
from kg.gazetteer import gazetteer
from kg.recognize import Mention, known_entities

__all__ = ["interview_places", "sections"]

INTERVIEW = re.compile(r"^[—－-]*\s*(?:专)?访")
TOPIC_BODY = re.compile(r"^(?:中共)?(.+?)(?:人民政府|党工委|管委会|管理委员会|委)$")


def sections(text: str) -> list[tuple[int, int]]:
    """Spans of the articles on a page: a headline (a short line without sentence punctuation) opens one."""
    bounds = [0]
    for m in re.finditer(r"(?:^|\n\n)([^\n]+)", text):
        par = m.group(1)
        if par.startswith("#") or (len(par) <= 40 and not re.search(r"[。，,；;！？]", par) and not INTERVIEW.match(par)):
            bounds.append(m.start(1))
    bounds.append(len(text))
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


@rule("locatedIn", name="interview-places", scope="document", requires=("posts",))
def interview_places(facts: DocumentFacts, ctx: Context) -> list[PairFact]:
    """In an interview with a county's or a park's leader (——访…东丰县县长 王东), the firms, parks
    and projects the interviewee names without a place are that county's or park's.

    The leader's post (the ``posts`` rule) names the county; what the rules before found located
    elsewhere keeps its place."""
    text = ctx.document.text
    located = {p.subject.key for p in facts.pairs if p.relation == "locatedIn"}
    out: list[PairFact] = []
    for start, end in sections(text):
        byline = next((s for s in ctx.sentences if start <= s.start < min(end, start + 120) and INTERVIEW.match(s.text)), None)
        if byline is None:
            continue
        topic = _interview_topic(facts, byline, ctx)
        if topic is None:
            continue
        by_ev = ctx.evidence(byline)
        seen = set()
        for m in ctx.mentions:
            if not (byline.end <= m.start < end) or m.label not in ("Enterprise", "Project", "IndustrialPark") \
                    and not (m.label == "Place" and m.source == "town"):
                continue
            r = ctx.ref(m)
            if r.key in located or r.key in seen or r.key == topic.key or r.name in known_entities() or m.nested:
                continue
            seen.add(r.key)
            out.append(PairFact("locatedIn", r, topic, ctx.evidence_for(m), (by_ev,)))
    return out


def _interview_topic(facts: DocumentFacts, byline: Sentence, ctx: Context) -> EntityRef | None:
    """The county or park whose leader the byline's post names (东丰县县长 → 东丰县), or None."""
    gaz = gazetteer()
    for post in facts.posts:
        if post.body is None or not (byline.start <= post.evidence.start < byline.end + 1):
            continue
        m = TOPIC_BODY.match(post.body.name)
        if post.body.label == "IndustrialPark":
            return post.body
        if m:
            place = m.group(1)
            div = gaz.by_name.get(place) or gaz.best(place, ctx.home.city_division)
            if div is not None and div.level == "county":
                return EntityRef("Place", div.name, place)
            if re.search(r"(开发区|高新区|园区)$", place):
                return EntityRef("IndustrialPark", canonical(Mention(0, 0, "IndustrialPark", place, place), ctx.home), place)
    return None

