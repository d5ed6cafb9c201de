"""Where things are, from the sentence and the name around them (kg.extract): places inside a unit's
name, lists before 入驻, visits that open with 在X, firms building 在X, 该项目位于X; and photo credits
that name a role (本报记者 … 摄). Texts written for these tests in the style of city dailies of other
provinces (not copied from the seeds or the evaluation sets).
"""

from __future__ import annotations

import pytest

from kg.extract import extract
from kg.ingest import document_from_text, strip_photo_credit
from kg.nlp import make_nlp


@pytest.fixture(scope="module")
def nlp():
    return make_nlp(fast=False)


def located(nlp, text: str, city: str) -> set[tuple[str, str]]:
    facts = extract(document_from_text(text, "news.txt"), nlp, home_city=city)
    return {(p.subject.name, p.object.name) for p in facts.pairs if p.relation == "locatedIn"}


def test_place_inside_a_units_name_after_its_parent(nlp):
    got = located(nlp, "本报讯 九江市政府与中国科学技术大学九江研究院签约。比亚迪九江基地二期开工。九江经济平稳增长。", "九江市")
    assert ("中国科学技术大学九江研究院", "九江市") in got
    assert ("比亚迪九江基地", "九江市") in got


def test_place_only_inside_names_is_not_a_location(nlp):
    """沈阳 is named only inside the institute's name in a Jiujiang text: not an entity, no locatedIn."""
    got = located(nlp, "本报讯 九江市政府与中国科学院沈阳自动化研究所签约，共建智能制造实验室。", "九江市")
    assert not any(obj.startswith("沈阳") for _, obj in got), got


def test_a_route_through_places_is_not_located_in_them(nlp):
    """A line from 九江 to 景德镇 starts in 九江 (its name says so) but is not in 景德镇."""
    got = located(nlp, "本报讯 九江至景德镇高速公路项目加快建设。景德镇陶瓷产业稳步发展。", "九江市")
    assert not any(subj.startswith("九江至景德镇") and obj.startswith("景德镇") for subj, obj in got), got


def test_every_firm_of_a_list_before_ruzhu(nlp):
    got = located(nlp, "本报讯 今年以来，恒信精密、南星电子等8家企业入驻九江经济技术开发区。", "九江市")
    assert {("恒信精密", "九江经济技术开发区"), ("南星电子", "九江经济技术开发区")} <= got


def test_adjacent_names_are_not_a_list(nlp):
    """华润集团东阿阿胶 is one firm's full name, not two firms listed: only the firm moves in."""
    got = located(nlp, "本报讯 华润集团东阿阿胶成功入驻九江梅花鹿产业园。", "九江市")
    assert not any(subj == "华润集团" for subj, _ in got), got


def test_firms_visited_in_the_place_that_opens_the_sentence(nlp):
    got = located(nlp, "本报讯 在九江经济技术开发区，周立新先后来到赣江精工机械有限公司和九江恒信精密科技有限公司，"
                       "详细了解企业生产经营情况。", "九江市")
    assert ("赣江精工机械有限公司", "九江经济技术开发区") in got
    assert ("九江恒信精密科技有限公司", "九江经济技术开发区") in got


def test_project_is_where_the_firm_builds_it(nlp):
    got = located(nlp, "本报讯 支持赣江精工机械有限公司在九江经济技术开发区建设年产10万套精密轴承项目。", "九江市")
    assert ("年产10万套精密轴承项目", "九江经济技术开发区") in got


def test_the_project_named_before_gaixiangmu(nlp):
    got = located(nlp, "本报讯 九江恒信公司年产5万吨铜箔项目昨日开工。该项目位于九江经济技术开发区，总投资12亿元。", "九江市")
    assert any(subj.endswith("年产5万吨铜箔项目") and obj == "九江经济技术开发区" for subj, obj in got), got


@pytest.mark.parametrize("caption, names", [
    ("签约现场。 本报记者 梁晓东 摄", ["梁晓东"]),
    ("新厂房投产。 通讯员 王敏 记者 李方 摄", ["王敏", "李方"]),
    ("城市生态越来越好。 刘海娇 摄", ["刘海娇"]),
])
def test_photo_credit_roles_are_not_names(caption, names):
    assert strip_photo_credit(caption)[1] == names


def pairs(nlp, text: str, city: str, relation: str) -> set[tuple[str, str]]:
    facts = extract(document_from_text(text, "news.txt"), nlp, home_city=city)
    return {(p.subject.name, p.object.name) for p in facts.pairs if p.relation == relation}


def test_the_firm_that_gaigongsi_refers_to_undertakes(nlp):
    got = pairs(nlp, "本报讯 九江恒信精密科技有限公司是一家汽车零部件企业。由该公司投资建设的年产20万套精密齿轮项目今年投产。",
                "九江市", "undertakes")
    assert ("九江恒信精密科技有限公司", "年产20万套精密齿轮项目") in got


def test_a_generic_qiye_is_not_a_firm(nlp):
    """规上企业 … 建设 names no firm: nothing undertakes the project."""
    got = pairs(nlp, "本报讯 赣江精工机械有限公司产值增长。全市规上企业加快建设年产20万套精密齿轮项目。", "九江市", "undertakes")
    assert not got, got


def test_the_firm_signing_a_projects_investment_agreement_undertakes_it(nlp):
    got = pairs(nlp, "本报讯 濂溪区人民政府与江西赣锋新材料有限公司签署了年产5万吨锂电隔膜项目投资协议。", "九江市", "undertakes")
    assert any(firm.startswith("江西赣锋") and proj.startswith("年产5万吨锂电隔膜") for firm, proj in got), got


@pytest.mark.parametrize("text, unit, parent", [
    ("本报讯 中国电建旗下的九江水电工程有限公司承建该项目。", "九江水电工程有限公司", "中国电建"),
    ("本报讯 九江重工机械有限公司是中国一重的全资子公司，今年产值增长。", "九江重工机械有限公司", "中国一重"),
])
def test_units_named_with_qixia_or_zigongsi(nlp, text, unit, parent):
    assert (unit, parent) in pairs(nlp, text, "九江市", "subOrganizationOf")


def test_a_firm_speaking_cooperates_not_the_city(nlp):
    got = pairs(nlp, "本报讯 赣江精工机械有限公司总经理李明说，公司已与比亚迪、吉利汽车等车企建立配套合作关系。",
                "九江市", "cooperatesWith")
    assert ("赣江精工机械有限公司", "比亚迪") in got or ("比亚迪", "赣江精工机械有限公司") in got, got
    assert not any("九江市" in pair for pair in got), got


def test_the_county_that_opens_the_sentence_cooperates(nlp):
    got = pairs(nlp, "本报讯 修水县将持续深化与南昌大学的校地合作。", "九江市", "cooperatesWith")
    assert any("修水县" in pair and "南昌大学" in pair for pair in got), got


def test_place_in_brackets_after_a_firm_in_an_award_list(nlp):
    got = located(nlp, "本报讯 九江恒信精密科技有限公司（濂溪区）、赣江精工机械有限公司（修水县）入选省级专精特新企业。", "九江市")
    assert {("九江恒信精密科技有限公司", "濂溪区"), ("赣江精工机械有限公司", "修水县")} <= got


def test_weiyu_x_de_firm(nlp):
    got = located(nlp, "本报讯 总部位于九江经济技术开发区的赣江精工机械有限公司产值增长两成。", "九江市")
    assert ("赣江精工机械有限公司", "九江经济技术开发区") in got


def test_project_in_the_clause_after_zai_x(nlp):
    got = located(nlp, "本报讯 在九江经济技术开发区，赣江精工机械有限公司的年产8万台精密减速机项目一期厂房已经封顶。", "九江市")
    assert ("年产8万台精密减速机项目", "九江经济技术开发区") in got


def test_bare_xiangmu_xuanzhi_after_the_signing(nlp):
    got = located(nlp, "本报讯 濂溪区人民政府与赣江精工机械有限公司签署了年产8万台精密减速机项目投资协议，项目选址九江经济技术开发区。",
                  "九江市")
    assert ("年产8万台精密减速机项目", "九江经济技术开发区") in got


def recognized(nlp, text: str, city: str) -> set[tuple[str, str]]:
    facts = extract(document_from_text(text, "news.txt"), nlp, home_city=city)
    return {(r.subject.name, r.designation) for r in facts.recognitions}


def test_each_firm_of_an_award_list_holds_its_heading(nlp):
    got = recognized(nlp, "本报讯 今年我市企业获得多项荣誉。省级绿色工厂（2家）：九江恒信精密科技有限公司（濂溪区）、"
                          "赣江精工机械有限公司（修水县）；省级企业技术中心（1家）：九江南星电子有限公司（共青城市）。", "九江市")
    assert {("九江恒信精密科技有限公司", "省级绿色工厂"), ("赣江精工机械有限公司", "省级绿色工厂"),
            ("九江南星电子有限公司", "省级企业技术中心")} <= got
    assert not any(subj in ("濂溪区", "修水县", "共青城市") for subj, _ in got), got


def test_gaigongsi_bei_rending_wei(nlp):
    got = recognized(nlp, "本报讯 赣江精工机械有限公司专注精密轴承研发。该公司被认定为国家级专精特新“小巨人”企业。", "九江市")
    assert any(subj == "赣江精工机械有限公司" and "小巨人" in des for subj, des in got), got


def test_county_titles_in_a_city_paper_resolve_to_the_county_it_is_about(nlp):
    """A Jiujiang Daily county page: 县委书记, 县长, 我县 are 修水县's, named three times in the story."""
    text = ("本报讯 修水县重点项目建设现场一派繁忙。当天，县委书记陈立平，县委副书记、县长刘振华带队观摩。"
            "修水县将持续优化营商环境，我县今年计划实施重点项目58个。修水县委要求各部门加强服务。")
    facts = extract(document_from_text(text, "news.txt"), nlp, home_city="九江市")
    posts = {(p.person.name, p.role, p.body.name if p.body else None) for p in facts.posts}
    assert ("陈立平", "书记", "中共修水县委") in posts, posts
    assert ("刘振华", "县长", "修水县人民政府") in posts, posts


def test_no_county_when_the_story_names_several(nlp):
    text = "本报讯 修水县、武宁县、都昌县、湖口县加快项目建设。修水县和武宁县领先。县长们出席会议。"
    facts = extract(document_from_text(text, "news.txt"), nlp, home_city="九江市")
    assert facts.home.county is None


def test_the_place_opening_an_earlier_clause_cooperates(nlp):
    got = pairs(nlp, "本报讯 会上，刘振华表示，修水县将持续优化营商环境，深化与南昌大学、江西农业大学的校地合作。",
                "九江市", "cooperatesWith")
    assert any("修水县" in pair and "南昌大学" in pair for pair in got), got
    assert not any("九江市" in pair for pair in got), got


def test_the_firm_before_the_comma_cooperates(nlp):
    got = pairs(nlp, "本报讯 九江恒信精密科技有限公司，与比亚迪、南昌大学合作研发的新型电机已量产。", "九江市", "cooperatesWith")
    assert any("九江恒信精密科技有限公司" in pair and "比亚迪" in pair for pair in got), got


def test_women_in_a_managers_words_is_the_firm(nlp):
    got = pairs(nlp, "本报讯 赣江精工机械有限公司总经理李明说：“我们已与比亚迪建立了长期配套合作关系。”", "九江市", "cooperatesWith")
    assert any("赣江精工机械有限公司" in pair and "比亚迪" in pair for pair in got), got


def test_plain_worded_projects_in_a_concrete_context(nlp):
    """签署了…项目投资协议, 甲公司的…项目, 开工建设…工程: concrete projects, however plain their words."""
    facts = extract(document_from_text(
        "本报讯 濂溪区人民政府与赣江精工机械有限公司签署了储能电池结构件项目投资协议。"
        "九江恒信精密科技有限公司的农机关键零部件智能制造项目正在调试。开工建设濂溪区城南污水处理厂扩建工程。",
        "news.txt"), nlp, home_city="九江市")
    projects = {r.name for r in facts.entities if r.label == "Project"}
    assert {"储能电池结构件项目", "农机关键零部件智能制造项目", "濂溪区城南污水处理厂扩建工程"} <= projects, projects
    undertakes = {(p.subject.name, p.object.name) for p in facts.pairs if p.relation == "undertakes"}
    assert ("赣江精工机械有限公司", "储能电池结构件项目") in undertakes, undertakes


def test_counted_projects_are_not_names(nlp):
    facts = extract(document_from_text("本报讯 全市新开工建设280个500万元以上项目，开工建设119个项目。", "news.txt"),
                    nlp, home_city="九江市")
    assert not [r.name for r in facts.entities if r.label == "Project"]


def test_towns_of_a_county_page_are_in_the_county(nlp):
    text = ("本报讯 修水县重点项目建设提速。修水县委书记陈立平深入杭口镇、马坳镇等地调研。"
            "修水县今年将实施项目58个。修水县城南的宁州街道新建产业园一处。")
    got = located(nlp, text, "九江市")
    assert {("杭口镇", "修水县"), ("马坳镇", "修水县")} <= got, got
    facts = extract(document_from_text(text, "news.txt"), nlp, home_city="九江市")
    assert "宁州街道" in {r.name for r in facts.entities if r.label == "Place"}
