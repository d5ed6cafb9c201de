"""Precision on real text: the 72 national government work reports (../shared/corpus), built once.

Every Person node's label is checked by hand in tests/data/national_precision.json (a person or not);
at least 95 % of the Person nodes must be people. The organisation nodes (Enterprise, GovernmentBody,
Institution) are pinned the same way: each label is either a real organisation ("ok") or junk the
recognizer still makes ("known_junk", listed so that it shows). A label that is in neither list fails:
new junk must not come in unseen (a new real name: check it by hand and add it to the table).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "gov_work_reports_national.jsonl"
TABLE = json.loads((ROOT / "tests" / "data" / "national_precision.json").read_text(encoding="utf-8"))
CLASSES = {cls: table for cls, table in TABLE.items() if not cls.startswith("_")}
KGO = "https://w3id.org/zhengqi/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside the checkout")


@pytest.fixture(scope="module")
def nlp():
    from kg.nlp import make_nlp

    return make_nlp()


@pytest.mark.parametrize("text, not_found", [
    ("市委书记和市长分别讲话。", ("Person", "和市长")),  # a conjunction and a title, no name
    ("请全国政协各位委员和其他列席人员提出意见。", ("Person", "和其他")),
    ("由于有些同志对于调整认识不足。", ("Person", "于有些")),  # 于 belongs to 由于
    ("推行厂长任期目标责任制。", ("Person", "任期")),  # a common word is not a given name
    ("周总理强烈谴责了侵略行为。", ("Person", "强烈")),
    ("反对周恩来总理和叶剑英副主席。", ("Person", "和叶剑")),
    ("苏联最高苏维埃主席团主席伏罗希洛夫同志和捷克代表团。", ("Person", "伏罗希")),  # a longer name goes on
    ("提高1200万中小学教师待遇。", ("Institution", "1200万中小学")),  # a count of schools
    ("努力让广大学生健康快乐成长。", ("Institution", "让广大学")),  # 大学 is the start of 大学生
    ("安排了大量资金解决中小学教师工资拖欠。", ("Institution", "大量资金解决中小学")),  # a verb before the head
    ("由于工农业生产的全面跃进。", ("Enterprise", "于工农业")),  # 农业 cut out of 工农业
    ("同时使科技、教育有较大发展。", ("Enterprise", "时使科技")),
    ("形成了中央和省两级政府管理的体制。", ("GovernmentBody", "省两级政府")),
])
def test_no_fragments_as_names(nlp, text, not_found):
    from kg.nlp import find_mentions

    _, mentions = find_mentions(nlp, text)
    assert not_found not in {(m.label, m.text) for m in mentions}


@pytest.mark.parametrize("text, found", [
    ("副市长于洪出席会议。", ("Person", "于洪")),
    ("区长林中坚等出席了仪式。", ("Person", "林中坚")),
    ("联合国秘书长安南为和平解决伊拉克问题作出努力。", ("Person", "安南")),
    ("安珂、李俊甲、张海迪等同志的感人事迹。", ("Person", "张海迪")),
    ("延吉市委书记金哲与延边大学校长朴明座谈。", ("Institution", "延边大学")),
])
def test_real_names_stay(nlp, text, found):
    from kg.nlp import find_mentions

    _, mentions = find_mentions(nlp, text)
    assert found in {(m.label, m.text) for m in mentions}


@pytest.fixture(scope="module")
def labels(tmp_path_factory) -> dict[str, set[str]]:
    """The labels of the Person and organisation nodes of one build of the 72 reports."""
    import pyoxigraph as ox

    src, out = tmp_path_factory.mktemp("natl"), tmp_path_factory.mktemp("natl-out")
    for i, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines()):
        rec = json.loads(line)
        (src / f"{rec['year']}_{i:02d}.txt").write_text(rec["title"] + "\n" + rec["content"], encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kg", "build", str(src), "-o", str(out), "--workers", "1",
                           "--no-store", "--no-map", "--no-cache"],
                          capture_output=True, text=True, cwd=ROOT, timeout=1800)
    assert proc.returncode == 0, proc.stderr
    store = ox.Store()
    store.load((out / "graph.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    found = {}
    for cls in CLASSES:
        query = f"SELECT DISTINCT ?l WHERE {{ ?x a <{KGO}{cls}> ; <{RDFS_LABEL}> ?l }}"
        found[cls] = {row["l"].value for row in store.query(query)}
    return found


def test_the_table_is_consistent():
    for cls, table in CLASSES.items():
        good, bad = set(table["ok"]), set(table["known_junk"])
        assert not good & bad, (cls, good & bad)


@needs_corpus
def test_every_person_node_is_checked_and_95_percent_are_people(labels):
    persons = labels["Person"]
    table = TABLE["Person"]
    unchecked = persons - set(table["ok"]) - set(table["known_junk"])
    assert not unchecked, f"Person nodes nobody checked (a person? add to 'ok'; else fix it): {sorted(unchecked)}"
    people = persons & set(table["ok"])
    assert len(people) >= 0.95 * len(persons), \
        f"{len(people)}/{len(persons)} Person nodes are people; not people: {sorted(persons - people)}"


@needs_corpus
def test_the_people_are_still_found(labels):
    """The guard must not buy precision with recall: the people found when the table was made stay found."""
    missing = set(TABLE["Person"]["ok"]) - labels["Person"]
    assert len(missing) <= 2, f"people no longer found: {sorted(missing)}"


@needs_corpus
@pytest.mark.parametrize("cls", ["Enterprise", "GovernmentBody", "Institution"])
def test_no_new_junk_organisations(labels, cls):
    table = TABLE[cls]
    new = labels[cls] - set(table["ok"]) - set(table["known_junk"])
    assert not new, f"{cls} nodes not in the checked table (junk? fix it; a real name? add it to 'ok'): {sorted(new)}"


@needs_corpus
@pytest.mark.parametrize("cls", ["Enterprise", "GovernmentBody", "Institution"])
def test_the_real_organisations_are_still_found(labels, cls):
    missing = set(TABLE[cls]["ok"]) - labels[cls]
    assert len(missing) <= 2, f"{cls} no longer found: {sorted(missing)}"
