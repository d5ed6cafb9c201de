"""Explain one node of a built graph: its class, names and every fact about it with the sentence
and document behind it — what a researcher checks before citing.

>>> from kg.ingest import document_from_text
>>> from kg.pipeline import build_graph
>>> g = build_graph([document_from_text("副市长司马江出席会议。", "a.txt")], fast=True, home_city="辽源市")
>>> [f.relation for f in explain(g, "司马江")[0].facts]
['副市长']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS

from kg.vocab import ENTITY_CLASSES, KGO

PAIR_NAMES = {KGO.locatedIn: ("位于", "located in"), KGO.undertakes: ("承建", "undertakes"),
              ORG.subOrganizationOf: ("隶属", "part of"), KGO.cooperatesWith: ("合作", "cooperates with"),
              KGO.recognizedAs: ("获评", "recognized as")}
AGREEMENT_ROLES = {KGO.party: "签约方 party", KGO.signatory: "签署 signatory", KGO.witness: "见证 witness"}


@dataclass
class Source:
    sentence: str
    document: str
    date: str | None
    start: int
    end: int


@dataclass
class Fact:
    relation: str  # Chinese label of the relation or the role
    other: str  # the other end, by label
    direction: str  # "→" from the node, "←" to it
    sources: list[Source] = field(default_factory=list)


@dataclass
class Explanation:
    iri: str
    cls: str
    label: str
    english: str | None
    aliases: list[str]
    documents: list[str]
    facts: list[Fact]


def label_of(g: Graph, node) -> str:
    """The node's Chinese label, else any label, else the IRI's last part."""
    labels = list(g.objects(node, RDFS.label))
    zh = [str(x) for x in labels if isinstance(x, Literal) and x.language == "zh"]
    if zh:
        return zh[0]
    return str(labels[0]) if labels else str(node).rsplit("/", 1)[-1]


def find_nodes(g: Graph, name: str) -> list[URIRef]:
    """Entities whose label or alias is ``name``; failing that, whose label contains it."""
    exact, partial = [], []
    for cls in ENTITY_CLASSES:
        for node in g.subjects(RDF.type, KGO[cls]):
            names = [str(x) for p in (RDFS.label, SKOS.altLabel) for x in g.objects(node, p)]
            if name in names:
                exact.append(node)
            elif any(name in n for n in names):
                partial.append(node)
    return sorted(set(exact)) or sorted(set(partial))


def citation(g: Graph, doc) -> str:
    """How a document is cited: its headline, then its file (and the article's place on the page when the file
    held several), e.g. ``辽源市人民政府与中国一汽举行座谈会 (000.txt, article 2)``; the file alone without a headline."""
    title, source, position = (g.value(doc, p) for p in (DCTERMS.title, DCTERMS.source, KGO.position))
    where = str(source or doc) + (f", article {position}" if position is not None else "")
    return f"{title} ({where})" if title else where


def sources(g: Graph, fact_node) -> list[Source]:
    out = []
    for ev in g.objects(fact_node, PROV.wasDerivedFrom):
        if (ev, RDF.type, KGO.Evidence) not in g:
            continue
        doc = g.value(ev, PROV.wasDerivedFrom)
        date = g.value(doc, DCTERMS.date)
        out.append(Source(str(g.value(ev, KGO.text)), citation(g, doc), str(date) if date else None,
                          int(g.value(ev, KGO.start)), int(g.value(ev, KGO.end))))
    return sorted(out, key=lambda s: (s.document, s.start))


def statement_sources(g: Graph, s, p, o) -> list[Source]:
    out = []
    for st in g.subjects(RDF.subject, s):
        if (st, RDF.predicate, p) in g and (st, RDF.object, o) in g:
            out += sources(g, st)
    return out


def facts_of(g: Graph, node) -> list[Fact]:
    facts: list[Fact] = []
    for m in g.subjects(ORG.member, node):  # posts held
        role = g.value(m, KGO.roleLabel) or label_of(g, g.value(m, ORG.role))
        body = g.value(m, ORG.organization)
        facts.append(Fact(str(role), label_of(g, body) if body else "—", "→", sources(g, m)))
    for m in g.subjects(ORG.organization, node):  # posts in this body
        role = g.value(m, KGO.roleLabel) or label_of(g, g.value(m, ORG.role))
        facts.append(Fact(str(role), label_of(g, g.value(m, ORG.member)), "←", sources(g, m)))
    for p, (zh, _en) in PAIR_NAMES.items():
        for o in g.objects(node, p):
            facts.append(Fact(zh, label_of(g, o), "→", statement_sources(g, node, p, o)))
        for s in g.subjects(p, node):
            facts.append(Fact(zh, label_of(g, s), "←", statement_sources(g, s, p, node)))
    for p, role in AGREEMENT_ROLES.items():  # a signatory's or witness's own sentence, else the signing's
        for a in g.subjects(p, node):
            facts.append(Fact(role, label_of(g, a), "→", statement_sources(g, a, p, node) or sources(g, a)))
        for x in g.objects(node, p):
            facts.append(Fact(role, label_of(g, x), "←", statement_sources(g, node, p, x) or sources(g, node)))
    return facts


def explain_node(g: Graph, node) -> Explanation:
    """Class, names, documents and every fact (with its sentences) of one node."""
    cls = next((c for c in ENTITY_CLASSES if (node, RDF.type, KGO[c]) in g), "?")
    en = [str(x) for x in g.objects(node, RDFS.label) if isinstance(x, Literal) and x.language == "en"]
    docs = sorted(citation(g, d) for d in g.objects(node, KGO.mentionedIn))
    return Explanation(str(node), cls, label_of(g, node), en[0] if en else None,
                       sorted(str(x) for x in g.objects(node, SKOS.altLabel)), docs, facts_of(g, node))


def explain(g: Graph, name: str) -> list[Explanation]:
    return [explain_node(g, node) for node in find_nodes(g, name)]
