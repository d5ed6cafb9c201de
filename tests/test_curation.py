"""Curation (curation.yaml): a researcher's merges, aliases, renames, drops and added facts, applied on
every build of the seeds, recorded as provenance, with IRIs that stay stable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS

from kg.ingest import read_documents
from kg.validate import validate_file
from kg.vocab import KGO

ROOT = Path(__file__).resolve().parent.parent
CURATOR = "张三 (测试课题组)"
CURATION = f"""\
curator: {CURATOR}
merge:
  - {{from: 中船风帆, into: 中国船舶风帆有限责任公司, note: the same firm}}
alias:
  - {{entity: 中国一汽, alias: 一汽股份}}
rename:
  - {{entity: 天楹, to: 中国天楹}}
drop:
  - {{entity: 58同城, note: an advertiser, not part of the story}}
drop_fact:
  - {{subject: 程宇, relation: holdsPost, object: 辽源市人民政府, role: 市长}}
add_fact:
  - {{subject: 中国一汽, relation: cooperatesWith, object: 吉林大学, source: 吉林日报 2025-03-02 第3版}}
  - {{subject: 不存在的公司, relation: locatedIn, object: 辽源市, source: 无}}
"""


def kg(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=600)


def labelled(g: rdflib.Graph, name: str) -> set:
    lit = rdflib.Literal(name, lang="zh")
    return set(g.subjects(RDFS.label, lit)) | set(g.subjects(SKOS.altLabel, lit))


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    base = tmp_path_factory.mktemp("curation")
    news = base / "news"
    shutil.copytree(ROOT / "seeds", news)
    clean = kg("build", str(news), "-o", str(base / "clean"), "--no-map", "--no-store")
    assert clean.returncode == 0, clean.stderr
    (news / "curation.yaml").write_text(CURATION, encoding="utf-8")
    curated = kg("build", str(news), "-o", str(base / "curated"), "--no-map", "--no-store")
    assert curated.returncode == 0, curated.stderr
    return {"base": base, "news": news, "proc": curated,
            "clean": rdflib.Graph().parse(base / "clean" / "graph.ttl"),
            "curated": rdflib.Graph().parse(base / "curated" / "graph.ttl")}


def test_unknown_names_are_reported_with_file_and_line(builds):
    stderr = builds["proc"].stderr
    assert "curation: curation.yaml:14: no entity named '不存在的公司' in the graph" in stderr
    assert f"curation: 6 of 7 edit(s) by {CURATOR} applied from curation.yaml" in stderr


def test_merge_keeps_the_survivors_iri_and_records_the_other(builds):
    clean, g = builds["clean"], builds["curated"]
    (keep,) = labelled(clean, "中国船舶风帆有限责任公司")
    (gone,) = labelled(clean, "中船风帆")
    assert keep != gone
    assert labelled(g, "中船风帆") == labelled(g, "中国船舶风帆有限责任公司") == {keep}
    assert (keep, DCTERMS.replaces, gone) in g
    assert (gone, RDF.type, None) not in g


def test_alias_and_rename_keep_the_iri(builds):
    clean, g = builds["clean"], builds["curated"]
    (faw,) = labelled(clean, "中国一汽")
    assert (faw, SKOS.altLabel, rdflib.Literal("一汽股份", lang="zh")) in g
    (tianying,) = labelled(clean, "天楹")
    assert set(g.objects(tianying, RDFS.label)) >= {rdflib.Literal("中国天楹", lang="zh")}
    assert (tianying, SKOS.altLabel, rdflib.Literal("天楹", lang="zh")) in g
    notes = {str(n) for n in g.objects(tianying, KGO.curationNote)}
    assert notes == {"rename 天楹 → 中国天楹 (curation.yaml:7)"}


def test_drop_removes_the_entity_and_every_fact_naming_it(builds):
    clean, g = builds["clean"], builds["curated"]
    (dropped,) = labelled(clean, "58同城")
    assert not labelled(g, "58同城")
    assert not list(g.triples((dropped, None, None))) and not list(g.triples((None, None, dropped)))


def test_drop_fact_removes_one_post_only(builds):
    clean, g = builds["clean"], builds["curated"]

    def posts(graph):
        (cheng,) = labelled(graph, "程宇")
        return {(str(graph.value(m, KGO.roleLabel)), graph.value(m, ORG.organization))
                for m in graph.subjects(ORG.member, cheng)}

    (government,) = labelled(clean, "辽源市人民政府")
    assert ("市长", government) in posts(clean)
    assert ("市长", government) not in posts(g)
    assert posts(g) == posts(clean) - {("市长", government)}


def test_added_fact_cites_the_curation_note_and_the_curator(builds):
    g = builds["curated"]
    (faw,) = labelled(g, "中国一汽")
    (jlu,) = labelled(g, "吉林大学")
    assert (faw, KGO.cooperatesWith, jlu) in g
    (st,) = [s for s in g.subjects(RDF.subject, faw) if (s, RDF.object, jlu) in g]
    (ev,) = g.objects(st, PROV.wasDerivedFrom)
    doc = g.value(ev, PROV.wasDerivedFrom)
    assert str(g.value(doc, DCTERMS.source)) == "curation.yaml"
    text, start, end = str(g.value(doc, KGO.text)), int(g.value(ev, KGO.start)), int(g.value(ev, KGO.end))
    assert text[start:end] == str(g.value(ev, KGO.text))
    assert "吉林日报 2025-03-02 第3版" in str(g.value(ev, KGO.text))
    (agent,) = g.objects(st, PROV.wasAttributedTo)
    assert (agent, RDF.type, PROV.Agent) in g and str(g.value(agent, RDFS.label)) == CURATOR
    for node in labelled(g, "中国一汽") | labelled(g, "中国天楹") | labelled(g, "中国船舶风帆有限责任公司"):
        assert (node, PROV.wasAttributedTo, agent) in g


def test_curated_graph_still_satisfies_the_contract(builds):
    assert validate_file(builds["base"] / "curated" / "graph.ttl").conforms


def test_changed_curation_needs_no_extraction_and_strict_refuses_unknown_names(builds, tmp_path):
    news, out = builds["news"], builds["base"] / "curated"
    before = (out / "graph.ttl").read_bytes()
    strict = kg("build", str(news), "-o", str(out), "--no-map", "--no-store", "--strict")
    assert strict.returncode == 2 and "could not be applied (--strict)" in strict.stderr
    assert (out / "graph.ttl").read_bytes() == before  # nothing written

    other = tmp_path / "other.yaml"
    other.write_text(f"curator: {CURATOR}\nalias:\n  - {{entity: 程宇, alias: 程市长}}\n", encoding="utf-8")
    proc = kg("build", str(news), "-o", str(out), "--no-map", "--no-store", "--curation", str(other))
    assert proc.returncode == 0, proc.stderr
    n = len(read_documents([news])[0])  # a document per article of each page
    assert f"incremental: 0 document(s) extracted, {n} from the cache" in proc.stderr
    g = rdflib.Graph().parse(out / "graph.ttl")
    assert labelled(g, "程市长") == labelled(g, "程宇") and labelled(g, "58同城")  # the folder's file is not used


@pytest.mark.parametrize("text, message", [
    ("curator: x\nmerge: [\n", "bad.yaml:3: not valid YAML"),
    ("alias:\n  - {entity: 程宇, alias: 程市长}\n", "bad.yaml: 'curator' is missing"),
    ("curator: x\nmerge:\n  - {from: 程宇}\n", "bad.yaml:3: merge needs into"),
    ("curator: x\nrenames: []\n", "bad.yaml: unknown section(s) renames"),
])
def test_malformed_curation_files_are_one_line_errors(builds, tmp_path, text, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    proc = kg("build", str(ROOT / "seeds"), "-o", str(tmp_path / "out"), "--no-map", "--no-store", "--curation", str(bad))
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "graph.ttl").exists()


AGREEMENT = "绿色零碳汽车零部件产业园区供应链试点合作框架协议"


def test_curation_drops_and_adds_an_agreements_roles(builds, tmp_path):
    """Issue 15: every relation the graph holds can be curated, an agreement's party, signatory and witness too."""
    roles = tmp_path / "roles.yaml"
    roles.write_text(f"curator: {CURATOR}\n"
                     f"drop_fact:\n  - {{subject: 司马江, relation: signatory, object: {AGREEMENT}}}\n"
                     f"add_fact:\n  - {{subject: 韩春峰, relation: witness, object: {AGREEMENT}, source: 辽源日报 2025-02-12}}\n"
                     f"  - {{subject: 程宇, relation: party, object: {AGREEMENT}, source: 无}}\n", encoding="utf-8")
    proc = kg("build", str(builds["news"]), "-o", str(tmp_path / "out"), "--no-map", "--no-store", "--curation", str(roles))
    assert proc.returncode == 0, proc.stderr
    assert "a party is a body or firm, not 程宇 (Person)" in proc.stderr
    assert "unknown relation" not in proc.stderr
    clean, g = builds["clean"], rdflib.Graph().parse(tmp_path / "out" / "graph.ttl")
    (agreement,) = labelled(g, AGREEMENT)
    (sima,) = labelled(g, "司马江")
    (han,) = labelled(g, "韩春峰")
    assert (agreement, KGO.signatory, sima) in clean and (agreement, KGO.signatory, sima) not in g
    assert (agreement, KGO.witness, han) not in clean and (agreement, KGO.witness, han) in g
    sources = [ev for ev in g.objects(agreement, PROV.wasDerivedFrom) if "辽源日报 2025-02-12" in str(g.value(ev, KGO.text))]
    assert sources and (sources[0], PROV.wasAttributedTo, None) in g
