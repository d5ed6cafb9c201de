"""China's administrative divisions (``resources/divisions.tsv``) as a lookup of place names.

>>> gaz = gazetteer()
>>> gaz.by_name["辽源市"].parent.name
'吉林省'
>>> [d.name for d in gaz.lookup("东丰")]
['东丰县']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.resources import load_table

LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}


@dataclass(eq=False)
class Division:
    adcode: str
    name: str
    short: str
    level: str
    parent: "Division | None" = None

    def ancestors(self) -> list["Division"]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out

    def __repr__(self) -> str:
        return f"Division({self.name})"


@dataclass
class Gazetteer:
    by_name: dict[str, Division]
    by_short: dict[str, list[Division]]
    name_count: dict[str, int]

    def lookup(self, surface: str) -> list[Division]:
        """Divisions a surface form may name: the full name first, else short forms by level."""
        if surface in self.by_name:
            return [self.by_name[surface]]
        return self.by_short.get(surface, [])

    def best(self, surface: str, home: Division | None = None) -> Division | None:
        """The division a surface most likely names: in the home province first, then the higher level."""
        if home is not None:
            local = self.local_short(surface, home)
            if local is not None:
                return local
        cands = self.lookup(surface)
        if not cands:
            return None
        home_prov = _province_of(home) if home else None

        def key(d: Division):
            return (0 if home_prov is not None and _province_of(d) is home_prov else 1, LEVEL_RANK[d.level])

        return sorted(cands, key=key)[0]

    def local_short(self, surface: str, home: Division) -> Division | None:
        """A district or county of the home city named without its suffix (龙山 → 龙山区 in 辽源)."""
        if surface == re.sub(r"(市|地区|盟)$", "", home.name) or surface == home.short:
            return home
        for child in self.children(home):
            if len(child.name) >= 3 and child.name[:-1] == surface:
                return child
        return None

    def county_by_stem(self, stem: str, home: Division | None) -> Division | None:
        """前郭 (in 前郭县) → 前郭尔罗斯蒙古族自治县: the one county of the home province whose name
        starts with the stem."""
        if home is None or len(stem) < 2:
            return None
        province = _province_of(home)
        hits = [d for d in self.by_name.values() if d.level == "county" and d.name.startswith(stem)
                and _province_of(d) is province]
        return hits[0] if len(hits) == 1 else None

    def children(self, parent: Division) -> list[Division]:
        if not hasattr(self, "_children"):
            kids: dict[str, list[Division]] = {}
            for d in self.by_name.values():
                if d.parent is not None:
                    kids.setdefault(d.parent.adcode, []).append(d)
            self._children = kids
        return self._children.get(parent.adcode, [])

    def surfaces(self) -> list[str]:
        return list(self.by_name) + list(self.by_short)


def _province_of(d: Division) -> Division:
    while d.parent is not None:
        d = d.parent
    return d


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    rows = load_table("divisions.tsv")
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    by_code: dict[str, Division] = {}
    parents: dict[str, str] = {}
    for row in body:
        row = tuple(row) + ("",) * (len(header) - len(row))
        d = Division(row[col["adcode"]], row[col["name"]], row[col["short"]], row[col["level"]])
        by_code[d.adcode] = d
        parents[d.adcode] = row[col["parent_adcode"]]
    for code, d in by_code.items():
        d.parent = by_code.get(parents[code])
    by_name: dict[str, Division] = {}
    by_short: dict[str, list[Division]] = {}
    name_count: dict[str, int] = {}
    for d in sorted(by_code.values(), key=lambda d: (LEVEL_RANK[d.level], d.adcode)):
        by_name.setdefault(d.name, d)
        name_count[d.name] = name_count.get(d.name, 0) + 1
        if d.short and d.short != d.name:
            by_short.setdefault(d.short, []).append(d)
    return Gazetteer(by_name, by_short, name_count)
