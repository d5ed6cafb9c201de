"""Entity recognition on characters: lexicons, head words and context rules, with the statistical
tagger (:mod:`kg.statmodel`) for names no list holds.

Chinese names are found from their *head* (人民政府, 产业园, 项目, 有限公司, an industry word such
as 钢铁 …) and extended to the left until a boundary word (推进, 支持, 与, punctuation …); persons
from the titles before them, reporter bylines, speech verbs and the tagger; places from the
divisions of China. Everything works on character offsets, so no segmenter can split a name.

>>> rec = Recognizer()
>>> home = Home.of_city("辽源市")
>>> [(m.text, m.label) for m in rec.find("副市长司马江出席。", home) if m.label != "Place"]
[('副市长', 'Post'), ('司马江', 'Person')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import ahocorasick

from kg.gazetteer import Division, gazetteer
from kg.resources import cue, load_lines, load_table, load_words

ORG_CLASSES = ("Enterprise", "GovernmentBody", "Institution", "IndustrialPark", "Project")
NAME_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9()（）·\-.．/]")
MAX_NAME = {"Enterprise": 22, "GovernmentBody": 24, "Institution": 20, "IndustrialPark": 22,
            "Project": 28}
# characters that end a person's name when they follow it (程宇代表… → 程宇)
NOT_GIVEN_START = set("的了和与及在是将说等为对从被把也都就还、，。,（(：:；")
AFTER_NAME = set("代说在表出参到向主会讲指强带率等为和与及同对是的了将也还并就都接称介一、，。,（(：:；")


@dataclass(frozen=True)
class Mention:
    """A span of the document's text with a class; ``canonical`` is the full name it stands for."""

    start: int
    end: int
    label: str  # one of the 8 classes, or "Post" for a title
    text: str
    canonical: str
    source: str = "rule"
    nested: bool = False  # inside a longer name (the place in 辽源市人民政府)


@dataclass(frozen=True)
class Home:
    """Where a document comes from: resolves 市, 市委, 省, 本报, 高新区 …"""

    city: str | None = None
    city_short: str | None = None
    province: str | None = None
    province_short: str | None = None
    newspaper: str | None = None
    city_division: Division | None = field(default=None, compare=False, repr=False)
    county: str | None = None  # the county or district of the city a story is about (宜阳县), when one dominates

    @classmethod
    def of_city(cls, city: str | None, newspaper: str | None = None) -> "Home":
        gaz = gazetteer()
        div = gaz.best(city) if city else None
        if div is None:
            return cls(newspaper=newspaper)
        prov = div.ancestors()[-1] if div.parent else div
        city_short = div.short or div.name.rstrip("市")
        return cls(div.name, city_short, prov.name, prov.short or prov.name, newspaper or f"{city_short}日报", div)

    def fill(self, template: str) -> str | None:
        county = self.county if self.county and self.county.endswith("县") else None
        district = self.county if self.county and self.county.endswith("区") else None
        values = {"city": self.city, "city_short": self.city_short, "province": self.province,
                  "province_short": self.province_short, "newspaper": self.newspaper,
                  "county": county, "district": district}
        try:
            out = template.format(**values)
        except KeyError:
            return None
        return None if "None" in out else out


def detect_home(text: str, newspaper: str | None = None) -> Home:
    """The home city: the newspaper's city, else the prefecture-level city named most often.

    >>> detect_home("辽源市召开会议。辽源将加快发展。长春也来了。").city
    '辽源市'
    """
    gaz = gazetteer()
    if newspaper:
        for n in range(min(4, len(newspaper) - 2), 1, -1):
            div = gaz.best(newspaper[:n])
            if div is not None and div.level == "prefecture":
                return Home.of_city(div.name, newspaper)
    counts: dict[str, int] = {}
    for _, (surface, divs) in _place_automaton().iter(text):
        for d in divs[:1]:
            if d.level == "prefecture":
                counts[d.name] = counts.get(d.name, 0) + 1
            elif d.level == "county" and d.parent is not None and d.parent.level == "prefecture" \
                    and surface == d.name:
                counts[d.parent.name] = counts.get(d.parent.name, 0) + 1  # 梨树县 votes for 四平市
    if not counts:
        return Home(newspaper=newspaper)
    city, n = max(sorted(counts.items()), key=lambda kv: kv[1])
    dominant = n >= 2 and n >= 0.4 * sum(counts.values())  # a national text names many cities, none often
    return Home.of_city(city, newspaper) if dominant else Home(newspaper=newspaper)


def with_county(home: Home, text: str) -> Home:
    """The home with the county or district of its city that the text is about: named (full name or
    stem) at least three times and at least twice as often as any other of the city's counties, so that
    县委, 县长, 我县 resolve to it (宜阳县 in a Luoyang Daily county page).

    >>> with_county(Home.of_city("洛阳市"), "宜阳县召开会议。宜阳加快发展。县长讲话，宜阳县委部署。").county
    '宜阳县'
    """
    if home.city_division is None or home.county:
        return home
    counts: dict[str, int] = {}
    for _, (surface, divs) in _place_automaton().iter(text):
        for d in divs[:1]:
            if d.level == "county" and d.parent is home.city_division and d.name[-1] in "县区":
                counts[d.name] = counts.get(d.name, 0) + 1
    if not counts:
        return home
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    name, n = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    return replace(home, county=name) if n >= 3 and n >= 2 * second else home


# ------------------------------------------------------------------ lexicons as automata

def _automaton(words) -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for word, value in words:
        auto.add_word(word, (word, value))
    auto.make_automaton()
    return auto


@lru_cache(maxsize=1)
def _place_automaton() -> ahocorasick.Automaton:
    gaz = gazetteer()
    return _automaton((s, gaz.lookup(s)) for s in gaz.surfaces() if len(s) >= 2)


@lru_cache(maxsize=1)
def _suffix_table() -> dict[str, tuple[str, int, str]]:
    table = {row[0]: (row[1], int(row[2]), row[3]) for row in load_table("name_suffixes.tsv")}
    for short, full in load_table("body_abbrev.tsv"):
        for word in (short, full):
            table.setdefault(word, ("GovernmentBody", len(word) + 1, "body"))
    return table


@lru_cache(maxsize=1)
def _titles() -> dict[str, tuple[str, str]]:
    return {row[0]: (row[1], row[2]) for row in load_table("titles.tsv")}


@lru_cache(maxsize=1)
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    words = load_words("surnames.txt")
    return frozenset(w for w in words if len(w) == 1), frozenset(w for w in words if len(w) == 2)


@lru_cache(maxsize=1)
def _known() -> dict[str, tuple[str, str, str]]:
    """surface → (canonical, class, English name)"""
    out: dict[str, tuple[str, str, str]] = {}
    for row in load_table("known_entities.tsv"):
        name, cls, en = row[0], row[1], row[2]
        aliases = [a for a in (row[3].split("|") if len(row) > 3 else []) if a]
        for surface in [name, *aliases]:
            out.setdefault(surface, (name, cls, en))
    return out


@lru_cache(maxsize=1)
def _automata():
    suffixes = _automaton((s, v) for s, v in _suffix_table().items())
    industry = _automaton((w, "Enterprise") for w in load_words("industry_words.txt"))
    titles = _automaton((t, v) for t, v in _titles().items())
    context = _automaton((row[0], (row[1], row[2])) for row in load_table("context_abbrev.tsv"))
    known = _automaton((s, v) for s, v in _known().items() if len(s) >= 2 and s != "中央")
    return suffixes, industry, titles, context, known


def _known_prefixes() -> tuple[str, ...]:
    return tuple(sorted((k for k in _known() if len(k) >= 3), key=len, reverse=True))


def _jieba_freq():
    import jieba

    jieba.initialize()
    return jieba.dt.FREQ


@lru_cache(maxsize=1)
def _jieba_freq_cached():
    return _jieba_freq()


@lru_cache(maxsize=1)
def _jieba_tags() -> dict[str, str]:
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


def _words(s: str) -> list[str]:
    import jieba

    return [w for w in jieba.lcut(s, HMM=False) if w.strip()]


LEAD_TAGS_MULTI = {"v", "p", "c", "d", "r", "m", "ad", "u", "q"}
LEAD_TAGS_SINGLE = {"p", "c", "u"}
NOT_NAME_TAGS = {"v", "vn", "d", "a", "ad", "i", "l"}


FUNCTION_CHARS = set("的了和与及或在于为是将把被对向从等个之其并而但也都就还又")


def unknown_runs(s: str) -> list[str]:
    """Runs of two or more characters that jieba's dictionary does not know as words: the part of a
    name a dictionary cannot know (天楹, 金翼, 国储林), not policy language (超低排放, 煤电).

    >>> unknown_runs("金翼蛋品蛋液产品升级")
    ['金翼']
    """
    runs, cur = [], ""
    for w in _words(s):
        if len(w) == 1 and re.fullmatch(r"[\u4e00-\u9fff]", w) and w not in FUNCTION_CHARS:
            cur += w
            continue
        if len(cur) >= 2:
            runs.append(cur)
        cur = ""
    if len(cur) >= 2:
        runs.append(cur)
    return [r for r in runs if r not in GENERIC and r not in POLICY_TERMS
            and not any(r[i:i + 2] in GENERIC or r[i:i + 2] in POLICY_TERMS for i in range(len(r) - 1))]


def strip_lead_words(name: str, keep: int) -> str:
    """Drop leading verbs, prepositions, pronouns and numerals: 推荐启星铝业 → 启星铝业."""
    tags = _jieba_tags()
    while True:
        words = _words(name)
        if not words:
            return name
        w, tag = words[0], tags.get(words[0], "")
        lead = (tag in LEAD_TAGS_MULTI and _jieba_freq_cached().get(w, 0) > 100) if len(w) >= 2 else tag in LEAD_TAGS_SINGLE
        if not lead or len(w) >= len(name):
            return name
        name = name[len(w):]
        if len(name) < keep:
            return name  # too short now: the caller's length check drops it


LEFT_STOPS = tuple(sorted(load_words("left_stops.txt"), key=len, reverse=True))
LEFT_STOPS_SET = frozenset(LEFT_STOPS)
STOPS_BY_CHAR: dict[str, tuple[str, ...]] = {}
for _w in LEFT_STOPS:  # longest first within each first character
    STOPS_BY_CHAR[_w[0]] = STOPS_BY_CHAR.get(_w[0], ()) + (_w,)
INDUSTRY_WORDS = load_words("industry_words.txt")
INDUSTRY_ALT = "|".join(sorted(INDUSTRY_WORDS, key=len, reverse=True))
LEAD_MODIFIERS = tuple(sorted(load_words("lead_modifiers.txt"), key=len, reverse=True))
PROTECTED = ("工业和信息化", "发展和改革", "人力资源和社会保障", "住房和城乡建设", "文化和旅游",
             "中华人民共和国", "共和国", "和平", "和谐", "和美", "于都")
SPEECH = tuple(sorted(load_words("speech_verbs.txt"), key=len, reverse=True))
GENERIC = load_words("generic_cores.txt")
POLICY_TERMS = load_words("policy_terms.txt")
POLICY_PREFIXES = frozenset(t[:2] for t in POLICY_TERMS)
BRAND_WORDS = load_words("brand_words.txt")
REGIONS = tuple(load_words("regions.txt"))
KNOWN_PREFIXES = _known_prefixes()
RECOGNITION_VERB = re.compile(r"(认定为|评为|获评|荣获|入选|晋升为|创建|确定为|命名为|授予)$")
COUNTED = re.compile(r"(?:\d+|[两三四五六七八九十几]|[一二三四五六七八九十]{2,})(?:个|所|家|户|项|名|座|条|批|处)")
QUANTITY = re.compile(r"^(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千两]+)(?:个|项|户|所|条|家|名|座|处|栋|批|类|大|支|套|国|小时|天|周)")
CAPACITY = re.compile(r"\d+(?:\.\d+)?(?:万吨|吨|MN|MM|MW|GW|兆瓦|千瓦|万千瓦|万套|万台|万辆|万平方米|平方米|万头|万只|万羽|万吨级)|[A-Za-z]{2,}|\d+[A-Za-z]")
CONCRETE_BEFORE = re.compile(rf"(?:{cue('project_cues_before')})$")
CONCRETE_AFTER = re.compile(rf"(?:{cue('project_cues_after')})")
ENDS_BAD = set("等及和的各个与或、为是到把被将该其此")
# a firm's department: 供应部, 战略与合作部; not 零部件, and no verb inside (是一家汽车零部件企业)
DEPARTMENT = re.compile(r"(?![^，。；]{0,7}?[是为有在])[\u4e00-\u9fff与]{2,7}?部(?![门署长委件])")


# ------------------------------------------------------------------ boundaries

def left_edge(text: str, head_start: int, max_len: int, min_core: int = 2, tokens=None) -> int:
    """Start of the name whose head begins at ``head_start``: back over name characters, then
    forward past the last boundary word that still leaves ``min_core`` characters before the head
    (and, with the tagger's tokens, past a verb that stands right before a tagged name).

    >>> s = "全力支持厚德食品发展"
    >>> s[left_edge(s, 6, 12):8]
    '厚德食品'
    """
    start = head_start
    while start > 0 and head_start - start < max_len and NAME_CHARS.match(text[start - 1]):
        if text[start - 1] in ")）" and not _firm_bracket(text, start, head_start):
            break  # 云享智慧物流园区(一期)保税区: a closed bracket ends the name before it
        start -= 1
    window = text[start:head_start]
    cut = 0
    i = 0
    while i < len(window):
        hit = next((w for w in STOPS_BY_CHAR.get(window[i], ()) if window.startswith(w, i)), None)
        if hit and not _protected(window, i, hit) and len(window) - (i + len(hit)) >= min_core:
            cut = i + len(hit)
            i += len(hit)
        else:
            i += 1
    start += cut
    if tokens:
        for a, b in zip(tokens, tokens[1:]):
            if start <= a.start and b.end <= head_start and a.end == b.start and a.tag in VERBISH and len(a.text) >= 2 \
                    and b.tag in NAMEISH and head_start - b.start >= min_core:
                start = b.start
    return start


VERBISH = {"v", "vd", "p", "c", "u", "d", "r", "xc"}
NAMEISH = {"ORG", "LOC", "PER", "nz"}


def _firm_bracket(text: str, pos: int, head_start: int) -> bool:
    """A bracket inside a firm's registered name: 博友橡胶塑料(株洲)有限公司."""
    return text.startswith(("有限", "股份", "集团"), pos)


def _protected(window: str, i: int, word: str) -> bool:
    for p in PROTECTED:
        j = window.find(p, max(0, i - len(p)), i + len(word) + len(p))
        if j != -1 and j <= i and i + len(word) <= j + len(p):
            return True
    return False


def strip_modifiers(name: str) -> str:
    """Drop leading ranks and scopes: 省级重点天楹项目 → 天楹项目."""
    changed = True
    while changed:
        changed = False
        for mod in LEAD_MODIFIERS:
            if name.startswith(mod) and len(name) - len(mod) >= 3:
                name = name[len(mod):]
                changed = True
    return name


def place_prefix(name: str, home: Home | None = None) -> tuple[str, Division | None]:
    """The longest leading division name: ("辽源市", 辽源市) for 辽源市交通运输局."""
    gaz = gazetteer()
    for n in range(min(len(name) - 1, 12), 1, -1):
        div = gaz.best(name[:n], home.city_division if home else None)
        if div is not None and not (name[:n] != div.name and name[n:n + 1] in "河江湖山"):
            if div.level == "province":  # 广西来宾…: a city of the province right after it
                for k in (3, 2):
                    city = gaz.by_name.get(name[n:n + k] + "市")
                    if city is not None and city.parent is div and len(name) > n + k + 1:
                        return name[:n + k], city
            return name[:n], div
    return "", None


# ------------------------------------------------------------------ the recogniser

class Recognizer:
    """Finds :class:`Mention` s in a document's text. Build once; call :meth:`find` per document."""

    def __init__(self) -> None:
        self.suffixes, self.industry, self.titles, self.context, self.known = _automata()
        self.places = _place_automaton()
        self.freq = _jieba_freq()
        self.single_surnames, self.double_surnames = _surnames()

    # -------------------------------------------------------------- public

    def find(self, text: str, home: Home, tokens=None) -> list[Mention]:
        """All mentions: names (non-overlapping) plus places and firms nested in longer names."""
        index = TokenIndex(tokens or [])
        lac_per = {t.start: t for t in index.tokens if t.tag == "PER"}
        cands: list[Mention] = []
        cands += self._suffix_names(text, home, index)
        cands += self._industry_firms(text, home, index)
        cands += self._model_firms(text, index)
        cands += self._context_names(text, home)
        cands += self._known_names(text)
        cands += self._agreements(text)
        posts = self._posts(text)
        cands += posts
        cands += self._persons(text, posts, lac_per, index.tokens)
        cands += self._enumerations(text, home, cands)
        names = _select(cands)
        names = self._departments(text, names)
        names = self._subsidiaries(text, names)
        nested = self._nested(text, names, cands, home)
        nested += self._project_owners(text, names, nested)
        places = self._places(text, home)
        free_places = [m for m in places if not _overlaps_any(m, names)]
        inner_places = [replace(m, nested=True) for m in places if _inside_any(m, names)
                        and not _inside_any(m, [n for n in names if n.label in ("Enterprise", "Institution", "GovernmentBody", "Agreement")])]
        return sorted(names + nested + free_places + inner_places, key=lambda m: (m.start, -m.end))

    # -------------------------------------------------------------- places

    def _places(self, text: str, home: Home) -> list[Mention]:
        """Division names; a short form (东丰, 长春) only for provinces and cities anywhere, and for
        counties in the home province, when it is not a common word."""
        found: list[Mention] = []
        home_prov = home.city_division.ancestors()[-1] if home.city_division is not None and home.city_division.parent else None
        for end, (surface, divs) in self.places.iter(text):
            start = end - len(surface) + 1
            div = gazetteer().best(surface, home.city_division)
            if div is None:
                continue
            after = text[end + 1:end + 3]
            if after[:1] in "河江湖山路街桥" and surface != div.name:
                continue  # 大梨树河: a river or road named after a place
            if surface[0] in "河江湖" and surface != div.name and start > 0 and re.match(r"[\u4e00-\u9fff]", text[start - 1]):
                continue  # 东辽河源头: the 河 ends a river's name
            if (after[:1] in "村屯沟" or after[:1] in "镇乡" and surface != div.name) and _aligned(text, start, end + 2):
                found.append(Mention(start, end + 2, "Place", surface + after[0], surface + after[0], "village"))
                continue
            if not _aligned(text, start, end + 1) or re.match(r"\d", text[start - 1:start] or "x"):
                continue  # 渭津河南岸, 五大安全, 19项城市: the characters belong to other words
            if surface != div.name:  # a short form
                if div.level == "county" and len(surface) < 3 and (home_prov is None or home_prov not in div.ancestors()):
                    continue
                if div.level != "province" and self.freq.get(surface, 0) > 3000 and _jieba_tags().get(surface) != "ns":
                    continue
            elif len(surface) < 3 and div.level == "county":
                continue
            found.append(Mention(start, end + 1, "Place", surface, div.name, "gazetteer"))
        found += self._towns(text)
        found = _select(found)
        return _join_place_chains(text, self._known_regions(found, home_prov))

    def _towns(self, text: str) -> list[Mention]:
        """Towns, townships and urban subdistricts (郭家店镇, 漫江镇, 小港街道): a name of two or three characters before 镇/乡/街道 that
        starts a word, is not a common word and does not stand for towns in general (乡镇, 小镇)."""
        out = []
        for m in re.finditer(r"[镇乡]|街道(?!办)", text):
            for n in (3, 2):
                start = m.start() - n
                stem = text[start:m.start()]
                if start < 0 or not re.fullmatch(r"[\u4e00-\u9fff]+", stem) or stem in GENERIC \
                        or stem[-1] in "小古名重城集乡村各全本该每" or self.freq.get(stem, 0) > 500 \
                        or text[m.end():m.end() + 1] in "村镇民长政党" or not _clean_left(text, start):
                    continue
                if not _aligned(text, start, m.end()) and not unknown_runs(stem):
                    continue
                if re.search(r"[市县省区回带下上进出入返]", stem) or any(
                        _jieba_tags().get(w, "") in (LEAD_TAGS_MULTI | {"v"} if len(w) >= 2 else LEAD_TAGS_SINGLE)
                        for w in _words(stem)):
                    continue  # 市县乡三级, 吉人回乡, 以城带乡: not a town's name
                out.append(Mention(start, m.end(), "Place", stem + m.group(), stem + m.group(), "town"))
                break
        return out

    def _known_regions(self, found: list[Mention], home_prov) -> list[Mention]:
        """A county far from home is a place only when its city or province is named too (山城区,
        东山区 are words as often as districts)."""
        gaz = gazetteer()
        named = {m.canonical for m in found}
        out = []
        for m in found:
            div = gaz.by_name.get(m.canonical)
            if div is not None and div.level == "county" and home_prov is not None and m.text == div.name \
                    and home_prov not in div.ancestors() and not named & {a.name for a in div.ancestors()}:
                continue
            out.append(m)
        return out

    def _project_owners(self, text: str, names: list[Mention], nested: list[Mention]) -> list[Mention]:
        """东旭3D车盖盖板玻璃, 华纺二期, 富奥电池壳体: a trade name the dictionary does not know at the
        start of a project's name is the firm that owns it, when a capacity, a code, a phase or an
        industry word follows, or the same trade name starts another firm of the document."""
        firm_brands = {m.text[:2] for m in names if m.label == "Enterprise"}
        firm_names = sorted({m.text for m in names if m.label == "Enterprise" and len(m.text) >= 3}, key=len, reverse=True)
        has_owner = {m.start for m in nested if m.label == "Enterprise"}
        out = []
        for p in names:
            if p.label != "Project" or p.start in has_owner:
                continue
            named = next((f for f in firm_names if p.text.startswith(f) and len(p.text) > len(f)), None)
            lead = re.match(r"([\u4e00-\u9fff]{2,4}?)(" + INDUSTRY_ALT + r")(?=\d|[A-Za-z])", p.text)
            if named is None and lead and self._trade_ok(lead.group(1)) or named is None and lead \
                    and self._brand_like(lead.group(1), -1, set()):
                named = lead.group()  # 宏达钢铁120万吨冷轧生产线: the firm before the capacity
            if named:  # 凌峰机器人年产2万台工业机器人项目: the firm the document names elsewhere
                out.append(Mention(p.start, p.start + len(named), "Enterprise", named, named, "project-owner", True))
                continue
            runs = unknown_runs(p.text[:4])
            if not runs or not p.text.startswith(runs[0]) or not 2 <= len(runs[0]) <= 3:
                continue
            brand = runs[0][:2] if len(runs[0]) == 3 and runs[0][:2] in firm_brands else runs[0]
            rest = p.text[len(brand):]
            if gazetteer().lookup(brand) or place_prefix(brand + "X")[0]:
                continue
            if rest in _suffix_table() and not re.match(r"[二三四]期", rest):
                continue  # 川藏铁路: the name is the project's own, not a firm's
            if re.match(r"[0-9A-Za-z]|[二三四]期", rest) or self._industry_word(rest[:3]) or brand in firm_brands:
                out.append(Mention(p.start, p.start + len(brand), "Enterprise", brand, brand, "project-owner", True))
        return out

    def _subsidiaries(self, text: str, names: list[Mention]) -> list[Mention]:
        """A firm's unit named right before a title: 一汽解放副总经理 → 一汽解放 (a unit of 中国一汽)."""
        starts = {m.start: m for m in names}
        out = list(names)
        for m in names:
            if m.label != "Enterprise":
                continue
            for n in (4, 3, 2):
                post = starts.get(m.end + n)
                ext = text[m.end:m.end + n]
                if post is not None and post.label == "Post" and re.fullmatch(r"[\u4e00-\u9fff]+", ext) \
                        and not any(o.start < m.end + n and m.end < o.end for o in names if o is not post) \
                        and ext not in GENERIC and not ext.startswith(("党委", "党组", "公司", "集团")) \
                        and not set(ext) & FUNCTION_CHARS and "部门" not in ext and m.source != "department":
                    out.remove(m)
                    out.append(Mention(m.start, m.end + n, "Enterprise", text[m.start:m.end + n],
                                       m.canonical + ext, "subsidiary"))
                    out.append(replace(m, nested=True))
                    break
        return sorted(out, key=lambda o: o.start) if len(out) != len(names) else names

    def _departments(self, text: str, names: list[Mention]) -> list[Mention]:
        """A firm's departments: 中国一汽供应部, and 战略与合作部、党委工作部 in a list after it."""
        out = list(names)
        for m in names:
            if m.label != "Enterprise":
                continue
            pos, parent = m.end, m
            first = True
            while True:
                d = DEPARTMENT.match(text, pos)
                if not d or (not first and text[pos - 1] != "、"):
                    break
                if any(o.start < d.end() and d.start() < o.end for o in names if o is not m):
                    break
                start = m.start if first else d.start()
                surface = text[start:d.end()]
                out.append(Mention(start, d.end(), "Enterprise", surface, parent.canonical + d.group(), "department"))
                first = False
                pos = d.end() + 1
                if text[d.end():d.end() + 1] != "、":
                    break
        if len(out) == len(names):
            return names
        dept_spans = [(o.start, o.end) for o in out[len(names):]]
        kept = [o for o in names if not any(s <= o.start and o.end <= e and (s, e) != (o.start, o.end) for s, e in dept_spans)]
        return sorted(kept + out[len(names):], key=lambda o: o.start)

    # -------------------------------------------------------------- names by head word

    def _suffix_names(self, text: str, home: Home, tokens) -> list[Mention]:
        out: list[Mention] = []
        best_at_end: dict[int, str] = {}
        for end, (suffix, _) in self.suffixes.iter(text):
            if len(suffix) > len(best_at_end.get(end, "")):
                best_at_end[end] = suffix
        for end, suffix in best_at_end.items():
            cls, min_len, check = _suffix_table()[suffix]
            head = end - len(suffix) + 1
            start = left_edge(text, head, MAX_NAME[cls], 1 if cls == "GovernmentBody" else 2,
                              tokens=tokens.between(head - MAX_NAME[cls], head))
            name = text[start:end + 1]
            if cls == "IndustrialPark" and re.search(r"(省|市|县|国家|区)级$", text[max(0, start - 3):start]):
                continue  # 省级绿色能源产业园: a designation, not a park's name
            if cls != "GovernmentBody" and RECOGNITION_VERB.search(text[max(0, start - 4):start]):
                continue  # 获评省绿色工业园区: what was awarded, not a named thing
            if suffix in ("示范区", "试验区") and re.search(r"(打造|构建|争创|建设成|建成)$", text[max(0, start - 4):start]):
                continue  # 打造…示范区: a goal, not a zone
            if cls != "GovernmentBody":
                trimmed = strip_modifiers(strip_lead_words(name, len(suffix) + 2))
                start += len(name) - len(trimmed)
                name = trimmed
            name, start = _balance_brackets(name, start)
            if len(name) < min_len or not (self._plausible(name, suffix, check, home)
                                           or check == "strict" and self._concrete_project(text, start, end, name, suffix, home)):
                continue
            if suffix in ("二期", "三期") and re.search(r"(园|园区|开发区|基地)$", name[:-2]):
                out.append(Mention(start, end + 1, "IndustrialPark", name, name[:-2], "park-phase"))
                continue  # 松籽产业园二期: a phase of the park is the park
            out.append(Mention(start, end + 1, cls, name, name, f"head:{suffix}"))
        return out

    def _plausible(self, name: str, suffix: str, check: str, home: Home) -> bool:
        core = name[: len(name) - len(suffix)]
        if not core or core[-1] in ENDS_BAD or QUANTITY.match(core) or re.search(r"[万亿]元|以上|以下", core):
            return False
        if any(core.endswith(w) for w in LEFT_STOPS if len(w) >= 2) or core in GENERIC:
            return False
        if check != "body" and (COUNTED.search(name) or "的" in core):
            return False
        if re.search(r"(19|20)\d{2}年", name):
            return False  # 通化市2025年政府(工作报告): a year is never part of a name
        if re.fullmatch(r"[\d.]+", core):
            return False
        if check == "body":
            if len(suffix) == 1 and (core[-1] in "开格布结大全当出时政僵困败胜定变展客门餐骗饭残终赌" or len(name) > 16):
                return False
            prefix, _ = place_prefix(name, home)
            return bool(prefix) or core[0] in "市县区省镇乡" or core.startswith(("中共", "国家", "中央"))
        if check == "firm":
            rest = core[len(place_prefix(core + "X", home)[0]):]
            bare = rest[2:] if rest.startswith("中国") else rest
            if core.startswith("中国") and rest == core:
                rest = core[2:]
            if rest == core and home.city and suffix == "集团" and core in INDUSTRY_WORDS | {"城投", "建投", "交投", "水投"}:
                return True  # 水务集团 in a city's news: the city's own group
            if rest != core and self._industry_word(rest[:3]) and rest[:2] not in GENERIC:
                return True  # named after its place or country: 吉林化纤集团, 中国医药集团
            cuts = _word_ends(bare)
            if bare.startswith(tuple(BRAND_WORDS)) or any(self._trade_ok(bare[:n]) for n in (2, 3, 4)
                                                          if len(bare) >= n and n in cuts):
                return len(rest) >= 2
            return len(rest) >= 2 and (self._brand_like(rest[:4], -1, set()) or len(rest) >= 5 and self._specific(rest, home))
        if check == "strict":
            if self._specific(core, home):
                return True
            return suffix in ("项目", "工程") and self._local_project(core, home)
        if check == "place":  # development zones are named after their place: 龙山工业开发区
            return bool(place_prefix(core + "X", home)[0]) or core.startswith(REGIONS + ("国家", "中国"))
        return self._not_generic(core)

    def _concrete_project(self, text: str, start: int, end: int, name: str, suffix: str, home: Home) -> bool:
        """A city's news names a concrete project in a concrete context, even when its words are plain
        (储能电池结构件项目, 轨道交通牵引系统生产线项目): signed for (签署了…项目投资协议), built by a firm
        (甲公司的…项目, 投资建设的…), or started (开工建设…工程). National texts (no home city) do not get this.

        True when the context and the name allow it."""
        if home.city is None or suffix not in ("项目", "工程"):
            return False
        core = name[: len(name) - len(suffix)]
        words = _words(core)
        if len(core) < 4 or not words or words[0] in POLICY_TERMS or "、" in core or re.search(
                r"(重点|重大|一批|各类|全市|全省|全县|全区|全年|年度|新开工|续建|在建|等|民生|工作|行动|计划|招商|产业链|工程$)", core) \
                or re.search(r"\d+[个项家]|[个项家]$|以上|以下|[万亿]元", core) or QUANTITY.match(core):
            return False
        before, after = text[max(0, start - 6):start], text[end + 1:end + 7]
        return bool(CONCRETE_BEFORE.search(before) or CONCRETE_AFTER.match(after))

    def _local_project(self, core: str, home: Home) -> bool:
        """In a city's own news a project named by four or more plain nouns is a concrete project
        (开元酒店, 双创国际会议中心); national policy texts (no home city) name programmes this way,
        so there a project name must be specific."""
        words = _words(core)
        return home.city is not None and len(core) >= 4 and self._not_generic(core) \
            and words[:1] and words[0] not in POLICY_TERMS | GENERIC \
            and not re.search(r"(重点|重大|一批|各类|全市|全省|全年|年度|新开工|续建|在建|产业化)", core) \
            and sum(w in GENERIC for w in words) * 2 < len(words) \
            and not any(_jieba_tags().get(w, "") in NOT_NAME_TAGS for w in words)

    def _not_generic(self, core: str) -> bool:
        import jieba

        words = [w for w in jieba.lcut(core, HMM=False) if w.strip()]
        return len(core) >= 2 and not all(w in GENERIC for w in words) and not QUANTITY.match(core)

    def _specific(self, core: str, home: Home) -> bool:
        """A name's core must say *which* one: a place, a capacity, a Latin code or a rare word."""
        if CAPACITY.search(core):
            return True
        if home.city and core[:1] in "市" and len(core) >= 3:
            return True  # 市中心医院 in a city's paper is that city's
        if any(core.startswith(k) for k in KNOWN_PREFIXES):
            return True  # 中科院地理所: a unit of a well-known body
        if place_prefix(core + "X", home)[0] or re.search(r"(高新区|开发区|产业园|集团|公司)", core) \
                or core.startswith(REGIONS) or core.startswith(("中国", "国家")) and not re.match(r"国家级", core):
            return True
        words = _words(core)
        if words and _jieba_tags().get(words[0], "") == "ns" and words[0] not in GENERIC | POLICY_TERMS \
                and len(words[0]) >= 2:
            return True  # a geographic name leads: 三峡工程, 青藏铁路
        if len(core) >= 4 and self.freq.get(core[:2], 0) < 30 and core[:2] not in GENERIC | POLICY_TERMS \
                and core[:2] not in POLICY_PREFIXES and core[0] not in GENERIC \
                and re.fullmatch(r"[\u4e00-\u9fff]{2}", core[:2]) and not QUANTITY.match(core):
            return True  # a trade name jieba does not know (金翼蛋品…, 辽矿…)
        import jieba

        return bool(unknown_runs(core))
        return False

    def _industry_firms(self, text: str, home: Home, tokens) -> list[Mention]:
        """[place] + trade name (2–4 characters) + industry word: 厚德食品, 鑫达钢铁, 吉林康康牧业."""
        out: list[Mention] = []
        for end, (word, _) in self.industry.iter(text):
            head = end - len(word) + 1
            brand = self._trade_name(text, head, tokens)
            if brand is None:
                continue
            start = head - len(brand)
            for n in range(min(6, start), 1, -1):  # a place right before the trade name
                div = gazetteer().lookup(text[start - n:start])
                if div:
                    start -= n
                    break
            name = text[start:end + 1]
            out.append(Mention(start, end + 1, "Enterprise", name, name, f"industry:{word}"))
        return out

    def _trade_name(self, text: str, head: int, tokens) -> str | None:
        """The trade name before an industry word: the tagger's ORG/nz/PER token, else 2 characters."""
        tok = tokens.ending_at(head)
        if tok is not None and tok.tag in ("ORG", "nz", "PER") and 2 <= len(tok.text) <= 4 \
                and re.fullmatch(r"[\u4e00-\u9fff]+", tok.text) and not self._industry_word(tok.text) \
                and not gazetteer().lookup(tok.text) \
                and (self._trade_ok(tok.text) if tok.tag != "ORG" else tok.text not in GENERIC | POLICY_TERMS | LEFT_STOPS_SET):
            return tok.text  # the model's ORG is trusted unless policy language
        brand = text[max(0, head - 2):head]
        if len(brand) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", brand) or brand[-1] in ENDS_BAD:
            return None
        if not _clean_left(text, head - 2):
            return None  # 建强汽车: the two characters are the tail of another word
        if brand in BRAND_WORDS:
            return brand
        if self._industry_word(brand) or gazetteer().lookup(brand) or brand in LEFT_STOPS_SET or brand in GENERIC \
                or brand in POLICY_TERMS or brand in POLICY_PREFIXES or _jieba_tags().get(brand, "") in LEAD_TAGS_MULTI:
            return None
        return brand if self._brand_like(brand, -1, set()) else None

    def _model_firms(self, text: str, tokens) -> list[Mention]:
        """The tagger's ORG spans that end in a firm's head (北方水泥, 鑫达钢铁, 北方袜业集团)."""
        out = []
        for t in tokens.tokens:
            if t.tag != "ORG" or not 3 <= len(t.text) <= 12 or not re.fullmatch(r"[\u4e00-\u9fff]+", t.text):
                continue
            if any(t.text.endswith(w) for w in INDUSTRY_WORDS) or t.text.endswith(("集团", "公司")):
                name = strip_lead_words(t.text, 3)
                start = t.end - len(name)
                core = name[len(place_prefix(name)[0]):]
                head = next((w for w in sorted(INDUSTRY_WORDS | {"集团", "公司"}, key=len, reverse=True) if core.endswith(w)), "")
                trade = core[: len(core) - len(head)]
                tag = _jieba_tags().get(_words(trade)[0], "") if trade else ""
                if len(trade) >= 2 and tag not in LEAD_TAGS_MULTI and self._trade_ok(trade[:4]) \
                        and not self._industry_word(trade) and (start > t.start or _clean_left(text, start)):
                    out.append(Mention(start, t.end, "Enterprise", name, name, "model"))
        return out

    def _trade_ok(self, trade: str) -> bool:
        """A trade name: a brand word, or a name a dictionary does not know that policy language does not use."""
        if trade in BRAND_WORDS:
            return True
        if trade in GENERIC or trade in POLICY_TERMS:
            return False
        words = _words(trade)
        if unknown_runs(trade) == [trade]:
            return True  # the whole trade name is unknown to the dictionary: 鑫达, 博友
        return len(words) == 1 and self.freq.get(trade, 0) < 60 and self._brand_like(trade, -1, set())

    def _industry_word(self, s: str) -> bool:
        return any(s.endswith(w) or s.startswith(w) for w in INDUSTRY_WORDS)

    def _brand_like(self, brand: str, at: int, org_starts: set[int]) -> bool:
        if at in org_starts:
            return True
        if any(s in brand for s in ("产业", "企业", "发展", "建设", "行业", "领域", "工业", "项目")):
            return False
        if brand in GENERIC or re.search(r"[与和的等为在对是将把被了着个]", brand):
            return False
        if _jieba_tags().get(brand, "") in ("nz", "nr", "nrt", "nt") and self.freq.get(brand, 0) < 2000:
            return True  # a proper noun the dictionary knows: 宏达, 华泰, 恒远
        if self.freq.get(brand, 0) >= 60:
            return False
        words = _words(brand)
        first = words[0] if words else brand
        if len(first) >= 2 and (self.freq.get(first, 0) >= 60 or _jieba_tags().get(first, "") in LEAD_TAGS_MULTI):
            return False
        return not place_prefix(brand + "X")[0]

    # -------------------------------------------------------------- context, lexicon, agreements

    def _context_names(self, text: str, home: Home) -> list[Mention]:
        out: list[Mention] = []
        for end, (short, (cls, template)) in self.context.iter(text):
            start = end - len(short) + 1
            full = home.fill(template)
            if full is None or cls == "Place" and not _aligned(text, start, end + 1):
                continue  # 资本市场 holds 本市 but does not say it
            if short in ("本报",) and text[end + 1:end + 2] not in ("讯", "记", ""):
                continue
            out.append(Mention(start, end + 1, cls, short, full, "context"))
        # 辽源市委 / 吉林省委 / 中共山东省委 / 抚松县委 → 中共 + place + 委
        for m in re.finditer(r"[省市县区]委(?![员会])", text):
            end = m.start() + 1
            for n in range(8, 1, -1):
                place = text[max(0, end - n):end]
                if len(place) == n and gazetteer().by_name.get(place) is None and n >= 3:
                    short = gazetteer().best(place[:-1], home.city_division)
                    if short is None and place[-1] == "县":
                        short = gazetteer().county_by_stem(place[:-1], home.city_division)
                    if short is not None and short.name[-1] == place[-1] and short.level != "province":
                        place = short.name  # 前郭县委 → 中共前郭尔罗斯蒙古族自治县委
                        start = end - n - (2 if text[max(0, end - n - 2):end - n] == "中共" else 0)
                        out.append(Mention(start, m.end(), "GovernmentBody", text[start:m.end()], "中共" + place + "委",
                                           "party-committee"))
                        break
                if len(place) == n and gazetteer().by_name.get(place) is not None:
                    start = end - n - (2 if text[max(0, end - n - 2):end - n] == "中共" else 0)
                    out.append(Mention(start, m.end(), "GovernmentBody", text[start:m.end()], "中共" + place + "委",
                                       "party-committee"))
                    break
        # 辽源高新区 → 辽源高新技术产业开发区
        for m in re.finditer(r"高新区|高新技术产业开发区|高新技术开发区", text):
            for n in (4, 3, 2):
                place = text[max(0, m.start() - n):m.start()]
                div = gazetteer().best(place) if len(place) == n else None
                if div is not None:
                    short = div.short or re.sub(r"[市县]$", "", div.name)
                    out.append(Mention(m.start() - n, m.end(), "IndustrialPark", place + m.group(),
                                       f"{short}高新技术产业开发区", "context"))
                    break
        return out

    def _known_names(self, text: str) -> list[Mention]:
        out = []
        for end, (surface, (canonical, cls, _en)) in self.known.iter(text):
            start = end - len(surface) + 1
            if start > 0 and re.match(r"[A-Za-z]", text[start - 1]) or re.match(r"[A-Za-z]", text[end + 1:end + 2] or " "):
                continue
            out.append(Mention(start, end + 1, cls, surface, canonical, "known"))
        return out

    def _agreements(self, text: str) -> list[Mention]:
        out = []
        for m in re.finditer(r"《([^《》\n]{4,60}?(?:协议|合同|备忘录|协定|意向书))》", text):
            out.append(Mention(m.start(1), m.end(1), "Agreement", m.group(1), m.group(1), "title"))
        return out

    # -------------------------------------------------------------- posts and persons

    def _posts(self, text: str) -> list[Mention]:
        best_at_end: dict[int, str] = {}
        for end, (title, _) in self.titles.iter(text):
            if len(title) > len(best_at_end.get(end, "")):
                best_at_end[end] = title
        out = []
        taken: list[tuple[int, int]] = []
        for end, title in sorted(best_at_end.items(), key=lambda kv: -len(kv[1])):
            start = end - len(title) + 1
            if any(s < end + 1 and start < e for s, e in taken):
                continue
            taken.append((start, end + 1))
            out.append(Mention(start, end + 1, "Post", title, title, "title"))
        return out

    def _name_at(self, text: str, pos: int, lac_per) -> str | None:
        """A person's name starting at ``pos``: the tagger's PER span, else surname + 1–2 characters."""
        two = text[pos:pos + 2]
        if _jieba_tags().get(two, "") in ("p", "c", "d", "v", "r", "u", "m", "q", "f", "ad", "vn") \
                and self.freq.get(two, 0) > 200 and two not in self.double_surnames:
            return None  # 关于发展…: not a name
        tok = lac_per.get(pos)
        if tok is not None and 2 <= len(tok.text) <= 4 and self._surname_ok(tok.text):
            return tok.text
        for surname in sorted(self.double_surnames | self.single_surnames, key=len, reverse=True):
            if text.startswith(surname, pos):
                break
        else:
            return None
        rest = pos + len(surname)
        given = ""
        while len(given) < 2 and rest + len(given) < len(text) and re.match(r"[\u4e00-\u9fff]", text[rest + len(given)]):
            ch = text[rest + len(given)]
            if given and (ch in AFTER_NAME or self.freq.get(text[rest + len(given):rest + len(given) + 2], 0) > 1000):
                break  # 赵军深入: 深入 is a word, the name is 赵军
            given += ch
        if not given or given[0] in NOT_GIVEN_START:
            return None
        return surname + given

    def _surname_ok(self, name: str) -> bool:
        return name[:2] in self.double_surnames or name[:1] in self.single_surnames

    def _persons(self, text: str, posts: list[Mention], lac_per, tokens) -> list[Mention]:
        out: list[Mention] = []
        # after a title: 副市长司马江, 县长 王东
        for post in posts:
            pos = post.end
            while pos < len(text) and text[pos] == " ":
                pos += 1
            name = self._name_at(text, pos, lac_per)
            if name and not _is_title_start(text, pos, self.titles):
                out.append(Mention(pos, pos + len(name), "Person", name, name, "after-title"))
        # bylines: 记者 邢国徽 刘鹰 / 本报记者 董博 赵蓓蓓
        for m in re.finditer(r"(?:记者|通讯员|摄影)[ ]*((?:[\u4e00-\u9fff]{2,4}[ ]*){1,6})", text):
            pos = m.start(1)
            for part in re.finditer(r"[\u4e00-\u9fff]{2,4}", m.group(1)):
                name = part.group()
                if self._surname_ok(name) and (len(name) <= 3 or name[:2] in self.double_surnames):
                    out.append(Mention(pos + part.start(), pos + part.end(), "Person", name, name, "byline"))
                else:
                    break
        # names before 总书记 / 同志
        for m in re.finditer(r"([\u4e00-\u9fff]{2,4}?)(?=总书记|同志)", text):
            for n in (3, 2):
                s = m.end() - n
                cand = text[s:m.end()]
                if s >= 0 and self._surname_ok(cand) and (lac_per.get(s) or n == 3):
                    out.append(Mention(s, m.end(), "Person", cand, cand, "before-title"))
                    break
        # the tagger's persons before a speech verb
        for tok in lac_per.values():
            if not (2 <= len(tok.text) <= 4 and self._surname_ok(tok.text)):
                continue
            after = text[tok.end:tok.end + 4]
            if any(after.startswith(v) for v in SPEECH):
                out.append(Mention(tok.start, tok.end, "Person", tok.text, tok.text, "model+speech"))
        # every other occurrence of a confirmed name
        confirmed = {m.text for m in out}
        if confirmed:
            auto = _automaton((n, None) for n in confirmed)
            for end, (name, _) in auto.iter(text):
                out.append(Mention(end - len(name) + 1, end + 1, "Person", name, name, "repeat"))
        return out

    # -------------------------------------------------------------- lists: A、B、C等企业

    def _enumerations(self, text: str, home: Home, cands: list[Mention]) -> list[Mention]:
        """Lists whose head names the class of every item: 鑫达钢铁、厚德食品等企业; 福泰大路、安北大街
        等18个路桥工程; 优美姿、泛电商等产业园 (→ 优美姿产业园); 红星美凯龙家居、俄罗斯商品仓储中心投入运营."""
        out: list[Mention] = []
        item = r"[^、，,。；;：:\s“”\"]{2,24}"
        listed = re.compile(rf"((?:{item}、)*{item})等(?:\d+|[一二三四五六七八九十百]+)?[户家个所项条座]?"
                            r"(重点|新能源|骨干|龙头|规上|科技型|新型|优质|知名|产业|农业|工业|服务业|民生|路桥)??"
                            r"(企业|公司|央企|产业主体|市场主体|经营主体|项目|工程|产业园区|产业园|园区|高校|科研院所|院所)")
        for m in listed.finditer(text):
            head = m.group(3)

            cls = ENUM_HEADS[head]
            suffix = head if cls == "IndustrialPark" else ""
            out += self._list_items(text, m.start(1), m.group(1), cls, suffix, home)
        opened = re.compile(rf"((?:{item}、)+{item}?)(?:相继|先后|陆续|已|均|全面|正式)?(?:投入运营|投入使用|建成投用|建成投产|竣工投产|开工建设|开门营业)")
        for m in opened.finditer(text):  # facilities that opened: named, if not by a rare word
            out += self._list_items(text, m.start(1), m.group(1), "Project", "", home, strict=False)
        settled = re.compile(r"(?:^|(?<=[，,。；;、\s“”])|(?<=公司)|(?<=企业)|(?<=央企))"
                             r"([\u4e00-\u9fff]{2,6}?)(?:成功|正式|已)?(?:落户|入驻|进驻)")
        for m in settled.finditer(text):  # 吉林亚联落户辽源高新区: what settles in a park is a firm
            name = m.group(1)
            trade = name[len(place_prefix(name, home)[0]):]
            if len(trade) >= 2 and (unknown_runs(trade[:2]) or self._trade_ok(trade[:2])):
                if not gazetteer().lookup(name) and name not in GENERIC and not place_prefix(name + "X")[0] == name:
                    out.append(Mention(m.start(1), m.end(1), "Enterprise", name, name, "enumeration"))
        strong = {(c.start, c.end): c.label for c in cands if c.source.startswith(("head:", "known", "context"))}
        # a list of firms may hold a registered 研究院 (纺织袜业设计研究院等18户企业): the list's class wins
        return [m for m in out if (m.start, m.end) not in strong
                or m.label == "Enterprise" and strong[(m.start, m.end)] == "Institution"]

    def _list_items(self, text: str, pos: int, items: str, cls: str, suffix: str, home: Home,
                    strict: bool = True) -> list[Mention]:
        out = []
        parts: list[tuple[int, str]] = []
        for part in items.split("、"):
            parts.append((pos, part))
            pos += len(part) + 1
        expanded: list[tuple[int, str]] = []
        heads = tuple(h for h, v in _suffix_table().items() if v[0] in ("Project", "IndustrialPark"))
        for p0, part in parts:  # 京沪高速铁路和千万吨级炼油厂: two items, the first ending in a head word
            m = re.search(r"(和|及|以及)", part)
            if m and part[: m.start()].endswith(heads):
                expanded += [(p0, part[: m.start()]), (p0 + m.end(), part[m.end():])]
            else:
                expanded.append((p0, part))
        for k, (p0, part) in enumerate(expanded):
            if "等" in part or "一批" in part:
                continue
            s, e = p0, p0 + len(part)
            if k == 0:
                s = max(left_edge(text, e, len(part), 2), e - 16)
                name = strip_lead_words(text[s:e], 2)
                s = e - len(name)
            name = text[s:e]
            if cls == "Project" and all(w in INDUSTRY_WORDS or w in GENERIC for w in _words(name)):
                continue  # 石化钢铁: an industry, not a project
            if not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9()（）]{2,24}", name) or QUANTITY.match(name) \
                    or COUNTED.search(name) or name in GENERIC or gazetteer().lookup(name) \
                    or place_prefix(name + "X")[0] == name:
                continue
            registered = name.endswith(INSTITUTION_HEADS)  # 纺织袜业设计研究院等18户企业
            if cls == "Enterprise" and not registered and (len(name) > 12 or not (
                    self._brand_like(name[:2], -1, set()) or self._brand_like(name[:3], -1, set())
                    or name.startswith(tuple(BRAND_WORDS)) or unknown_runs(name[:4]))):
                continue
            if cls != "Enterprise" and not self._not_generic(name):
                continue
            if cls == "Institution" and (len(name) < 4 or not self._specific(name, home)):
                continue
            if (cls == "Project" and strict or suffix == "园区") and not self._specific(name, home) \
                    and not (cls == "Project" and self._local_project(name, home)):
                continue
            if not strict and (len(name) < 4 or not self._local_project(name, home) and not self._specific(name, home)):
                continue
            canon = name if name.endswith(suffix) else name + suffix
            out.append(Mention(s, e, cls, name, canon, "enumeration"))
        return out

    # -------------------------------------------------------------- nesting

    def _nested(self, text: str, names: list[Mention], cands: list[Mention], home: Home) -> list[Mention]:
        """Firms named at the start of a project or park (启星铝业75MN挤压生产线), kept as nested mentions."""
        out = []
        for outer in names:
            if outer.label not in ("Project", "IndustrialPark", "Enterprise", "Institution", "GovernmentBody"):
                continue
            for inner in cands:
                if inner.label == outer.label == "Enterprise" and inner.source not in ("known",):
                    continue
                if inner.label == outer.label and inner.start == outer.start and outer.end - inner.end <= 2:
                    continue  # 示范园 inside 示范园区: the same name cut short
                if inner.label in ("Enterprise", "Institution", "IndustrialPark") and outer.start <= inner.start \
                        and inner.end <= outer.end and (inner.start, inner.end) != (outer.start, outer.end) \
                        and inner.label != "Post":
                    out.append(replace(inner, nested=True))
        return _dedupe(out)


# ------------------------------------------------------------------ helpers

INSTITUTION_HEADS = ("研究院", "设计院", "研究所")
ENUM_HEADS = {"企业": "Enterprise", "公司": "Enterprise", "央企": "Enterprise", "产业主体": "Enterprise",
              "市场主体": "Enterprise", "经营主体": "Enterprise", "项目": "Project",
              "工程": "Project", "产业园区": "IndustrialPark", "产业园": "IndustrialPark", "园区": "IndustrialPark",
              "高校": "Institution", "院所": "Institution", "科研院所": "Institution"}
PRIORITY = {"Agreement": 0, "Person": 1, "Post": 2, "GovernmentBody": 3, "Institution": 3,
            "Enterprise": 4, "IndustrialPark": 4, "Project": 5, "Place": 6}
SOURCE_RANK = {"known": 0, "context": 1, "party-committee": 1, "enumeration": 2}


def _source_rank(source: str) -> int:
    """Lexicon and context first, then head words, then trade names and the model."""
    if source in SOURCE_RANK:
        return SOURCE_RANK[source]
    return 6 if source.startswith(("industry:", "model")) else 5


def _select(cands: list[Mention]) -> list[Mention]:
    """Non-overlapping mentions, longest first (then by class priority and source)."""
    chosen: list[Mention] = []
    occupied: list[tuple[int, int]] = []
    for m in sorted(cands, key=lambda m: (-(m.end - m.start), _source_rank(m.source), PRIORITY.get(m.label, 9), m.start)):
        if any(m.start < e and s < m.end for s, e in occupied):
            continue
        chosen.append(m)
        occupied.append((m.start, m.end))
    return sorted(chosen, key=lambda m: m.start)


def _dedupe(ms: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for m in ms:
        key = (m.start, m.end, m.label)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def _clean_left(text: str, pos: int) -> bool:
    """True when a name may start at ``pos``: after punctuation, a boundary word or a place name."""
    if pos <= 0 or not NAME_CHARS.match(text[pos - 1]):
        return True
    before = text[max(0, pos - 6):pos]
    if any(before.endswith(w) for w in LEFT_STOPS):
        return True
    return any(gazetteer().lookup(before[-n:]) for n in (2, 3, 4) if len(before) >= n)


def _word_ends(s: str) -> set[int]:
    """Offsets where jieba ends a word in ``s`` (a slice ending there does not cut a word in two).

    >>> sorted(_word_ends("地科技服务"))
    [1, 3, 5]
    """
    ends, pos = set(), 0
    for w in _words(s):
        pos += len(w)
        ends.add(pos)
    return ends


def _aligned(text: str, start: int, end: int) -> bool:
    """True when jieba, reading the surrounding characters, puts word boundaries at both ends."""
    lo, hi = max(0, start - 4), min(len(text), end + 4)
    bounds, pos = set(), lo
    import jieba

    for w in jieba.lcut(text[lo:hi], HMM=False):  # every token, spaces too, so offsets stay exact
        bounds.add(pos)
        pos += len(w)
    bounds.add(pos)
    return (start in bounds or start == lo) and (end in bounds or end == hi)


def _inside_any(m: Mention, others: list[Mention]) -> bool:
    return any(o.start <= m.start and m.end <= o.end and o.label != "Place" for o in others)


class TokenIndex:
    """The tagger's tokens, looked up by position."""

    def __init__(self, tokens) -> None:
        import bisect

        self._bisect = bisect
        self.tokens = sorted(tokens, key=lambda t: t.start)
        self.starts = [t.start for t in self.tokens]
        self.by_end = {t.end: t for t in self.tokens}

    def between(self, a: int, b: int):
        i = self._bisect.bisect_left(self.starts, a)
        j = self._bisect.bisect_left(self.starts, b)
        return self.tokens[i:j]

    def ending_at(self, pos: int):
        return self.by_end.get(pos)


def _overlaps_any(m: Mention, others: list[Mention]) -> bool:
    return any(m.start < o.end and o.start < m.end for o in others)


def _balance_brackets(name: str, start: int) -> tuple[str, int]:
    for open_, close in (("(", ")"), ("（", "）")):
        while name.count(close) > name.count(open_) and close in name:
            cut = name.index(close) + 1
            name, start = name[cut:], start + cut
        while name.count(open_) > name.count(close) and open_ in name:
            cut = name.index(open_) + 1
            name, start = name[cut:], start + cut
    return name, start


def _is_title_start(text: str, pos: int, titles) -> bool:
    for _, (title, _) in titles.iter(text[pos:pos + 6]):
        if text.startswith(title, pos):
            return True
    return False


def _dup_name(name: str) -> bool:
    """True when more than one division has this name (铁西区 in 沈阳, 鞍山, 四平)."""
    return gazetteer().name_count.get(name, 0) > 1


def _join_place_chains(text: str, places: list[Mention]) -> list[Mention]:
    """沈阳市铁西区 → also one mention for the district named with its city."""
    out = list(places)
    gaz = gazetteer()
    for a, b in zip(places, places[1:]):
        if a.end == b.start:
            da, db = gaz.by_name.get(a.canonical), gaz.by_name.get(b.canonical)
            if da is not None and db is not None and db.parent is da and db.level == "county":
                full = b.canonical if _dup_name(b.canonical) is False else a.canonical + b.canonical
                out.append(Mention(a.start, b.end, "Place", text[a.start:b.end], full, "gazetteer"))
                out.remove(b)
    return out
