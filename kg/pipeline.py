"""The whole flow for a set of documents: nlp → extract → resolve → graph.

>>> from kg.ingest import document_from_text
>>> g = build_graph([document_from_text("市长程宇出席会议。", "a.txt")], fast=True, home_city="辽源市")
>>> sorted(str(o) for o in g.objects(None, RDFS.label) if str(o) == "程宇")
['程宇']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib import Graph
from rdflib.namespace import RDFS  # noqa: F401  (doctest)

from kg.extract import DocumentFacts, extract
from kg.graph import GraphBuilder
from kg.ingest import Document
from kg.nlp import make_nlp
from kg.resolve import Resolver, home_prefixes


def extract_all(documents: Iterable[Document], fast: bool = False, home_city: str | None = None,
                on_done: Callable[[DocumentFacts], None] | None = None) -> list[DocumentFacts]:
    nlp = make_nlp(fast=fast)
    out = []
    for doc in documents:
        facts = extract(doc, nlp, home_city=home_city)
        out.append(facts)
        if on_done:
            on_done(facts)
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


def graph_from_facts(all_facts: list[DocumentFacts]) -> Graph:
    resolver = resolve_all(all_facts)
    builder = GraphBuilder(resolver)
    for facts in all_facts:
        builder.add_document(facts.document)
    for node in resolver.nodes.values():
        builder.add_node(node)
    for facts in all_facts:
        builder.add_facts(facts)
    return builder.g


def build_graph(documents: Iterable[Document], fast: bool = False, home_city: str | None = None) -> Graph:
    """Documents → the contract graph."""
    return graph_from_facts(extract_all(documents, fast=fast, home_city=home_city))
