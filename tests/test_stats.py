"""``kg stats``: counts, centrality and components, on the seeds' graph and on a graph small
enough to check by hand; the table and ``--json`` say the same."""

from __future__ import annotations

import json

import networkx as nx
import pytest
import rdflib
from rdflib.namespace import ORG, RDF, RDFS

import kg.stats
from kg.export import load_graph
from kg.stats import graph_stats
from kg.viz import graph_to_network
from kg.vocab import ENTITY_CLASSES, KGO, KGR
from seeds_graph import run_kg, seeds_graph


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return load_graph(seeds_graph())


@pytest.fixture(scope="module")
def stats(graph) -> dict:
    return graph_stats(graph, top=5)


def test_counts_match_the_graph(graph, stats):
    for cls in ENTITY_CLASSES:
        assert stats["entities"][cls] == len(set(graph.subjects(RDF.type, KGO[cls]))), cls
    assert stats["entities"]["Person"] >= 10 and stats["entities"]["Enterprise"] >= 20
    assert stats["relations"]["holdsPost"] == len(set(graph.subjects(RDF.type, ORG.Membership)))
    assert 0 < stats["relations"]["holdsPost_with_body"] <= stats["relations"]["holdsPost"]
    assert stats["relations"]["locatedIn"] == len(set(graph.subject_objects(KGO.locatedIn)))
    assert stats["documents"] == 13 and stats["triples"] == len(graph)  # the 5 pages' articles


def test_central_entities(stats):
    persons, firms = stats["top_persons"], stats["top_enterprises"]
    assert len(persons) == 5 and len(firms) == 5
    assert firms[0]["label"] == "中国一汽" and firms[0]["label_en"]
    assert "程宇" in [p["label"] for p in persons]
    assert next(p for p in persons if p["label"] == "程宇")["pinyin"] == "Cheng Yu"
    for ranking in (persons, firms):
        degrees = [r["degree"] for r in ranking]
        assert degrees == sorted(degrees, reverse=True)
        assert all(0.0 <= r["betweenness"] <= 1.0 for r in ranking)


def test_components_agree_with_networkx(graph, stats):
    simple = nx.Graph(graph_to_network(graph).to_undirected())
    sizes = sorted((len(c) for c in nx.connected_components(simple)), reverse=True)
    comp = stats["components"]
    assert comp["count"] == len(sizes) and comp["largest"] == sizes[0] and comp["sizes"] == sizes[:10]
    assert comp["isolated"] == nx.number_of_isolates(simple)
    assert stats["network"]["nodes"] == simple.number_of_nodes()


def _person_between_two_bodies() -> rdflib.Graph:
    """body A — 程宇 — body B (two posts) and a firm alone: 程宇 lies on the only path."""
    g = rdflib.Graph()
    for iri, cls, name in [(KGR.p, KGO.Person, "程宇"), (KGR.a, KGO.GovernmentBody, "中共辽源市委"),
                           (KGR.b, KGO.GovernmentBody, "辽源市人民政府"), (KGR.f, KGO.Enterprise, "启星铝业")]:
        g.add((iri, RDF.type, cls))
        g.add((iri, RDFS.label, rdflib.Literal(name, lang="zh")))
    for m, body, role in [(KGR.m1, KGR.a, "副书记"), (KGR.m2, KGR.b, "市长")]:
        g.add((m, RDF.type, ORG.Membership))
        g.add((m, ORG.member, KGR.p))
        g.add((m, ORG.organization, body))
        g.add((m, KGO.roleLabel, rdflib.Literal(role, lang="zh")))
    return g


def test_betweenness_by_hand():
    s = graph_stats(_person_between_two_bodies())
    # on 1 of the 3 pairs of the other nodes' shortest paths (the firm is alone): 1/3
    assert s["top_persons"] == [{"id": str(KGR.p), "label": "程宇", "label_en": None, "pinyin": None,
                                 "degree": 2, "betweenness": 0.3333}]
    assert s["top_enterprises"][0]["degree"] == 0
    assert s["components"] == {"count": 2, "largest": 3, "isolated": 1, "sizes": [3, 1]}
    assert s["relations"]["holdsPost"] == 2


def test_sampled_betweenness_is_reproducible(graph, monkeypatch):
    monkeypatch.setattr(kg.stats, "EXACT_BETWEENNESS_NODES", 50)
    first, second = graph_stats(graph), graph_stats(graph)
    assert first["top_persons"] == second["top_persons"]


def test_cli_json_and_table_agree(graph):
    proc = run_kg("stats", str(seeds_graph()), "--json", "--top", "3")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data == graph_stats(graph, top=3)
    table = run_kg("stats", str(seeds_graph()), "--top", "3")
    assert table.returncode == 0, table.stderr
    for text in ("Most central officials", "Most central enterprises", "components",
                 data["top_enterprises"][0]["label"], data["top_enterprises"][0]["label_en"],
                 data["top_persons"][0]["label"], str(data["entities"]["Enterprise"])):
        assert text in table.stdout, text


def test_help_teaches():
    proc = run_kg("stats", "--help")
    assert proc.returncode == 0 and "Examples" in proc.stdout and "--json" in proc.stdout
