"""Tests for kg.viz: the offline relationship map."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal
from rdflib.namespace import ORG, RDF, RDFS, SKOS

from kg.viz import graph_to_network, write_map
from kg.vocab import KGO, KGR

EVIL = "<script>alert(1)</script>"


def _entity(g: rdflib.Graph, iri, cls: str, zh: str, en: str | None = None, *alts: str):
    g.add((iri, RDF.type, KGO[cls]))
    g.add((iri, RDFS.label, Literal(zh, lang="zh")))
    if en:
        g.add((iri, RDFS.label, Literal(en, lang="en")))
    for alt in alts:
        g.add((iri, SKOS.altLabel, Literal(alt, lang="zh")))
    return iri


@pytest.fixture()
def graph() -> rdflib.Graph:
    g = rdflib.Graph()
    cheng = _entity(g, KGR["person/chengyu"], "Person", "程宇")
    sima = _entity(g, KGR["person/simajiang"], "Person", "司马江")
    _entity(g, KGR["person/evil"], "Person", EVIL)
    gov = _entity(g, KGR["body/liaoyuan-government"], "GovernmentBody", "辽源市人民政府")
    faw = _entity(g, KGR["enterprise/faw"], "Enterprise", "中国一汽", "FAW", "一汽")
    liaoyuan = _entity(g, KGR["place/liaoyuan"], "Place", "辽源市")
    jilin = _entity(g, KGR["place/jilin"], "Place", "吉林省")
    # a source document is not an entity and must not become a node
    doc = KGR["doc/sample"]
    g.add((doc, RDF.type, KGO.Document))
    g.add((cheng, KGO.mentionedIn, doc))

    m = KGR["membership/chengyu-mayor"]
    g.add((m, RDF.type, ORG.Membership))
    g.add((m, ORG.member, cheng))
    g.add((m, ORG.role, KGR["role/mayor"]))
    g.add((KGR["role/mayor"], RDFS.label, Literal("市长", lang="zh")))
    g.add((m, ORG.organization, gov))

    g.add((liaoyuan, KGO.locatedIn, jilin))

    a = _entity(g, KGR["agreement/green-supply-chain"], "Agreement",
                "《绿色零碳汽车零部件产业园区供应链试点合作框架协议》")
    g.add((a, KGO.party, gov))
    g.add((a, KGO.party, faw))
    g.add((a, KGO.signatory, sima))
    g.add((a, KGO.witness, cheng))
    return g


def _dataset(page: str, var: str) -> list[dict]:
    marker = f"{var} = new vis.DataSet("
    start = page.index(marker) + len(marker)
    value, _ = json.JSONDecoder().raw_decode(page[start:])
    return value


def test_network_nodes_and_edges(graph):
    net = graph_to_network(graph)
    assert net.number_of_nodes() == 8  # 3 persons, body, enterprise, 2 places, agreement
    assert net.number_of_edges() == 6  # post, locatedIn, 2 parties, signatory, witness
    faw = net.nodes[str(KGR["enterprise/faw"])]
    assert faw["label"] == "中国一汽" and faw["label_en"] == "FAW"
    assert faw["aliases"] == ["一汽"] and faw["cls"] == "Enterprise"
    rels = {(net.nodes[u]["label"], d["rel"], net.nodes[v]["label"])
            for u, v, d in net.edges(data=True)}
    assert ("程宇", "市长", "辽源市人民政府") in rels
    assert ("辽源市", "位于", "吉林省") in rels
    assert ("司马江", "签署", "《绿色零碳汽车零部件产业园区供应链试点合作框架协议》") in rels
    assert ("程宇", "见证", "《绿色零碳汽车零部件产业园区供应链试点合作框架协议》") in rels
    assert ("中国一汽", "签约方", "《绿色零碳汽车零部件产业园区供应链试点合作框架协议》") in rels


def test_network_other_relations():
    g = rdflib.Graph()
    a = _entity(g, KGR.a, "Enterprise", "启星铝业")
    b = _entity(g, KGR.b, "Institution", "中南大学")
    unit = _entity(g, KGR.unit, "Enterprise", "中国一汽供应部")
    parent = _entity(g, KGR.parent, "Enterprise", "中国一汽")
    proj = _entity(g, KGR.proj, "Project", "启星铝业75MN挤压生产线")
    person = _entity(g, KGR.p, "Person", "王东")
    g.add((a, KGO.cooperatesWith, b))
    g.add((b, KGO.cooperatesWith, a))  # symmetric, stated twice → one edge
    g.add((unit, ORG.subOrganizationOf, parent))
    g.add((a, KGO.undertakes, proj))
    g.add((a, KGO.recognizedAs, KGR.champion))
    g.add((KGR.champion, RDF.type, KGO.Designation))
    g.add((KGR.champion, RDFS.label, Literal("省首批制造业单项冠军", lang="zh")))
    m = KGR.m  # a post with no organisation: kept on the person
    g.add((m, RDF.type, ORG.Membership))
    g.add((m, ORG.member, person))
    g.add((m, KGO.roleLabel, Literal("副市长", lang="zh")))

    net = graph_to_network(g)
    assert net.number_of_nodes() == 7
    assert net.nodes[str(KGR.champion)]["cls"] == "Designation"
    assert net.nodes[str(KGR.p)]["posts"] == ["副市长"]
    assert sorted(d["rel"] for _, _, d in net.edges(data=True)) == sorted(
        ["合作", "隶属", "承建", "获评"])


def test_write_map(graph, tmp_path: Path):
    out = tmp_path / "map.html"
    stats = write_map(graph, out)
    assert stats == {"nodes": 8, "edges": 6}
    raw = out.read_bytes()
    page = raw.decode("utf-8")  # strict: fails unless UTF-8
    assert "程宇" in page
    assert re.search(r'(src|href)="https?://', page) is None
    assert "<script>alert(1)" not in page and "alert(1)</script>" not in page

    nodes = _dataset(page, "nodes")
    edges = _dataset(page, "edges")
    assert len(nodes) == 8 and len({n["id"] for n in nodes}) == 8
    assert len(edges) == 6
    by_label = {n["label"]: n for n in nodes}
    assert {"程宇", "司马江", "辽源市人民政府", "中国一汽", "辽源市", "吉林省"} <= set(by_label)
    # the canvas label is plain text; the HTML tooltip only has the escaped form
    evil = by_label[EVIL]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil["title"]
    assert "<script" not in evil["title"]
    assert "FAW" in by_label["中国一汽"]["title"] and "一汽" in by_label["中国一汽"]["title"]
    assert any(e["label"] == "市长" for e in edges)
    assert {e["label"] for e in edges} >= {"位于", "签约方", "签署", "见证"}
    # legend, physics hooks, no leftover tmp file
    assert 'id="kg-legend"' in page and "党政机关" in page
    assert '"iterations": 200' in page and "stabilizationIterationsDone" in page
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_write_map_escapes_title_and_overwrites(graph, tmp_path: Path):
    out = tmp_path / "map.html"
    out.write_text("old", encoding="utf-8")
    write_map(graph, out, title="<img src=x onerror=alert(2)>")
    page = out.read_text(encoding="utf-8")
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page


def test_href_in_a_name_keeps_default_tooltips(tmp_path: Path):
    g = rdflib.Graph()
    _entity(g, KGR.x, "Enterprise", 'href="http://evil.example/"')
    out = tmp_path / "m.html"
    write_map(g, out)
    page = out.read_text(encoding="utf-8")
    assert re.search(r'(src|href)="https?://', page) is None
    assert "popup.innerHTML" not in page  # pyvis' link-tooltip template not switched on


def test_empty_graph(tmp_path: Path):
    out = tmp_path / "sub" / "empty.html"
    assert write_map(rdflib.Graph(), out) == {"nodes": 0, "edges": 0}
    page = out.read_text(encoding="utf-8")
    assert "图谱为空" in page and "The graph is empty" in page
    assert page.lstrip().startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert _dataset(page, "nodes") == [] and _dataset(page, "edges") == []
    assert re.search(r'(src|href)="https?://', page) is None
