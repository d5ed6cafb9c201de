"""Is this a name? The tests the passes share: trade names, brand-like words, specific cores.

Each takes the :class:`~kg.recognize.lexicon.Lexicon` first.

>>> from kg.recognize.lexicon import shared_lexicon
>>> lx = shared_lexicon()
>>> trade_ok(lx, "鑫达"), trade_ok(lx, "发展")
(True, False)
"""

from __future__ import annotations

import re

from kg.recognize.base import Home, place_prefix
from kg.recognize.common import CAPACITY, LEAD_TAGS_MULTI, NOT_NAME_TAGS, QUANTITY, unknown_runs, words
from kg.recognize.lexicon import Lexicon


def trade_ok(lx: Lexicon, trade: str) -> bool:
    """A trade name: a brand word, or a name a dictionary does not know that policy language does not use."""
    if trade in lx.brand_words:
        return True
    if trade in lx.generic or trade in lx.policy_terms:
        return False
    ws = words(trade)
    if unknown_runs(trade, lx) == [trade]:
        return True  # the whole trade name is unknown to the dictionary: 鑫达, 博友
    return len(ws) == 1 and lx.freq.get(trade, 0) < 60 and brand_like(lx, trade, -1, set())


def industry_word(lx: Lexicon, s: str) -> bool:
    """True when ``s`` starts or ends with an industry word (钢铁, 食品 …)."""
    return any(s.endswith(w) or s.startswith(w) for w in lx.industry_words)


def brand_like(lx: Lexicon, brand: str, at: int, org_starts: set[int]) -> bool:
    """A word that can be a firm's brand: a rare word or a proper noun, not a place or policy word."""
    if at in org_starts:
        return True
    if any(s in brand for s in ("产业", "企业", "发展", "建设", "行业", "领域", "工业", "项目")):
        return False
    if brand in lx.generic or re.search(r"[与和的等为在对是将把被了着个]", brand):
        return False
    if lx.tags.get(brand, "") in ("nz", "nr", "nrt", "nt") and lx.freq.get(brand, 0) < 2000:
        return True  # a proper noun the dictionary knows: 宏达, 华泰, 恒远
    if lx.freq.get(brand, 0) >= 60:
        return False
    ws = words(brand)
    first = ws[0] if ws else brand
    if len(first) >= 2 and (lx.freq.get(first, 0) >= 60 or lx.tags.get(first, "") in LEAD_TAGS_MULTI):
        return False
    return not place_prefix(brand + "X")[0]


def not_generic(lx: Lexicon, core: str) -> bool:
    """Not only generic words (产业, 中心 …) and not a quantity."""
    import jieba

    ws = [w for w in jieba.lcut(core, HMM=False) if w.strip()]
    return len(core) >= 2 and not all(w in lx.generic for w in ws) and not QUANTITY.match(core)


def specific(lx: Lexicon, core: str, home: Home) -> bool:
    """A name's core must say *which* one: a place, a capacity, a Latin code or a rare word."""
    if CAPACITY.search(core):
        return True
    if home.city and core[:1] in "市" and len(core) >= 3:
        return True  # 市中心医院 in a city's paper is that city's
    if any(core.startswith(k) for k in lx.known_prefixes):
        return True  # 中科院地理所: a unit of a well-known body
    if place_prefix(core + "X", home)[0] or re.search(r"(高新区|开发区|产业园|集团|公司)", core) \
            or core.startswith(lx.regions) or core.startswith(("中国", "国家")) and not re.match(r"国家级", core) \
            and not re.search(r"重大|重点|一批|骨干", core):  # 国家重大(工程): a category, not a name
        return True
    ws = words(core)
    if ws and lx.tags.get(ws[0], "") == "ns" and ws[0] not in lx.generic | lx.policy_terms \
            and len(ws[0]) >= 2:
        return True  # a geographic name leads: 三峡工程, 青藏铁路
    if len(core) >= 4 and lx.freq.get(core[:2], 0) < 30 and core[:2] not in lx.generic | lx.policy_terms \
            and core[:2] not in lx.policy_prefixes and core[0] not in lx.generic \
            and re.fullmatch(r"[\u4e00-\u9fff]{2}", core[:2]) and not QUANTITY.match(core):
        return True  # a trade name jieba does not know (金翼蛋品…, 辽矿…)
    return bool(unknown_runs(core, lx))


def local_project(lx: Lexicon, core: str, home: Home) -> bool:
    """In a city's own news a project named by four or more plain nouns is a concrete project
    (开元酒店, 双创国际会议中心); national policy texts (no home city) name programmes this way,
    so there a project name must be specific."""
    ws = words(core)
    return home.city is not None and len(core) >= 4 and not_generic(lx, core) \
        and ws[:1] and ws[0] not in lx.policy_terms | lx.generic \
        and not re.search(r"(重点|重大|一批|各类|全市|全省|全年|年度|新开工|续建|在建|产业化)", core) \
        and sum(w in lx.generic for w in ws) * 2 < len(ws) \
        and not any(lx.tags.get(w, "") in NOT_NAME_TAGS for w in ws)
