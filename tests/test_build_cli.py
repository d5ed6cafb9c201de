"""``kg build`` end to end, as a user runs it (``python -m kg …`` in a subprocess).

The seeds are built once per module (plus one more time for the determinism check); the graph is
checked against the provenance rules of the contract (../shared/SCHEMA.md).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
KGO = rdflib.Namespace("https://w3id.org/zhengqi/ontology#")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")  # not rdflib's closed XSD: pytest probes module attributes
ENTITY_CLASSES = tuple(KGO[c] for c in ("Person", "Enterprise", "GovernmentBody", "Institution",
                                        "IndustrialPark", "Project", "Place", "Agreement"))


def kg(*args: str | Path, cwd: Path = ROOT, umask: int | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)


def error_lines(stderr: str) -> list[str]:
    """stderr without jieba's start-up chatter."""
    noise = ("Building prefix dict", "Loading model", "Prefix dict has been built", "Dumping model")
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith(noise)]


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "out"
    proc = kg("build", "seeds", "-o", out, "--no-map", umask=0o022)
    return proc, out


@pytest.fixture(scope="module")
def graph(build) -> rdflib.Graph:
    proc, out = build
    assert proc.returncode == 0, proc.stderr
    return rdflib.Graph().parse(out / "graph.ttl", format="turtle")


def entities(g: rdflib.Graph) -> set:
    return {s for cls in ENTITY_CLASSES for s in g.subjects(RDF.type, cls)}


def zh(g: rdflib.Graph, node) -> str | None:
    labels = [str(label) for label in g.objects(node, RDFS.label) if label.language == "zh"]
    return labels[0] if len(labels) == 1 else None


# --------------------------------------------------------------------------- the build

def test_build_exits_0_and_writes_only_the_graph(build):
    proc, out = build
    assert proc.returncode == 0, proc.stderr
    assert (out / "graph.ttl").is_file()
    assert not (out / "graph.html").exists()  # --no-map
    assert "Traceback" not in proc.stderr
    assert "5 documents read (13 articles)" in proc.stdout
    assert "graph.ttl" in proc.stdout


def test_no_temporary_files_are_left_behind(build):
    _, out = build
    assert sorted(p.name for p in out.iterdir()) == [".cache", ".kg-lock", ".kg-output", "graph.ttl", "store"]
    cached = sorted(p.name for p in (out / ".cache").rglob("*") if p.is_file())
    assert len(cached) == 13 and all(name.endswith(".json") for name in cached)  # one per article (5 pages)


def test_graph_has_the_five_pages_as_thirteen_articles_with_their_text(graph):
    docs = set(graph.subjects(RDF.type, KGO.Document))
    assert len(docs) == 13
    sources = {str(graph.value(d, DCTERMS.source)) for d in docs}
    assert sources == {p.name for p in SEEDS.glob("*.txt")}
    for d in docs:
        texts = list(graph.objects(d, KGO.text))
        assert len(texts) == 1 and texts[0].language == "zh" and len(texts[0]) > 500


def test_document_metadata(graph):
    page = [d for d in graph.subjects(RDF.type, KGO.Document) if str(graph.value(d, DCTERMS.source)).startswith("000_")]
    # the page holds three articles: each a document with the page's date, paper and issue, its headline, its place
    titles = {int(graph.value(d, KGO.position)): str(graph.value(d, DCTERMS.title)) for d in page}
    assert sorted(titles) == [1, 2, 3]
    assert titles[1].startswith("各地“新春第一会”") and titles[2].startswith("辽源市人民政府与中国一汽举行座谈会")
    assert titles[3] == "政府工作报告"
    for d in page:
        assert graph.value(d, DCTERMS.date) == Literal("2025-02-12", datatype=XSD.date)
        assert "辽源日报" in str(graph.value(d, DCTERMS.isPartOf))
        assert "总第9193期" in str(graph.value(d, DCTERMS.isPartOf))


def test_the_liaoyuan_faw_signing_cites_its_own_article_not_the_pages_first_headline(graph):
    """Issue 15: a fact about the 辽源–中国一汽 signing cites the article that reports it."""
    from kg.explain import explain

    (faw,) = explain(graph, "中国一汽")
    cited = {s.document for f in faw.facts if f.other in ("辽源市人民政府", "辽源市") for s in f.sources
             if "2025-02" in (s.date or "")}
    assert cited and all(c.startswith("辽源市人民政府与中国一汽举行座谈会") and "000_" in c and "article 2" in c
                         for c in cited), cited


def test_every_evidence_slices_its_documents_text(graph):
    evidence = set(graph.subjects(RDF.type, KGO.Evidence))
    assert len(evidence) > 50
    for ev in evidence:
        (doc,) = graph.objects(ev, PROV.wasDerivedFrom)
        assert (doc, RDF.type, KGO.Document) in graph
        text = str(graph.value(doc, KGO.text))
        start, end = graph.value(ev, KGO.start).toPython(), graph.value(ev, KGO.end).toPython()
        assert isinstance(start, int) and isinstance(end, int)
        assert 0 <= start < end <= len(text)
        assert text[start:end] == str(graph.value(ev, KGO.text)), ev


def test_every_entity_has_one_class_one_zh_label_and_a_document(graph):
    ents = entities(graph)
    assert len(ents) > 100
    for e in ents:
        classes = [c for c in graph.objects(e, RDF.type) if c in ENTITY_CLASSES]
        assert len(classes) == 1, (e, classes)
        zh = [label for label in graph.objects(e, RDFS.label) if label.language == "zh"]
        assert len(zh) == 1, (e, zh)
        assert str(zh[0]).strip() == str(zh[0]) and zh[0]
        docs = list(graph.objects(e, KGO.mentionedIn))
        assert docs and all((d, RDF.type, KGO.Document) in graph for d in docs), e


def test_every_fact_has_evidence(graph):
    facts = set(graph.subjects(RDF.type, ORG.Membership)) | set(graph.subjects(RDF.type, KGO.Agreement)) \
        | set(graph.subjects(RDF.type, RDF.Statement))
    assert len(facts) > 50
    for f in facts:
        evs = list(graph.objects(f, PROV.wasDerivedFrom))
        assert evs and all((ev, RDF.type, KGO.Evidence) in graph for ev in evs), f


def test_every_statement_is_asserted(graph):
    for st in graph.subjects(RDF.type, RDF.Statement):
        s, p, o = (graph.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        assert (s, p, o) in graph, st


def test_mayor_membership_end_to_end(graph):
    q = """
    PREFIX org: <http://www.w3.org/ns/org#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX kgo: <https://w3id.org/zhengqi/ontology#>
    SELECT ?date WHERE {
      ?m a org:Membership ; org:member ?p ; org:role ?r ; org:organization ?b ; kgo:asOf ?date .
      ?p rdfs:label "程宇"@zh . ?r rdfs:label "市长"@zh . ?b rdfs:label "辽源市人民政府"@zh .
    }"""
    dates = {str(row[0]) for row in graph.query(q)}
    assert "2025-02-12" in dates


def test_agreement_end_to_end(graph):
    (a,) = [a for a in graph.subjects(RDF.type, KGO.Agreement)
            if "绿色零碳汽车零部件产业园区供应链试点合作框架协议" in (zh(graph, a) or "")]

    def labels(p):
        return {zh(graph, x) for x in graph.objects(a, p)}

    assert labels(KGO.signatory) == {"司马江", "田海峰"}
    assert labels(KGO.witness) == {"程宇", "吴碧磊"}
    assert labels(KGO.party) == {"辽源市人民政府", "中国一汽"}


def test_one_node_for_faw_across_documents(graph):
    faw = [e for e in entities(graph) if zh(graph, e) == "中国一汽"]
    assert len(faw) == 1
    assert (faw[0], RDF.type, KGO.Enterprise) in graph
    assert len(list(graph.objects(faw[0], KGO.mentionedIn))) >= 2


def test_built_graph_validates(build):
    _, out = build
    proc = kg("validate", out / "graph.ttl")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "conforms" in proc.stdout


def test_graph_file_has_the_usual_permissions(build):
    _, out = build
    assert stat.S_IMODE((out / "graph.ttl").stat().st_mode) == 0o644


def test_build_is_deterministic(build, graph, tmp_path):
    _, out = build
    proc = kg("build", "seeds", "-o", tmp_path / "again", "--no-map")
    assert proc.returncode == 0, proc.stderr
    again = rdflib.Graph().parse(tmp_path / "again" / "graph.ttl", format="turtle")
    assert entities(again) == entities(graph)
    assert set(again) == set(graph)
    assert (tmp_path / "again" / "graph.ttl").read_bytes() == (out / "graph.ttl").read_bytes()


# --------------------------------------------------------------------------- failures

def test_missing_input_is_a_one_line_error(tmp_path):
    proc = kg("build", "/no/such/path", "-o", tmp_path / "out2")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = error_lines(proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert "/no/such/path" in lines[0]
    assert not (tmp_path / "out2" / "graph.ttl").exists()


def test_missing_input_with_a_long_path_is_still_one_line(tmp_path):
    missing = tmp_path / "a_rather_long_folder_name_for_a_batch_of_city_daily_pages" / "page_2025_02_12_01.txt"
    proc = kg("build", missing, "-o", tmp_path / "out")
    assert proc.returncode != 0
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and str(missing) in lines[0], proc.stderr


def test_folder_with_no_text_files_is_an_error(tmp_path):
    (tmp_path / "empty_folder").mkdir()
    proc = kg("build", tmp_path / "empty_folder", "-o", tmp_path / "out")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "empty_folder" in proc.stderr.replace("\n", "")
    assert not (tmp_path / "out").exists()


@pytest.fixture()
def mixed(tmp_path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (good,) = SEEDS.glob("000_*.txt")
    shutil.copy(good, folder / good.name)
    (folder / "empty.txt").write_bytes(b"")
    return folder


def test_unreadable_file_is_skipped_and_reported(mixed, tmp_path):
    proc = kg("build", mixed, "-o", tmp_path / "out", "--no-map")
    assert proc.returncode == 0, proc.stderr
    said = (proc.stdout + proc.stderr).replace("\n", "")
    assert "empty.txt" in said
    assert "skipped" in said
    assert "Traceback" not in said
    g = rdflib.Graph().parse(tmp_path / "out" / "graph.ttl", format="turtle")
    assert len({g.value(d, DCTERMS.source) for d in g.subjects(RDF.type, KGO.Document)}) == 1  # one page read


def test_strict_refuses_an_unreadable_file(mixed, tmp_path):
    proc = kg("build", mixed, "-o", tmp_path / "out", "--no-map", "--strict")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "graph.ttl").exists()


@pytest.mark.parametrize("bad_input", ["missing", "only_empty"])
def test_failed_build_leaves_the_previous_graph_untouched(build, tmp_path, bad_input):
    _, out = build
    previous = tmp_path / "previous"
    previous.mkdir()
    shutil.copy(out / "graph.ttl", previous / "graph.ttl")
    before = (previous / "graph.ttl").read_bytes()
    if bad_input == "missing":
        src = Path("/no/such/path")
    else:
        src = tmp_path / "only_empty"
        src.mkdir()
        (src / "blank.txt").write_text("\n\n", encoding="utf-8")
    proc = kg("build", src, "-o", previous, "--no-map")
    assert proc.returncode != 0
    assert (previous / "graph.ttl").read_bytes() == before
    assert sorted(p.name for p in previous.iterdir()) == ["graph.ttl"]


# --------------------------------------------------------------------------- help

def test_help_lists_the_commands():
    proc = kg("--help")
    assert proc.returncode == 0, proc.stderr
    assert "build" in proc.stdout
    assert "validate" in proc.stdout


def test_no_arguments_shows_usage_not_a_traceback():
    proc = kg()
    assert "Usage" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_a_signatory_is_cited_by_the_sentence_that_names_him(graph):
    """Issue 15: 司马江 signed; kg explain cites the sentence naming him, not 程宇吴碧磊共同见证签约."""
    from kg.explain import explain

    (sima,) = explain(graph, "司马江")
    (signed,) = [f for f in sima.facts if f.relation.startswith("签署")]
    assert signed.sources and all("司马江" in s.sentence for s in signed.sources)
