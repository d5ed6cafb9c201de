"""The ``places`` pass: divisions of China by full name or short form, towns (郭家店镇), villages, and
a district joined to its city (沈阳市铁西区).

>>> from kg.recognize import Home, Recognizer
>>> rec = Recognizer(passes=["places"])
>>> [(m.text, m.canonical) for m in rec.find("郭家店镇位于梨树县。", Home.of_city("四平市"))]
[('郭家店镇', '郭家店镇'), ('梨树县', '梨树县')]
"""

from __future__ import annotations

import re

from kg.gazetteer import gazetteer
from kg.recognize.base import Home, Mention
from kg.recognize.common import LEAD_TAGS_MULTI, LEAD_TAGS_SINGLE, aligned, clean_left, unknown_runs, words
from kg.recognize.lexicon import Lexicon
from kg.recognize.registry import Context, recognizer_pass
from kg.recognize.structure import longest_first


@recognizer_pass("places", stage="places")
def places(ctx: Context) -> list[Mention]:
    """Division names; a short form (东丰, 长春) only for provinces and cities anywhere, and for
    counties in the home province or named in full in the text (红安县 … 红安), when it is not a common word."""
    text, home, lx = ctx.text, ctx.home, ctx.lexicon
    found: list[Mention] = []
    home_prov = home.city_division.ancestors()[-1] if home.city_division is not None and home.city_division.parent else None
    named_in_full = {surface for _, (surface, _) in lx.places.iter(text)}  # 红安县 named: 红安 is it too
    for end, (surface, divs) in lx.places.iter(text):
        start = end - len(surface) + 1
        div = gazetteer().best(surface, home.city_division)
        if div is None:
            continue
        after = text[end + 1:end + 3]
        if after[:1] in "河江湖山路街桥" and surface != div.name:
            continue  # 大梨树河: a river or road named after a place
        if surface[0] in "河江湖" and surface != div.name and start > 0 and re.match(r"[\u4e00-\u9fff]", text[start - 1]):
            continue  # 东辽河源头: the 河 ends a river's name
        if (after[:1] in "村屯沟" or after[:1] in "镇乡" and surface != div.name) and aligned(text, start, end + 2):
            found.append(Mention(start, end + 2, "Place", surface + after[0], surface + after[0], "village"))
            continue
        if not aligned(text, start, end + 1) or re.match(r"\d", text[start - 1:start] or "x"):
            continue  # 渭津河南岸, 五大安全, 19项城市: the characters belong to other words
        if surface != div.name:  # a short form
            if div.level == "county" and len(surface) < 3 and (home_prov is None or home_prov not in div.ancestors()) \
                    and div.name not in named_in_full:
                continue
            if div.level != "province" and lx.freq.get(surface, 0) > 3000 and lx.tags.get(surface) != "ns":
                continue
        elif len(surface) < 3 and div.level == "county":
            continue
        found.append(Mention(start, end + 1, "Place", surface, div.name, "gazetteer"))
    found += towns(lx, text)
    found = longest_first(found)
    return join_place_chains(text, known_regions(found, home_prov))


def towns(lx: Lexicon, text: str) -> list[Mention]:
    """Towns, townships and urban subdistricts (郭家店镇, 漫江镇, 小港街道): a name of two or three characters before 镇/乡/街道 that
    starts a word, is not a common word and does not stand for towns in general (乡镇, 小镇)."""
    out = []
    for m in re.finditer(r"[镇乡]|街道(?!办)", text):
        for n in (3, 2):
            start = m.start() - n
            stem = text[start:m.start()]
            if start < 0 or not re.fullmatch(r"[\u4e00-\u9fff]+", stem) or stem in lx.generic \
                    or stem[-1] in "小古名重城集乡村各全本该每" or lx.freq.get(stem, 0) > 500 \
                    or text[m.end():m.end() + 1] in "村镇民长政党" or not clean_left(lx, text, start):
                continue
            if not aligned(text, start, m.end()) and not unknown_runs(stem, lx):
                continue
            if re.search(r"[市县省区回带下上进出入返]", stem) or any(
                    lx.tags.get(w, "") in (LEAD_TAGS_MULTI | {"v"} if len(w) >= 2 else LEAD_TAGS_SINGLE)
                    for w in words(stem)):
                continue  # 市县乡三级, 吉人回乡, 以城带乡: not a town's name
            out.append(Mention(start, m.end(), "Place", stem + m.group(), stem + m.group(), "town"))
            break
    return out


def known_regions(found: list[Mention], home_prov) -> list[Mention]:
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


def dup_name(name: str) -> bool:
    """True when more than one division has this name (铁西区 in 沈阳, 鞍山, 四平)."""
    return gazetteer().name_count.get(name, 0) > 1


def join_place_chains(text: str, found: list[Mention]) -> list[Mention]:
    """沈阳市铁西区 → also one mention for the district named with its city."""
    out = list(found)
    gaz = gazetteer()
    for a, b in zip(found, found[1:]):
        if a.end == b.start:
            da, db = gaz.by_name.get(a.canonical), gaz.by_name.get(b.canonical)
            if da is not None and db is not None and db.parent is da and db.level == "county":
                full = b.canonical if dup_name(b.canonical) is False else a.canonical + b.canonical
                out.append(Mention(a.start, b.end, "Place", text[a.start:b.end], full, "gazetteer"))
                out.remove(b)
    return out
