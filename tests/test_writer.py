"""The streaming graph writer (kg/writer.py) against the rdflib path it replaces in kg build.

On the seeds: the same triples (isomorphic, same count) as ``graph_from_facts`` builds in rdflib, the
same scores from ../shared/eval/score.py (an rdflib reader), the same bytes on every run and whatever
order the triples arrive in; literals that need escaping survive the N-Triples → store → Turtle trip.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from kg.ingest import read_document
from kg.pipeline import extract_all, graph_from_facts
from kg.writer import NTriplesSink, nt_term, turtle_from_ntriples, write_graph

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
GOLD = ROOT.parent / "shared" / "eval" / "seeds-gold.json"
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")  # not rdflib's closed XSD: pytest probes module attributes


@pytest.fixture(scope="module")
def facts():
    return extract_all([read_document(p) for p in sorted((ROOT / "seeds").glob("*.txt"))])


@pytest.fixture(scope="module")
def streamed(facts, tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("streamed")
    summary = write_graph(facts, out / "graph.ttl", out / "store")
    return out, summary


def test_same_graph_as_rdflib(facts, streamed):
    out, summary = streamed
    reference = graph_from_facts(facts)
    got = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    assert len(got) == len(reference) == summary.triples
    assert isomorphic(got, reference)
    assert set(got) == set(reference)


def test_same_scores_as_rdflib(facts, streamed, tmp_path):
    out, _ = streamed
    if not SCORER.exists():
        pytest.skip("../shared/eval/score.py not here")
    reference = tmp_path / "rdflib.ttl"
    graph_from_facts(facts).serialize(reference, format="turtle", encoding="utf-8")

    def score(path):
        proc = subprocess.run([sys.executable, str(SCORER), str(path), str(GOLD)], capture_output=True,
                              text=True, encoding="utf-8", timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert score(out / "graph.ttl") == score(reference)


def test_summary_counts_as_rdflib_did(facts, streamed):
    from rdflib.namespace import ORG, RDF

    from kg.graph import PAIR_PREDICATES
    from kg.vocab import KGO

    _, summary = streamed
    g = graph_from_facts(facts)
    assert summary.classes["Person"] == len(set(g.subjects(RDF.type, KGO.Person)))
    assert summary.relations["holdsPost (org:Membership)"] == len(set(g.subjects(RDF.type, ORG.Membership)))
    for name, pred in PAIR_PREDICATES.items():
        assert summary.relations[name] == len(set(g.subject_objects(pred))), name


def test_bytes_deterministic_across_runs(facts, streamed, tmp_path):
    out, _ = streamed
    write_graph(facts, tmp_path / "again.ttl")  # no store asked for: a temporary one, removed
    assert (tmp_path / "again.ttl").read_bytes() == (out / "graph.ttl").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.ttl"]


def test_bytes_do_not_depend_on_triple_order(streamed, tmp_path):
    out, _ = streamed
    lines = subprocess.run([sys.executable, "-c", "import sys, pyoxigraph as ox; s = ox.Store(); "
                            "s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.TURTLE); "
                            "sys.stdout.buffer.write(s.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))",
                            str(out / "graph.ttl")], capture_output=True, check=True).stdout.splitlines(keepends=True)
    random.Random(7).shuffle(lines)
    (tmp_path / "shuffled.nt").write_bytes(b"".join(lines + lines[:100]))  # repeats, as the stream has
    turtle_from_ntriples(tmp_path / "shuffled.nt", tmp_path / "shuffled.ttl", tmp_path / "store")
    assert (tmp_path / "shuffled.ttl").read_bytes() == (out / "graph.ttl").read_bytes()


def test_turtle_keeps_the_contract_prefixes(streamed):
    out, _ = streamed
    head = (out / "graph.ttl").read_text(encoding="utf-8")[:2000]
    for prefix in ("kgo", "org", "prov", "skos", "dcterms", "rdfs", "xsd"):
        assert f"@prefix {prefix}: <" in head
    assert "kgo:Person" in (out / "graph.ttl").read_text(encoding="utf-8")
    assert "\\/" not in (out / "graph.ttl").read_text(encoding="utf-8")  # no escaped kgr:person\/… names


def test_awkward_literals_survive(tmp_path):
    s = URIRef("https://w3id.org/zhengqi/id/doc/x")
    values = [Literal('他说："好"\\n不\\\\是', lang="zh"), Literal("line\nbreak\r\ttab", lang="zh"),
              Literal("plain"), Literal(42), Literal("2025-02-10", datatype=XSD.date), Literal("🐉 U+1F409")]
    sink = NTriplesSink(tmp_path / "x.nt")
    for v in values:
        sink.add((s, RDFS.label, v))
    sink.close()
    turtle_from_ntriples(tmp_path / "x.nt", tmp_path / "x.ttl", tmp_path / "store")
    got = rdflib.Graph().parse(tmp_path / "x.ttl", format="turtle")
    assert set(got.objects(s, RDFS.label)) == set(values)
    assert nt_term(Literal("a", datatype=XSD.string)) == '"a"'


def test_sink_answers_only_derivation_lookups(tmp_path):
    from rdflib.namespace import PROV

    a, b, c = (URIRef(f"https://x/{n}") for n in "abc")
    sink = NTriplesSink(tmp_path / "x.nt", index=True)
    sink.add((a, PROV.wasDerivedFrom, b))
    sink.add((b, PROV.wasDerivedFrom, c))
    assert sink.subjects(PROV.wasDerivedFrom, c) == [b]
    assert sorted(sink.objects(None, PROV.wasDerivedFrom)) == [b, c]
    assert (a, PROV.wasDerivedFrom, b) in sink and (a, PROV.wasDerivedFrom, c) not in sink
    with pytest.raises(NotImplementedError):
        sink.subjects(RDFS.label, None)
    sink.close()
    plain = NTriplesSink(tmp_path / "y.nt")
    with pytest.raises(NotImplementedError):
        plain.subjects(PROV.wasDerivedFrom, c)
    plain.close()


def test_map_graph_is_the_graph_less_the_documents_text(facts, tmp_path):
    from rdflib.namespace import RDF

    from kg.vocab import KGO

    summary = write_graph(facts, tmp_path / "graph.ttl", map_graph_up_to=10**6)
    full = rdflib.Graph().parse(tmp_path / "graph.ttl", format="turtle")
    docs = set(full.subjects(RDF.type, KGO.Document))
    assert set(summary.graph) == {t for t in full if not (t[0] in docs and t[1] == KGO.text)}
    assert len(docs) == 5 and all(full.value(d, KGO.text) for d in docs)
    assert write_graph(facts, tmp_path / "again.ttl", map_graph_up_to=100).graph is None  # too big
