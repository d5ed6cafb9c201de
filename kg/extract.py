"""Extract: a document's mentions → facts, each with the sentence that states it as evidence.

Facts are about :class:`EntityRef` s (class + canonical name + the surface seen); resolution
(:mod:`kg.resolve`) later turns them into one node per real-world thing.

>>> from kg.ingest import document_from_text
>>> from kg.nlp import make_nlp
>>> doc = document_from_text("本报讯 副市长司马江出席会议。", source="x.txt")
>>> facts = extract(doc, make_nlp(fast=True), home_city="辽源市")
>>> [(p.person.name, p.role, p.body.name) for p in facts.posts]
[('司马江', '副市长', '辽源市人民政府')]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property

from kg.gazetteer import gazetteer
from kg.ingest import Document
from kg.nlp import find_mentions
from kg.recognize import ORG_CLASSES, Home, Mention, place_prefix, titles as _titles
from kg.resources import cue, load_table, load_words

ENTITY_LABELS = ("Person", "Enterprise", "GovernmentBody", "Institution", "IndustrialPark", "Project",
                 "Place", "Agreement")


# ------------------------------------------------------------------ the dataclasses between stages

@dataclass(frozen=True)
class Evidence:
    """The sentence that states a fact: ``document.text[start:end] == text``."""

    doc_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class EntityRef:
    label: str  # one of ENTITY_LABELS
    name: str  # canonical name (context resolved: 市委 → 中共辽源市委)
    surface: str = ""  # the form the text used

    @property
    def key(self) -> tuple[str, str]:
        return (self.label, self.name)


@dataclass(frozen=True)
class PostFact:
    person: EntityRef
    role: str
    body: EntityRef | None
    evidence: Evidence


@dataclass(frozen=True)
class PairFact:
    relation: str  # locatedIn, undertakes, subOrganizationOf, cooperatesWith
    subject: EntityRef
    object: EntityRef
    evidence: Evidence
    context: tuple[Evidence, ...] = ()  # sentences that set the scene (an interview's byline)


@dataclass(frozen=True)
class AgreementFact:
    title: str
    parties: tuple[EntityRef, ...]
    signatories: tuple[EntityRef, ...]
    witnesses: tuple[EntityRef, ...]
    date: str | None
    evidence: Evidence
    context: tuple[Evidence, ...] = ()  # the sentences naming signatories and witnesses


@dataclass(frozen=True)
class RecognitionFact:
    subject: EntityRef
    designation: str
    evidence: Evidence


@dataclass
class DocumentFacts:
    document: Document
    entities: list[EntityRef] = field(default_factory=list)
    posts: list[PostFact] = field(default_factory=list)
    pairs: list[PairFact] = field(default_factory=list)
    agreements: list[AgreementFact] = field(default_factory=list)
    recognitions: list[RecognitionFact] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    home: Home | None = None


# ------------------------------------------------------------------ sentences

@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """Sentences with offsets (split after 。！？； and at line ends), whitespace trimmed.

    >>> [s.text for s in sentences("甲说。 乙来了！\\n\\n丙")]
    ['甲说。', '乙来了！', '丙']
    """
    out = []
    for m in re.finditer(r"[^。！？；!?;\n]+[。！？；!?;]*[”’」』]?", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Sentence(s, e, text[s:e]))
    return out


# ------------------------------------------------------------------ canonical names

BODY_ABBREV = {short: full for short, full in load_table("body_abbrev.tsv")}


def canonical(m: Mention, home: Home) -> str:
    """The full name a mention stands for.

    >>> canonical(Mention(0, 5, "GovernmentBody", "市工信局", "市工信局"), Home.of_city("辽源市"))
    '辽源市工业和信息化局'
    """
    name = m.canonical
    if m.label == "GovernmentBody" and m.source != "context":
        if name[0] in "市" and home.city and not name.startswith("市场"):
            name = home.city + name[1:]
        elif name[0] == "省" and home.province:
            name = home.province + name[1:]
        for short in sorted(BODY_ABBREV, key=len, reverse=True):
            if name.endswith(short) and short != BODY_ABBREV[short]:
                name = name[: -len(short)] + BODY_ABBREV[short]
                break
        if name.endswith("政府") and not name.endswith("人民政府"):
            name = name[:-2] + "人民政府"
        for short, full in (("人大常委会", "人民代表大会常务委员会"), ("人大", "人民代表大会")):
            if name.endswith(short) and len(name) > len(short):
                name = name[: -len(short)] + full  # 白山市人大常委会 → 白山市人民代表大会常务委员会
                break
        if name.endswith("政协") and len(name) > 2:
            name = "中国人民政治协商会议" + name[:-2] + "委员会"
    if m.label in ("Institution", "Project") and name.startswith("市") and home.city and m.source != "context":
        name = home.city + name[1:]  # 市中心医院 → 辽源市中心医院
    if m.label == "GovernmentBody":
        name = re.sub(r"第[一二三四五六七八九十]+届", "", name)
    if m.label in ("IndustrialPark", "Project"):
        name = re.sub(r"[(（][一二三四五六七八九十]+期[)）]$", "", name)
    if m.label == "IndustrialPark":
        for short, full in (("高新区", "高新技术产业开发区"), ("经开区", "经济技术开发区")):
            if name.endswith(short) and len(name) > len(short) + 1:
                name = name[: -len(short)] + full  # 通化医药高新区 → 通化医药高新技术产业开发区
        prefix, div = place_prefix(name, home)
        rest = name[len(prefix):]
        if div is not None and div.level == "province" and place_prefix(rest, home)[0]:
            name = rest  # 吉林辽源高新技术产业开发区 → 辽源高新技术产业开发区
    return name


def ref(m: Mention, home: Home) -> EntityRef:
    return EntityRef(m.label, canonical(m, home), m.text)


# ------------------------------------------------------------------ the extractor

def extract(document: Document, nlp, home_city: str | None = None) -> DocumentFacts:
    """All facts of one document."""
    home, mentions = find_mentions(nlp, document.text, home_city=home_city or document.home_city,
                                   newspaper=document.newspaper)
    facts = DocumentFacts(document, mentions=mentions, home=home)
    seen = set()
    for m in mentions:
        if m.label in ENTITY_LABELS:
            r = ref(m, home)
            if (r.key, r.surface) not in seen:
                seen.add((r.key, r.surface))
                facts.entities.append(r)
    for name in document.photo_credits:
        facts.entities.append(EntityRef("Person", name, name))
    sents = sentences(document.text)
    ctx = _Context(document, home, mentions, sents)
    for sent in sents:
        ms = [m for m in mentions if sent.start <= m.start and m.end <= sent.end]
        ev = Evidence(document.doc_id, sent.start, sent.end, sent.text)
        facts.posts += posts_in(sent, ms, ev, ctx)
        facts.pairs += name_relations(ms, ev, ctx)
        facts.pairs += verbal_relations(sent, ms, ev, ctx)
        facts.recognitions += recognitions_in(sent, ms, ev, ctx)
        facts.agreements += agreements_in(sent, ms, ev, ctx)
    facts.agreements = _one_per_signing(facts.agreements)
    facts.pairs += hierarchy(mentions, sents, ctx)
    facts.pairs += town_parents(mentions, ctx)
    facts.pairs += interview_places(facts, ctx)
    _add_implied_entities(facts)
    return facts


@dataclass
class _Context:
    document: Document
    home: Home
    mentions: list[Mention]
    sentences: list[Sentence]

    def ref(self, m: Mention) -> EntityRef:
        return ref(m, self.home)

    def home_city(self) -> EntityRef | None:
        return EntityRef("Place", self.home.city, self.home.city) if self.home.city else None

    def firm_named_in(self, project: Mention) -> EntityRef | None:
        """The firm whose trade name starts a project's name (博戈新能源汽车减振项目 → 博戈橡胶)."""
        from kg.resolve import brand

        name = canonical(project, self.home)
        best = None
        for m in self.mentions:
            if m.label != "Enterprise" or m.nested and m.start >= project.start and m.end <= project.end:
                continue
            r = self.ref(m)
            b = brand(r.name)
            if len(b) >= 2 and name.startswith(b) and (best is None or len(r.name) > len(best.name)):
                best = r
        return best

    def parent_named(self, unit: Mention) -> EntityRef | None:
        """The organisation whose full name starts a unit's canonical name (中国一汽党委工作部 → 中国一汽)."""
        name = canonical(unit, self.home)
        best = None
        for m in self.mentions:
            if m.label != unit.label or m is unit:
                continue
            r = self.ref(m)
            if name.startswith(r.name) and len(r.name) < len(name) and (best is None or len(r.name) > len(best.name)):
                best = r
        return best

    def firm_before(self, pos: int, reach: int = 300) -> EntityRef | None:
        """The firm named last before ``pos`` (within ``reach`` characters): what 该公司 / 企业 refers to."""
        firms, ends = self._firms
        i = bisect.bisect_right(ends, pos)  # the firms sorted by where they end
        return self.ref(firms[i - 1]) if i and firms[i - 1].start >= pos - reach else None

    @cached_property
    def _firms(self) -> tuple[list[Mention], list[int]]:
        firms = sorted((m for m in self.mentions if m.label == "Enterprise" and not m.nested),
                       key=lambda m: (m.end, m.start))
        return firms, [m.end for m in firms]

    @cached_property
    def named_places(self) -> frozenset[str]:
        """Canonical names of the places the document names on their own (not inside a longer name)."""
        return frozenset(m.canonical for m in self.mentions if m.label == "Place" and not m.nested)

    def evidence_for(self, m: Mention) -> Evidence:
        for s in self.sentences:
            if s.start <= m.start and m.end <= s.end:
                return Evidence(self.document.doc_id, s.start, s.end, s.text)
        s = self.sentences[0]
        return Evidence(self.document.doc_id, s.start, s.end, s.text)


def _add_implied_entities(facts: DocumentFacts) -> None:
    """Bodies implied by posts (东丰县县长 → 东丰县人民政府) and agreement parties become entities too."""
    known = {e.key for e in facts.entities}
    implied = [p.body for p in facts.posts if p.body is not None]
    implied += [r for a in facts.agreements for r in a.parties]
    for r in implied:
        if r.key not in known:
            known.add(r.key)
            facts.entities.append(r)


# ------------------------------------------------------------------ posts

TITLE_KIND = {t: (kind, tmpl) for t, (kind, tmpl) in _titles().items()}
PARTY_TEMPLATE = {"Place": "中共{place}委"}
CHAIN_SEP = re.compile(r"^[、\s]*$")


def posts_in(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: _Context) -> list[PostFact]:
    """Titles attached to a person: 市委副书记、市长程宇 → 副书记 of 中共辽源市委, 市长 of 辽源市人民政府."""
    text = ctx.document.text
    top = [m for m in ms if not m.nested]
    out: list[PostFact] = []
    for i, person in enumerate(top):
        if person.label != "Person":
            continue
        chain = _title_chain(text, top, i)
        if not chain and person.source == "byline":
            chain = _byline_chain(text, top, i)
        inherited: Mention | None = None
        for k, (post, body) in enumerate(chain):
            kind, _ = TITLE_KIND.get(post.text, ("generic", "-"))
            if body is not None:
                inherited = body
            elif inherited is not None and kind in ("enterprise", "generic", "academic", "media"):
                body = inherited
            ref = _body_ref(post, body, text, ctx)
            if ref is None and k == 0 and kind in ("enterprise", "generic"):
                ref = _firm_by_short_name(text, post, ctx)
            if ref is None and kind == "gov" and inherited is not None:
                ref = _government_of(inherited, post, ctx)
            out.append(PostFact(ctx.ref(person), post.text, ref, ev))
        after = _post_after(text, top, i)
        if after is not None:
            out.append(PostFact(ctx.ref(person), after.text, _body_ref(after, None, text, ctx), ev))
    return out


def _title_chain(text: str, top: list[Mention], i: int) -> list[tuple[Mention, Mention | None]]:
    """(post, explicit body) pairs standing right before mention ``i``, nearest last."""
    chain: list[tuple[Mention, Mention | None]] = []
    j, edge = i - 1, top[i].start
    while j >= 0:
        post = top[j]
        if post.label != "Post" or not CHAIN_SEP.match(text[post.end:edge]) or "、" in text[post.end:edge] and not chain and False:
            break
        body = None
        k = j - 1
        if k >= 0 and top[k].end == post.start and top[k].label in ORG_CLASSES + ("Place",):
            body = top[k]
            k -= 1
        chain.append((post, body))
        edge = (body or post).start
        if k >= 0 and top[k].end <= edge and text[top[k].end:edge] == "、":
            j = k
            continue
        break
    return list(reversed(chain))


def _firm_by_short_name(text: str, post: Mention, ctx: _Context) -> EntityRef | None:
    """鞍山钢铁党委书记 / 恒远激光总经理 / 公司总经理: the firm the text names by a short form
    right before the title — a firm of the document whose full name contains it, or, for 公司,
    the firm named last before it."""
    before = re.search(r"[\u4e00-\u9fff]{2,8}$", text[max(0, post.start - 8):post.start])
    if not before:
        return None
    short = before.group()
    firms = [m for m in ctx.mentions if m.label == "Enterprise" and not m.nested]
    if short.endswith(("公司", "企业", "集团")) and len(short) <= 4:
        earlier = [m for m in firms if m.end <= post.start and post.start - m.end < 600]
        return ctx.ref(earlier[-1]) if earlier else None
    for n in range(len(short), 1, -1):
        tail = short[-n:]
        hits = {ctx.ref(m).name: m for m in firms if tail in m.canonical and len(m.canonical) > n}
        if len(hits) == 1 and n >= 3 or len(hits) == 1 and n == 2 and short == tail:
            return ctx.ref(next(iter(hits.values())))
    return None


def _government_of(party: Mention, post: Mention, ctx: _Context) -> EntityRef | None:
    """县委副书记、县长: the county head's government is the party committee's county's."""
    m = re.fullmatch(r"(?:中共)?(.+?[省市县区])委", canonical(party, ctx.home))
    if not m:
        return None
    place = m.group(1)
    level = {"县": "county", "区": "county", "市": "prefecture", "省": "province"}[place[-1]]
    wants = {"县长": "county", "副县长": "county", "常务副县长": "county", "区长": "county", "副区长": "county",
             "市长": "prefecture", "副市长": "prefecture", "常务副市长": "prefecture", "省长": "province",
             "副省长": "province"}.get(post.text)
    return EntityRef("GovernmentBody", place + "人民政府", place + "政府") if wants == level else None


def _byline_chain(text: str, top: list[Mention], i: int):
    for j in range(i - 1, max(-1, i - 8), -1):
        if top[j].label == "Post" and top[j].text in ("记者", "通讯员"):
            body = top[j - 1] if j > 0 and top[j - 1].end == top[j].start and top[j - 1].label == "Institution" else None
            return [(top[j], body)]
    return []


def _post_after(text: str, top: list[Mention], i: int) -> Mention | None:
    """习近平总书记: a title right after the name (总书记, 同志 is not a title)."""
    if i + 1 < len(top) and top[i + 1].label == "Post" and top[i + 1].start == top[i].end \
            and top[i + 1].text in ("总书记",):
        return top[i + 1]
    return None


def _body_ref(post: Mention, body: Mention | None, text: str, ctx: _Context) -> EntityRef | None:
    kind, template = TITLE_KIND.get(post.text, ("generic", "-"))
    home = ctx.home
    if body is not None and body.label != "Place":
        if body.label == "IndustrialPark" and kind in ("party", "gov"):
            return None
        return ctx.ref(body)
    if body is not None:  # a place before the title: 东丰县县长 → 东丰县人民政府
        place = body.canonical
        if kind == "gov":
            return EntityRef("GovernmentBody", place + "人民政府", body.text + post.text)
        if kind == "party":
            return EntityRef("GovernmentBody", "中共" + place + "委", body.text + post.text)
        if kind == "congress":
            return EntityRef("GovernmentBody", place + "人民代表大会", body.text + post.text)
        return None
    before = text[max(0, post.start - 2):post.start]
    level_place = {"市": home.city, "省": home.province}.get(before[-1:]) if before else None
    if kind == "congress":
        if before.endswith("全国"):
            return EntityRef("GovernmentBody", "全国人民代表大会", "全国人大")
        place = level_place or home.city
        return EntityRef("GovernmentBody", place + "人民代表大会", "人大") if place else None
    if kind == "media":
        paper = home.newspaper if "本报" in text[max(0, post.start - 12):post.start] else None
        return EntityRef("Institution", paper + "社", "本报") if paper else None
    if template == "-" or "{" not in template:
        return EntityRef("GovernmentBody", template, template) if template != "-" else None
    filled = home.fill(template)
    if filled is None or "{" in filled:
        return None
    return EntityRef("GovernmentBody", filled, post.text)


# ------------------------------------------------------------------ relations from names

def name_relations(ms: list[Mention], ev: Evidence, ctx: _Context) -> list[PairFact]:
    """Relations the names themselves state: a place or park at the start of a name (locatedIn),
    a firm at the start of a project (undertakes), a parent at the start of a unit (subOrganizationOf)."""
    out: list[PairFact] = []
    tops = [m for m in ms if not m.nested and m.label in ORG_CLASSES]
    for outer in tops:
        inner = [m for m in ms if m is not outer and outer.start == m.start and m.end < outer.end]
        inner.sort(key=lambda m: m.end - m.start, reverse=True)
        for m in inner[:1]:
            rel = _name_relation(outer, m)
            if rel == "undertakes":
                out.append(PairFact(rel, _unit_of(m, outer, ctx), ctx.ref(outer), ev))
            elif rel:
                out.append(PairFact(rel, ctx.ref(outer), ctx.ref(m), ev))
        if outer.label == "Project" and not any(_name_relation(outer, m) == "undertakes" for m in inner):
            firm = ctx.firm_named_in(outer)
            if firm is not None:
                out.append(PairFact("undertakes", firm, ctx.ref(outer), ev))
        if outer.label in ("Enterprise", "Institution", "GovernmentBody") \
                and outer.source in ("department", "subsidiary", "body-unit") and not inner:
            parent = ctx.parent_named(outer)
            if parent is not None:
                out.append(PairFact("subOrganizationOf", ctx.ref(outer), parent, ev))
        if outer.label != "GovernmentBody" and not inner:
            prefix, div = place_prefix(canonical(outer, ctx.home), ctx.home)
            if div is not None and not (div.level == "province" and prefix != div.name and not div.name.endswith("市")) \
                    and _near_home(div, prefix, ctx):  # 吉林X集团: province or city? 重庆X集团: 重庆市
                out.append(PairFact("locatedIn", ctx.ref(outer), EntityRef("Place", div.name, prefix), ev))
        if outer.label not in ("GovernmentBody", "Place"):
            place = _place_inside(outer, inner[0] if inner else None, ms, ctx)
            if place is not None:
                out.append(PairFact("locatedIn", ctx.ref(outer), place, ev))
    # 华润集团东阿阿胶: a group's name right before a firm's
    for a, b in zip(tops, tops[1:]):
        if a.end == b.start and a.label == b.label == "Enterprise" and a.canonical.endswith("集团"):
            out.append(PairFact("subOrganizationOf", ctx.ref(b), ctx.ref(a), ev))
    return out


ROUTE = re.compile(r"[经至到]|—")


def _place_inside(outer: Mention, lead: Mention | None, ms: list[Mention], ctx: _Context) -> EntityRef | None:
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


def _unit_of(firm: Mention, project: Mention, ctx: _Context) -> EntityRef:
    """一汽弗迪电池壳体: a well-known group's name followed by a trade name the dictionary does not
    know is the group's unit or joint venture (一汽弗迪), which undertakes the project."""
    from kg.recognize import unknown_runs

    if firm.source != "known":
        return ctx.ref(firm)
    after = ctx.document.text[firm.end:project.end]
    runs = unknown_runs(after[:4])
    if runs and after.startswith(runs[0]) and 2 <= len(runs[0]) <= 3:
        name = firm.text + runs[0]
        return EntityRef("Enterprise", name, name)
    return ctx.ref(firm)


def _near_home(div, surface: str, ctx: _Context) -> bool:
    """A county named by its short form (东阿 in 东阿阿胶) counts only in the home province."""
    if div.level != "county" or surface == div.name or ctx.home.city_division is None:
        return True
    home_prov = ctx.home.city_division.ancestors()[-1] if ctx.home.city_division.parent else ctx.home.city_division
    return home_prov in div.ancestors()


def _name_relation(outer: Mention, inner: Mention) -> str | None:
    if inner.label == "Place":
        return "locatedIn" if outer.label != "GovernmentBody" else None
    if inner.label == "IndustrialPark" and outer.label in ("IndustrialPark", "Project", "Enterprise"):
        return "locatedIn"
    if inner.label == "Enterprise" and outer.label == "Project":
        return "undertakes"
    if inner.label == outer.label and outer.label in ("Enterprise", "Institution"):
        return "subOrganizationOf"
    return None


LOCATE_VERBS = re.compile(rf"(?:成功)?(?:{cue('locate_verbs')})")
COOP_WORDS = re.compile(cue("cooperation_words"))


def verbal_relations(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: _Context) -> list[PairFact]:
    """入驻/落户/位于 (locatedIn) and 与…合作/对接 (cooperatesWith)."""
    text = ctx.document.text
    top = [m for m in ms if not m.nested and m.label in ENTITY_LABELS]
    out: list[PairFact] = []
    for v in LOCATE_VERBS.finditer(sent.text):
        vs, ve = sent.start + v.start(), sent.start + v.end()
        subj = [m for m in top if m.end <= vs and re.fullmatch(r"[^，,。；]{0,6}", text[m.end:vs])
                and m.label in ORG_CLASSES]
        obj = [m for m in top if m.start >= ve and m.start - ve <= 1 and m.label in ("Place", "IndustrialPark")]
        if subj and obj:  # 甲、乙等12家企业入驻丙: each of the list
            for m in _listed_before(text, top, subj[-1], sent.start):
                out.append(PairFact("locatedIn", ctx.ref(m), ctx.ref(obj[0]), ev))
    out += _builders(text, sent, top, ev, ctx)
    out += _sited(text, sent, top, ev, ctx)
    out += _invested(text, sent, top, ev, ctx)
    out += _owned(text, sent, top, ev, ctx)
    for conj in re.finditer(r"[与同和跟]", sent.text):
        cs = sent.start + conj.start()
        clause_end = _clause_end(text, cs, sent.end)
        tail = text[cs:clause_end]
        if not COOP_WORDS.search(tail):
            continue
        left = _group_before(text, top, cs, sent.start)
        implied = None
        if not left:
            implied = _implied_partner(text, sent, top, cs, ctx)
            if implied is None:
                continue
            left = [None]
        right = _group_after(text, top, cs + 1, clause_end)
        for a in left:
            ar = implied if a is None else ctx.ref(a)
            for b in right:
                br = ctx.ref(b)
                if ar.key != br.key and b.label != "Person" and ar.label != "Person":
                    out.append(PairFact("cooperatesWith", ar, br, ev))
    return out


FIRM_ANAPHOR = re.compile(r"(?:(?:该|这家|本)(?:公司|企业)|(?:(?<=[，。：,:])|^)(?:公司|企业))"
                          r"(?:还|正在|已|将|今年|去年|在[^，。；]{2,12})?")
INVEST_SIGNING = re.compile(rf"(?:{cue('signing_verbs')})了?")
BUILD_VERBS = re.compile(cue("build_verbs") + "|^的$")


def _builders(text: str, sent: Sentence, top: list[Mention], ev: Evidence, ctx: _Context) -> list[PairFact]:
    """X公司投资建设的Y项目 / Y项目由X公司承建: a firm and a project joined by a building verb in one clause."""
    out = []
    for clause in _clauses(sent):
        ms = [m for m in top if clause.start <= m.start and m.end <= clause.end]
        for i, f in enumerate(ms):
            if f.label != "Enterprise":
                continue
            for p in ms[i + 1:]:
                between = text[f.end:p.start]
                if p.label == "Enterprise" or len(between) > 15:
                    break
                if p.label == "Project" and BUILD_VERBS.search(between):
                    out.append(PairFact("undertakes", ctx.ref(f), ctx.ref(p), ev))
                    break
        for p in ms:  # 该公司投资建设的Y项目 / 企业正在建设Y项目: the firm last named before
            if p.label != "Project":
                continue
            lead = FIRM_ANAPHOR.search(text, max(clause.start, p.start - 18), p.start)
            if lead and BUILD_VERBS.search(text[lead.end():p.start]) and not any(
                    m.label == "Enterprise" and lead.end() <= m.start < p.start for m in ms):
                firm = ctx.firm_before(lead.start(), reach=150)
                if firm is not None:
                    out.append(PairFact("undertakes", firm, ctx.ref(p), ev))
        for i, p in enumerate(ms):
            if p.label == "Project" and i + 1 < len(ms) and ms[i + 1].label == "Enterprise":
                f = ms[i + 1]
                if re.fullmatch(r"由", text[p.end:f.start].strip()) and BUILD_VERBS.match(text[f.end:f.end + 4]):
                    out.append(PairFact("undertakes", ctx.ref(f), ctx.ref(p), ev))
    return out


VISIT_VERBS = re.compile(cue("visit_verbs"))
SITE_VERBS = re.compile(rf"(?:投资)?(?:{cue('site_verbs')})的?")
ANAPHOR_SITED = re.compile(rf"(?:(?:该|这一|此)项目|(?:(?<=[，。,])|^)项目)(?:将|拟|计划)?(?:{cue('sited_verbs')})(?:在|于)?")


def _sited(text: str, sent: Sentence, top: list[Mention], ev: Evidence, ctx: _Context) -> list[PairFact]:
    """Where things are, said by the sentence around them:

    * 在X高新区，市长先后来到甲公司和乙公司: the firms visited are in the place that opens the sentence;
    * 甲公司在X高新区建设的乙项目 / 甲公司在X县投资建设乙项目: the project is where the firm builds it;
    * 该项目位于X经济开发区: the project last named before is there."""
    out: list[PairFact] = []
    sites = ("IndustrialPark", "Place")
    opening = re.match(r"(?:[^，。；]{0,12}?)在", sent.text)
    if opening:
        site = next((m for m in top if m.start == sent.start + opening.end() and m.label in sites), None)
        if site is not None and text[site.end:site.end + 1] in "，,":
            clause_end = _clause_end(text, site.end + 1, sent.end)
            visit = VISIT_VERBS.search(text, site.end, sent.end)
            if visit is not None and visit.start() < clause_end + 12:
                for m in top:
                    if m.start >= visit.end() and m.label == "Enterprise":
                        out.append(PairFact("locatedIn", ctx.ref(m), ctx.ref(site), ev))
            next_end = _clause_end(text, clause_end + 1, sent.end)
            for m in top:  # 在X经开区，甲公司的乙项目一期厂房已经封顶: the project in the next clause is there
                if m.label == "Project" and site.end < m.start and m.end <= next_end:
                    out.append(PairFact("locatedIn", ctx.ref(m), ctx.ref(site), ev))
    for a, b in zip(top, top[1:]):
        gap = text[a.end:b.start]
        if a.label in ORG_CLASSES and b.label in sites and gap in ("（", "(") and text[b.end:b.end + 1] in "）)":
            out.append(PairFact("locatedIn", ctx.ref(a), ctx.ref(b), ev))  # 甲公司（渭滨区）, in award lists
        elif a.label in sites and b.label in ORG_CLASSES and gap == "的" \
                and re.search(r"位于$", text[max(sent.start, a.start - 3):a.start]):
            out.append(PairFact("locatedIn", ctx.ref(b), ctx.ref(a), ev))  # 位于X高新区的甲公司
    for i, f in enumerate(top):
        if f.label != "Enterprise" or i + 2 >= len(top):
            continue
        site, thing = top[i + 1], top[i + 2]
        if site.label in sites and thing.label in ("Project", "IndustrialPark") \
                and re.fullmatch(r"[^，。；]{0,4}在", text[f.end:site.start]) \
                and SITE_VERBS.fullmatch(text[site.end:thing.start]):
            out.append(PairFact("locatedIn", ctx.ref(thing), ctx.ref(site), ev))
    for a in ANAPHOR_SITED.finditer(sent.text):
        after = sent.start + a.end()
        site = next((m for m in top if m.start == after and m.label in sites), None)
        before = [m for m in ctx.mentions if m.label == "Project" and not m.nested and m.end <= sent.start + a.start()
                  and m.start >= sent.start - 200]
        if site is not None and before:
            out.append(PairFact("locatedIn", ctx.ref(before[-1]), ctx.ref(site), ev))
    return out


def _invested(text: str, sent: Sentence, top: list[Mention], ev: Evidence, ctx: _Context) -> list[PairFact]:
    """甲区政府与乙公司签署了丙项目投资协议: the firm that signs a project's investment agreement undertakes it."""
    out = []
    for i, p in enumerate(top):
        if p.label != "Project" or not re.match(r"(?:投资|入驻|落户|建设)(?:协议|合同)", text[p.end:p.end + 4]):
            continue
        sign = INVEST_SIGNING.search(text, max(sent.start, p.start - 4), p.start)
        firms = [m for m in top[:i] if m.label == "Enterprise" and sign is not None and m.end <= sign.start()
                 and re.fullmatch(r"[^，。；]{0,3}", text[m.end:sign.start()])]
        if firms:
            out.append(PairFact("undertakes", ctx.ref(firms[-1]), ctx.ref(p), ev))
    return out


OWNED_BEFORE = re.compile(rf"(?:{cue('owner_markers')})的?")
UNIT_OF = re.compile(rf"的?(?:全资|控股)?(?:{cue('unit_of_words')})")


def _owned(text: str, sent: Sentence, top: list[Mention], ev: Evidence, ctx: _Context) -> list[PairFact]:
    """甲旗下(的)乙 / 甲所属乙 / 乙是甲旗下企业 / 乙是甲的全资子公司: 乙 is a unit of 甲."""
    out = []
    orgs = [m for m in top if m.label in ("Enterprise", "Institution")]
    for a, b in zip(orgs, orgs[1:]):
        gap = text[a.end:b.start]
        if OWNED_BEFORE.fullmatch(gap):
            out.append(PairFact("subOrganizationOf", ctx.ref(b), ctx.ref(a), ev))
        elif gap == "是" and UNIT_OF.match(text, b.end, b.end + 8):
            out.append(PairFact("subOrganizationOf", ctx.ref(a), ctx.ref(b), ev))
        elif re.fullmatch(r"隶属于?", gap):
            out.append(PairFact("subOrganizationOf", ctx.ref(a), ctx.ref(b), ev))
    return out


def _clause_end(text: str, pos: int, limit: int) -> int:
    m = re.compile(r"[，,。；;]").search(text, pos, limit)
    return m.start() if m else limit


def _group_before(text: str, top: list[Mention], pos: int, floor: int) -> list[Mention]:
    """Names in a list ending right before ``pos`` (甲、乙等14家企业与 …)."""
    group: list[Mention] = []
    edge = pos
    for m in reversed([m for m in top if m.end <= pos and m.start >= floor]):
        gap = text[m.end:edge]
        if re.fullmatch(r"(?:等(?:\d+|[一二三四五六七八九十]+)?[户家个所]?[\u4e00-\u9fff]{0,4})?|、|和|及", gap) \
                or (not group and re.fullmatch(r"[^，,。；、]{0,3}", gap)):
            group.append(m)
            edge = m.start
        else:
            break
    return group


def _listed_before(text: str, top: list[Mention], last: Mention, floor: int) -> list[Mention]:
    """``last`` and the organisations listed before it with 、/和/及 (凌峰机器人、鸿远模具), in text order."""
    group = [last]
    for m in reversed([m for m in top if m.end <= last.start and m.start >= floor]):
        if m.label not in ORG_CLASSES or text[m.end:group[0].start] not in ("、", "和", "及", "以及"):
            break
        group.insert(0, m)
    return group


def _group_after(text: str, top: list[Mention], pos: int, limit: int) -> list[Mention]:
    group: list[Mention] = []
    edge = pos
    for m in [m for m in top if m.start >= pos and m.end <= limit]:
        gap = text[edge:m.start]
        if (not group and len(gap) <= 1) or re.fullmatch(r"、|和|及|以及", gap):
            group.append(m)
            edge = m.end
        else:
            break
    return group


def _implied_partner(text: str, sent: Sentence, top: list[Mention], pos: int, ctx: _Context) -> EntityRef | None:
    """Who cooperates when no name stands before 与: the firm 公司/企业 refers to (公司已与比亚迪…建立配套合作),
    the place that opens the sentence (宜阳县将…，持续深化与…合作), else the home city (深化同长春合作)."""
    clause_start = max(text.rfind(c, sent.start, pos) for c in "，,；;") + 1 or sent.start
    clause_start = max(clause_start, sent.start)
    if re.search(r"(?:该|这家|本)?(?:公司|企业)|我们", text[clause_start:pos]):
        firm = ctx.firm_before(pos, reach=150)
        if firm is not None or "我们" not in text[clause_start:pos]:
            return firm
    if clause_start > sent.start and text[clause_start:pos].strip() == "":
        named = [m for m in top if m.end == clause_start - 1 and m.label in ORG_CLASSES]
        if named:  # 甲公司，与乙合作研发…: the name just before the comma
            return ctx.ref(named[-1])
    starts = [sent.start] + [i + 1 for i in range(sent.start, pos) if text[i] in "，,；;"]
    for start in reversed(starts):  # 王晓磊表示，宜阳县将…，持续深化与…: the place opening an earlier clause
        opener = next((m for m in top if m.label in ("Place", "GovernmentBody") and m.start >= start and m.end <= pos
                       and re.fullmatch(r"(?:本报讯\s*)?[^，。；,\s在与和同对向]{0,2}", text[start:m.start])), None)
        if opener is not None:
            return ctx.ref(opener)
    if _implicit_home(text, sent.start, pos):
        return ctx.home_city()
    return None


def _implicit_home(text: str, sent_start: int, pos: int) -> bool:
    """与/同 with no named subject in a city's own text: the city is the subject (深化同长春合作)."""
    before = text[max(sent_start, pos - 8):pos]
    return not re.search(r"[\u4e00-\u9fff]{2,}[市县区省]$", before)


# ------------------------------------------------------------------ admin hierarchy

def hierarchy(mentions: list[Mention], sents: list[Sentence], ctx: _Context) -> list[PairFact]:
    """Place → parent place, when the parent is named in the document or is the home city/province."""
    gaz = gazetteer()
    named = {m.canonical for m in mentions if m.label == "Place"}
    if ctx.home.city:
        named |= {ctx.home.city}
    out, done = [], set()
    for m in mentions:
        if m.label != "Place" or m.canonical in done:
            continue
        div = gaz.by_name.get(m.canonical)
        if div is None or div.parent is None:
            continue
        home_city = gaz.by_name.get(ctx.home.city) if ctx.home.city else None
        local = home_city is not None and (div.parent is home_city or div is home_city)
        if div.parent.name in named and (local or _near(m, div.parent.name, mentions, sents)):
            done.add(m.canonical)
            out.append(PairFact("locatedIn", EntityRef("Place", div.name, m.text),
                                EntityRef("Place", div.parent.name, div.parent.name), ctx.evidence_for(m)))
    return out


def town_parents(mentions: list[Mention], ctx: _Context) -> list[PairFact]:
    """梨树县郭家店镇: a town named right after its county (or city) is in it."""
    places = sorted((m for m in mentions if m.label == "Place"), key=lambda m: m.start)
    out = []
    placed = set()
    for a, b in zip(places, places[1:]):
        if b.source == "town" and a.end == b.start:
            out.append(PairFact("locatedIn", ctx.ref(b), ctx.ref(a), ctx.evidence_for(b)))
            placed.add(b.canonical)
    if ctx.home.county:  # a county page of a city paper: its towns are the county's (锦屏镇 → 宜阳县)
        county = EntityRef("Place", ctx.home.county, ctx.home.county)
        for m in places:
            if m.source == "town" and m.canonical not in placed:
                placed.add(m.canonical)
                out.append(PairFact("locatedIn", ctx.ref(m), county, ctx.evidence_for(m)))
    return out


def _near(m: Mention, parent: str, mentions: list[Mention], sents: list[Sentence]) -> bool:
    """The parent place is named in the same or the next sentence (沈阳市铁西区; 杭州 … 浙江)."""
    idx = next((i for i, s in enumerate(sents) if s.start <= m.start < s.end), None)
    if idx is None:
        return False
    lo, hi = sents[max(0, idx - 1)].start, sents[min(len(sents) - 1, idx + 1)].end
    return any(o.label == "Place" and o.canonical == parent and lo <= o.start < hi for o in mentions)


# ------------------------------------------------------------------ interviews: the interviewee's county

INTERVIEW = re.compile(r"^[—－-]*\s*(?:专)?访")
TOPIC_BODY = re.compile(r"^(?:中共)?(.+?)(?:人民政府|党工委|管委会|管理委员会|委)$")


def sections(text: str) -> list[tuple[int, int]]:
    """Spans of the articles on a page: a headline (a short line without sentence punctuation) opens one."""
    bounds = [0]
    for m in re.finditer(r"(?:^|\n\n)([^\n]+)", text):
        par = m.group(1)
        if par.startswith("#") or (len(par) <= 40 and not re.search(r"[。，,；;！？]", par) and not INTERVIEW.match(par)):
            bounds.append(m.start(1))
    bounds.append(len(text))
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def interview_places(facts: DocumentFacts, ctx: _Context) -> list[PairFact]:
    """In an interview with a county's or a park's leader (——访…东丰县县长 王东), the firms, parks
    and projects the interviewee names without a place are that county's or park's."""
    from kg.recognize import known_entities as _known

    text = ctx.document.text
    located = {p.subject.key for p in facts.pairs if p.relation == "locatedIn"}
    out: list[PairFact] = []
    for start, end in sections(text):
        byline = next((s for s in ctx.sentences if start <= s.start < min(end, start + 120) and INTERVIEW.match(s.text)), None)
        if byline is None:
            continue
        topic = _interview_topic(facts, byline, ctx)
        if topic is None:
            continue
        by_ev = Evidence(ctx.document.doc_id, byline.start, byline.end, byline.text)
        seen = set()
        for m in ctx.mentions:
            if not (byline.end <= m.start < end) or m.label not in ("Enterprise", "Project", "IndustrialPark") \
                    and not (m.label == "Place" and m.source == "town"):
                continue
            r = ctx.ref(m)
            if r.key in located or r.key in seen or r.key == topic.key or r.name in _known() or m.nested:
                continue
            seen.add(r.key)
            out.append(PairFact("locatedIn", r, topic, ctx.evidence_for(m), (by_ev,)))
    return out


def _interview_topic(facts: DocumentFacts, byline: Sentence, ctx: _Context) -> EntityRef | None:
    gaz = gazetteer()
    for post in facts.posts:
        if post.body is None or not (byline.start <= post.evidence.start < byline.end + 1):
            continue
        m = TOPIC_BODY.match(post.body.name)
        if post.body.label == "IndustrialPark":
            return post.body
        if m:
            place = m.group(1)
            div = gaz.by_name.get(place) or gaz.best(place, ctx.home.city_division)
            if div is not None and div.level == "county":
                return EntityRef("Place", div.name, place)
            if re.search(r"(开发区|高新区|园区)$", place):
                return EntityRef("IndustrialPark", canonical(Mention(0, 0, "IndustrialPark", place, place), ctx.home), place)
    return None


# ------------------------------------------------------------------ recognitions

RECOG = re.compile(r"(?:被|成功)?(?:认定为|评为|获评|入选|纳入|列入|晋升为|创建|被确定为|确定为|荣获|获批|获得|备案|通过(?=[^，。；]{2,12}(?:认定|验收|考核)))(?:为)?")
RECOG_CLASSES = ("Enterprise", "IndustrialPark", "Place", "Institution", "Project")


def recognitions_in(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: _Context) -> list[RecognitionFact]:
    """被认定为/被评为/获评/入选/列入 …: the named subjects and the designation after the verb."""
    text = ctx.document.text
    top = [m for m in ms if not m.nested]
    out: list[RecognitionFact] = []
    for v in RECOG.finditer(sent.text):
        vs, ve = sent.start + v.start(), sent.start + v.end()
        des = _designation(text, ve, sent.end)
        if not des:
            continue
        clause_start = max([sent.start] + [m.end() + sent.start for m in re.finditer(r"[，,；;。]", sent.text[: v.start()])])
        subjects = [m for m in top if clause_start <= m.start and m.end <= vs and m.label in RECOG_CLASSES]
        lead = [m for m in subjects if m.start - clause_start <= 2]
        if lead:  # the clause's subject stands at its start: 我市连续四年在全省…中被评为…
            subjects = _group_after(text, subjects, lead[0].start, vs)
        else:
            subjects = [m for m in subjects if m.text not in ("全省", "全市", "全国")]
            subjects = _group_before(text, subjects, _subject_edge(text, subjects, vs), clause_start) if subjects else []
        refs = [ctx.ref(m) for m in subjects]
        lead_text = text[clause_start:vs]
        if not refs and re.search(r"(我市|全市|本市)", lead_text) and ctx.home_city():
            refs = [ctx.home_city()]
        if not refs and re.search(r"(?:该|这家)(?:公司|企业)|^\s*(?:公司|企业)", lead_text):
            firm = ctx.firm_before(clause_start, reach=150)  # 该公司被认定为…
            refs = [firm] if firm is not None else []
        if not refs and clause_start > sent.start and re.fullmatch(r"(?:去年|今年|近年来|近日|日前|还|也|已|先后|曾|并)*", lead_text):
            firm = ctx.firm_before(clause_start, reach=clause_start - sent.start)  # 甲公司…，去年被认定为…
            refs = [firm] if firm is not None else []
        for r in refs:
            out.append(RecognitionFact(r, des, ev))
    out += _award_list(text, sent, top, ev, ctx)
    return out


AWARD_LIST = re.compile(r"(?:^|(?<=[；;。：:\n]))\s*([^；;。：:\n（(、，]{3,30}?)[（(](?:\d+|[一二三四五六七八九十]+)[家个户项所][）)][：:]")


def _award_list(text: str, sent: Sentence, top: list[Mention], ev: Evidence, ctx: _Context) -> list[RecognitionFact]:
    """国家级绿色工厂（3家）：甲公司（高新区）、乙公司（凤翔区）: each named in the list holds the designation
    that heads it (the bracketed place after a name is not listed)."""
    out = []
    for h in AWARD_LIST.finditer(sent.text):
        des = _designation(h.group(1), 0, len(h.group(1)))
        if not des:
            continue
        start = sent.start + h.end()
        stop = re.compile(r"[；;。\n]").search(text, start, sent.end)
        end = stop.start() if stop else sent.end
        for m in top:
            if start <= m.start and m.end <= end and m.label in RECOG_CLASSES \
                    and text[m.start - 1:m.start] not in "（(":
                out.append(RecognitionFact(ctx.ref(m), des, ev))
    return out


def _subject_edge(text: str, subjects: list[Mention], verb_start: int) -> int:
    last = subjects[-1]
    gap = text[last.end:verb_start]
    return verb_start if len(gap) <= 12 else last.end


def _designation(text: str, start: int, limit: int) -> str | None:
    m = re.compile(r"[^，,。；;、！？]{2,32}").match(text, start, limit)
    if not m:
        return None
    des = m.group().strip()
    if "”" in des.lstrip("“") and not des.startswith("“") and des.count("“") != des.count("”"):
        return None  # …示范区”添砖加瓦: the verb was inside a quoted slogan
    des = des.split("”")[0] if des.startswith("“") else des
    des = des.strip("“”\"《》 ")
    des = re.sub(r"(之一|称号|荣誉称号|名单)$", "", des).strip("“”\"《》")
    des = re.sub(r"(成果)$", "", des)
    if len(des) < 3 or re.fullmatch(r"[\d.%％亿万元个户项家]+", des):
        return None
    if not re.search(r"(级|省|市|国家|全国|首批|示范|冠军|企业|工厂|车间|园|基地|中心|城市|地区|县|区|清单|等次|单位|品牌|强|认定|名录|典型|标杆|试点|集群|产区|案例|先进)", des):
        return None
    return des


# ------------------------------------------------------------------ agreements

SIGN = re.compile(r"签署|签订|签约|签下")


def agreements_in(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: _Context) -> list[AgreementFact]:
    """Signings: a titled 《…协议》 or an untitled 甲与乙签署…协议 / 甲与乙…签约仪式, with the parties,
    the persons who signed (…代表双方签署) and witnessed (…见证) in this or the next sentences, and the date."""
    text = ctx.document.text
    top = [m for m in ms if not m.nested]
    out: list[AgreementFact] = []
    titled = [m for m in top if m.label == "Agreement"]
    for a in titled:
        before = text[sent.start:a.start]
        if not SIGN.search(before[-12:]) and not re.search(r"签署|签订|签约", text[a.end:sent.end][:6]):
            continue
        pair = _pair_around_conj(text, top, sent.start, a.start)
        pair_refs = [ctx.ref(m) for m in pair] if pair else _signing_parties_nearby(text, ctx, a)
        earlier = _earlier_year(sent, ctx)
        signers, witnesses, used = ((), (), ()) if earlier else _signing_people(ctx, sent, a.start, lookback=12)
        out.append(AgreementFact(a.text, tuple(pair_refs), signers, witnesses,
                                 earlier or _date_near(text, sent, ctx), ev, used))
    if titled:
        return out
    floor = sent.start
    for m in UNTITLED.finditer(sent.text):
        pos = sent.start + m.start()
        pair = _pair_around_conj(text, top, floor, pos)
        floor = sent.start + m.end()
        if len(pair) != 2:
            continue
        if m.group("doc"):
            title = text[pair[0].start:pair[1].end] + m.group("doc")
        elif re.search(r"(协议|合同|备忘录)$", text[pair[-1].end:pos]):
            title = text[pair[0].start:pos]  # 甲与乙战略合作协议签约仪式
        else:
            title = text[pair[0].start:pos] + "签约"
        parties = (ctx.ref(pair[0]), _signing_party(pair[1], ctx))
        signers, witnesses, used = _signing_people(ctx, sent, pos)
        out.append(AgreementFact(title, parties, signers, witnesses, _date_near(text, sent, ctx), ev, used))
    return out


UNTITLED = re.compile(r"签约仪式|(?:签署|签订)(?:了)?(?P<doc>[\u4e00-\u9fff]{0,12}(?:协议|合同|备忘录|意向书))|签约")


def _signing_people(ctx: _Context, sent: Sentence, pos: int,
                    lookback: int = 0) -> tuple[tuple[EntityRef, ...], tuple[EntityRef, ...], tuple[Evidence, ...]]:
    """Who signed (persons before 代表…签 or 签署 in a clause) and who witnessed (persons before
    见证 in a sentence, signers excluded), in the signing sentence and the two after it; witnesses
    also from an earlier 出席并见证 sentence of the same story."""
    i = next((k for k, s in enumerate(ctx.sentences) if s.start == sent.start), 0)
    window = ctx.sentences[i:i + 3]
    signers: list[EntityRef] = []
    used: list[Sentence] = []
    for s in window:
        for clause in _clauses(s):
            cut = re.search(r"代表[\u4e00-\u9fff]{0,4}?(?:签署|签订|签约|签字)|(?:签署|签订|签约|签字)", clause.text)
            if not cut or "见证" in clause.text[: cut.start()]:
                continue
            for m in _persons_in(ctx, clause.start, clause.start + cut.start()):
                if m not in signers:
                    signers.append(m)
                    used.append(s)
    witnesses: list[EntityRef] = []
    story = [s for s in ctx.sentences[max(0, i - lookback):i + 3] if "见证" in s.text]
    for s in story:
        for m in _persons_in(ctx, s.start, s.start + s.text.index("见证")):
            if m not in witnesses and m not in signers:
                witnesses.append(m)
                used.append(s)
    evidence = tuple(dict.fromkeys(Evidence(ctx.document.doc_id, s.start, s.end, s.text) for s in used if s != sent))
    return tuple(signers), tuple(witnesses), evidence


def _clauses(s: Sentence) -> list[Sentence]:
    out, start = [], s.start
    for m in re.finditer(r"[，,；;。]", s.text):
        end = s.start + m.start()
        out.append(Sentence(start, end, s.text[start - s.start:end - s.start]))
        start = end + 1
    if start < s.end:
        out.append(Sentence(start, s.end, s.text[start - s.start:]))
    return out


def _persons_in(ctx: _Context, start: int, end: int) -> list[EntityRef]:
    out = []
    for m in ctx.mentions:
        if m.label == "Person" and start <= m.start and m.end <= end:
            r = ctx.ref(m)
            if r not in out:
                out.append(r)
    return out


SIGNING_TAIL = re.compile(r"产业链|招商|项目|购车|采购|合作|战略|签|新能源|框架|投资|举行|达成|共同|深化|全面|新一轮")


def _signing_party(m: Mention, ctx: _Context) -> EntityRef:
    """The firm in 甲与[中船风帆]产业链招商项目签约: the name before the subject matter of the signing."""
    if m.label not in ("Project", "IndustrialPark", "Enterprise"):
        return ctx.ref(m)
    text = ctx.document.text
    if m.label == "Enterprise" and m.text.endswith(("有限公司", "有限责任公司", "股份有限公司", "集团")):
        return ctx.ref(m)  # a full name already
    cut = SIGNING_TAIL.search(text, m.start + 2, m.end + 8)
    if cut is None or not re.fullmatch(r"[\u4e00-\u9fff()（）]+", text[m.start:cut.start()]):
        return ctx.ref(m)
    name = text[m.start:cut.start()]
    if name == m.text:
        return ctx.ref(m)
    return EntityRef("Enterprise", name, name)


def _earlier_year(sent: Sentence, ctx: _Context) -> str | None:
    """自2020年…签订《…》: an agreement signed in a year before the report's."""
    m = re.search(r"((?:19|20)\d{2})年", sent.text)
    doc_year = (ctx.document.date or "")[:4]
    if m and doc_year and m.group(1) < doc_year:
        return m.group(1)
    return None


def _one_per_signing(agreements: list[AgreementFact]) -> list[AgreementFact]:
    """A headline and the lead report the same signing: keep the fuller record once.

    Two records are one signing when their parties are the same, or share one party while one of
    them comes from a headline (a sentence without sentence punctuation)."""
    def headline(a: AgreementFact) -> bool:
        return not re.search(r"[，。；,;]", a.evidence.text)

    def richness(a: AgreementFact):
        return (not headline(a), len(a.signatories) + len(a.witnesses), len(a.title))

    kept: list[AgreementFact] = []
    for a in sorted(agreements, key=richness, reverse=True):
        names = {p.name for p in a.parties}
        same = any({p.name for p in k.parties} == names or
                   (headline(a) and names & {p.name for p in k.parties}) for k in kept)
        if not same:
            kept.append(a)
    return sorted(kept, key=lambda a: a.evidence.start)


def _pair_around_conj(text: str, top: list[Mention], floor: int, limit: int) -> list[Mention]:
    """The nearest 甲与乙 pair of organisations or places before ``limit``."""
    cands = [m for m in top if floor <= m.start and m.end <= limit and m.label in ORG_CLASSES + ("Place",)]
    for a, b in zip(reversed(cands[:-1]), reversed(cands[1:])):
        if text[a.end:b.start] in ("与", "和", "同"):
            return [a, b]
    return []


def _signing_parties_nearby(text: str, ctx: _Context, a: Mention) -> list[EntityRef]:
    """Parties of a titled agreement from the report's lead: 辽源市人民政府与中国一汽…签约仪式."""
    for s in ctx.sentences:
        if s.start >= a.start:
            break
        if "签约" in s.text or "合作" in s.text:
            top = [m for m in ctx.mentions if s.start <= m.start and m.end <= s.end and not m.nested]
            pair = _pair_around_conj(text, top, s.start, s.end)
            if pair:
                return [ctx.ref(m) for m in pair]
    return []


def _date_near(text: str, sent: Sentence, ctx: _Context) -> str | None:
    year = (ctx.document.date or "")[:4]
    window = text[max(0, sent.start - 1500):sent.end]
    m = None
    for m in re.finditer(r"(?:((?:19|20)\d{2})年)?(\d{1,2})月(\d{1,2})日", window):
        pass
    if m:
        y = m.group(1) or year
        return f"{y}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if y else None
    y = re.search(r"((?:19|20)\d{2})年", sent.text)
    return y.group(1) if y else None
