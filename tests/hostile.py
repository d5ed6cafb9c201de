"""Names and sentences as hostile text could make them (script tags, attribute breakouts, a closing
</textarea> or </title>): the map and the endpoint's query page must show them as text. Each payload
sets window.__xss if it ever runs."""

from __future__ import annotations

import rdflib
from rdflib import BNode, Literal
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS

from kg.vocab import KGO, KGR

XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")

PAYLOADS = {
    "label": "<script>window.__xss=1</script>",
    "alias": '"><svg onload="window.__xss=2">',
    "english": '</textarea><img src=x onerror="window.__xss=3">',
    "pinyin": "<img src=y onerror=window.__xss=4>",
    "body": "</script><script>window.__xss=5</script>",
    "role": "<b onmouseover=window.__xss=6>市长</b>",
    "sentence": '市长<script>window.__xss=7</script>"><svg onload=window.__xss=8></textarea>',
    "title": "</title><script>window.__xss=9</script>",
}


def hostile_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    person, body, doc, ev, m = KGR["person/x"], KGR["body/x"], KGR["doc/x"], KGR["ev/x"], BNode()
    g.add((person, RDF.type, KGO.Person))
    g.add((person, RDFS.label, Literal(PAYLOADS["label"], lang="zh")))
    g.add((person, RDFS.label, Literal(PAYLOADS["english"], lang="en")))
    g.add((person, SKOS.altLabel, Literal(PAYLOADS["alias"], lang="zh")))
    g.add((person, KGO.pinyin, Literal(PAYLOADS["pinyin"])))
    g.add((person, KGO.mentionedIn, doc))
    g.add((body, RDF.type, KGO.GovernmentBody))
    g.add((body, RDFS.label, Literal(PAYLOADS["body"], lang="zh")))
    g.add((doc, RDF.type, KGO.Document))
    g.add((doc, DCTERMS.title, Literal(PAYLOADS["title"], lang="zh")))
    g.add((doc, DCTERMS.date, Literal("2025-02-12", datatype=XSD.date)))
    for p, o in ((RDF.type, KGO.Evidence), (KGO.text, Literal(PAYLOADS["sentence"], lang="zh")),
                 (KGO.start, Literal(0)), (KGO.end, Literal(len(PAYLOADS["sentence"]))),
                 (PROV.wasDerivedFrom, doc)):
        g.add((ev, p, o))
    for p, o in ((RDF.type, ORG.Membership), (ORG.member, person), (ORG.organization, body),
                 (KGO.roleLabel, Literal(PAYLOADS["role"], lang="zh")), (PROV.wasDerivedFrom, ev)):
        g.add((m, p, o))
    return g
