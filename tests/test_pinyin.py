"""Pinyin for persons (kg/pinyin.py, resources/surname_pinyin.tsv) and ``kgo:pinyin`` in the graph."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS

from kg.pinyin import person_pinyin, split_surname
from kg.resources import load_table
from kg.vocab import KGO
from seeds_graph import ROOT, seeds_graph

XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")  # not rdflib's closed XSD: pytest probes attributes


@pytest.mark.parametrize("name, expected", [
    ("程宇", "Cheng Yu"),
    ("吴碧磊", "Wu Bilei"),
    ("司马江", "Sima Jiang"),       # compound surname, one word
    ("单雄信", "Shan Xiongxin"),    # 单 as a surname is Shan, not Dan
    ("曾国藩", "Zeng Guofan"),      # 曾 Zeng, not Ceng
    ("仇景锐", "Qiu Jingrui"),      # 仇 Qiu, not Chou
    ("解缙", "Xie Jin"),
    ("区家麟", "Ou Jialin"),
    ("朴槿惠", "Piao Jinhui"),
    ("查良镛", "Zha Liangyong"),
    ("盖叫天", "Ge Jiaotian"),
    ("尉迟恭", "Yuchi Gong"),
    ("长孙无忌", "Zhangsun Wuji"),
    ("欧阳修", "Ouyang Xiu"),
    ("吕布", "Lü Bu"),
    ("王西安", "Wang Xi'an"),       # apostrophe before a syllable starting with a/o/e
    ("习近平", "Xi Jinping"),
    ("买买提·艾力", "Maimaiti Aili"),  # transliterated name: a word per part
    ("司马", "Sima"),
])
def test_person_pinyin(name, expected):
    assert person_pinyin(name) == expected


def test_no_han_no_pinyin():
    assert person_pinyin("John Smith") is None
    assert person_pinyin("") is None


def test_split_surname_prefers_compound():
    assert split_surname("司马江") == ("司马", "江")
    assert split_surname("马江") == ("马", "江")
    assert split_surname("万俟卨") == ("万俟", "卨")


def test_surname_table_is_clean():
    rows = load_table("surname_pinyin.tsv")
    assert len(rows) > 60
    surnames = [r[0] for r in rows]
    assert len(surnames) == len(set(surnames)), "a surname is listed twice"
    for row in rows:
        assert len(row) == 2, row
        surname, reading = row
        assert 1 <= len(surname) <= 2 and all("\u4e00" <= c <= "\u9fff" for c in surname), row
        assert reading[:1].isupper() and reading[1:].islower() and " " not in reading, row
    head = (ROOT / "kg" / "resources" / "surname_pinyin.tsv").read_text(encoding="utf-8").splitlines()[:8]
    assert any("Source" in line for line in head), "the data file names its source"


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return rdflib.Graph().parse(seeds_graph(), format="turtle")


def test_every_person_has_one_plain_pinyin(graph):
    persons = set(graph.subjects(RDF.type, KGO.Person))
    assert len(persons) >= 10
    for p in persons:
        values = list(graph.objects(p, KGO.pinyin))
        assert len(values) == 1, (p, values)
        value = values[0]
        assert value.language is None and value.datatype in (None, XSD.string)
        label = next(str(x) for x in graph.objects(p, RDFS.label) if x.language == "zh")
        assert str(value) == person_pinyin(label)


def test_seed_persons_pinyin(graph):
    by_label = {str(graph.value(p, RDFS.label)): str(graph.value(p, KGO.pinyin))
                for p in graph.subjects(RDF.type, KGO.Person)}
    assert by_label["程宇"] == "Cheng Yu"
    assert by_label["司马江"] == "Sima Jiang"
    assert by_label["仇景锐"] == "Qiu Jingrui"


def test_only_persons_get_pinyin_and_no_english_label_is_invented(graph):
    for s in graph.subjects(KGO.pinyin, None):
        assert (s, RDF.type, KGO.Person) in graph
    known = {row[0]: row[2] for row in load_table("known_entities.tsv") if row[1] == "Person"}
    for p in graph.subjects(RDF.type, KGO.Person):
        english = [str(x) for x in graph.objects(p, RDFS.label) if x.language == "en"]
        assert english in ([], [known.get(next(str(x) for x in graph.objects(p, RDFS.label) if x.language == "zh"))]), "pinyin is not an English name"


def test_ontology_defines_pinyin():
    onto = rdflib.Graph().parse(ROOT / "ontology" / "zhengqi.ttl", format="turtle")
    labels = {x.language: str(x) for x in onto.objects(KGO.pinyin, RDFS.label)}
    assert labels.get("zh") == "拼音" and labels.get("en") == "pinyin"
    assert (KGO.pinyin, RDFS.range, XSD.string) in onto
