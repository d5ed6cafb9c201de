"""The researcher queries in ``queries/*.rq``, run against the seeds' graph.

The seeds are built once per module (``python -m kg build seeds --no-map`` in a subprocess, as a
user runs it) and loaded into the embedded store (``kg.store.memory_store``). Every query must parse,
run, document itself in its header, and declare its own PREFIX lines (so it works in other SPARQL
tools too); each then has to give a specific answer the seeds clearly contain. Answers are checked
by labels, never IRIs, and with ``in`` rather than exact row lists, so that small extraction changes
do not break them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from kg.store import memory_store, run_query

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
QUERY_FILES = sorted(QUERIES.glob("*.rq"))
REQUIRED = ["01_posts_by_official.rq"]


# ------------------------------------------------------------------ fixtures and helpers

@pytest.fixture(scope="module")
def graph_path(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("queries") / "out"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    env["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.run([sys.executable, "-m", "kg", "build", "seeds", "-o", str(out), "--no-map"],
                          cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    path = out / "graph.ttl"
    assert path.is_file()
    return path


@pytest.fixture(scope="module")
def store(graph_path):
    return memory_store(graph_path)


def query_text(name: str, replace: dict[str, str] | None = None) -> str:
    text = (QUERIES / name).read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, f"{name}: the adaptation point {old!r} is gone"
        text = text.replace(old, new)
    return text


def rows(store, name: str, replace: dict[str, str] | None = None) -> list[dict[str, str | None]]:
    """The query's SELECT rows as dicts keyed by variable name."""
    result = run_query(store, query_text(name, replace))
    assert result.kind == "select", name
    return [dict(zip(result.variables, row)) for row in result.rows]


def split(value: str | None, sep: str) -> set[str]:
    return {part for part in (value or "").split(sep) if part}


# ------------------------------------------------------------------ every query file

def test_the_query_set_is_complete():
    names = [p.name for p in QUERY_FILES]
    assert len(names) >= 12, names
    for required in REQUIRED:
        assert required in names
    assert len({n[:2] for n in names}) == len(names), "two queries share a number"
    source = Path(__file__).read_text(encoding="utf-8")
    untested = [n for n in names if n.count(".") == 1 and f'"{n}"' not in source]
    assert not untested, f"queries without an answer test here: {untested}"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_query_parses_runs_and_documents_itself(path: Path, store):
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert text.startswith("#"), "a header comment comes first"
    assert "Question (en)" in header and "问题 (zh)" in header
    assert "Columns" in header and "Adapt" in header
    assert re.search(r"[\u4e00-\u9fff]", header.split("问题 (zh)", 1)[1]), "the Chinese question is missing"
    result = run_query(store, text)
    assert result.kind == "select"
    columns = header.split("Columns", 1)[1].split("Adapt", 1)[0]
    for var in result.variables:  # every output column is explained in the header
        assert re.search(rf"(?<![\w?]){re.escape(var)}(?!\w)", columns), f"column {var} is not described"
    # portable: its own PREFIX lines suffice, without the store's predeclared prefixes …
    list(ox.Store().query(text))
    # … and another engine's parser accepts it
    prepareQuery(text)


# ------------------------------------------------------------------ the answers

def test_01_posts_by_official(store):
    found = rows(store, "01_posts_by_official.rq")
    posts = {(r["person"], r["role"], r["body"]) for r in found}
    assert ("程宇", "市长", "辽源市人民政府") in posts
    assert ("司马江", "副市长", "辽源市人民政府") in posts
    assert ("吴碧磊", "副总经理", "中国一汽") in posts
    assert len(posts) == len(found), "one row per (person, role, body)"
    mayor = next(r for r in found if (r["person"], r["role"], r["body"]) == ("程宇", "市长", "辽源市人民政府"))
    assert mayor["bodyClass"] == "GovernmentBody"
    assert mayor["asOf"] == "2025-02-12"  # the dated source wins over the undated one
    assert int(mayor["sources"]) >= 1 and mayor["documents"]


@pytest.mark.parametrize("party", ["中国一汽", "一汽"])  # canonical label or alias
def test_02_agreement_officials_with_party(store, party):
    found = rows(store, "02_agreement_officials_with_party.rq",
                 {'VALUES ?partyName { "中国一汽"@zh }': f'VALUES ?partyName {{ "{party}"@zh }}'})
    signed = {r["person"] for r in found if r["part"].startswith("signatory")}
    witnessed = {r["person"] for r in found if r["part"].startswith("witness")}
    assert {"司马江", "田海峰"} <= signed
    assert {"程宇", "吴碧磊"} <= witnessed
    assert not {"程宇", "吴碧磊"} & signed
    cheng = next(r for r in found if r["person"] == "程宇")
    assert "市长@辽源市人民政府" in cheng["posts"].split("; ")
    assert all(r["date"] and r["date"].startswith("2025") for r in found if r["person"] == "司马江")


def test_02_other_party_gives_other_people(store):
    found = rows(store, "02_agreement_officials_with_party.rq",
                 {'VALUES ?partyName { "中国一汽"@zh }': 'VALUES ?partyName { "不存在的公司"@zh }'})
    assert found == []


def test_03_park_enterprises_projects(store):
    found = rows(store, "03_park_enterprises_projects.rq")
    members = {(r["park"], r["member"], r["memberClass"]) for r in found}
    assert ("梅花鹿产业园", "东阿阿胶", "Enterprise") in members
    assert ("吉林辽源高新技术产业开发区", "吉林亚联", "Enterprise") in members
    assert {r["memberClass"] for r in found} <= {"Enterprise", "Project"}
    assert any(r["memberClass"] == "Project" for r in found)
    assert next(r for r in found if r["member"] == "东阿阿胶")["parkPlace"] == "东丰县"


def test_04_projects_by_enterprise(store):
    found = rows(store, "04_projects_by_enterprise.rq")
    pairs = {(r["enterprise"], r["project"]) for r in found}
    assert ("启星铝业", "启星铝业75MN挤压生产线") in pairs
    assert ("天楹", "天楹风光储氢氨醇一体化项目") in pairs
    tianying = next(r for r in found if r["project"] == "天楹风光储氢氨醇一体化项目")
    assert tianying["projectPlace"] == "东丰县" and tianying["projectPlaceClass"] == "Place"
    qixing = next(r for r in found if r["project"] == "启星铝业75MN挤压生产线")
    assert "启星铝业" in qixing["sentence"] and qixing["document"]


def test_05_cooperation_pairs(store):
    found = rows(store, "05_cooperation_pairs.rq")
    pairs = [frozenset((r["a"], r["b"])) for r in found]
    assert frozenset(("辽源市", "中国一汽")) in pairs
    assert frozenset(("辽源市", "吉林大学")) in pairs
    assert len(pairs) == len(set(pairs)), "each pair once, whichever direction is stored"
    assert all(len(p) == 2 for p in pairs)
    faw = next(r for r in found if {r["a"], r["b"]} == {"辽源市", "中国一汽"})
    assert int(faw["sentences"]) >= 2 and "一汽" in faw["example"]


def test_06_awards_by_subject(store):
    found = rows(store, "06_awards_by_subject.rq")
    qixing = [r for r in found if (r["subject"], r["designation"]) == ("启星铝业", "省首批制造业单项冠军")]
    assert qixing, "启星铝业 → 省首批制造业单项冠军"
    assert qixing[0]["subjectClass"] == "Enterprise"
    assert any(r["year"] == "2025" and r["yearFrom"] == "document date" and "单项冠军" in r["sentence"]
               for r in qixing)
    for r in found:
        assert r["year"] == "" or re.fullmatch(r"(19|20)\d\d", r["year"]), r
        if r["yearFrom"] == "document date":
            assert r["docDate"].startswith(r["year"])
        elif r["yearFrom"] == "title":
            assert r["docDate"] == "" and r["year"] + "年" in r["docTitle"]
        else:
            assert r["year"] == ""


def test_07_evidence_for_entity(store):
    found = rows(store, "07_evidence_for_entity.rq")
    assert found and {r["entity"] for r in found} == {"启星铝业"}
    assert any("启星铝业" in r["sentence"] for r in found)
    facts = {(r["fact"], r["other"]) for r in found}
    assert ("recognizedAs", "省首批制造业单项冠军") in facts
    assert ("undertakes", "启星铝业75MN挤压生产线") in facts
    texts = {}
    for r in found:
        doc = r["doc"]
        if doc not in texts:
            texts[doc] = run_query(store, f"SELECT ?t WHERE {{ <{doc}> kgo:text ?t }}").rows[0][0]
        start, end = int(r["start"]), int(r["end"])
        assert texts[doc][start:end] == r["sentence"], r
        assert r["docTitle"] and r["source"].endswith(".txt")


def test_07_alias_finds_the_canonical_entity(store):
    found = rows(store, "07_evidence_for_entity.rq",
                 {'VALUES ?name { "启星铝业"@zh }': 'VALUES ?name { "一汽"@zh }'})
    assert {r["entity"] for r in found} == {"中国一汽"}
    facts = {r["fact"] for r in found}
    assert {"agreement:party", "cooperatesWith", "subOrganizationOf"} <= facts


def test_08_official_enterprise_comentions(store):
    found = rows(store, "08_official_enterprise_comentions.rq")
    pairs = {(r["official"], r["enterprise"]): int(r["sharedDocs"]) for r in found}
    assert pairs.get(("程宇", "中国一汽"), 0) >= 1
    assert pairs.get(("司马江", "中国一汽"), 0) >= 1
    officials = {r["official"] for r in found}
    assert "董博" not in officials, "a reporter (post in a newspaper, not a government body) is no official"
    assert all(n >= 1 for n in pairs.values())
    counts = [int(r["sharedDocs"]) for r in found]
    assert counts == sorted(counts, reverse=True)


def test_09_place_hierarchy(store):
    found = rows(store, "09_place_hierarchy.rq")
    by_place = {}
    for r in found:
        by_place.setdefault(r["place"], []).append(r)
    assert "辽源市" in {r["parent"] for r in by_place["东丰县"]}
    dongfeng = by_place["东丰县"][0]
    assert {"辽源市", "吉林省"} <= split(dongfeng["ancestors"], " / ")
    assert int(dongfeng["depth"]) > int(by_place["辽源市"][0]["depth"])
    assert dongfeng["level"].startswith("county")
    assert by_place["吉林省"][0]["level"].startswith("province")
    assert by_place["辽源市"][0]["level"].startswith("prefecture")


def test_10_agreements(store):
    found = rows(store, "10_agreements.rq")
    faw = [r for r in found if "司马江" in split(r["signatories"], "、")]
    assert len(faw) == 1
    ag = faw[0]
    assert {"辽源市人民政府", "中国一汽"} <= split(ag["parties"], "、")
    assert {"司马江", "田海峰"} <= split(ag["signatories"], "、")
    assert {"程宇", "吴碧磊"} <= split(ag["witnesses"], "、")
    assert ag["date"].startswith("2025")
    assert "绿色零碳" in ag["agreement"] and ag["sentence"] and ag["document"]
    assert all(len(split(r["parties"], "、")) >= 2 for r in found)


def test_11_entity_counts(store):
    found = {r["class"]: r for r in rows(store, "11_entity_counts.rq")}
    assert set(found) == {"Person", "Enterprise", "GovernmentBody", "Institution",
                          "IndustrialPark", "Project", "Place", "Agreement"}
    assert int(found["Person"]["entities"]) >= 20
    assert int(found["Enterprise"]["entities"]) >= 20
    assert int(found["Agreement"]["entities"]) >= 1
    for r in found.values():
        n = int(r["entities"])
        assert 0 <= int(r["withEnglish"]) <= n and 0 <= int(r["withAliases"]) <= n
        assert int(r["multiDocument"]) <= n
    assert int(found["Enterprise"]["withAliases"]) >= 1  # 中国一汽: 一汽, 一汽集团
    assert int(found["Person"]["multiDocument"]) >= 1  # 程宇


def test_12_sub_organizations(store):
    found = rows(store, "12_sub_organizations.rq")
    units = {(r["unit"], r["parent"]): r for r in found}
    assert ("中国一汽供应部", "中国一汽") in units
    supply = units[("中国一汽供应部", "中国一汽")]
    assert supply["top"] == "中国一汽" and supply["parentClass"] == "Enterprise"
    assert ("中南大学液态电池电极研发中心", "中南大学") in units or ("东阿阿胶", "华润集团") in units


@pytest.mark.parametrize("name", ["一汽", "一汽集团", "中国一汽"])
def test_13_aliases(store, name):
    found = rows(store, "13_aliases.rq", {'VALUES ?name { "一汽"@zh }': f'VALUES ?name {{ "{name}"@zh }}'})
    assert [r["entity"] for r in found] == ["中国一汽"]
    faw = found[0]
    assert {"一汽", "一汽集团"} <= split(faw["aliases"], "、")
    assert faw["class"] == "Enterprise" and "FAW" in faw["english"]
    assert int(faw["documents"]) >= 1


def test_13_all_aliased_entities(store):
    found = rows(store, "13_aliases.rq", {'VALUES ?name { "一汽"@zh }': "VALUES ?name { UNDEF }"})
    names = {r["entity"] for r in found}
    assert {"中国一汽", "辽源市人民政府"} <= names
    assert len(found) > 10


def test_14_people_in_body(store):
    found = rows(store, "14_people_in_body.rq")
    posts = {(r["person"], r["role"]) for r in found}
    assert ("程宇", "市长") in posts
    assert ("司马江", "副市长") in posts
    assert "吴碧磊" not in {r["person"] for r in found}
    assert "辽源市人民政府" in {r["body"] for r in found}
    faw = rows(store, "14_people_in_body.rq",
               {'VALUES ?bodyName { "辽源市人民政府"@zh }': 'VALUES ?bodyName { "中国一汽"@zh }'})
    faw_posts = {(r["person"], r["role"], r["body"]) for r in faw}
    assert ("吴碧磊", "副总经理", "中国一汽") in faw_posts
    assert ("田海峰", "副总经理", "中国一汽供应部") in faw_posts  # a unit's staff counts too


def test_15_things_in_place(store):
    found = rows(store, "15_things_in_place.rq")
    things = {r["thing"]: r for r in found}
    assert "天楹风光储氢氨醇一体化项目" in things
    assert int(things["天楹风光储氢氨醇一体化项目"]["hops"]) == 1
    assert "东阿阿胶" in things  # through 梅花鹿产业园
    assert things["东阿阿胶"]["within"] != "东丰县" and int(things["东阿阿胶"]["hops"]) >= 2
    assert "辽源市" not in things and "东丰县" not in things
    city = {r["thing"] for r in rows(store, "15_things_in_place.rq",
                                     {'VALUES ?placeName { "东丰县"@zh }': 'VALUES ?placeName { "辽源市"@zh }'})}
    assert {"东丰县", "天楹风光储氢氨醇一体化项目", "东阿阿胶"} <= city


def test_16_documents(store):
    found = rows(store, "16_documents.rq")
    assert {r["source"] for r in found} == {p.name for p in (ROOT / "seeds").glob("*.txt")}
    # a page of several articles gives a document per article, each with its headline and place on the page
    signing = next(r for r in found if r["title"].startswith("辽源市人民政府与中国一汽举行座谈会"))
    assert signing["source"].startswith("000_") and signing["position"] == "2"
    assert len(found) > 5 and all(r["position"] == "" for r in found if r["source"].startswith("003_"))
    assert all(r["source"].endswith(".txt") and r["title"] for r in found)
    assert all(int(r["entities"]) > 0 and int(r["characters"]) > 0 for r in found)
    paper = next(r for r in found if "新春第一会" in r["title"])
    assert paper["date"] == "2025-02-12"
    assert "辽源日报" in paper["issue"]
    assert int(paper["evidence"]) > 0 and int(paper["people"]) >= 5


def test_17_facts_without_evidence(store):
    assert rows(store, "17_facts_without_evidence.rq") == []


def test_17_finds_what_is_missing(graph_path):
    broken = memory_store(graph_path)
    broken.update("""
        PREFIX kgo: <https://w3id.org/zhengqi/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        DELETE { ?st prov:wasDerivedFrom ?ev }
        WHERE { ?e rdfs:label "启星铝业"@zh . ?p rdfs:label "启星铝业75MN挤压生产线"@zh .
                ?st rdf:subject ?e ; rdf:predicate kgo:undertakes ; rdf:object ?p ;
                    prov:wasDerivedFrom ?ev }
    """)
    broken.update("""
        PREFIX kgo: <https://w3id.org/zhengqi/ontology#>
        DELETE { ?ev kgo:start ?s } INSERT { ?ev kgo:start ?s1 }
        WHERE { ?ev a kgo:Evidence ; kgo:text ?t ; kgo:start ?s .
                FILTER(STR(?t) = "启星铝业被认定为省首批制造业单项冠军。") BIND(?s + 1 AS ?s1) }
    """)
    found = rows(broken, "17_facts_without_evidence.rq")
    problems = {(r["problem"], r["subject"], r["predicate"], r["object"]) for r in found}
    assert ("relation without evidence", "启星铝业", "undertakes", "启星铝业75MN挤压生产线") in problems
    assert any(p[0] == "evidence offsets do not match the document" for p in problems)
