"""The whole flow for a set of documents: nlp → extract → resolve → graph.

>>> from kg.ingest import document_from_text
>>> g = build_graph([document_from_text("市长程宇出席会议。", "a.txt")], fast=True, home_city="辽源市")
>>> sorted(str(o) for o in g.objects(None, RDFS.label) if str(o) == "程宇")
['程宇']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from rdflib import Graph
from rdflib.namespace import RDFS  # noqa: F401  (doctest)

from kg.extract import DocumentFacts, extract, select_rules
from kg.graph import GraphBuilder
from kg.ingest import Document
from kg.nlp import make_nlp
from kg.recognize import page_homes
from kg.resolve import SCOPE, Resolver, home_prefixes


def extract_all(documents: Iterable[Document], fast: bool = False, home_city: str | None = None,
                on_done: Callable[[DocumentFacts], None] | None = None,
                passes: tuple[str, ...] | None = None, rules: tuple[str, ...] | None = None) -> list[DocumentFacts]:
    """The facts of each document; ``passes``: the recognition passes to run, ``rules``: the relation rules
    (:func:`kg.extract.rule_names`; all when None). ValueError for an unknown pass or rule, before any work."""
    select_rules(rules)
    nlp = make_nlp(fast=fast, passes=passes)
    out = []
    for doc in page_homes(list(documents)):
        facts = extract(doc, nlp, home_city=home_city, rules=rules)
        out.append(facts)
        if on_done:
            on_done(facts)
    return out


NATIONAL_BODIES = ("中共中央", "国务院", "全国人民代表大会", "全国政协", "中央军委")


def scope_persons(all_facts: list[DocumentFacts]) -> list[DocumentFacts]:
    """One node per person name within a city's news; namesakes in different cities' news stay apart
    (conservative), unless the person holds a national post (习近平 总书记).

    The scope travels in the reference's name (程宇#辽源市) and is dropped from labels."""
    cities: dict[str, set[str]] = {}
    national: set[str] = set()
    for facts in all_facts:
        city = facts.home.city if facts.home else None
        for ref in facts.entities:
            if ref.label == "Person" and city:
                cities.setdefault(ref.name, set()).add(city)
        for p in facts.posts:
            if p.body is not None and p.body.name in NATIONAL_BODIES or p.role in ("总书记", "国务院总理", "总理"):
                national.add(p.person.name)
    ambiguous = {name for name, cs in cities.items() if len(cs) > 1 and name not in national}
    if not ambiguous:
        return all_facts
    out = []
    for facts in all_facts:
        city = facts.home.city if facts.home else None
        if not city:
            out.append(facts)
            continue

        def scoped(ref):
            if ref is not None and ref.label == "Person" and ref.name in ambiguous:
                return replace(ref, name=ref.name + SCOPE + city)
            return ref

        out.append(replace(
            facts,
            entities=[scoped(r) for r in facts.entities],
            posts=[replace(p, person=scoped(p.person)) for p in facts.posts],
            agreements=[replace(a, signatories=tuple(map(scoped, a.signatories)),
                                witnesses=tuple(map(scoped, a.witnesses))) for a in facts.agreements],
        ))
    return out


def resolve_all(all_facts: list[DocumentFacts]) -> Resolver:
    prefixes: set[str] = set()
    for facts in all_facts:
        home = _home_of(facts)
        if home is not None:
            prefixes |= set(home_prefixes(home.city, home.province))
            if home.city_division is not None:
                from kg.gazetteer import gazetteer

                for child in gazetteer().children(home.city_division):
                    prefixes |= {child.name, child.name[:-1]} if len(child.name) >= 3 else {child.name}
    resolver = Resolver(tuple(sorted(prefixes, key=len, reverse=True)))
    for facts in all_facts:
        doc_id = facts.document.doc_id
        for ref in facts.entities:
            resolver.add_ref(ref, doc_id)
        for ref in _fact_refs(facts):
            resolver.add_ref(ref, doc_id)
    resolver.finish()
    return resolver


def _home_of(facts: DocumentFacts):
    return getattr(facts, "home", None)


def _fact_refs(facts: DocumentFacts):
    for p in facts.posts:
        yield p.person
        if p.body is not None:
            yield p.body
    for p in facts.pairs:
        yield p.subject
        yield p.object
    for r in facts.recognitions:
        yield r.subject
    for a in facts.agreements:
        yield from a.parties
        yield from a.signatories
        yield from a.witnesses
        yield _agreement_ref(a)


def _agreement_ref(a):
    from kg.extract import EntityRef

    return EntityRef("Agreement", a.title, a.title)


def graph_from_facts(all_facts: list[DocumentFacts], curation=None, sink=None) -> Graph:
    """Resolve the facts of all documents, apply the curation (a :class:`kg.curation.Curation`; its
    ``problems`` list is filled) and write the graph: an rdflib graph, or the triples streamed to ``sink``
    (see :mod:`kg.writer`), which is then returned."""
    all_facts = scope_persons(all_facts)
    resolver = resolve_all(all_facts)
    curated = None
    if curation is not None:
        from kg.curation import apply_curation

        curated = apply_curation(curation, resolver, all_facts)
        all_facts = curated.facts
    builder = GraphBuilder(resolver, sink=sink)
    for facts in all_facts:
        builder.add_document(facts.document)
    for node in resolver.nodes.values():
        builder.add_node(node)
    for facts in all_facts:
        builder.add_facts(facts)
    if curated is not None:
        from kg.curation import record_curation

        record_curation(builder, curation, curated)
    return builder.g


def build_graph(documents: Iterable[Document], fast: bool = False, home_city: str | None = None,
                passes: tuple[str, ...] | None = None, rules: tuple[str, ...] | None = None) -> Graph:
    """Documents → the contract graph (``passes``: the recognition passes to run, ``rules``: the relation
    rules; all when None)."""
    return graph_from_facts(extract_all(documents, fast=fast, home_city=home_city, passes=passes, rules=rules))
