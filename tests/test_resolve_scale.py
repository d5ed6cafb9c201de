"""The resolution rules over pairs of names (a project with and without 项目/工程 after its name; a project
named by the start of its full name; a park or project named after the park it is in) are found by a sorted scan and by length look-ups, not by
comparing every name with every other (quadratic: 19 of 25 s of writing a 165,000-triple graph).
Here they must give the same nodes as the rules read literally, over all pairs, on random names made
to hit them (prefix chains, 项目/工程/期 endings, park names of several lengths before a name)."""

from __future__ import annotations

import random
import re

import pytest

from kg.extract import EntityRef
from kg.resolve import Resolver

CHARS = "天楹风光储氢氨醇一体化项目工程期园区产业科技北湖高新"


def literal_rules(keys: list[tuple[str, str]], park_names: set[str]) -> list[set]:
    """The nodes the two rules make, read literally: every pair of names compared."""
    pairs = []
    projects = [k for k in keys if k[0] == "Project"]
    for k in projects:  # one project with and without 项目 / 工程 / 工程项目 after its name
        for o in projects:
            core = re.sub(r"(工程项目|工程|项目)$", "", k[1])
            if o != k and len(core) >= 4 and re.sub(r"(工程项目|工程|项目)$", "", o[1]) == core:
                pairs.append((k, o))
    for k in projects:
        if len(k[1]) >= 4 and not k[1].endswith(("项目", "工程")):
            longer = [o for o in projects if o != k and o[1].startswith(k[1]) and not o[1].endswith("期")]
            if len(longer) == 1:
                pairs.append((k, longer[0]))
    for k in keys:
        if k[0] in ("IndustrialPark", "Project"):
            for park in sorted(park_names, key=len, reverse=True):
                rest = k[1][len(park):]
                if k[1].startswith(park) and len(park) >= 4 and len(rest) >= 4 and (k[0], rest) in keys:
                    pairs.append((k, (k[0], rest)))
                    break
    group = {k: {k} for k in keys}
    for a, b in pairs:
        if group[a] is not group[b]:
            merged = group[a] | group[b]
            for k in merged:
                group[k] = merged
    return sorted({frozenset(g) for g in group.values()}, key=sorted)


@pytest.mark.parametrize("seed", range(40))
def test_same_nodes_as_the_rules_read_literally(seed):
    rng = random.Random(seed)
    refs = []
    for _ in range(rng.randint(5, 60)):
        name = "".join(rng.choice(CHARS) for _ in range(rng.randint(2, 10)))
        refs.append(EntityRef(rng.choice(["Project", "IndustrialPark"]), name, name))
    for ref in list(refs[:12]):
        for extra in ("项目", "二期", "风光储氢", "产业园", "北湖科技园"):
            refs.append(EntityRef(ref.label, ref.name + extra, ref.name + extra))
        for park in ("北湖高新", "北湖高新区", "长春北湖高新区"):
            refs.append(EntityRef("IndustrialPark", park, park))
            refs.append(EntityRef(rng.choice(["Project", "IndustrialPark"]), park + ref.name, park + ref.name))
    resolver = Resolver()
    for i, ref in enumerate(refs):
        resolver.add_ref(ref, f"d{i % 3}")
    park_names = {n for k, node in resolver.refs.items() if k[0] == "IndustrialPark" for n in node.names()}
    expected = literal_rules(sorted(resolver.refs), park_names)
    resolver.finish()
    got = {}
    for k in resolver.refs:
        got.setdefault(resolver._find(k), set()).add(k)
    assert sorted((frozenset(g) for g in got.values()), key=sorted) == expected
    assert any(len(g) > 1 for g in expected)  # the names do hit the rules
