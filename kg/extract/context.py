"""What every rule reads: the document, its home, its mentions and sentences (:class:`Context`), and
the full name a mention stands for (:func:`canonical`, :func:`ref`)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property

from kg.extract.records import EntityRef, Evidence, Sentence
from kg.ingest import Document
from kg.recognize import Home, Mention, place_prefix
from kg.resources import load_table

__all__ = ["BODY_ABBREV", "Context", "canonical", "ref"]

BODY_ABBREV = {short: full for short, full in load_table("body_abbrev.tsv")}


def canonical(m: Mention, home: Home) -> str:
    """The full name a mention stands for.

    >>> canonical(Mention(0, 5, "GovernmentBody", "市工信局", "市工信局"), Home.of_city("辽源市"))
    '辽源市工业和信息化局'
    """
    name = m.canonical
    if m.label == "GovernmentBody" and m.source != "context":
        name = _body_name(name, home)
    if m.label in ("Institution", "Project") and name.startswith("市") and home.city and m.source != "context":
        name = home.city + name[1:]  # 市中心医院 → 辽源市中心医院
    if m.label == "GovernmentBody":
        name = re.sub(r"第[一二三四五六七八九十]+届", "", name)
    if m.label in ("IndustrialPark", "Project"):
        name = re.sub(r"[(（][一二三四五六七八九十]+期[)）]$", "", name)
    if m.label == "IndustrialPark":
        name = _park_name(name, home)
    return name


def _body_name(name: str, home: Home) -> str:
    """A government body's full name: the home's city or province for 市/省, the abbreviations spelled out."""
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
    return name


def _park_name(name: str, home: Home) -> str:
    """A park's full name: 高新区, 经开区 spelled out, a province before its city dropped."""
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


@dataclass
class Context:
    """One document as the rules see it: its text, home, mentions and sentences, and the look-ups
    several rules share (the firm named last before a position, the places named on their own …)."""

    document: Document
    home: Home
    mentions: list[Mention]
    sentences: list[Sentence]

    @property
    def text(self) -> str:
        return self.document.text

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

    def evidence(self, s: Sentence) -> Evidence:
        """A sentence of the document as evidence."""
        return Evidence(self.document.doc_id, s.start, s.end, s.text)

    def evidence_for(self, m: Mention) -> Evidence:
        """The sentence a mention stands in (the first sentence when none holds it)."""
        for s in self.sentences:
            if s.start <= m.start and m.end <= s.end:
                return self.evidence(s)
        return self.evidence(self.sentences[0])
