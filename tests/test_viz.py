"""Tests for kg.viz and ``kg viz``: the offline relationship map, as written (no browser here;
tests/test_viz_browser.py opens the pages in Chromium)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal
from rdflib.namespace import ORG, RDF, RDFS, SKOS
from typer.testing import CliRunner

from kg.cli import app
from kg.viz import MapError, graph_to_network, parse_classes, select, write_map
from kg.vocab import KGO, KGR

ROOT = Path(__file__).resolve().parent.parent

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


def _page_data(page: str) -> dict:
    """The panel's data block (facts per node id, layout mode, focus)."""
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def seeds(seeds_build) -> Path:
    """The seeds' build (tests/conftest.py): graph.ttl and kg build's default map graph.html."""
    return seeds_build


@pytest.fixture(scope="module")
def seeds_graph(seeds) -> rdflib.Graph:
    return rdflib.Graph().parse(seeds / "graph.ttl", format="turtle")


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
    assert stats == {"nodes": 8, "edges": 6, "total_nodes": 8, "layout": "physics"}
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
    # names stay as written in the data (the page's script shows them as text); tojson escaped "<"
    assert by_label[EVIL]["kg_zh"] == EVIL and "title" not in by_label[EVIL]
    faw = by_label["中国一汽"]
    assert faw["kg_en"] == "FAW" and faw["kg_aliases"] == ["一汽"] and faw["shape"] == "square"
    assert by_label["程宇"]["shape"] == "dot" and by_label["程宇"]["size"] > by_label[EVIL]["size"]
    mayor = next(e for e in edges if e["label"] == "市长")
    assert mayor["kg_rel"] == "post" and mayor["kg_en"] == "Mayor" and "title" in mayor
    assert {e["label"] for e in edges} >= {"位于", "签约方", "签署", "见证"}
    assert next(e for e in edges if e["label"] == "位于")["kg_en"] == "located in"
    # legend with class filters, relation filters, search, physics hooks, no leftover tmp file
    assert 'id="kg-legend"' in page and "党政机关" in page and 'data-kg-class="Person"' in page
    assert 'data-kg-rel="locatedIn"' in page and 'id="kg-search"' in page and 'id="kg-lang"' in page
    assert '"iterations": 100' in page and "stabilizationIterationsDone" in page
    assert all("x" in n and "y" in n for n in nodes)  # physics starts from kg.layout's positions
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
    assert write_map(rdflib.Graph(), out)["nodes"] == 0
    page = out.read_text(encoding="utf-8")
    assert "图谱为空" in page and "The graph is empty" in page
    assert page.lstrip().startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert _dataset(page, "nodes") == [] and _dataset(page, "edges") == []
    assert re.search(r'(src|href)="https?://', page) is None


def test_pinyin_and_english_reach_the_page(tmp_path: Path):
    g = rdflib.Graph()
    p = _entity(g, KGR.p, "Person", "程宇")
    g.add((p, KGO.pinyin, Literal("Chéng Yǔ")))
    _entity(g, KGR.f, "Enterprise", "中国一汽", "FAW Group", "一汽")
    assert graph_to_network(g).nodes[str(KGR.p)]["pinyin"] == "Chéng Yǔ"
    write_map(g, tmp_path / "m.html")
    by_label = {n["label"]: n for n in _dataset((tmp_path / "m.html").read_text(encoding="utf-8"), "nodes")}
    assert by_label["程宇"]["kg_py"] == "Chéng Yǔ" and by_label["程宇"]["kg_en"] is None
    assert by_label["中国一汽"]["kg_en"] == "FAW Group" and by_label["中国一汽"]["kg_py"] is None


def test_build_map_has_every_entity_and_its_evidence(seeds, seeds_graph):
    """kg build's default map: one vis node per entity (and designation), each with its facts."""
    page = (seeds / "graph.html").read_text(encoding="utf-8")
    nodes = _dataset(page, "nodes")
    entities = {str(s) for cls in ("Person", "Enterprise", "GovernmentBody", "Institution", "IndustrialPark",
                                   "Project", "Place", "Agreement", "Designation")
                for s in seeds_graph.subjects(RDF.type, KGO[cls])}
    assert len(nodes) == len(entities) and {n["kg_iri"] for n in nodes} == entities
    data = _page_data(page)
    assert data["layout"] == "physics" and set(data["facts"]) == {str(n["id"]) for n in nodes}
    cheng = next(n for n in nodes if n["kg_zh"] == "程宇")
    facts = data["facts"][str(cheng["id"])]["facts"]
    posts = [f for f in facts if f[0] == "市长" and f[1] == "辽源市人民政府" and f[2] == "→"]
    assert posts and all(f[3] for f in posts)
    sentence, title, date, start, end = posts[0][3][0]
    assert "市长" in sentence and "程宇" in sentence and title and end > start
    assert any(src[2] == "2025-02-12" for f in posts for src in f[3])
    assert re.search(r'(src|href)="https?://', page) is None


def test_select_focus_depth_classes_and_cap(seeds_graph):
    from kg.viz import find_focus

    net = graph_to_network(seeds_graph)
    cheng = find_focus(seeds_graph, net, "程宇")
    assert [net.nodes[n]["label"] for n in cheng] == ["程宇"]
    assert [net.nodes[n]["label"] for n in select(net, focus=cheng, depth=0).net] == ["程宇"]
    near = {net.nodes[n]["label"] for n in select(net, focus=cheng, depth=1).net}
    assert {"程宇", "辽源市人民政府", "中共辽源市委"} <= near and len(near) < 10
    wider = select(net, focus=cheng, depth=2)
    assert set(select(net, focus=cheng, depth=1).net) < set(wider.net)
    assert wider.notes == ["以 程宇 为中心，2 步以内 · within 2 step(s) of 程宇"]
    people = select(net, focus=cheng, depth=2, classes={"Person"})
    assert {net.nodes[n]["cls"] for n in people.net} == {"Person"} and cheng[0] in people.net
    capped = select(net, max_nodes=10)
    kept = sorted(net.degree(n) for n in capped.net)
    assert len(kept) == 10 and kept[0] >= sorted((d for _, d in net.degree()), reverse=True)[9]
    assert capped.notes == [f"只显示连接最多的 10 个节点（共 {net.number_of_nodes()} 个） · "
                            f"showing the 10 most connected of {net.number_of_nodes()} nodes"]
    assert find_focus(seeds_graph, net, "一汽") == find_focus(seeds_graph, net, "中国一汽")


def test_map_errors(seeds_graph, tmp_path: Path):
    with pytest.raises(MapError, match="unknown class 'Robot'"):
        write_map(seeds_graph, tmp_path / "m.html", classes=["Person", "Robot"])
    with pytest.raises(MapError, match="no entity named"):
        write_map(seeds_graph, tmp_path / "m.html", focus="不存在的人")
    with pytest.raises(MapError, match="--depth"):
        write_map(seeds_graph, tmp_path / "m.html", focus="程宇", depth=-1)
    assert not list(tmp_path.iterdir())
    assert parse_classes(["GovernmentBody", "government body", "党政机关"]) == {"GovernmentBody"}


def test_big_map_gets_a_precomputed_layout_and_says_what_it_left_out(seeds_graph, tmp_path: Path):
    out = tmp_path / "big.html"
    stats = write_map(seeds_graph, out, max_nodes=120, layout_threshold=50)
    total = stats["total_nodes"]  # every entity and agreement of the seeds' graph (~300)
    assert stats["nodes"] == 120 and total > 200 and stats["layout"] == "precomputed"
    page = out.read_text(encoding="utf-8")
    assert '"physics": {"enabled": false}' in page and _page_data(page)["layout"] == "precomputed"
    assert f"showing the 120 most connected of {total} nodes" in page and "只显示连接最多的 120 个节点" in page
    nodes = _dataset(page, "nodes")
    assert len(nodes) == 120 and len({(n["x"], n["y"]) for n in nodes}) == 120
    again = tmp_path / "again.html"
    write_map(seeds_graph, again, max_nodes=120, layout_threshold=50)
    assert again.read_bytes() == out.read_bytes()  # deterministic layout and ids


def _cli(*args: str | Path):
    result = CliRunner().invoke(app, ["viz", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args, message", [
    (["missing.ttl"], "missing.ttl: no such file"),
    (["{readme}"], "cannot read as Turtle"),
    (["{ttl}", "--classes", "Person,Robot"], "unknown class 'Robot'"),
    (["{ttl}", "--focus", "不存在的人"], "no entity named '不存在的人'"),
    (["{ttl}", "--focus", "程宇", "--depth", "-1"], "--depth must be 0 or more"),
    (["{ttl}", "--max-nodes", "0"], "--max-nodes must be at least 1"),
])
def test_kg_viz_bad_arguments(seeds, tmp_path: Path, args, message):
    out = tmp_path / "map.html"
    out.write_text("previous", encoding="utf-8")
    args = [a.format(ttl=seeds / "graph.ttl", readme=ROOT / "README.md") for a in args]
    code, stdout, stderr = _cli(*args, "-o", out)
    assert code == 2, stdout + stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], stderr
    assert "Traceback" not in stderr + stdout
    assert out.read_text(encoding="utf-8") == "previous" and [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_kg_viz_focus_and_classes_end_to_end(seeds, tmp_path: Path):
    out = tmp_path / "sub" / "chengyu.html"
    proc = subprocess.run([sys.executable, "-m", "kg", "viz", str(seeds / "graph.ttl"), "-o", str(out),
                           "--focus", "程宇", "--depth", "2", "--classes", "Person,GovernmentBody,Agreement"],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}" in proc.stdout.replace("\n", "")
    page = out.read_text(encoding="utf-8")
    nodes = _dataset(page, "nodes")
    labels = {n["kg_zh"] for n in nodes}
    assert {"程宇", "辽源市人民政府", "中共辽源市委", "吴碧磊"} <= labels
    assert {n["kg_cls"] for n in nodes} <= {"Person", "GovernmentBody", "Agreement"}
    assert "within 2 step(s) of 程宇" in page and "only Person, Government body, Agreement" in page
    data = _page_data(page)
    assert data["focus"] == [next(n["id"] for n in nodes if n["kg_zh"] == "程宇")]
