"""``kg export``: every format of the seeds' graph opens in its target tool (pandas, networkx,
rdflib) and agrees with the source graph; output is deterministic; bad arguments give one line."""

from __future__ import annotations

import codecs
import csv
import json

import networkx as nx
import pandas as pd
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib import BNode, Literal
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS

from kg.export import EDGE_COLUMNS, FORMATS, NODE_COLUMNS, export, load_graph
from kg.resources import load_table
from kg.vocab import ENTITY_CLASSES, KGO, KGR
from seeds_graph import run_kg, seeds_graph

ALL_FILES = sorted(name for names in FORMATS.values() for name in names)


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return load_graph(seeds_graph())


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """All formats, written by the command line as a researcher runs it."""
    folder = tmp_path_factory.mktemp("export") / "exports"
    proc = run_kg("export", str(seeds_graph()), "--format", "all", "-o", str(folder))
    assert proc.returncode == 0, proc.stderr
    for name in ALL_FILES:
        assert f"wrote {folder / name}" in proc.stdout
    return folder


def nodes_of(graph) -> set[str]:
    """Entities of the eight classes plus the designations they are recognised as."""
    found = {str(s) for c in ENTITY_CLASSES for s in graph.subjects(RDF.type, KGO[c])}
    return found | {str(o) for o in graph.objects(None, KGO.recognizedAs)}


def english_name(canonical: str) -> str:
    return next(row[2] for row in load_table("known_entities.tsv") if row[0] == canonical)


# ------------------------------------------------------------------ files

def test_exactly_the_files_nothing_temporary(out):
    assert sorted(p.name for p in out.iterdir()) == ALL_FILES


def test_deterministic(graph, out, tmp_path):
    again = export(graph, list(FORMATS), tmp_path)
    assert sorted(p.name for p in again) == ALL_FILES
    for path in again:
        assert path.read_bytes() == (out / path.name).read_bytes(), path.name


# ------------------------------------------------------------------ CSV / pandas

@pytest.fixture(scope="module")
def nodes(out) -> pd.DataFrame:
    return pd.read_csv(out / "nodes.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def edges(out) -> pd.DataFrame:
    return pd.read_csv(out / "edges.csv", keep_default_na=False)


def test_csv_has_bom_and_columns(out, nodes, edges):
    for name in ("nodes.csv", "edges.csv"):
        assert (out / name).read_bytes().startswith(codecs.BOM_UTF8), name
    assert list(nodes.columns) == list(NODE_COLUMNS)  # the BOM is not glued to "id"
    assert list(edges.columns) == list(EDGE_COLUMNS)


def test_nodes_table(graph, nodes):
    assert set(nodes["id"]) == nodes_of(graph)
    assert nodes["id"].is_unique
    faw = nodes[nodes["label_zh"] == "中国一汽"].iloc[0]
    assert faw["class"] == "Enterprise"
    assert faw["label_en"] == english_name("中国一汽")
    assert "一汽" in faw["aliases"].split("|")
    assert faw["mentions"] == len(set(graph.objects(rdflib.URIRef(faw["id"]), KGO.mentionedIn))) > 1
    assert faw["first_date"] <= faw["last_date"] and faw["first_date"].startswith("20")
    cheng = nodes[nodes["label_zh"] == "程宇"].iloc[0]
    assert cheng["class"] == "Person" and cheng["pinyin"] == "Cheng Yu"
    counts = nodes["class"].value_counts()
    for cls in ENTITY_CLASSES:
        assert counts.get(cls, 0) == len(set(graph.subjects(RDF.type, KGO[cls]))), cls


def test_edges_table(graph, nodes, edges):
    assert set(edges["source"]) | set(edges["target"]) <= set(nodes["id"])
    mayor = edges[(edges["source_label"] == "程宇") & (edges["relation"] == "holdsPost") & (edges["role"] == "市长")]
    assert len(mayor) >= 1
    assert all("市长" in sentence and "程宇" in sentence for sentence in mayor["evidence"])
    assert "辽源市人民政府" in set(mayor["target_label"])
    evidence_texts = {str(t) for ev in graph.subjects(RDF.type, KGO.Evidence) for t in graph.objects(ev, KGO.text)}
    assert (edges["evidence"] != "").all(), "every fact of the seeds has a sentence"
    assert set(edges["evidence"]) <= evidence_texts
    assert pd.api.types.is_integer_dtype(edges["start"]) and (edges["start"] < edges["end"]).all()
    with_body = {m for m in graph.subjects(RDF.type, ORG.Membership) if (m, ORG.organization, None) in graph}
    assert edges[edges["relation"] == "holdsPost"].shape[0] >= len(with_body)
    assert {"locatedIn", "undertakes", "cooperatesWith", "recognizedAs", "party", "signatory", "witness"} \
        <= set(edges["relation"])


# ------------------------------------------------------------------ GraphML, GEXF / networkx

@pytest.mark.parametrize("name, reader", [("graph.graphml", nx.read_graphml), ("graph.gexf", nx.read_gexf)])
def test_networks(graph, out, edges, name, reader):
    net = reader(out / name)
    assert set(net.nodes) == nodes_of(graph)
    for node, attrs in net.nodes(data=True):
        assert attrs.get("class") and attrs.get("label"), (node, attrs)
    faw = next(n for n, a in net.nodes(data=True) if a["label"] == "中国一汽")
    assert net.nodes[faw]["label_en"] == english_name("中国一汽")
    cheng = next(n for n, a in net.nodes(data=True) if a["label"] == "程宇")
    assert net.nodes[cheng]["pinyin"] == "Cheng Yu"
    roles = {d.get("role") for _, _, d in net.out_edges(cheng, data=True)}
    assert "市长" in roles
    pairs = {(r.source, r.target, r.relation, r.role) for r in edges.itertuples()}
    assert net.number_of_edges() == len(pairs)  # one network edge per distinct fact, evidence rows aside
    assert all(int(d["weight"]) >= 1 for _, _, d in net.edges(data=True))


# ------------------------------------------------------------------ RDF / rdflib

def test_ntriples(graph, out):
    back = rdflib.Graph().parse(out / "graph.nt", format="nt")
    assert len(back) == len(graph)
    assert isomorphic(back, graph)


def test_jsonld_compact_and_round_trips(graph, out):
    doc = json.loads((out / "graph.jsonld").read_text(encoding="utf-8"))
    context = doc["@context"]
    for prefix in ("kgo", "kgr", "org", "prov", "skos", "dcterms", "rdfs"):
        assert prefix in context
    assert context["label"]["@id"] == "rdfs:label"
    assert all(node["@id"].startswith("kgr:") for node in doc["@graph"])
    faw = next(n for n in doc["@graph"] if n.get("label", {}).get("zh") == "中国一汽")
    assert faw["label"]["en"] == english_name("中国一汽")
    back = rdflib.Graph().parse(out / "graph.jsonld", format="json-ld")
    assert len(back) == len(graph)
    assert isomorphic(back, graph)


def test_trig_one_graph_per_document(graph, out):
    ds = rdflib.Dataset().parse(out / "graph.trig", format="trig")
    documents = set(graph.subjects(RDF.type, KGO.Document))
    named = {c.identifier: c for c in ds.graphs() if c.identifier != ds.default_graph.identifier}
    assert set(named) == documents
    union = rdflib.Graph()
    for ctx in ds.graphs():
        for t in ctx:
            union.add(t)
    assert len(union) == len(graph)
    assert isomorphic(union, graph)
    for doc, ctx in named.items():
        assert (doc, RDF.type, KGO.Document) in ctx
        for ev in graph.subjects(PROV.wasDerivedFrom, doc):  # the document's evidence is in its graph
            assert (ev, KGO.text, graph.value(ev, KGO.text)) in ctx
    # a post is in the graph of the document its sentence comes from, the person's name is shared
    cheng = next(p for p in graph.subjects(RDF.type, KGO.Person) if str(graph.value(p, RDFS.label)) == "程宇")
    for m in graph.subjects(ORG.member, cheng):
        doc = graph.value(graph.value(m, PROV.wasDerivedFrom), PROV.wasDerivedFrom)
        assert (m, ORG.member, cheng) in named[doc]
    assert (cheng, RDFS.label, graph.value(cheng, RDFS.label)) in ds.default_graph


# ------------------------------------------------------------------ command line

def test_cli_errors_are_one_line(tmp_path):
    not_rdf = tmp_path / "notes.ttl"
    not_rdf.write_text("这不是 RDF <<<", encoding="utf-8")
    a_file = tmp_path / "taken"
    a_file.write_text("x", encoding="utf-8")
    graph = str(seeds_graph())
    cases = [
        (["export", str(tmp_path / "missing.ttl")], "no such file"),
        (["export", str(not_rdf), "-o", str(tmp_path / "o1")], "cannot read as RDF"),
        (["export", graph, "-f", "xlsx", "-o", str(tmp_path / "o2")], "unknown format 'xlsx'"),
        (["export", graph, "-o", str(a_file)], "is not a folder"),
        (["export", str(tmp_path)], "not a file"),
        (["stats", str(not_rdf)], "cannot read as RDF"),
        (["stats", str(tmp_path / "missing.ttl")], "no such file"),
    ]
    for args, message in cases:
        proc = run_kg(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_cli_formats_by_comma_and_repeat(tmp_path):
    proc = run_kg("export", str(seeds_graph()), "-f", "graphml,nt", "-f", "csv", "-o", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["edges.csv", "graph.graphml", "graph.nt", "nodes.csv"]


def test_help_teaches():
    proc = run_kg("export", "--help")
    assert proc.returncode == 0
    for word in ("Examples", "graphml", "gexf", "jsonld", "trig", "nodes.csv", "pandas"):
        assert word in proc.stdout, word


# ------------------------------------------------------------------ hostile text in the graph

#: Texts a spreadsheet would run as formulas, one per kind of cell that can start with them.
FORMULAS = {
    "label": '=HYPERLINK("http://127.0.0.1:9/x","点击")',
    "alias": "=1+1",
    "english": "+SUM(1,1)",
    "pinyin": "-2+3",
    "body": "@SUM(A1)",
    "role": "\t=1+1",
    "title": "\r=1+1",
    "sentence": "=cmd|' /C calc'!A0 市长出席会议。",
}
#: A name with characters XML 1.0 cannot hold (NUL, SOH, ESC, U+FFFE) besides the allowed tab.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # the OWASP list
CONTROL_NAME = "程\x00宇\x01\x1b[31m\ufffe\t甲"


def hostile_export_graph() -> rdflib.Graph:
    """Two persons holding posts in a body, each with a sentence: one named with formulas, one with
    control characters."""
    g = rdflib.Graph()
    body, doc = KGR["body/x"], KGR["doc/x"]
    g.add((body, RDF.type, KGO.GovernmentBody))
    g.add((body, RDFS.label, Literal(FORMULAS["body"], lang="zh")))
    g.add((doc, RDF.type, KGO.Document))
    g.add((doc, DCTERMS.title, Literal(FORMULAS["title"], lang="zh")))
    g.add((doc, DCTERMS.date, Literal("2025-02-12", datatype=rdflib.XSD.date)))
    for key, label, sentence in (("f", FORMULAS["label"], FORMULAS["sentence"]),
                                 ("c", CONTROL_NAME, CONTROL_NAME + "市长出席会议。")):
        person, ev, m = KGR[f"person/{key}"], KGR[f"ev/{key}"], BNode()
        g.add((person, RDF.type, KGO.Person))
        g.add((person, RDFS.label, Literal(label, lang="zh")))
        g.add((person, KGO.mentionedIn, doc))
        for p, o in ((RDF.type, KGO.Evidence), (KGO.text, Literal(sentence, lang="zh")), (KGO.start, Literal(0)),
                     (KGO.end, Literal(len(sentence))), (PROV.wasDerivedFrom, doc)):
            g.add((ev, p, o))
        for p, o in ((RDF.type, ORG.Membership), (ORG.member, person), (ORG.organization, body),
                     (KGO.roleLabel, Literal(FORMULAS["role"] if key == "f" else "市长", lang="zh")),
                     (PROV.wasDerivedFrom, ev)):
            g.add((m, p, o))
    person = KGR["person/f"]
    g.add((person, SKOS.altLabel, Literal(FORMULAS["alias"], lang="zh")))
    g.add((person, RDFS.label, Literal(FORMULAS["english"], lang="en")))
    g.add((person, KGO.pinyin, Literal(FORMULAS["pinyin"])))
    return g


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory):
    """``kg export -f all`` of :func:`hostile_export_graph`, written as Turtle."""
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "hostile.ttl"
    source.write_bytes(hostile_export_graph().serialize(format="turtle", encoding="utf-8"))
    assert CONTROL_NAME in {str(o) for o in load_graph(source).objects(None, RDFS.label)}
    proc = run_kg("export", str(source), "--format", "all", "-o", str(folder / "out"))
    assert proc.returncode == 0, proc.stderr
    return folder / "out"


def csv_cells(path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [cell for row in csv.reader(f) for cell in row]


def test_csv_no_cell_starts_a_formula(hostile_out):
    """Issue 13, point 10: every text cell that starts with = + - @, a tab or a CR gets a ' in front."""
    cells = csv_cells(hostile_out / "nodes.csv") + csv_cells(hostile_out / "edges.csv")
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    for key, text in FORMULAS.items():
        assert any(c == "'" + text or c.startswith(("'" + text + "|", "'" + text + " (")) for c in cells), key
    # pandas reads the same cells: the payloads are text, shown with their '
    edges = pd.read_csv(hostile_out / "edges.csv", keep_default_na=False)
    assert "'" + FORMULAS["sentence"] in set(edges["evidence"])
    assert "'" + FORMULAS["label"] in set(edges["source_label"])


@pytest.mark.parametrize("name, reader", [("graph.graphml", nx.read_graphml), ("graph.gexf", nx.read_gexf)])
def test_xml_without_forbidden_characters(hostile_out, name, reader):
    """Issue 13, point 11: NUL, SOH, ESC and U+FFFE are removed from the names, so the file parses."""
    net = reader(hostile_out / name)
    labels = {a["label"] for _, a in net.nodes(data=True)}
    assert "程宇[31m\t甲" in labels
    assert FORMULAS["label"] in labels  # XML has no formulas: the text stays as it is
    text = (hostile_out / name).read_text(encoding="utf-8")
    assert not any(c in text for c in "\x00\x01\x1b\ufffe")
