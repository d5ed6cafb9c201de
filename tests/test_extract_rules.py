"""Extraction as registered rules (kg.extract.registry): the registry lists every rule with its relation
in running order; each rule finds facts of its own relation only; a subset runs only its rules (also
through kg.pipeline); a bad rule list is a one-line error; a rule registered elsewhere runs too.

Rules run on the seeds where they find something there, else on tests/unseen*/docs; the interview
below is written for these tests in the style of a city daily's interview page.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kg.extract import RELATIONS, RULES, PairFact, extract, ordered_rules, relation_of, rule, rule_names
from kg.ingest import document_from_text, read_document, read_documents
from kg.nlp import make_nlp
from kg.pipeline import extract_all

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
UNSEEN = ROOT / "tests" / "unseen" / "docs"
UNSEEN2 = ROOT / "tests" / "unseen2" / "docs"
SEED0, SEED1 = SEEDS / "000_ee7b891c3cfb2070.txt", SEEDS / "001_5f1c9e5de64f29df.txt"

RULES_IN_ORDER = (
    ("posts", "holdsPost"), ("name-places", "locatedIn"), ("name-projects", "undertakes"),
    ("name-units", "subOrganizationOf"), ("locate-verbs", "locatedIn"), ("builders", "undertakes"),
    ("sited", "locatedIn"), ("invested", "undertakes"), ("owned", "subOrganizationOf"),
    ("cooperation", "cooperatesWith"), ("recognitions", "recognizedAs"), ("award-lists", "recognizedAs"),
    ("signings", "agreement"),
    # once per document, after the sentence rules
    ("one-per-signing", "agreement"), ("signing-partners", "cooperatesWith"), ("table-lists", "recognizedAs"), ("hierarchy", "locatedIn"), ("town-parents", "locatedIn"),
    ("interview-places", "locatedIn"), ("home-sites", "locatedIn"),
)
INTERVIEW = ("东丰县：做强梅花鹿产业\n\n——访东丰县县长王东\n\n记者：今年东丰县的工业有哪些亮点？\n\n"
             "王东：今年，我们引进了鹿乡源生物科技有限公司，开工建设了年产500吨鹿茸深加工项目，"
             "同时推动皇家鹿苑产业园扩能。")
TABLE = ("关于公布2024年省级智能工厂名单的通知\n\n附件\n\n（一）省级智能工厂\n\n吉林亚联科技有限公司\n\n"
         "辽源鸿图锂电隔膜科技股份有限公司吉林麟臻纺织（集团）公司（二）省级数字化车间\n\n吉林省华纺纺织有限公司\n\n"
         "东丰县药业股份有限公司\n\n抄送：市工信局。")
SIGNING = ("本报讯 3月5日，辽源市人民政府与华信集团战略合作协议签约仪式举行。市委书记周建平、副市长李红梅出席签约仪式，"
           "市商务局局长王磊与华信集团董事长孙志刚代表双方签约。")
COUNTY = ("本报讯 东丰县举行重点项目集中开工仪式，梅花鹿深加工产业园、鹿乡源生物科技项目等7个项目集中开工。"
          "东丰县县长王东出席。东丰县今年将新建项目40个，东丰县重点项目投资增长20%。")
WHERE = {  # a document in which the rule finds something
    "posts": SEED0, "name-places": SEED0, "name-projects": SEED0, "name-units": SEED0, "locate-verbs": SEED1,
    "builders": UNSEEN / "104_anshan_visits.txt", "sited": UNSEEN / "104_anshan_visits.txt",
    "invested": UNSEEN / "101_changchun_signing.txt", "owned": UNSEEN / "101_changchun_signing.txt",
    "cooperation": SEED0, "recognitions": SEED0, "award-lists": UNSEEN2 / "308_baoji_awards.txt",
    "signings": SEED0, "one-per-signing": SEED0, "hierarchy": SEED0, "town-parents": UNSEEN / "102_siping_interview.txt",
    "interview-places": INTERVIEW, "table-lists": TABLE, "signing-partners": SIGNING,
    "home-sites": COUNTY,
}


@pytest.fixture(scope="module")
def nlp():
    return make_nlp(fast=True)


def document(where):
    return document_from_text(where, "interview.txt") if isinstance(where, str) else read_document(where)


def found(doc, nlp, rules) -> Counter:
    f = extract(doc, nlp, home_city="辽源市" if doc.source == "interview.txt" else None, rules=rules)
    return Counter(f.posts + f.pairs + f.recognitions + f.agreements)


def own_facts(doc, nlp, name: str) -> Counter:
    """What the rule adds to the facts of the rules it needs."""
    needs = list(RULES[name].requires)
    return found(doc, nlp, needs + [name]) - found(doc, nlp, needs)


def test_the_registry_lists_every_rule_with_its_relation_in_running_order():
    assert tuple((r.name, r.relation) for r in ordered_rules()) == RULES_IN_ORDER
    assert rule_names() == tuple(name for name, _ in RULES_IN_ORDER)
    assert {r.relation for r in ordered_rules()} == set(RELATIONS)
    assert [r.scope for r in ordered_rules()] == ["sentence"] * 13 + ["document"] * 7
    order = rule_names()
    for r in ordered_rules():
        assert all(order.index(q) < order.index(r.name) for q in r.requires), r
        assert r.summary, f"rule {r.name} has no docstring"


@pytest.mark.parametrize("name", [name for name, _ in RULES_IN_ORDER if name != "one-per-signing"])
def test_each_rule_finds_facts_of_its_own_relation_only(nlp, name):
    got = own_facts(document(WHERE[name]), nlp, name)
    assert got, f"{name} found nothing in {WHERE[name]}"
    assert {relation_of(f) for f in got} == {RULES[name].relation}


def test_one_per_signing_keeps_one_record_of_a_signing_reported_twice(nlp):
    doc = read_document(SEED0)
    signings = found(doc, nlp, ["signings"])
    kept = found(doc, nlp, ["signings", "one-per-signing"])
    assert kept < signings  # fewer records, none new
    def parties(a) -> set[str]:
        return {p.name for p in a.parties}

    assert all(any(parties(a) & parties(k) for k in kept) for a in signings)  # every signing still has its record
    assert +Counter(f for f in found(doc, nlp, None) if relation_of(f) == "agreement") == kept


def test_the_rules_together_find_what_each_finds_alone(nlp):
    doc = read_document(SEED0)
    alone = Counter()
    for name in rule_names():
        alone += own_facts(doc, nlp, name)
    together = found(doc, nlp, None)
    assert +Counter(f for f in together if relation_of(f) != "agreement") \
        == +Counter(f for f in alone if relation_of(f) != "agreement")


def test_leaving_out_locate_verbs_loses_the_firm_that_settles_in_the_park(nlp):
    """上市公司吉林亚联落户辽源高新区 (seed 001): only the 落户 rule says where 吉林亚联 is."""
    doc = read_document(SEED1)
    fact = ("吉林亚联", "辽源高新技术产业开发区")
    others = tuple(name for name in rule_names() if name != "locate-verbs")

    def located(facts) -> set:
        return {(p.subject.name, p.object.name) for p in facts.pairs if p.relation == "locatedIn"}

    assert fact in located(extract(doc, nlp))
    assert fact in located(extract(doc, nlp, rules=["locate-verbs"]))
    assert fact not in located(extract(doc, nlp, rules=others))
    (without,) = extract_all([doc], fast=True, rules=others)
    assert fact not in located(without) and located(without)


@pytest.mark.parametrize("rules, words", [(["sited", "site"], ["unknown rule 'site'", "posts, name-places", "interview-places"]),
                                          (["interview-places"], ["'interview-places' needs 'posts'"]),
                                          (["one-per-signing"], ["needs 'signings'"])])
def test_a_bad_rule_list_is_a_one_line_error(nlp, rules, words):
    doc = document_from_text("本报讯 副市长司马江出席会议。", "x.txt")
    for run in (lambda: extract(doc, nlp, rules=rules), lambda: extract_all([doc], fast=True, rules=rules)):
        with pytest.raises(ValueError) as err:
            run()
        message = str(err.value)
        assert "\n" not in message and all(w in message for w in words), message


def test_a_rule_registered_elsewhere_runs_after_the_others():
    def everywhere_home(facts, ctx):
        """Every firm is in the home city (a rule for this test only)."""
        ev = ctx.evidence(ctx.sentences[0])
        return [PairFact("locatedIn", e, ctx.home_city(), ev) for e in facts.entities if e.label == "Enterprise"]

    rule("locatedIn", name="test-home-city", scope="document")(everywhere_home)
    try:
        assert rule_names()[-1] == "test-home-city"
        doc = document_from_text("本报讯 鑫达钢铁有限公司扩大产能。", "x.txt")
        facts = extract(doc, make_nlp(fast=True), home_city="辽源市", rules=["test-home-city"])
        assert [(p.subject.name, p.object.name) for p in facts.pairs] == [("鑫达钢铁有限公司", "辽源市")]
        with pytest.raises(ValueError, match="registered twice"):
            rule("locatedIn", name="test-home-city", scope="document")(everywhere_home)
    finally:
        del RULES["test-home-city"]
    with pytest.raises(ValueError, match="unknown relation 'livesIn'"):
        rule("livesIn", name="test-lives")
    with pytest.raises(ValueError, match="unknown scope 'paragraph'"):
        rule("locatedIn", name="test-paragraph", scope="paragraph")
    with pytest.raises(ValueError, match="only a document rule"):
        rule("locatedIn", name="test-needs", requires=("posts",))
    assert "test-home-city" not in rule_names()


def test_no_rules_leave_the_entities_only(nlp):
    doc = read_document(SEED1)
    facts, everything = extract(doc, nlp, rules=[]), extract(doc, nlp)
    assert not (facts.posts or facts.pairs or facts.recognitions or facts.agreements)
    assert {e.key for e in facts.entities} <= {e.key for e in everything.entities} and facts.entities


def test_table_lists_read_a_pasted_table_name_by_name(nlp):
    """Issue 15: award lists laid out as tables; a PDF's lines pasted together are read name by name."""
    got = {(f.subject.name, f.designation) for f in own_facts(document(TABLE), nlp, "table-lists")}
    assert got == {("吉林亚联科技有限公司", "省级智能工厂"), ("辽源鸿图锂电隔膜科技股份有限公司", "省级智能工厂"),
                   ("吉林麟臻纺织（集团）公司", "省级智能工厂"), ("吉林省华纺纺织有限公司", "省级数字化车间"),
                   ("东丰县药业股份有限公司", "省级数字化车间")}, got


def test_a_signing_tells_signatories_from_witnesses_each_with_the_sentence_naming_them(nlp):
    """Issue 15: those who attend a signing witness it; those who sign for the parties are its signatories."""
    (a,) = extract(document(SIGNING), nlp, home_city="辽源市").agreements
    assert [p.name for p in a.parties] == ["辽源市人民政府", "华信集团"]
    assert [p.name for p in a.signatories] == ["王磊", "孙志刚"] and [p.name for p in a.witnesses] == ["周建平", "李红梅"]
    assert {(r.role, r.person.name) for r in a.roles} == {("signatory", "王磊"), ("signatory", "孙志刚"),
                                                             ("witness", "周建平"), ("witness", "李红梅")}
    assert all(r.person.surface in r.evidence.text for r in a.roles)


def test_the_seeds_signatory_cites_the_sentence_that_names_him(nlp):
    """Issue 15: 司马江 signed; his evidence is the sentence naming him, not the subtitle 程宇吴碧磊共同见证签约."""
    docs = [d for d in read_documents([SEED0])[0] if d.title.startswith("辽源市人民政府与中国一汽")]
    (a,) = [a for a in extract(docs[0], nlp).agreements if a.title.startswith("绿色零碳")]
    roles = {(r.role, r.person.name): r.evidence.text for r in a.roles}
    assert {("signatory", "司马江"), ("signatory", "田海峰"), ("witness", "程宇"), ("witness", "吴碧磊")} <= set(roles)
    assert "司马江" in roles["signatory", "司马江"] and "程宇" in roles["witness", "程宇"]
