"""What a graph holds, in numbers: entities per class, relations per kind, the most central
officials and enterprises, and how the network falls apart into components (``kg stats``).

Centrality is computed on the entity network of :func:`kg.viz.graph_to_network`, taken as a
simple undirected graph (a pair of entities linked by any relation is one link): ``degree`` is the
number of distinct neighbours, ``betweenness`` networkx's normalised betweenness centrality (exact
up to :data:`EXACT_BETWEENNESS_NODES` nodes, else estimated from that many sampled sources with a
fixed seed, so the numbers are reproducible).

Example::

    >>> from kg.ingest import document_from_text
    >>> from kg.pipeline import build_graph
    >>> g = build_graph([document_from_text("市长程宇出席会议。", "a.txt")], fast=True, home_city="辽源市")
    >>> s = graph_stats(g)
    >>> s["entities"]["Person"], s["relations"]["holdsPost"], s["top_persons"][0]["label"]
    (1, 1, '程宇')
    >>> s["components"]["count"], s["components"]["largest"]
    (1, 2)
"""

from __future__ import annotations

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.namespace import ORG, RDF

from kg.export import STATEMENT_PREDICATES
from kg.viz import graph_to_network
from kg.vocab import ENTITY_CLASSES, KGO

__all__ = ["graph_stats", "EXACT_BETWEENNESS_NODES"]

EXACT_BETWEENNESS_NODES = 2000

#: Relation kinds counted (distinct triples), after the posts (org:Membership nodes).
COUNTED = {**STATEMENT_PREDICATES, "party": KGO.party, "signatory": KGO.signatory, "witness": KGO.witness}


def _ranking(net: nx.MultiDiGraph, simple: nx.Graph, betweenness: dict, cls: str, top: int) -> list[dict]:
    nodes = [n for n, a in net.nodes(data=True) if a["cls"] == cls]
    nodes.sort(key=lambda n: (-simple.degree(n), -betweenness.get(n, 0.0), net.nodes[n]["label"], n))
    out = []
    for n in nodes[:top]:
        a = net.nodes[n]
        out.append({"id": n, "label": a["label"], "label_en": a["label_en"], "pinyin": a.get("pinyin"),
                    "degree": simple.degree(n), "betweenness": round(betweenness.get(n, 0.0), 4)})
    return out


def graph_stats(graph: Graph, top: int = 10) -> dict:
    """Counts, centrality and components of a contract graph, as plain JSON-ready data.

    Keys: ``triples``, ``documents``, ``evidence``, ``entities`` (class → count, the eight classes
    and ``Designation``), ``relations`` (kind → count: ``holdsPost`` Membership nodes, of which
    ``holdsPost_with_body`` name a body, then distinct triples per predicate), ``network`` (nodes,
    links), ``top_persons`` and ``top_enterprises`` (``top`` of each: id, label, label_en, pinyin,
    degree, betweenness) and ``components`` (count, largest, isolated, sizes of the 10 largest).
    """
    net = graph_to_network(graph)
    for node, attrs in net.nodes(data=True):
        pinyin = graph.value(URIRef(attrs["iri"]), KGO.pinyin)
        attrs["pinyin"] = str(pinyin) if pinyin is not None else None
    simple = nx.Graph()
    simple.add_nodes_from(net.nodes)
    simple.add_edges_from((u, v) for u, v in net.edges() if u != v)
    n = simple.number_of_nodes()
    if n <= EXACT_BETWEENNESS_NODES:
        betweenness = nx.betweenness_centrality(simple, normalized=True) if n else {}
    else:
        betweenness = nx.betweenness_centrality(simple, k=EXACT_BETWEENNESS_NODES, normalized=True, seed=0)

    entities = {cls: len(set(graph.subjects(RDF.type, KGO[cls]))) for cls in ENTITY_CLASSES}
    entities["Designation"] = len(set(graph.subjects(RDF.type, KGO.Designation)))
    memberships = set(graph.subjects(RDF.type, ORG.Membership))
    relations = {"holdsPost": len(memberships),
                 "holdsPost_with_body": sum(1 for m in memberships if (m, ORG.organization, None) in graph)}
    for name, predicate in COUNTED.items():
        relations[name] = len(set(graph.subject_objects(predicate)))

    sizes = sorted((len(c) for c in nx.connected_components(simple)), reverse=True)
    return {
        "triples": len(graph),
        "documents": len(set(graph.subjects(RDF.type, KGO.Document))),
        "evidence": len(set(graph.subjects(RDF.type, KGO.Evidence))),
        "entities": entities,
        "relations": relations,
        "network": {"nodes": n, "links": simple.number_of_edges()},
        "top_persons": _ranking(net, simple, betweenness, "Person", top),
        "top_enterprises": _ranking(net, simple, betweenness, "Enterprise", top),
        "components": {"count": len(sizes), "largest": sizes[0] if sizes else 0,
                       "isolated": sum(1 for s in sizes if s == 1), "sizes": sizes[:10]},
    }
