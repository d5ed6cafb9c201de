"""The hard cases of extraction, pinned on sentences written in the style of other cities' news
(none is a seed sentence): lists, nested names, short names before titles, settling and cooperation
phrasing, awards, towns, policy language that must stay out."""

import pytest

from kg.extract import extract
from kg.ingest import document_from_text
from kg.nlp import make_nlp


@pytest.fixture(scope="module")
def nlp():
    return make_nlp()


def run(nlp, text, city):
    return extract(document_from_text(text, "hard.txt"), nlp, home_city=city)


def classes(facts):
    out = {}
    for e in facts.entities:
        out.setdefault(e.name, set()).add(e.label)
    return out


def pairs(facts, relation):
    return {(p.subject.name, p.object.name) for p in facts.pairs if p.relation == relation}


def test_list_of_firms_names_each_firm(nlp):
    f = run(nlp, "支持宏达钢铁、瑞丰食品、金禾药业等骨干企业扩能增效。", "松原市")
    c = classes(f)
    assert {"宏达钢铁", "瑞丰食品", "金禾药业"} <= {n for n, ls in c.items() if "Enterprise" in ls}


def test_firm_inside_a_project_undertakes_it(nlp):
    f = run(nlp, "加快推进宏达钢铁120万吨冷轧生产线建设。", "松原市")
    assert ("宏达钢铁", "宏达钢铁120万吨冷轧生产线") in pairs(f, "undertakes")


def test_building_verb_ties_firm_and_project(nlp):
    f = run(nlp, "吉林瑞丰新能源科技有限公司投资建设的年产5万吨电池材料项目开工。", "松原市")
    assert ("吉林瑞丰新能源科技有限公司", "年产5万吨电池材料项目") in pairs(f, "undertakes")


def test_settling_in_a_park_locates_the_firm(nlp):
    f = run(nlp, "上市公司瑞丰新材落户松原经济技术开发区。", "松原市")
    located = pairs(f, "locatedIn")
    assert any(s == "瑞丰新材" and "松原" in o for s, o in located), located


def test_cooperation_with_implicit_city_subject(nlp):
    f = run(nlp, "我市持续深化与长春、大连的对口合作。", "松原市")
    coop = {frozenset(p) for p in pairs(f, "cooperatesWith")}
    assert frozenset(("松原市", "长春市")) in coop and frozenset(("松原市", "大连市")) in coop


def test_award_with_listed_subjects(nlp):
    f = run(nlp, "宏达钢铁、金禾药业被认定为省级绿色工厂。", "松原市")
    got = {(r.subject.name, r.designation) for r in f.recognitions}
    assert {("宏达钢铁", "省级绿色工厂"), ("金禾药业", "省级绿色工厂")} <= got


def test_firm_short_name_before_title_is_the_body(nlp):
    f = run(nlp, "吉林瑞丰新能源科技有限公司在松原落户。瑞丰新能源总经理赵一鸣表示，项目年内投产。", "松原市")
    got = {(p.person.name, p.role, p.body.name if p.body else None) for p in f.posts}
    assert ("赵一鸣", "总经理", "吉林瑞丰新能源科技有限公司") in got


def test_county_head_gets_the_county_government(nlp):
    f = run(nlp, "——访前郭县委副书记、县长 孙立强", "松原市")
    got = {(p.person.name, p.role, p.body.name if p.body else None) for p in f.posts}
    assert ("孙立强", "副书记", "中共前郭县委") in got or ("孙立强", "副书记", "中共前郭尔罗斯蒙古族自治县委") in got
    assert any(p.role == "县长" and p.body is not None and p.body.name.endswith("人民政府") for p in f.posts)


def test_town_after_its_county(nlp):
    f = run(nlp, "长岭县太平川镇肉牛产业园建成投产。", "松原市")
    assert "太平川镇" in classes(f)
    assert ("太平川镇", "长岭县") in pairs(f, "locatedIn")


def test_policy_slogans_are_not_entities(nlp):
    f = run(nlp, "深入实施“三抓一服务”行动，推进“百千万工程”，落实“放管服”改革，加快建设现代化产业体系。", None)
    assert not [e for e in f.entities if e.label in ("Enterprise", "Project", "IndustrialPark", "Institution")]


def test_development_zone_needs_a_place(nlp):
    f = run(nlp, "完善经开区管理体制，推动松原高新区扩区调位。", "松原市")
    parks = {n for n, ls in classes(f).items() if "IndustrialPark" in ls}
    assert "松原高新技术产业开发区" in parks
    assert not any(n.startswith("完善") for n in parks)


def test_namesakes_in_different_cities_stay_apart():
    from rdflib import Namespace
    from rdflib.namespace import RDF, RDFS

    from kg.pipeline import build_graph

    kgo = Namespace("https://w3id.org/zhengqi/ontology#")
    docs = [document_from_text("本报讯 松原市副市长王海出席会议。松原市召开会议。", "a.txt"),
            document_from_text("本报讯 白山市副市长王海调研企业。白山市召开会议。", "b.txt"),
            document_from_text("本报讯 白山市市长王海主持会议。白山市召开会议。", "c.txt")]
    g = build_graph(docs, fast=True)
    wang = [p for p in g.subjects(RDF.type, kgo.Person) if str(g.value(p, RDFS.label)) == "王海"]
    assert len(wang) == 2  # one in 松原's news, one in 白山's (two documents)
    assert all("#" not in str(o) for o in g.objects(None, RDFS.label))
