"""Passes that read names off the lexicon and the home context: abbreviations resolved against the
home (``context-names``: 市委, 本报, 辽源高新区), the known entities (``known-names``) and agreements in
book-title marks (``agreements``).

>>> from kg.recognize import Home, Recognizer
>>> rec = Recognizer(passes=["context-names"])
>>> [(m.text, m.canonical) for m in rec.find("市委召开会议。", Home.of_city("辽源市"))]
[('市委', '中共辽源市委')]
"""

from __future__ import annotations

import re

from kg.gazetteer import gazetteer
from kg.recognize.base import Home, Mention
from kg.recognize.common import aligned
from kg.recognize.registry import Context, recognizer_pass


@recognizer_pass("context-names")
def context_names(ctx: Context) -> list[Mention]:
    """Abbreviations that stand for a body of the home (市委, 本报), party committees, high-tech zones."""
    text, home = ctx.text, ctx.home
    out: list[Mention] = []
    committees = _party_committees(text, home)
    for end, (short, (cls, template)) in ctx.lexicon.context.iter(text):
        start = end - len(short) + 1
        full = _after_committee(committees, text, start, short, template) or home.fill(template)
        if full is None or cls == "Place" and not aligned(text, start, end + 1):
            continue  # 资本市场 holds 本市 but does not say it
        if short in ("本报",) and text[end + 1:end + 2] not in ("讯", "记", ""):
            continue
        out.append(Mention(start, end + 1, cls, short, full, "context"))
    return out + committees + _high_tech_zones(text)


LEVEL_SLOT = {"区": ("{district}",), "县": ("{county}",), "市": ("{city}",), "省": ("{province}",)}


def _after_committee(committees: list[Mention], text: str, start: int, short: str, template: str) -> str | None:
    """The full name of an abbreviation that follows a named party committee in a pair (汇川区委、区政府 →
    汇川区人民政府): the place is the committee's, whatever the home.

    >>> c = _party_committees("汇川区委、区政府", Home())
    >>> _after_committee(c, "汇川区委、区政府", 5, "区政府", "{district}人民政府")
    '汇川区人民政府'
    """
    if start < 2 or text[start - 1] not in "、和及与" or short[0] not in LEVEL_SLOT:
        return None
    for c in committees:
        place = c.canonical[2:-1]  # 中共汇川区委 → 汇川区
        if c.end == start - 1 and place.endswith(short[0]):
            for slot in LEVEL_SLOT[short[0]]:
                if slot in template:
                    return template.replace(slot, place)
    return None


def _party_committees(text: str, home: Home) -> list[Mention]:
    """辽源市委 / 吉林省委 / 中共山东省委 / 抚松县委 → 中共 + place + 委"""
    out: list[Mention] = []
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
    return out


def _high_tech_zones(text: str) -> list[Mention]:
    """辽源高新区 → 辽源高新技术产业开发区"""
    out: list[Mention] = []
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


@recognizer_pass("known-names")
def known_names(ctx: Context) -> list[Mention]:
    """Names of the known-entities list (and their aliases), not inside a Latin word."""
    text = ctx.text
    out = []
    for end, (surface, (canonical, cls, _en)) in ctx.lexicon.known_automaton.iter(text):
        start = end - len(surface) + 1
        if start > 0 and re.match(r"[A-Za-z]", text[start - 1]) or re.match(r"[A-Za-z]", text[end + 1:end + 2] or " "):
            continue
        out.append(Mention(start, end + 1, cls, surface, canonical, "known"))
    return out


@recognizer_pass("agreements")
def agreements(ctx: Context) -> list[Mention]:
    """Agreements in book-title marks: 《战略合作协议》."""
    out = []
    for m in re.finditer(r"《([^《》\n]{4,60}?(?:协议|合同|备忘录|协定|意向书))》", ctx.text):
        out.append(Mention(m.start(1), m.end(1), "Agreement", m.group(1), m.group(1), "title"))
    return out
