"""Extract: a document's mentions → facts, each with the sentence that states it as evidence.

Facts are about :class:`EntityRef` s (class + canonical name + the surface seen); resolution
(:mod:`kg.resolve`) later turns them into one node per real-world thing. The facts are found by the
registered rules (:mod:`kg.extract.registry`), all of them or the ones named.

>>> from kg.ingest import document_from_text
>>> from kg.nlp import make_nlp
>>> doc = document_from_text("本报讯 副市长司马江出席会议。", source="x.txt")
>>> facts = extract(doc, make_nlp(fast=True), home_city="辽源市")
>>> [(p.person.name, p.role, p.body.name) for p in facts.posts]
[('司马江', '副市长', '辽源市人民政府')]
>>> extract(doc, make_nlp(fast=True), home_city="辽源市", rules=["hierarchy"]).posts
[]
"""

from __future__ import annotations

from kg.extract.context import Context, ref
from kg.extract.records import ENTITY_LABELS, DocumentFacts, EntityRef, sentences
from kg.extract.registry import select_rules
from kg.ingest import Document
from kg.nlp import find_mentions
from kg.recognize import Home, Mention

__all__ = ["extract"]


def extract(document: Document, nlp, home_city: str | None = None, rules=None) -> DocumentFacts:
    """All facts of one document; ``rules``: the names of the rules to run (all when None; see
    :func:`kg.extract.rule_names`). ValueError for an unknown rule name, before any work."""
    chosen = select_rules(rules)
    home, mentions = find_mentions(nlp, document.text, home_city=home_city or document.home_city,
                                   newspaper=document.newspaper)
    facts = DocumentFacts(document, entities=_entities(mentions, home), mentions=mentions, home=home)
    for name in document.photo_credits:
        facts.entities.append(EntityRef("Person", name, name))
    ctx = Context(document, home, mentions, sentences(document.text))
    per_sentence = [r for r in chosen if r.scope == "sentence"]
    for sent in ctx.sentences:
        ms = [m for m in mentions if sent.start <= m.start and m.end <= sent.end]
        ev = ctx.evidence(sent)
        for r in per_sentence:
            facts.add(r.func(sent, ms, ev, ctx))
    for r in chosen:
        if r.scope == "document":
            facts.add(r.func(facts, ctx))
    _add_implied_entities(facts)
    return facts


def _entities(mentions: list[Mention], home: Home) -> list[EntityRef]:
    """The entities the mentions name, each (name, surface) once, in text order."""
    out, seen = [], set()
    for m in mentions:
        if m.label in ENTITY_LABELS:
            r = ref(m, home)
            if (r.key, r.surface) not in seen:
                seen.add((r.key, r.surface))
                out.append(r)
    return out


def _add_implied_entities(facts: DocumentFacts) -> None:
    """Bodies implied by posts (东丰县县长 → 东丰县人民政府) and agreement parties become entities too."""
    known = {e.key for e in facts.entities}
    implied = [p.body for p in facts.posts if p.body is not None]
    implied += [r for a in facts.agreements for r in a.parties]
    for r in implied:
        if r.key not in known:
            known.add(r.key)
            facts.entities.append(r)
