"""Where organisations, parks and projects are (locatedIn), from their names and from the sentence around
them. The places' own parents (hierarchy, town-parents) are in :mod:`kg.extract.organisation`, an
interviewee's county in :mod:`kg.extract.interviews`."""

from __future__ import annotations

import re

from kg.extract.clauses import clause_end, top_names
from kg.extract.context import Context, canonical
from kg.extract.names import name_relation, organisation_names
from kg.extract.records import DocumentFacts, EntityRef, Evidence, PairFact, Sentence
from kg.extract.registry import rule
from kg.gazetteer import gazetteer
from kg.recognize import ORG_CLASSES, Mention, place_prefix
from kg.resources import cue

__all__ = ["home_sites", "locate_verbs", "name_places", "sited"]

ROUTE = re.compile(r"[经至到]|—")
LOCATE_VERBS = re.compile(rf"(?:成功)?(?:{cue('locate_verbs')})")
VISIT_VERBS = re.compile(cue("visit_verbs"))
SITE_VERBS = re.compile(rf"(?:投资)?(?:{cue('site_verbs')})的?")
ANAPHOR_SITED = re.compile(rf"(?:(?:该|这一|此)项目|(?:(?<=[，。,])|^)项目)(?:将|拟|计划)?(?:{cue('sited_verbs')})(?:在|于)?")
SITES = ("IndustrialPark", "Place")
MEDIA = re.compile(r"(?:日报|晚报|报社|电视台|广播电视台)$")
#: What may stand between the last of a list of organisations and the verb that sites them: a few words,
#: or a 等 phrase (三棵树、嘉宝莉、保立佳等头部企业纷纷入驻滁州; 北京八中等优质教育资源入驻固安).
LIST_TAIL = re.compile(r"[^，,。；]{0,6}|等[^，,。；]{0,10}")


# ------------------------------------------------------------------ from the names

@rule("locatedIn", name="name-places")
def name_places(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """A place or park that starts a name (梨树县甲公司, 高新区乙项目) or stands inside it after its parent's
    name (比亚迪芜湖基地): the named unit is there."""
    out: list[PairFact] = []
    for outer, inner in organisation_names(ms):
        if inner and name_relation(outer, inner[0]) == "locatedIn":
            out.append(PairFact("locatedIn", ctx.ref(outer), ctx.ref(inner[0]), ev))
        if outer.label != "GovernmentBody" and not inner and not MEDIA.search(outer.text):  # 安徽日报: a paper, not a firm of 安徽
            prefix, div = place_prefix(canonical(outer, ctx.home), ctx.home)
            if div is not None and not (div.level == "province" and prefix != div.name and not div.name.endswith("市")
                                        and gazetteer().lookup(prefix + "市")) \
                    and _near_home(div, prefix, ctx):  # 吉林X集团: province or city? 山西X公司: 山西省; 重庆X集团: 重庆市
                out.append(PairFact("locatedIn", ctx.ref(outer), EntityRef("Place", div.name, prefix), ev))
        if outer.label not in ("GovernmentBody", "Place"):
            place = _place_inside(outer, inner[0] if inner else None, ms, ctx)
            if place is not None:
                out.append(PairFact("locatedIn", ctx.ref(outer), place, ev))
    return out


def _place_inside(outer: Mention, lead: Mention | None, ms: list[Mention], ctx: Context) -> EntityRef | None:
    """A city or county inside a unit's name, after its parent's name (比亚迪芜湖基地, 中国石油大庆石化公司,
    中国科学技术大学芜湖研究院) or nested in it (东风襄阳新能源汽车产业基地): the unit is there. Only for a
    place the document names on its own or its home city; a place that only appears inside names is not
    an entity (中国科学院沈阳自动化研究所 in a text that never names 沈阳).

    Returns the place, or None."""
    gaz = gazetteer()
    found = None
    name = ctx.document.text[outer.start:outer.end]
    if ROUTE.search(name):
        return None  # 长春经辽源梅河口至通化高铁: a line through places, not in one
    for m in ms:
        if m.label == "Place" and m.nested and outer.start + 2 <= m.start and m.end < outer.end \
                and not name.startswith(("中国", "中华")):
            found = gaz.by_name.get(m.canonical), m.text
            break
    if found is None and lead is not None and lead.label in ("Enterprise", "Institution"):
        rest = ctx.document.text[lead.end:outer.end]
        prefix, div = place_prefix(rest, ctx.home)
        if div is not None and len(rest) - len(prefix) >= 2:
            found = div, prefix
    if found is None or found[0] is None:
        return None
    div, surface = found
    if div.level == "province" or len(surface) < 2:
        return None
    if div.name not in ctx.named_places and div.name != ctx.home.city:
        return None
    return EntityRef("Place", div.name, surface)


def _near_home(div, surface: str, ctx: Context) -> bool:
    """A county named by its short form (东阿 in 东阿阿胶) counts only in the home province."""
    if div.level != "county" or surface == div.name or ctx.home.city_division is None:
        return True
    home_prov = ctx.home.city_division.ancestors()[-1] if ctx.home.city_division.parent else ctx.home.city_division
    return home_prov in div.ancestors()


# ------------------------------------------------------------------ from the sentence

@rule("locatedIn", name="locate-verbs")
def locate_verbs(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """入驻/落户/位于: the organisations before the verb (甲、乙等12家企业入驻丙) are in the place or park after it."""
    text = ctx.document.text
    top = top_names(ms)
    out: list[PairFact] = []
    for v in LOCATE_VERBS.finditer(sent.text):
        vs, ve = sent.start + v.start(), sent.start + v.end()
        subj = [m for m in top if m.end <= vs and LIST_TAIL.fullmatch(text[m.end:vs])
                and m.label in ORG_CLASSES]
        obj = [m for m in top if m.start >= ve and m.start - ve <= 1 and m.label in SITES]
        if subj and obj:  # 甲、乙等12家企业入驻丙: each of the list
            for m in _listed_before(text, top, subj[-1], sent.start):
                out.append(PairFact("locatedIn", ctx.ref(m), ctx.ref(obj[0]), ev))
    return out


def _listed_before(text: str, top: list[Mention], last: Mention, floor: int) -> list[Mention]:
    """``last`` and the organisations listed before it with 、/和/及 (凌峰机器人、鸿远模具), in text order."""
    group = [last]
    for m in reversed([m for m in top if m.end <= last.start and m.start >= floor]):
        if m.label not in ORG_CLASSES or text[m.end:group[0].start] not in ("、", "和", "及", "以及"):
            break
        group.insert(0, m)
    return group


@rule("locatedIn", name="sited")
def sited(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """Where things are, said by the sentence around them:

    * 在X高新区，市长先后来到甲公司和乙公司: the firms visited are in the place that opens the sentence;
    * 甲公司（渭滨区） in an award list, 位于X高新区的甲公司: the firm is there;
    * 甲公司在X高新区建设的乙项目 / 甲公司在X县投资建设乙项目: the project is where the firm builds it;
    * 该项目位于X经济开发区: the project last named before is there."""
    top = top_names(ms)
    return (_opening_site(sent, top, ev, ctx) + _site_beside(sent, top, ev, ctx) + _built_at(top, ev, ctx)
            + _project_sited(sent, top, ev, ctx))


def _opening_site(sent: Sentence, top: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """在X高新区，…来到甲公司: the firms visited, and the projects of the next clause, are in the opening place."""
    text = ctx.document.text
    out: list[PairFact] = []
    opening = re.match(r"(?:[^，。；]{0,12}?)在", sent.text)
    site = opening and next((m for m in top if m.start == sent.start + opening.end() and m.label in SITES), None)
    if not site or text[site.end:site.end + 1] not in "，,":
        return out
    end = clause_end(text, site.end + 1, sent.end)
    visit = VISIT_VERBS.search(text, site.end, sent.end)
    if visit is not None and visit.start() < end + 12:
        for m in top:
            if m.start >= visit.end() and m.label == "Enterprise":
                out.append(PairFact("locatedIn", ctx.ref(m), ctx.ref(site), ev))
    next_end = clause_end(text, end + 1, sent.end)
    for m in top:  # 在X经开区，甲公司的乙项目一期厂房已经封顶: the project in the next clause is there
        if m.label == "Project" and site.end < m.start and m.end <= next_end:
            out.append(PairFact("locatedIn", ctx.ref(m), ctx.ref(site), ev))
    return out


def _site_beside(sent: Sentence, top: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """甲公司（渭滨区） and 位于X高新区的甲公司: a place right beside an organisation's name."""
    text = ctx.document.text
    out: list[PairFact] = []
    for a, b in zip(top, top[1:]):
        gap = text[a.end:b.start]
        if a.label in ORG_CLASSES and b.label in SITES and gap in ("（", "(") and text[b.end:b.end + 1] in "）)":
            out.append(PairFact("locatedIn", ctx.ref(a), ctx.ref(b), ev))  # 甲公司（渭滨区）, in award lists
        elif a.label in SITES and b.label in ORG_CLASSES and gap == "的" \
                and re.search(r"位于$", text[max(sent.start, a.start - 3):a.start]):
            out.append(PairFact("locatedIn", ctx.ref(b), ctx.ref(a), ev))  # 位于X高新区的甲公司
    return out


def _built_at(top: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """甲公司在X县投资建设乙项目: the project (or park) is where the firm builds it."""
    text = ctx.document.text
    out: list[PairFact] = []
    for i, f in enumerate(top):
        if f.label != "Enterprise" or i + 2 >= len(top):
            continue
        site, thing = top[i + 1], top[i + 2]
        if site.label in SITES and thing.label in ("Project", "IndustrialPark") \
                and re.fullmatch(r"[^，。；]{0,4}在", text[f.end:site.start]) \
                and SITE_VERBS.fullmatch(text[site.end:thing.start]):
            out.append(PairFact("locatedIn", ctx.ref(thing), ctx.ref(site), ev))
    return out


def _project_sited(sent: Sentence, top: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """该项目位于X经济开发区: the project named last before (within 200 characters) is there."""
    out: list[PairFact] = []
    for a in ANAPHOR_SITED.finditer(sent.text):
        after = sent.start + a.end()
        site = next((m for m in top if m.start == after and m.label in SITES), None)
        before = [m for m in ctx.mentions if m.label == "Project" and not m.nested and m.end <= sent.start + a.start()
                  and m.start >= sent.start - 200]
        if site is not None and before:
            out.append(PairFact("locatedIn", ctx.ref(before[-1]), ctx.ref(site), ev))
    return out


@rule("locatedIn", name="home-sites", scope="document")
def home_sites(facts: DocumentFacts, ctx: Context) -> list[PairFact]:
    """In a county's own story (one county dominates the text), a project or park that no other rule places is
    in that county when its sentence names the county (固安县举行…，甲、乙等7个项目集中开工; 我县…), cited by
    that sentence."""
    county = ctx.home.county
    if not county:
        return []
    short = county[:-1] if len(county) > 2 and county.endswith("县") else county
    names = re.compile(f"{re.escape(county)}|{re.escape(short)}|[我本全]县")
    placed = {p.subject.key for p in facts.pairs if p.relation == "locatedIn"}
    out: list[PairFact] = []
    for m in ctx.mentions:
        if m.nested or m.label not in ("Project", "IndustrialPark"):
            continue
        r, ev = ctx.ref(m), ctx.evidence_for(m)
        if r.key not in placed and names.search(_outside_names(ev, ctx)):
            placed.add(r.key)
            out.append(PairFact("locatedIn", r, EntityRef("Place", county, county), ev))
    return out


def _outside_names(ev: Evidence, ctx: Context) -> str:
    """The sentence's text with every other name blanked (东辽河琵琶桥 does not name 东辽县), places kept."""
    chars = list(ev.text)
    for m in ctx.mentions:
        if ev.start <= m.start and m.end <= ev.end and not m.nested and m.label != "Place":
            chars[m.start - ev.start:m.end - ev.start] = "　" * (m.end - m.start)
    return "".join(chars)
