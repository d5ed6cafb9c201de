"""Resolve: entity references from all documents → one :class:`Node` per real-world thing.

Rules, conservative where unsure:

* the same class and canonical name is the same thing, across documents;
* well-known entities (``resources/known_entities.tsv``) gather their aliases (一汽, 一汽集团 → 中国一汽);
* a firm with and without its legal form or 集团 is one firm (特变电工 / 特变电工股份有限公司);
* within one city's texts, a name with and without the home city or province before it is one thing
  (松籽产业园 / 东丰松籽产业园 only when the shorter one is unique); bodies of different cities never merge;
* a person is one node per name (the corpus is one city's news).

IRIs are a hash of class and canonical name, so the same input always gives the same IRIs.

>>> from kg.extract import EntityRef
>>> r = Resolver()
>>> r.add_ref(EntityRef("Enterprise", "一汽", "一汽"), "d1")
>>> r.add_ref(EntityRef("Enterprise", "中国一汽", "中国一汽"), "d2")
>>> nodes = r.finish()
>>> r.node(EntityRef("Enterprise", "一汽")).name
'中国一汽'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from kg.extract import EntityRef
from kg.recognize import known_entities as _known
from kg.resources import load_words

LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "集团公司", "集团", "公司")
CLASS_SLUG = {"Person": "person", "Enterprise": "enterprise", "GovernmentBody": "body",
              "Institution": "institution", "IndustrialPark": "park", "Project": "project",
              "Place": "place", "Agreement": "agreement"}


@dataclass
class Node:
    label: str
    name: str
    aliases: set[str] = field(default_factory=set)
    english: str | None = None
    docs: set[str] = field(default_factory=set)
    iri_key: str = ""

    def names(self) -> set[str]:
        return {self.name} | self.aliases


def stable_id(*parts: str) -> str:
    """A short stable hash of the parts.

    >>> stable_id("Person", "程宇")
    'b67011469a39'
    """
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


SCOPE = "#"  # 程宇#辽源市: a person's name scoped to the city whose news names them


def display_name(key_name: str) -> str:
    """The name without its scope: 程宇#辽源市 → 程宇."""
    return key_name.split(SCOPE, 1)[0]


def firm_core(name: str) -> str:
    """特变电工股份有限公司 → 特变电工; 辽矿集团 → 辽矿."""
    for form in LEGAL_FORMS:
        if name.endswith(form) and len(name) - len(form) >= 2:
            return name[: -len(form)]
    return name


INDUSTRY = tuple(sorted(load_words("industry_words.txt"), key=len, reverse=True))


def brand(name: str) -> str:
    """厚德食品 → 厚德; 厚德集团 → 厚德."""
    core = firm_core(name)
    for word in INDUSTRY:
        if core.endswith(word) and len(core) - len(word) >= 2:
            return core[: -len(word)]
    return core


class Resolver:
    """Collects references (``add_ref``), then merges them (``finish``)."""

    def __init__(self, home_prefixes: tuple[str, ...] = ()) -> None:
        self.refs: dict[tuple[str, str], Node] = {}
        self.home_prefixes = home_prefixes
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}
        self.doc_brands: dict[str, dict[str, list[tuple[str, str]]]] = {}

    def add_ref(self, ref: EntityRef, doc_id: str) -> None:
        key = self._known_key(ref)
        node = self.refs.get(key)
        if node is None:
            node = self.refs[key] = Node(key[0], display_name(key[1]))
            known = _known().get(key[1])
            if known and known[1] == key[0]:
                node.english = known[2] or None
        node.docs.add(doc_id)
        for surface in (ref.surface, display_name(ref.name)):
            if surface and surface != node.name:
                node.aliases.add(surface)
        if ref.label == "Enterprise":
            self.doc_brands.setdefault(doc_id, {}).setdefault(brand(key[1]), []).append(key)

    def _known_key(self, ref: EntityRef) -> tuple[str, str]:
        for surface in (ref.name, ref.surface):
            known = _known().get(surface)
            if known and known[1] == ref.label:
                return (ref.label, known[0])
        return ref.key

    # -------------------------------------------------------------- merging

    def _find(self, key):
        while key in self.parent:
            key = self.parent[key]
        return key

    def _union(self, a, b) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        keep, drop = sorted((ra, rb), key=lambda k: self._rank(k), reverse=True)
        self.parent[drop] = keep

    def _rank(self, key) -> tuple:
        known = _known().get(key[1])
        return (bool(known and known[0] == key[1]), len(key[1]), key[1])

    def finish(self) -> list[Node]:
        keys = sorted(self.refs)
        by_name = {k: k for k in keys}
        # firms with and without legal form / 集团
        cores: dict[str, list] = {}
        for k in keys:
            if k[0] == "Enterprise":
                cores.setdefault(firm_core(k[1]), []).append(k)
        for core, group in cores.items():
            if ("Enterprise", core) in by_name:
                group = group + [("Enterprise", core)]
            for other in group[1:]:
                self._union(group[0], other)
        # 中国天楹 / 天楹
        for k in keys:
            if k[0] == "Enterprise" and k[1].startswith("中国") and ("Enterprise", k[1][2:]) in by_name \
                    and len(k[1]) > 4:
                self._union(k, ("Enterprise", k[1][2:]))
        # a paper and the house that publishes it: 白山日报 / 白山日报社
        for k in keys:
            if k[0] == "Institution" and k[1].endswith("报社") and ("Institution", k[1][:-1]) in by_name:
                self._union(k, ("Institution", k[1][:-1]))
        # one document: 厚德集团 / 厚德食品, 博友公司 / 博友橡胶塑料(株洲)有限公司
        for brands in self.doc_brands.values():
            firms = sorted({k for group in brands.values() for k in group})
            for short in firms:
                b = brand(short[1])
                if not (2 <= len(b) <= 4) or short[1] not in (b + "集团", b + "公司"):
                    continue
                for other in firms:
                    rest = other[1][len(b):]
                    if other != short and other[1].startswith(b) and (
                            rest.startswith(INDUSTRY) or rest.startswith(LEGAL_FORMS)):
                        self._union(short, other)
        # across documents: B集团 and the one firm B+industry word (厚德集团 / 厚德食品)
        by_brand: dict[str, set] = {}
        for k in keys:
            if k[0] == "Enterprise":
                by_brand.setdefault(brand(k[1]), set()).add(self._find(k))
        for b, roots in by_brand.items():
            groups = [r for r in roots if r[1] == b + "集团"]
            others = [r for r in roots if r[1] != b + "集团"]
            if len(b) >= 2 and groups and len(others) == 1:
                self._union(groups[0], others[0])
        # a project with and without 项目 / 工程 after its name (…尿素工程项目, …尿素项目, …尿素工程)
        heads: dict[str, list] = {}
        for k in keys:
            if k[0] == "Project":
                heads.setdefault(re.sub(r"(工程项目|工程|项目)$", "", k[1]), []).append(k)
        for core, group in heads.items():
            if len(core) >= 4:
                for other in group[1:]:
                    self._union(group[0], other)
        # a project named by the start of its full name (天楹风光储 → 天楹风光储氢氨醇一体化项目)
        # (the names starting with a name follow it in sorted order: a scan from its place, not of all)
        projects = [k for k in keys if k[0] == "Project"]
        names = [k[1] for k in projects]
        for i, k in enumerate(projects):
            if len(k[1]) >= 4 and not k[1].endswith(("项目", "工程")):
                longer = []
                for j in range(i + 1, len(projects)):
                    if not names[j].startswith(k[1]):
                        break
                    if not names[j].endswith("期"):
                        longer.append(projects[j])
                if len(longer) == 1:
                    self._union(k, longer[0])
        # a park or project named after the park it is in: 长春高新区北湖科技园 / 北湖科技园
        # (the longest park name of 4+ characters the name starts with, leaving 4+: looked up by length)
        parks = {n for k in keys if k[0] == "IndustrialPark" for n in self.refs[k].names()}
        for k in keys:
            if k[0] not in ("IndustrialPark", "Project"):
                continue
            for cut in range(len(k[1]) - 4, 3, -1):
                if k[1][:cut] in parks and (k[0], k[1][cut:]) in by_name:
                    self._union(k, (k[0], k[1][cut:]))
                    break
        # names with and without the home place before them
        for k in keys:
            if k[0] in ("Person", "Place", "Agreement"):
                continue
            for prefix in self.home_prefixes:
                if k[1].startswith(prefix) and len(k[1]) - len(prefix) >= 4:
                    shorter = (k[0], k[1][len(prefix):])
                    if shorter in by_name:
                        self._union(k, shorter)
        return self._collapse()

    def _collapse(self) -> list[Node]:
        merged: dict[tuple[str, str], Node] = {}
        for key, node in sorted(self.refs.items()):
            root = self._find(key)
            target = merged.get(root)
            if target is None:
                target = merged[root] = Node(root[0], display_name(root[1]), english=self.refs[root].english)
                target.iri_key = stable_id(root[0], root[1])
            target.aliases |= node.aliases | {display_name(node.name)}
            target.docs |= node.docs
            if node.english and not target.english:
                target.english = node.english
        for node in merged.values():
            node.aliases.discard(node.name)
        self.nodes = merged
        return sorted(merged.values(), key=lambda n: (n.label, n.name))

    def root(self, ref: EntityRef) -> tuple[str, str]:
        """The key of the node ``ref`` resolves to (after :meth:`finish`)."""
        return self._find(self._known_key(ref))

    def node(self, ref: EntityRef) -> Node:
        return self.nodes[self.root(ref)]


def home_prefixes(city: str | None, province: str | None) -> tuple[str, ...]:
    """The forms of the home city and province that may stand before a local name."""
    out = []
    for place in (city, province):
        if place:
            out.append(place)
            short = re.sub(r"(市|省)$", "", place)
            if len(short) >= 2:
                out.append(short)
    return tuple(sorted(set(out), key=len, reverse=True))
