"""Passes that find names by their head word: 人民政府, 产业园, 项目, 有限公司 (``suffix-names``), an
industry word after a trade name (``industry-firms``: 厚德食品) and the tagger's firms (``model-firms``).

>>> from kg.recognize import Home, Recognizer
>>> rec = Recognizer(passes=["suffix-names"])
>>> [(m.text, m.label) for m in rec.find("全力支持厚德食品有限公司发展。", Home.of_city("辽源市"))]
[('厚德食品有限公司', 'Enterprise')]
"""

from __future__ import annotations

import re

from kg.gazetteer import gazetteer
from kg.recognize.base import Home, Mention, place_prefix
from kg.recognize.common import (COUNTED, ENDS_BAD, LEAD_TAGS_MULTI, MAX_NAME, QUANTITY, RECOGNITION_VERB,
                                 balance_brackets, clean_left, cuts_word, is_title_start, left_edge, title_at,
                                 strip_lead_words, strip_modifiers, word_ends, word_spans, words)
from kg.recognize.judge import brand_like, industry_word, local_project, not_generic, specific, trade_ok
from kg.recognize.lexicon import Lexicon
from kg.recognize.registry import Context, recognizer_pass


@recognizer_pass("suffix-names")
def suffix_names(ctx: Context) -> list[Mention]:
    """Names ending in a head word (人民政府, 产业园, 项目, 有限公司 …), extended left to a boundary."""
    text, home, lx, tokens = ctx.text, ctx.home, ctx.lexicon, ctx.tokens
    out: list[Mention] = []
    best_at_end: dict[int, str] = {}
    for end, (suffix, _) in lx.suffixes.iter(text):
        if len(suffix) > len(best_at_end.get(end, "")):
            best_at_end[end] = suffix
    for end, suffix in best_at_end.items():
        cls, min_len, check = lx.suffix_table[suffix]
        head = end - len(suffix) + 1
        if cls in ("Enterprise", "Institution") and cuts_word(text, end + 1) \
                and not is_title_start(text, end + 1, lx.title_automaton) \
                and not any(text[end + 1:end + 1 + n] in lx.suffix_table for n in range(1, 5)):
            continue  # 大学|生, 苏联|社会, 高中|学生: the head starts another word (not 大学|校长, 集团|公司)
        if cls == "GovernmentBody" and _head_starts_title(text, head, end, lx):
            continue  # 商务局|局长, 金融局|副局长: the second 局 is the title's, the body ends before it
        start = left_edge(text, head, MAX_NAME[cls], 1 if cls == "GovernmentBody" else 2,
                          tokens=tokens.between(head - MAX_NAME[cls], head), lx=lx)
        name = text[start:end + 1]
        if cls == "IndustrialPark" and re.search(r"(省|市|县|国家|区)级$", text[max(0, start - 3):start]):
            continue  # 省级绿色能源产业园: a designation, not a park's name
        if cls != "GovernmentBody" and RECOGNITION_VERB.search(text[max(0, start - 4):start]):
            continue  # 获评省绿色工业园区: what was awarded, not a named thing
        if suffix in ("示范区", "试验区") and re.search(r"(打造|构建|争创|建设成|建成)$", text[max(0, start - 4):start]):
            continue  # 打造…示范区: a goal, not a zone
        if cls != "GovernmentBody":
            trimmed = strip_modifiers(strip_lead_words(name, len(suffix) + 2, lx), lx)
            start += len(name) - len(trimmed)
            name = trimmed
        name, start = balance_brackets(name, start)
        if len(name) < min_len or not (plausible(lx, name, suffix, check, home)
                                       or check == "strict" and concrete_project(lx, text, start, end, name, suffix, home)):
            continue
        if suffix in ("二期", "三期") and re.search(r"(园|园区|开发区|基地)$", name[:-2]):
            out.append(Mention(start, end + 1, "IndustrialPark", name, name[:-2], "park-phase"))
            continue  # 松籽产业园二期: a phase of the park is the park
        out.append(Mention(start, end + 1, cls, name, name, f"head:{suffix}"))
    return out


def _head_starts_title(text: str, head: int, end: int, lx: Lexicon) -> bool:
    """True when a title starting at a body's head word (or the character before it) runs past it, after
    another body's head: 市商务局局长 (局长), 科技金融局副局长 (副局长).

    >>> from kg.recognize import shared_lexicon
    >>> _head_starts_title("市商务局局长王磊", 4, 4, shared_lexicon()), _head_starts_title("市商务局局长王磊", 3, 3, shared_lexicon())
    (True, False)
    """
    for pos in (head - 1, head):
        title = title_at(text, pos, lx.title_automaton) if pos > 0 else None
        if title and pos + len(title) > end + 1 and text[pos - 1] in "局厅委部办处室署院":
            return True
    return False


def plausible(lx: Lexicon, name: str, suffix: str, check: str, home: Home) -> bool:
    """Whether ``name`` (ending in ``suffix``) passes its head word's check (body, firm, strict, place …)."""
    core = name[: len(name) - len(suffix)]
    if not core or core[-1] in ENDS_BAD or QUANTITY.match(core) or re.search(r"[万亿]元|以上|以下", core):
        return False
    if core.endswith(lx.left_stops_multi) or core in lx.generic:
        return False
    if check != "body" and (COUNTED.search(name) or "的" in core):
        return False
    cls = lx.suffix_table[suffix][0]
    if cls == "Institution" and NUMBER_LEAD.match(core):
        return False  # 1200万中小学(教师), 亿中小学(生): a count of schools, not a school
    if cls == "Institution" and core_ends_in_function_word(lx, name, len(core)):
        return False  # 只派大学, 深化中小学, 普及了小学: a verb or particle before the head, no name
    if check == "body" and (core[-1] in lx.left_stops_set or re.search(r"[一两二三四五]级", core)):
        return False  # 国家基本药物制度在政府, 省两级政府, 县一级政府: no body is named
    if re.search(r"(19|20)\d{2}年", name):
        return False  # 通化市2025年政府(工作报告): a year is never part of a name
    if re.fullmatch(r"[\d.]+", core):
        return False
    if check == "body":
        if len(suffix) == 1 and (core[-1] in "开格布结大全当出时政僵困败胜定变展客门餐骗饭残终赌" or len(name) > 16):
            return False
        prefix, _ = place_prefix(name, home)
        if len(core) >= 2 and not core.strip("省市县区乡镇"):
            return False  # 省市县政府, 市县政府: levels of government, not one body
        return bool(prefix) or core[0] in "市县区省镇乡" or core.startswith(("中共", "国家", "中央"))
    if check == "firm":
        return _plausible_firm(lx, core, suffix, home)
    if check == "strict":
        if specific(lx, core, home):
            return True
        return suffix in ("项目", "工程") and local_project(lx, core, home)
    if check == "place":  # development zones are named after their place: 龙山工业开发区
        return bool(place_prefix(core + "X", home)[0]) or core.startswith(lx.regions + ("国家", "中国"))
    return not_generic(lx, core)


NUMBER_LEAD = re.compile(r"(?:\d|[一二三四五六七八九十百千两]+[万亿]|[万亿])")
FUNCTION_TAGS = {"v", "p", "c", "d", "r", "u", "ul", "uj", "ad", "t", "f"}


def core_ends_in_function_word(lx: Lexicon, name: str, core_len: int) -> bool:
    """True when the last of jieba's words of ``name`` before its head (``name[core_len:]``) is a verb,
    adverb, pronoun, particle or time word (只派大学, 解决中小学, 普及了小学): what stands before the head
    then is the sentence, not a name."""
    ws, pos = [], 0
    for w in words(name):
        if pos + len(w) > core_len:
            break
        ws.append(w)
        pos += len(w)
    if not ws:
        return False
    last = ws[-1]
    tag = lx.tags.get(last, "")
    if len(last) == 1 and tag in ("v", "f"):  # 只派, 队也办, 才上, 是: a verb alone or after an adverb; not 合展
        return len(ws) == 1 or any(lx.tags.get(w, "") in ("d", "p", "c", "r") for w in ws[:-1])
    if len(last) == 1:
        return tag in FUNCTION_TAGS - {"t", "ad", "v", "f"} or last in lx.left_stops_set
    return tag in FUNCTION_TAGS and lx.freq.get(last, 0) > 100


def _plausible_firm(lx: Lexicon, core: str, suffix: str, home: Home) -> bool:
    rest = core[len(place_prefix(core + "X", home)[0]):]
    bare = rest[2:] if rest.startswith("中国") else rest
    if core.startswith("中国") and rest == core:
        rest = core[2:]
    if rest == core and home.city and suffix == "集团" and core in lx.industry_words | {"城投", "建投", "交投", "水投"}:
        return True  # 水务集团 in a city's news: the city's own group
    if rest != core and industry_word(lx, rest[:3]) and rest[:2] not in lx.generic:
        return True  # named after its place or country: 吉林化纤集团, 中国医药集团
    if rest != core and "有限" in suffix and len(rest) >= 2 and not words(rest)[0] in lx.left_stops_set:
        return True  # a place and a registered legal form: 重庆高速公路集团有限公司 is a firm's full name
    cuts = word_ends(bare)
    if bare.startswith(tuple(lx.brand_words)) or any(trade_ok(lx, bare[:n]) for n in (2, 3, 4)
                                                     if len(bare) >= n and n in cuts):
        return len(rest) >= 2
    return len(rest) >= 2 and (brand_like(lx, rest[:4], -1, set()) or len(rest) >= 5 and specific(lx, rest, home))


def concrete_project(lx: Lexicon, text: str, start: int, end: int, name: str, suffix: str, home: Home) -> bool:
    """A city's news names a concrete project in a concrete context, even when its words are plain
    (储能电池结构件项目, 轨道交通牵引系统生产线项目): signed for (签署了…项目投资协议), built by a firm
    (甲公司的…项目, 投资建设的…), or started (开工建设…工程). National texts (no home city) do not get this.

    True when the context and the name allow it."""
    if home.city is None or suffix not in ("项目", "工程"):
        return False
    core = name[: len(name) - len(suffix)]
    ws = words(core)
    if len(core) < 4 or not ws or ws[0] in lx.policy_terms or "、" in core or re.search(
            r"(重点|重大|一批|各类|全市|全省|全县|全区|全年|年度|新开工|续建|在建|等|民生|工作|行动|计划|招商|产业链|工程$)", core) \
            or re.search(r"\d+[个项家]|[个项家]$|以上|以下|[万亿]元", core) or QUANTITY.match(core):
        return False
    before, after = text[max(0, start - 6):start], text[end + 1:end + 7]
    return bool(lx.concrete_before.search(before) or lx.concrete_after.match(after))


QUOTED = re.compile(r"[“\"]([\u4e00-\u9fffA-Za-z0-9·]{2,16})[”\"](项目|工程|工厂|小镇|产业园|园区)")
QUOTED_CLASS = {"产业园": "IndustrialPark", "园区": "IndustrialPark"}
QUOTED_BUILT = re.compile(r"(建成|建设|新建|投资|开工|竣工|投用|启用|打造)了?$")  # 开展“百千万”工程 is a campaign


@recognizer_pass("quoted-names")
def quoted_names(ctx: Context) -> list[Mention]:
    """A name in quotation marks before a project's or park's head word, right after a verb of building:
    建成了“智慧护城河”工程 → the project 智慧护城河工程 (the span keeps the marks, the name drops them);
    not a policy's or a generic phrase (“十四五”项目), nor a campaign (开展“百千万”工程, “书香辽源”“文博育人”工程).

    >>> from kg.recognize import Home, Recognizer
    >>> [(m.text, m.canonical, m.label) for m in Recognizer(passes=["quoted-names"]).find(
    ...     "投资3.6亿元建成了“智慧护城河”工程。", Home.of_city("廊坊市"))]
    [('“智慧护城河”工程', '智慧护城河工程', 'Project')]
    """
    lx = ctx.lexicon
    out: list[Mention] = []
    for m in QUOTED.finditer(ctx.text):
        name, head = m.group(1), m.group(2)
        if name in lx.generic or name in lx.policy_terms or re.search(r"\d|十[一二三四五]五|[双三四五]", name[:2]) \
                or not not_generic(lx, name) or not QUOTED_BUILT.search(ctx.text[max(0, m.start() - 6):m.start()]):
            continue
        out.append(Mention(m.start(), m.end(), QUOTED_CLASS.get(head, "Project"), m.group(0), name + head, "quoted"))
    return out


@recognizer_pass("industry-firms")
def industry_firms(ctx: Context) -> list[Mention]:
    """[place] + trade name (2–4 characters) + industry word: 厚德食品, 鑫达钢铁, 吉林康康牧业."""
    text, lx = ctx.text, ctx.lexicon
    out: list[Mention] = []
    for end, (word, _) in lx.industry.iter(text):
        head = end - len(word) + 1
        brand = trade_name(lx, text, head, ctx.tokens)
        if brand is None:
            continue
        start = head - len(brand)
        for n in range(min(6, start), 1, -1):  # a place right before the trade name
            div = gazetteer().lookup(text[start - n:start])
            if div:
                start -= n
                break
        name = text[start:end + 1]
        if not industry_aligned(text, start, head, end + 1):
            continue  # 其中|工农业, 其他|副食品, 提高|科学, 并且|使农业: the words are the sentence's, not a name
        out.append(Mention(start, end + 1, "Enterprise", name, name, f"industry:{word}"))
    return out


def industry_aligned(text: str, start: int, head: int, end: int) -> bool:
    """True when jieba's words do not run across the start of a firm's name, into its industry word from
    before it (工|农业, 副|食品), or out of it (提高科|学); a dictionary word that is the whole name (京九铁路)
    or a longer word that starts with the industry word (生物科技, 化工厂, 汽车城) is fine."""
    for w, a, b in word_spans(text, max(0, start - 4), min(len(text), end + 4)):
        if a < start < b or start < a < head < b:
            return False
        if a < end < b and a != head:
            return False
    return True


def trade_name(lx: Lexicon, text: str, head: int, tokens) -> str | None:
    """The trade name before an industry word: the tagger's ORG/nz/PER token, else 2 characters."""
    tok = tokens.ending_at(head)
    if tok is not None and tok.tag in ("ORG", "nz", "PER") and 2 <= len(tok.text) <= 4 \
            and re.fullmatch(r"[\u4e00-\u9fff]+", tok.text) and not industry_word(lx, tok.text) \
            and not gazetteer().lookup(tok.text) \
            and (trade_ok(lx, tok.text) if tok.tag != "ORG"
                 else tok.text not in lx.generic | lx.policy_terms | lx.left_stops_set):
        return tok.text  # the model's ORG is trusted unless policy language
    brand = text[max(0, head - 2):head]
    if len(brand) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", brand) or brand[-1] in ENDS_BAD:
        return None
    if not clean_left(lx, text, head - 2):
        return None  # 建强汽车: the two characters are the tail of another word
    if brand in lx.brand_words:
        return brand
    if industry_word(lx, brand) or gazetteer().lookup(brand) or brand in lx.left_stops_set or brand in lx.generic \
            or brand in lx.policy_terms or brand in lx.policy_prefixes or lx.tags.get(brand, "") in LEAD_TAGS_MULTI:
        return None
    return brand if brand_like(lx, brand, -1, set()) else None


@recognizer_pass("model-firms")
def model_firms(ctx: Context) -> list[Mention]:
    """The tagger's ORG spans that end in a firm's head (北方水泥, 鑫达钢铁, 北方袜业集团)."""
    text, lx = ctx.text, ctx.lexicon
    out = []
    for t in ctx.tokens.tokens:
        if t.tag != "ORG" or not 3 <= len(t.text) <= 12 or not re.fullmatch(r"[\u4e00-\u9fff]+", t.text):
            continue
        if any(t.text.endswith(w) for w in lx.industry_words) or t.text.endswith(("集团", "公司")):
            name = strip_lead_words(t.text, 3, lx)
            start = t.end - len(name)
            core = name[len(place_prefix(name)[0]):]
            head = next((w for w in lx.firm_heads if core.endswith(w)), "")
            trade = core[: len(core) - len(head)]
            tag = lx.tags.get(words(trade)[0], "") if trade else ""
            if len(trade) >= 2 and tag not in LEAD_TAGS_MULTI and trade_ok(lx, trade[:4]) \
                    and not industry_word(lx, trade) and (start > t.start or clean_left(lx, text, start)):
                out.append(Mention(start, t.end, "Enterprise", name, name, "model"))
    return out
