"""What the passes share: fixed patterns, jieba's words, name boundaries and small list helpers.

Functions that look words up take the :class:`~kg.recognize.lexicon.Lexicon` (``lx``); the four that
other modules call (:func:`unknown_runs`, :func:`strip_lead_words`, :func:`strip_modifiers`,
:func:`left_edge`) fall back to the shared one when given none.
"""

from __future__ import annotations

import bisect
import re

from kg.gazetteer import gazetteer
from kg.recognize.base import Mention
from kg.recognize.lexicon import Lexicon, shared_lexicon

NAME_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9()（）·\-.．/]")
MAX_NAME = {"Enterprise": 22, "GovernmentBody": 24, "Institution": 20, "IndustrialPark": 22,
            "Project": 28}
# characters that end a person's name when they follow it (程宇代表… → 程宇)
NOT_GIVEN_START = set("的了和与及在是将说等为对从被把也都就还、，。,（(：:；")
AFTER_NAME = set("代说在表出参到向主会讲指强带率等为和与及同对是的了将也还并就都接称介一、，。,（(：:；")
LEAD_TAGS_MULTI = {"v", "p", "c", "d", "r", "m", "ad", "u", "q", "t"}
LEAD_TAGS_SINGLE = {"p", "c", "u"}
NOT_NAME_TAGS = {"v", "vn", "d", "a", "ad", "i", "l"}
FUNCTION_CHARS = set("的了和与及或在于为是将把被对向从等个之其并而但也都就还又")
PROTECTED = ("工业和信息化", "发展和改革", "人力资源和社会保障", "住房和城乡建设", "文化和旅游",
             "中华人民共和国", "共和国", "和平", "和谐", "和美", "于都")
RECOGNITION_VERB = re.compile(r"(认定为|评为|获评|荣获|入选|晋升为|创建|确定为|命名为|授予)$")
COUNTED = re.compile(r"(?:\d+|[两三四五六七八九十几]|[一二三四五六七八九十]{2,})(?:个|所|家|户|项|名|座|条|批|处)")
QUANTITY = re.compile(r"^(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千两]+)(?:个|项|户|所|条|家|名|座|处|栋|批|类|大|支|套|国|小时|天|周)")
CAPACITY = re.compile(r"\d+(?:\.\d+)?(?:万吨|吨|MN|MM|MW|GW|兆瓦|千瓦|万千瓦|万套|万台|万辆|万平方米|平方米|万头|万只|万羽|万吨级)|[A-Za-z]{2,}|\d+[A-Za-z]")
ENDS_BAD = set("等及和的各个与或、为是到把被将该其此给以对向让本")  # 本公司: this firm, no name
# a firm's department: 供应部, 战略与合作部; not 零部件, and no verb inside (是一家汽车零部件企业)
DEPARTMENT = re.compile(r"(?![^，。；]{0,7}?[是为有在])[\u4e00-\u9fff与]{2,7}?(?<![东西南北中全内外局干腹])部(?![门署长委件])")  # not 西部, 干部
VERBISH = {"v", "vd", "p", "c", "u", "d", "r", "xc"}
NAMEISH = {"ORG", "LOC", "PER", "nz"}


# ------------------------------------------------------------------ jieba's words

def words(s: str) -> list[str]:
    """jieba's words of ``s`` (dictionary only, no HMM), spaces dropped."""
    import jieba

    return [w for w in jieba.lcut(s, HMM=False) if w.strip()]


def unknown_runs(s: str, lx: Lexicon | None = None) -> list[str]:
    """Runs of two or more characters that jieba's dictionary does not know as words: the part of a
    name a dictionary cannot know (天楹, 金翼, 国储林), not policy language (超低排放, 煤电).

    >>> unknown_runs("金翼蛋品蛋液产品升级")
    ['金翼']
    """
    lx = lx or shared_lexicon()
    runs, cur = [], ""
    for w in words(s):
        if len(w) == 1 and re.fullmatch(r"[\u4e00-\u9fff]", w) and w not in FUNCTION_CHARS:
            cur += w
            continue
        if len(cur) >= 2:
            runs.append(cur)
        cur = ""
    if len(cur) >= 2:
        runs.append(cur)
    generic, policy = lx.generic, lx.policy_terms
    return [r for r in runs if r not in generic and r not in policy
            and not any(r[i:i + 2] in generic or r[i:i + 2] in policy for i in range(len(r) - 1))]


def strip_lead_words(name: str, keep: int, lx: Lexicon | None = None) -> str:
    """Drop leading verbs, prepositions, pronouns and numerals: 推荐启星铝业 → 启星铝业."""
    lx = lx or shared_lexicon()
    tags = lx.tags
    while True:
        ws = words(name)
        if not ws:
            return name
        w, tag = ws[0], tags.get(ws[0], "")
        lead = (tag in LEAD_TAGS_MULTI and lx.freq.get(w, 0) > 100) if len(w) >= 2 else tag in LEAD_TAGS_SINGLE
        if not lead or len(w) >= len(name):
            return name
        name = name[len(w):]
        if len(name) < keep:
            return name  # too short now: the caller's length check drops it


def strip_modifiers(name: str, lx: Lexicon | None = None) -> str:
    """Drop leading ranks and scopes: 省级重点天楹项目 → 天楹项目."""
    modifiers = (lx or shared_lexicon()).lead_modifiers
    changed = True
    while changed:
        changed = False
        for mod in modifiers:
            if name.startswith(mod) and len(name) - len(mod) >= 3:
                name = name[len(mod):]
                changed = True
    return name


def word_ends(s: str) -> set[int]:
    """Offsets where jieba ends a word in ``s`` (a slice ending there does not cut a word in two).

    >>> sorted(word_ends("地科技服务"))
    [1, 3, 5]
    """
    ends, pos = set(), 0
    for w in words(s):
        pos += len(w)
        ends.add(pos)
    return ends


def aligned(text: str, start: int, end: int) -> bool:
    """True when jieba, reading the surrounding characters, puts word boundaries at both ends."""
    lo, hi = max(0, start - 4), min(len(text), end + 4)
    bounds, pos = set(), lo
    import jieba

    for w in jieba.lcut(text[lo:hi], HMM=False):  # every token, spaces too, so offsets stay exact
        bounds.add(pos)
        pos += len(w)
    bounds.add(pos)
    return (start in bounds or start == lo) and (end in bounds or end == hi)


def word_spans(text: str, lo: int, hi: int) -> list[tuple[str, int, int]]:
    """jieba's words of ``text[lo:hi]`` (dictionary only) with their offsets in ``text``."""
    import jieba

    out, pos = [], lo
    for w in jieba.lcut(text[lo:hi], HMM=False):
        out.append((w, pos, pos + len(w)))
        pos += len(w)
    return out


def cuts_word(text: str, pos: int) -> bool:
    """True when a jieba word of the text around ``pos`` runs across it (由于|有些: 于 belongs to 由于)."""
    return any(a < pos < b for _, a, b in word_spans(text, max(0, pos - 3), min(len(text), pos + 3)))


# ------------------------------------------------------------------ boundaries


def _stops_in(window: str, stops_by_char: dict) -> list[str]:
    """The boundary words in ``window``, longest at each position."""
    hits = []
    for i, ch in enumerate(window):
        hit = next((w for w in stops_by_char.get(ch, ()) if window.startswith(w, i)), None)
        if hit:
            hits.append(hit)
    return hits


def _place_at(text: str, pos: int) -> bool:
    """A division's name (2–4 characters, 重庆, 重庆市) starts at ``pos``."""
    return any(gazetteer().lookup(text[pos:pos + n]) for n in (4, 3, 2))


DATE_IN_WINDOW = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})[月日号](?:底|初|上旬|中旬|下旬|以来)?")
FORM_BRACKET = re.compile(r"[（(](?:集团|控股|股份)[）)]")  # 投资（集团）有限公司: not a name's core


def left_edge(text: str, head_start: int, max_len: int, min_core: int = 2, tokens=None,
              lx: Lexicon | None = None) -> int:
    """Start of the name whose head begins at ``head_start``: back over name characters, then
    forward past the last boundary word that still leaves ``min_core`` characters before the head
    (and, with the tagger's tokens, past a verb that stands right before a tagged name).

    >>> s = "全力支持厚德食品发展"
    >>> s[left_edge(s, 6, 12):8]
    '厚德食品'
    >>> s = "继去年11月红安县政府负责同志带队"
    >>> s[left_edge(s, 9, 12, 1):11]
    '红安县政府'
    >>> s = "重庆进出口信用担保有限公司重庆兴农融资担保集团有限公司"
    >>> s[left_edge(s, 21, 12):]
    '重庆兴农融资担保集团有限公司'
    """
    lx = lx or shared_lexicon()
    stops_by_char = lx.stops_by_char
    branch = text.startswith(lx.branch_heads, max(0, head_start - 1)) or text.startswith(lx.branch_heads, head_start)
    start = head_start
    while start > 0 and head_start - start < max_len and NAME_CHARS.match(text[start - 1]):
        if text[start - 1] in ")）" and not firm_bracket(text, start, head_start):
            break  # 云享智慧物流园区(一期)保税区: a closed bracket ends the name before it
        if not branch and start < head_start and (text.endswith(lx.legal_ends, 0, start)
                                                  or text.endswith(lx.name_ends, 0, start) and _place_at(text, start)):
            break  # …担保有限公司|重庆兴农…, 地产集团|重庆城市…, 中共重庆市委|重庆市人民政府: another name ends here
        start -= 1
    window = text[start:head_start]
    cut = 0
    i = 0
    if text.startswith(lx.legal_heads, head_start) and _place_at(text, start) and (
            start == 0 or not NAME_CHARS.match(text[start - 1]) or text.endswith(lx.legal_ends, 0, start)) \
            and all(w in lx.registered_words for w in _stops_in(window, stops_by_char)):
        i = len(window)  # 重庆市城市建设投资（集团）有限公司 on its own: a registered name, its 建设, 投资 are its words
    while i < len(window):
        hit = next((w for w in stops_by_char.get(window[i], ()) if window.startswith(w, i)), None)
        if hit and not protected(window, i, hit) and len(FORM_BRACKET.sub("", window[i + len(hit):])) >= min_core:
            cut = i + len(hit)
            i += len(hit)
        else:
            i += 1
    for m in DATE_IN_WINDOW.finditer(window):
        if m.end() > cut and len(window) - m.end() >= min_core:
            cut = m.end()  # 去年11月|红安县政府: a month or day never starts a name (a year, 2022年国家…, is left to the checks)
    start += cut
    start = _word_start(text, start, head_start, min_core)
    if tokens:
        for a, b in zip(tokens, tokens[1:]):
            if start <= a.start and b.end <= head_start and a.end == b.start and a.tag in VERBISH and len(a.text) >= 2 \
                    and b.tag in NAMEISH and head_start - b.start >= min_core:
                start = b.start
    return start


def _word_start(text: str, start: int, head_start: int, min_core: int) -> int:
    """``start`` moved past a single character that belongs to the word before it (此前每当|国有…: 前 is
    of 此前; 拟建|电解铝: 建 is of 拟建; 对象|新华联), when the name keeps ``min_core`` characters.

    >>> t = "此前每当国有石油公司向"
    >>> t[_word_start(t, 1, 8, 2):10]
    '每当国有石油公司'
    >>> t = "我们有中国稀有稀土有限公司这个平台"
    >>> t[_word_start(t, 2, 9, 2):13]
    '中国稀有稀土有限公司'
    """
    if start > 0 and NAME_CHARS.match(text[start - 1]):  # cheap tests first: this runs for every head word
        for _, a, b in word_spans(text, max(0, start - 3), min(len(text), start + 3)):
            if a < start < b:
                if head_start - b >= min_core and _single_first(text, start, head_start):
                    return b
                break
    if head_start - start - 1 >= min_core + 2 and (text.startswith("中国", start + 1) or _place_at(text, start + 1)) \
            and not _place_at(text, start) and _single_first(text, start, head_start):
        return start + 1  # 我们有|中国稀有稀土有限公司: a verb before a name that opens with a place
    return start


def _single_first(text: str, start: int, end: int) -> bool:
    """The first of jieba's words of ``text[start:end]`` is a single character."""
    ws = words(text[start:end])
    return bool(ws) and len(ws[0]) == 1


def firm_bracket(text: str, pos: int, head_start: int) -> bool:
    """A bracket inside a firm's registered name: 博友橡胶塑料(株洲)有限公司."""
    return text.startswith(("有限", "股份", "集团"), pos)


def protected(window: str, i: int, word: str) -> bool:
    """True when the boundary word at ``i`` is part of a fixed phrase (发展和改革, 和平)."""
    for p in PROTECTED:
        j = window.find(p, max(0, i - len(p)), i + len(word) + len(p))
        if j != -1 and j <= i and i + len(word) <= j + len(p):
            return True
    return False


def clean_left(lx: Lexicon, text: str, pos: int) -> bool:
    """True when a name may start at ``pos``: after punctuation, a boundary word or a place name."""
    if pos <= 0 or not NAME_CHARS.match(text[pos - 1]):
        return True
    before = text[max(0, pos - 6):pos]
    if any(before.endswith(w) for w in lx.left_stops):
        return True
    return any(gazetteer().lookup(before[-n:]) for n in (2, 3, 4) if len(before) >= n)


def balance_brackets(name: str, start: int) -> tuple[str, int]:
    """Cut an unmatched bracket and what comes before it off a name's left end."""
    for open_, close in (("(", ")"), ("（", "）")):
        while name.count(close) > name.count(open_) and close in name:
            cut = name.index(close) + 1
            name, start = name[cut:], start + cut
        while name.count(open_) > name.count(close) and open_ in name:
            cut = name.index(open_) + 1
            name, start = name[cut:], start + cut
    return name, start


def title_at(text: str, pos: int, titles) -> str | None:
    """The longest title (of the ``titles`` automaton) that starts at ``pos``, or None."""
    found = [title for _, (title, _) in titles.iter(text[pos:pos + 6]) if text.startswith(title, pos)]
    return max(found, key=len) if found else None


def is_title_start(text: str, pos: int, titles) -> bool:
    """True when a title (of the ``titles`` automaton) starts at ``pos``."""
    for _, (title, _) in titles.iter(text[pos:pos + 6]):
        if text.startswith(title, pos):
            return True
    return False


# ------------------------------------------------------------------ mentions and tokens

def dedupe(ms: list[Mention]) -> list[Mention]:
    """The first mention of each (start, end, label)."""
    seen, out = set(), []
    for m in ms:
        key = (m.start, m.end, m.label)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def inside_any(m: Mention, others: list[Mention]) -> bool:
    return any(o.start <= m.start and m.end <= o.end and o.label != "Place" for o in others)


def overlaps_any(m: Mention, others: list[Mention]) -> bool:
    return any(m.start < o.end and o.start < m.end for o in others)


class TokenIndex:
    """The tagger's tokens, looked up by position."""

    def __init__(self, tokens) -> None:
        self.tokens = sorted(tokens, key=lambda t: t.start)
        self.starts = [t.start for t in self.tokens]
        self.by_end = {t.end: t for t in self.tokens}

    def between(self, a: int, b: int):
        i = bisect.bisect_left(self.starts, a)
        j = bisect.bisect_left(self.starts, b)
        return self.tokens[i:j]

    def ending_at(self, pos: int):
        return self.by_end.get(pos)
