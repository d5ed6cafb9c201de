"""Graph: resolved facts → an rdflib graph in the contract vocabulary (../shared/SCHEMA.md).

Every entity gets one class, one ``rdfs:label``@zh, ``skos:altLabel`` for other forms and
``kgo:mentionedIn`` its documents; every fact gets evidence (sentence + offsets into the document's
``kgo:text``): Membership and Agreement nodes directly, plain triples through an ``rdf:Statement``.

>>> from kg.ingest import document_from_text
>>> from kg.pipeline import build_graph
>>> g = build_graph([document_from_text("副市长司马江出席会议。", "a.txt")], fast=True, home_city="辽源市")
>>> len(list(g.subjects(RDF.type, ORG.Membership)))
1
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from kg.extract import DocumentFacts, EntityRef, Evidence
from kg.ingest import Document
from kg.pinyin import person_pinyin
from kg.resolve import CLASS_SLUG, Node, Resolver, stable_id
from kg.vocab import KGO, KGR, bind_prefixes

PAIR_PREDICATES = {"locatedIn": KGO.locatedIn, "undertakes": KGO.undertakes,
                   "subOrganizationOf": ORG.subOrganizationOf, "cooperatesWith": KGO.cooperatesWith}


def date_literal(value: str | None) -> Literal | None:
    """'2025-02-10' → xsd:date, '2025-02' → xsd:gYearMonth, '2025' → xsd:gYear."""
    if not value:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    return None


class GraphBuilder:
    """Writes documents, nodes and facts into one rdflib graph, or, given a ``sink`` (anything with
    ``add(triple)``, such as :class:`kg.writer.NTriplesSink`), streams the triples to it instead: then
    nothing of the graph is kept here but the little that keeps the stream short (the evidence nodes of
    the current document, the roles and designations written, the agreements dated)."""

    def __init__(self, resolver: Resolver, base: str = str(KGR), sink=None) -> None:
        if sink is None:
            self.g = Graph()
            bind_prefixes(self.g)
        else:
            self.g = sink
        self.streaming = sink is not None
        self.resolver = resolver
        self.base = base
        self.evidence_iris: dict[tuple, URIRef] = {}
        self._written: set[URIRef] = set()  # roles and designations already described
        self._dated: set[URIRef] = set()  # agreements that have their dcterms:date

    def iri(self, *path: str) -> URIRef:
        return URIRef(self.base + "/".join(path))

    # -------------------------------------------------------------- documents and nodes

    def add_document(self, doc: Document) -> URIRef:
        d = self.iri("doc", doc.doc_id)
        g = self.g
        g.add((d, RDF.type, KGO.Document))
        g.add((d, KGO.text, Literal(doc.text, lang="zh")))
        g.add((d, DCTERMS.source, Literal(doc.source)))
        if doc.title:
            g.add((d, DCTERMS.title, Literal(doc.title, lang="zh")))
        date = date_literal(doc.date)
        if date is not None:
            g.add((d, DCTERMS.date, date))
        if doc.position is not None:
            g.add((d, KGO.position, Literal(doc.position)))
        if doc.newspaper:
            part = doc.newspaper + (" " + doc.issue if doc.issue else "")
            g.add((d, DCTERMS.isPartOf, Literal(part, lang="zh")))
        return d

    def node_iri(self, node: Node) -> URIRef:
        return self.iri(CLASS_SLUG[node.label], node.iri_key)

    def add_node(self, node: Node) -> None:
        s, g = self.node_iri(node), self.g
        g.add((s, RDF.type, KGO[node.label]))
        g.add((s, RDFS.label, Literal(node.name, lang="zh")))
        if node.english:
            g.add((s, RDFS.label, Literal(node.english, lang="en")))
        if node.label == "Person" and (romanised := person_pinyin(node.name)):
            g.add((s, KGO.pinyin, Literal(romanised)))
        for alias in sorted(node.aliases):
            g.add((s, SKOS.altLabel, Literal(alias, lang="zh")))
        for doc_id in sorted(node.docs):
            g.add((s, KGO.mentionedIn, self.iri("doc", doc_id)))

    def entity(self, ref: EntityRef) -> URIRef:
        return self.node_iri(self.resolver.node(ref))

    def evidence(self, ev: Evidence) -> URIRef:
        key = (ev.doc_id, ev.start, ev.end)
        if key not in self.evidence_iris:
            e = self.iri("evidence", stable_id(ev.doc_id, str(ev.start), str(ev.end)))
            g = self.g
            g.add((e, RDF.type, KGO.Evidence))
            g.add((e, PROV.wasDerivedFrom, self.iri("doc", ev.doc_id)))
            g.add((e, KGO.text, Literal(ev.text, lang="zh")))
            g.add((e, KGO.start, Literal(ev.start)))
            g.add((e, KGO.end, Literal(ev.end)))
            self.evidence_iris[key] = e
        return self.evidence_iris[key]

    # -------------------------------------------------------------- facts

    def statement(self, s: URIRef, p: URIRef, o: URIRef, ev: Evidence, context=()) -> None:
        g = self.g
        g.add((s, p, o))
        st = self.iri("statement", stable_id(str(s), str(p), str(o)))
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, s))
        g.add((st, RDF.predicate, p))
        g.add((st, RDF.object, o))
        g.add((st, PROV.wasDerivedFrom, self.evidence(ev)))
        for extra in context:
            g.add((st, PROV.wasDerivedFrom, self.evidence(extra)))

    def add_facts(self, facts: DocumentFacts) -> None:
        g = self.g
        doc = facts.document
        if self.streaming:
            self.evidence_iris.clear()  # a document's facts cite its own sentences only
        for post in facts.posts:
            person = self.entity(post.person)
            body = self.entity(post.body) if post.body is not None else None
            m = self.iri("membership", stable_id(str(person), post.role, str(body), doc.doc_id))
            role = self.iri("role", stable_id("role", post.role))
            if role not in self._written:
                self._written.add(role)
                g.add((role, RDF.type, ORG.Role))
                g.add((role, RDFS.label, Literal(post.role, lang="zh")))
            g.add((m, RDF.type, ORG.Membership))
            g.add((m, ORG.member, person))
            g.add((m, ORG.role, role))
            g.add((m, KGO.roleLabel, Literal(post.role, lang="zh")))
            if body is not None:
                g.add((m, ORG.organization, body))
            date = date_literal(doc.date)
            if date is not None:
                g.add((m, KGO.asOf, date))
            g.add((m, PROV.wasDerivedFrom, self.evidence(post.evidence)))
        for pair in facts.pairs:
            s, o = self.entity(pair.subject), self.entity(pair.object)
            if s != o:
                self.statement(s, PAIR_PREDICATES[pair.relation], o, pair.evidence, pair.context)
        for rec in facts.recognitions:
            d = self.iri("designation", stable_id("designation", rec.designation))
            if d not in self._written:
                self._written.add(d)
                g.add((d, RDF.type, KGO.Designation))
                g.add((d, RDFS.label, Literal(rec.designation, lang="zh")))
            self.statement(self.entity(rec.subject), KGO.recognizedAs, d, rec.evidence)
        for agr in facts.agreements:
            a = self.entity(EntityRef("Agreement", agr.title, agr.title))
            for p in agr.parties:
                g.add((a, KGO.party, self.entity(p)))
            cited = {(r.role, r.person): r.evidence for r in agr.roles}
            for predicate, role, people in ((KGO.signatory, "signatory", agr.signatories),
                                            (KGO.witness, "witness", agr.witnesses)):
                for p in people:
                    if (role, p) in cited:  # the role's own sentence: the one that names this person
                        self.statement(a, predicate, self.entity(p), cited[role, p])
                    else:
                        g.add((a, predicate, self.entity(p)))
            date = date_literal(agr.date)
            if date is not None and a not in self._dated:  # the first signing's date
                self._dated.add(a)
                g.add((a, DCTERMS.date, date))
            g.add((a, PROV.wasDerivedFrom, self.evidence(agr.evidence)))
            for extra in agr.context:
                g.add((a, PROV.wasDerivedFrom, self.evidence(extra)))
