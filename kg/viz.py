"""The interactive relationship map (关系图) of a contract graph, fully offline.

Three steps:

* :func:`graph_to_network` turns an rdflib graph in the contract vocabulary
  (``shared/SCHEMA.md``) into a :class:`networkx.MultiDiGraph` of entities and the
  relations between them (pure; no I/O);
* :func:`select` keeps what a map shows: the neighbourhood of a focus, some classes, the
  most connected nodes up to a cap, with notes saying what was left out;
* :func:`write_map` renders that with pyvis / vis-network 9.1.2 into one self-contained
  HTML file: the library is inlined, every remote ``<link>`` / ``<script>`` of pyvis'
  template (Bootstrap) is removed, so opening the page makes no network request. The
  page's own script and style are ``kg/resources/viz.js`` and ``viz.css``: tooltips, a
  side panel with every fact of a clicked node and its evidence sentences (from
  :func:`kg.explain.explain_node`), search, class and relation filters, an English toggle.
  Big maps get positions from :func:`kg.layout.force_layout` instead of live physics.

Names come from untrusted documents. The HTML written in Python (legend, notes, page
title) is built with :func:`html.escape`; node and edge records are embedded as JSON by
Jinja's ``tojson`` filter and the panel's facts by :func:`_script_json`, both of which
escape ``<``, ``>`` and ``&``, so no name can close a ``<script>``; the page's script puts
names and sentences into the DOM only as text (``textContent``), and vis-network draws
canvas labels and string tooltips as plain text.

Example::

    >>> import rdflib
    >>> from kg.vocab import KGO, KGR
    >>> from rdflib.namespace import RDF, RDFS
    >>> g = rdflib.Graph()
    >>> _ = g.add((KGR.dongfeng, RDF.type, KGO.Place))
    >>> _ = g.add((KGR.dongfeng, RDFS.label, rdflib.Literal("东丰县", lang="zh")))
    >>> _ = g.add((KGR.liaoyuan, RDF.type, KGO.Place))
    >>> _ = g.add((KGR.liaoyuan, RDFS.label, rdflib.Literal("辽源市", lang="zh")))
    >>> _ = g.add((KGR.dongfeng, KGO.locatedIn, KGR.liaoyuan))
    >>> net = graph_to_network(g)
    >>> [(net.nodes[u]["label"], d["rel"], net.nodes[v]["label"])
    ...  for u, v, d in net.edges(data=True)]
    [('东丰县', '位于', '辽源市')]
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import rdflib
from rdflib.namespace import ORG, RDF, RDFS, SKOS
from rdflib.term import BNode, Literal, Node, URIRef

from kg import resources
from kg.layout import force_layout
from kg.vocab import ENTITY_CLASSES, KGO

__all__ = ["graph_to_network", "select", "write_map", "check_map_target", "MapError", "CLASS_STYLE", "REL_LABELS",
           "REL_ENGLISH", "ROLE_ENGLISH"]

#: Class → (Chinese name, English name, colour, vis-network shape). Chinese names follow the
#: ontology's ``rdfs:label@zh``; colours are Tableau 10 (distinct, readable on white); shapes are
#: those vis-network sizes by ``size`` (the last two repeat a shape in another colour).
CLASS_STYLE: dict[str, tuple[str, str, str, str]] = {
    "Person": ("人物", "Person", "#E15759", "dot"),
    "Enterprise": ("企业", "Enterprise", "#4E79A7", "square"),
    "GovernmentBody": ("党政机关", "Government body", "#F28E2B", "triangle"),
    "Institution": ("机构", "Institution", "#76B7B2", "triangleDown"),
    "IndustrialPark": ("产业园区", "Industrial park", "#59A14F", "hexagon"),
    "Project": ("项目", "Project", "#EDC948", "star"),
    "Place": ("地点", "Place", "#B07AA1", "diamond"),
    "Agreement": ("协议", "Agreement", "#FF9DA7", "square"),
    "Designation": ("认定称号", "Designation", "#9C755F", "star"),
}

#: Relation keys → the Chinese edge label shown on the map.
REL_LABELS: dict[str, str] = {
    "locatedIn": "位于",
    "undertakes": "承建",
    "subOrganizationOf": "隶属",
    "cooperatesWith": "合作",
    "recognizedAs": "获评",
    "party": "签约方",
    "signatory": "签署",
    "witness": "见证",
    "post": "任职",  # only when a membership's role has no label
}

#: Relation keys → English edge labels (the map's English toggle).
REL_ENGLISH: dict[str, str] = {
    "locatedIn": "located in",
    "undertakes": "undertakes",
    "subOrganizationOf": "part of",
    "cooperatesWith": "cooperates with",
    "recognizedAs": "recognized as",
    "party": "party to",
    "signatory": "signed",
    "witness": "witnessed",
    "post": "holds a post",
}

#: Common titles (bare, as ``org:role`` gives them) → English, for post edges; others stay Chinese.
ROLE_ENGLISH: dict[str, str] = {
    "书记": "Secretary", "副书记": "Deputy secretary", "党委书记": "Party secretary",
    "党委常委": "Standing committee member", "常委": "Standing committee member",
    "总书记": "General secretary", "省长": "Governor", "副省长": "Vice governor",
    "市长": "Mayor", "副市长": "Vice mayor", "代市长": "Acting mayor",
    "常务副市长": "Executive vice mayor", "县长": "County head", "副县长": "Deputy county head",
    "区长": "District head", "副区长": "Deputy district head", "镇长": "Town head",
    "主任": "Director", "副主任": "Deputy director", "执行主任": "Executive director",
    "局长": "Director", "副局长": "Deputy director", "秘书长": "Secretary-general",
    "董事长": "Chairman", "副董事长": "Vice chairman", "总经理": "General manager",
    "副总经理": "Deputy general manager", "总裁": "President", "院长": "President",
    "校长": "President", "教授": "Professor", "记者": "Reporter", "人大代表": "NPC deputy",
}

_FONT_FACE = ('"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", '
              '"Microsoft YaHei", "PingFang SC", sans-serif')

_REMOTE_TAG = re.compile(
    r"""<link\b[^>]*\bhref\s*=\s*["']?https?://[^>]*>"""
    r"""|<script\b[^>]*\bsrc\s*=\s*["']?https?://[^>]*>\s*</script\s*>""",
    re.IGNORECASE,
)
_REMOTE_REF = re.compile(r'(src|href)="https?://')
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>\s*")
_NETWORK_CTOR = "network = new vis.Network(container, data, options);"


# ---------------------------------------------------------------------------
# RDF → networkx
# ---------------------------------------------------------------------------

def _node_id(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _local_name(term: Node) -> str:
    text = str(term).rstrip("/#")
    return re.split(r"[/#]", text)[-1] or text


def _pick_label(graph: rdflib.Graph, subject: Node, predicate: Node = RDFS.label) -> str | None:
    """The @zh value of ``predicate`` (then untagged, then any), deterministic."""
    zh, plain, other = [], [], []
    for value in graph.objects(subject, predicate):
        if not isinstance(value, Literal):
            continue
        lang = (value.language or "").lower()
        if lang == "zh" or lang.startswith("zh-"):
            zh.append(str(value))
        elif not lang:
            plain.append(str(value))
        else:
            other.append(str(value))
    for bucket in (zh, plain, other):
        if bucket:
            return sorted(bucket)[0]
    return None


def _pairs(graph: rdflib.Graph, predicate: Node) -> list[tuple[Node, Node]]:
    return sorted(graph.subject_objects(predicate), key=lambda so: (str(so[0]), str(so[1])))


def _english_label(graph: rdflib.Graph, subject: Node) -> str | None:
    values = sorted(str(v) for v in graph.objects(subject, RDFS.label)
                    if isinstance(v, Literal) and (v.language or "").lower().split("-")[0] == "en")
    return values[0] if values else None


def _plain_literal(graph: rdflib.Graph, subject: Node, predicate: Node) -> str | None:
    values = sorted(str(v) for v in graph.objects(subject, predicate) if isinstance(v, Literal))
    return values[0] if values else None


def _add_entity(net: nx.MultiDiGraph, graph: rdflib.Graph, subject: Node, cls: str) -> None:
    label = _pick_label(graph, subject) or _local_name(subject)
    aliases = sorted({str(a) for a in graph.objects(subject, SKOS.altLabel)
                      if isinstance(a, Literal) and str(a) != label})
    net.add_node(_node_id(subject), label=label, label_en=_english_label(graph, subject),
                 pinyin=_plain_literal(graph, subject, KGO.pinyin),
                 aliases=aliases, cls=cls, iri=str(subject), posts=[])


def _role_label(graph: rdflib.Graph, membership: Node) -> str | None:
    for role in sorted(graph.objects(membership, ORG.role), key=str):
        if isinstance(role, Literal):
            return str(role)
        label = _pick_label(graph, role)
        if label:
            return label
    return _pick_label(graph, membership, KGO.roleLabel)


def graph_to_network(graph: rdflib.Graph) -> nx.MultiDiGraph:
    """Entities and their relations as a :class:`networkx.MultiDiGraph` (pure function).

    Nodes are keyed by IRI (``_:id`` for blank nodes), one per subject typed with one
    of the eight contract classes, with attributes ``label`` (``rdfs:label@zh``),
    ``label_en`` (``rdfs:label@en`` or None), ``pinyin`` (``kgo:pinyin`` or None),
    ``aliases`` (sorted ``skos:altLabel``s),
    ``cls`` (class local name), ``iri`` and ``posts`` (roles of memberships that name
    no organisation). Objects of ``kgo:recognizedAs`` become nodes of ``cls``
    ``"Designation"``.

    Edges carry ``rel`` (the Chinese label), ``relation`` (a key of
    :data:`REL_LABELS`, or ``"post"`` for a membership) and ``symmetric``; the edge
    key is ``rel``, so a fact stated twice is one edge. They point the way the Chinese
    reads: ``x 位于 y``, ``enterprise 承建 project``, ``unit 隶属 parent``,
    ``person —市长→ body`` (org:Membership collapsed, labelled with the role),
    ``party / signatory / witness → agreement`` (签约方 / 签署 / 见证),
    ``x 获评 designation``; ``合作`` is stored once per pair (``symmetric=True``).
    Relations whose ends are not entities are skipped.

    Example::

        >>> import rdflib
        >>> from rdflib.namespace import ORG, RDF, RDFS
        >>> from kg.vocab import KGO, KGR
        >>> g = rdflib.Graph()
        >>> for iri, cls, name in [(KGR.p, KGO.Person, "程宇"),
        ...                        (KGR.b, KGO.GovernmentBody, "辽源市人民政府")]:
        ...     _ = g.add((iri, RDF.type, cls)).add((iri, RDFS.label, rdflib.Literal(name, lang="zh")))
        >>> _ = g.add((KGR.m, RDF.type, ORG.Membership)).add((KGR.m, ORG.member, KGR.p))
        >>> _ = g.add((KGR.m, ORG.organization, KGR.b)).add((KGR.m, ORG.role, KGR.mayor))
        >>> _ = g.add((KGR.mayor, RDFS.label, rdflib.Literal("市长", lang="zh")))
        >>> net = graph_to_network(g)
        >>> net.number_of_nodes(), [d["rel"] for _, _, d in net.edges(data=True)]
        (2, ['市长'])
    """
    net = nx.MultiDiGraph()
    for cls in ENTITY_CLASSES:
        for subject in sorted(set(graph.subjects(RDF.type, KGO[cls])), key=str):
            if _node_id(subject) not in net:  # two entity types: first class wins
                _add_entity(net, graph, subject, cls)

    def add_edge(u: Node, v: Node, relation: str, rel: str | None = None,
                 symmetric: bool = False) -> None:
        a, b = _node_id(u), _node_id(v)
        if a not in net or b not in net or a == b:
            return
        if symmetric and b < a:
            a, b = b, a
        rel = rel or REL_LABELS[relation]
        net.add_edge(a, b, key=rel, rel=rel, relation=relation, symmetric=symmetric)

    for s, o in _pairs(graph, KGO.locatedIn):
        add_edge(s, o, "locatedIn")
    for s, o in _pairs(graph, KGO.undertakes):
        add_edge(s, o, "undertakes")
    for s, o in _pairs(graph, ORG.subOrganizationOf):
        add_edge(s, o, "subOrganizationOf")
    for s, o in _pairs(graph, KGO.cooperatesWith):
        add_edge(s, o, "cooperatesWith", symmetric=True)

    for s, o in _pairs(graph, KGO.recognizedAs):
        if _node_id(s) not in net or isinstance(o, Literal):
            continue
        if _node_id(o) not in net:
            net.add_node(_node_id(o), label=_pick_label(graph, o) or _local_name(o),
                         label_en=_english_label(graph, o), pinyin=None, aliases=[],
                         cls="Designation", iri=str(o), posts=[])
        add_edge(s, o, "recognizedAs")

    for relation, predicate in (("party", KGO.party), ("signatory", KGO.signatory),
                                ("witness", KGO.witness)):
        for agreement, who in _pairs(graph, predicate):
            if net.nodes.get(_node_id(agreement), {}).get("cls") == "Agreement":
                add_edge(who, agreement, relation)

    for membership in sorted(set(graph.subjects(RDF.type, ORG.Membership)), key=str):
        role = _role_label(graph, membership)
        organizations = [o for o in graph.objects(membership, ORG.organization)
                         if _node_id(o) in net]
        for person in graph.objects(membership, ORG.member):
            pid = _node_id(person)
            if pid not in net:
                continue
            if organizations:
                for org in organizations:
                    add_edge(person, org, "post", rel=role or REL_LABELS["post"])
            elif role and role not in net.nodes[pid]["posts"]:
                net.nodes[pid]["posts"].append(role)
    return net


# ---------------------------------------------------------------------------
# What to show: focus, classes, the node cap
# ---------------------------------------------------------------------------

class MapError(ValueError):
    """A map that cannot be drawn as asked (unknown class, focus not found, negative depth)."""


@dataclass
class Selection:
    """The part of a network a page shows, and what was left out (plain-text notes)."""

    net: nx.MultiDiGraph
    total: int
    focus: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_classes(names: Iterable[str]) -> set[str]:
    """Class names as given on the command line → keys of :data:`CLASS_STYLE`.

    Case and spaces do not matter, the Chinese names work too; an unknown name is a
    :class:`MapError` that lists the known ones.

    >>> sorted(parse_classes(["person", " Enterprise", "地点"]))
    ['Enterprise', 'Person', 'Place']
    """
    lookup = {}
    for key, (zh, en, _color, _shape) in CLASS_STYLE.items():
        for name in (key, en, zh, en.replace(" ", "")):
            lookup[name.lower()] = key
    out = set()
    for name in names:
        key = lookup.get(name.strip().lower())
        if key is None:
            raise MapError(f"unknown class {name.strip()!r} (known: {', '.join(CLASS_STYLE)})")
        out.add(key)
    return out


def find_focus(graph: rdflib.Graph, net: nx.MultiDiGraph, name: str) -> list[str]:
    """Network ids of the entities named ``name`` (label or alias; else labels containing it)."""
    from kg.explain import find_nodes

    found = [_node_id(n) for n in find_nodes(graph, name) if _node_id(n) in net]
    if not found:
        found = sorted(n for n, d in net.nodes(data=True)
                       if name == d["label"] or name in d["aliases"])
    if not found:
        raise MapError(f"no entity named {name!r} in the graph")
    return found


def select(net: nx.MultiDiGraph, *, focus: Iterable[str] = (), depth: int = 1,
           classes: set[str] | None = None, max_nodes: int | None = None) -> Selection:
    """The nodes within ``depth`` steps of the ``focus`` ids (all nodes without a focus), of the
    given ``classes`` (focus nodes always stay), at most ``max_nodes`` of them: the most
    connected first (by degree within what is left; ties by label).

    >>> net = nx.MultiDiGraph()
    >>> for i, cls in enumerate(["Person", "GovernmentBody", "Place", "Place"]):
    ...     net.add_node(str(i), label=f"n{i}", cls=cls)
    >>> net.add_edges_from([("0", "1"), ("1", "2"), ("2", "3")])
    [0, 0, 0]
    >>> sorted(select(net, focus=["0"], depth=2).net)
    ['0', '1', '2']
    >>> sel = select(net, classes={"Place"}, max_nodes=1)
    >>> list(sel.net), sel.notes[-1]
    (['2'], '只显示连接最多的 1 个节点（共 2 个） · showing the 1 most connected of 2 nodes')
    """
    if depth < 0:
        raise MapError(f"--depth must be 0 or more, not {depth}")
    focus = list(dict.fromkeys(focus))
    keep = set(net)
    notes = []
    if focus:
        undirected = net.to_undirected(as_view=True)
        keep = set()
        for node in focus:
            keep |= set(nx.single_source_shortest_path_length(undirected, node, cutoff=depth))
        names = "、".join(net.nodes[n]["label"] for n in focus)
        notes.append(f"以 {names} 为中心，{depth} 步以内 · within {depth} step(s) of {names}")
    if classes is not None:
        keep = {n for n in keep if net.nodes[n]["cls"] in classes or n in focus}
        zh = "、".join(CLASS_STYLE[c][0] for c in CLASS_STYLE if c in classes)
        en = ", ".join(CLASS_STYLE[c][1] for c in CLASS_STYLE if c in classes)
        notes.append(f"只显示 {zh} · only {en}")
    if max_nodes is not None and len(keep) > max_nodes:
        sub = net.subgraph(keep)
        ranked = sorted(keep, key=lambda n: (n not in focus, -sub.degree(n), net.nodes[n]["label"], n))
        notes.append(f"只显示连接最多的 {max_nodes:,} 个节点（共 {len(keep):,} 个） · "
                     f"showing the {max_nodes:,} most connected of {len(keep):,} nodes")
        keep = set(ranked[:max_nodes])
    ordered = [n for n in net if n in keep]  # the network's own (deterministic) order
    return Selection(nx.MultiDiGraph(net.subgraph(ordered)), net.number_of_nodes(), focus, notes)


# ---------------------------------------------------------------------------
# networkx → vis-network data
# ---------------------------------------------------------------------------

def _term(node_id: str) -> Node:
    return BNode(node_id[2:]) if node_id.startswith("_:") else URIRef(node_id)


def node_facts(graph: rdflib.Graph, node_id: str) -> dict:
    """The side panel's content for one node, from :func:`kg.explain.explain_node`:
    ``{"docs": [titles], "facts": [[relation, other, "→"|"←", [[sentence, document, date,
    start, end], ...]], ...]}``."""
    from kg.explain import explain_node

    ex = explain_node(graph, _term(node_id))
    return {"docs": ex.documents,
            "facts": [[f.relation, f.other, f.direction,
                       [[s.sentence, s.document, s.date, s.start, s.end] for s in f.sources]]
                      for f in ex.facts]}


def _node_size(degree: int) -> float:
    return round(min(48.0, 10.0 + 5.0 * math.sqrt(degree)), 1)


def _font_size(degree: int) -> int:
    # Hubs get bigger labels, so they stay readable (above vis' draw threshold) zoomed out.
    return round(min(30.0, 12.0 + 2.5 * math.sqrt(degree)))


def _vis_nodes(net: nx.MultiDiGraph, ids: dict[str, int],
               positions: dict[str, tuple[float, float]]) -> list[dict]:
    """vis-network node records; ``kg_*`` fields feed the page's tooltip, search and panel."""
    out = []
    for node, attrs in net.nodes(data=True):
        _zh, _en, color, shape = CLASS_STYLE.get(attrs["cls"], ("", "", "#999999", "dot"))
        item = {"id": ids[node], "label": attrs["label"], "shape": shape, "color": color,
                "size": _node_size(net.degree(node)), "font": {"size": _font_size(net.degree(node))},
                "x": positions[node][0], "y": positions[node][1], "kg_cls": attrs["cls"],
                "kg_zh": attrs["label"], "kg_en": attrs.get("label_en"),
                "kg_py": attrs.get("pinyin"), "kg_aliases": attrs.get("aliases", []),
                "kg_posts": attrs.get("posts", []), "kg_iri": attrs.get("iri")}
        out.append(item)
    return out


def _edge_english(attrs: dict) -> str | None:
    if attrs["relation"] == "post":
        return ROLE_ENGLISH.get(attrs["rel"])
    return REL_ENGLISH.get(attrs["relation"])


def _vis_edges(net: nx.MultiDiGraph, ids: dict[str, int]) -> list[dict]:
    """vis-network edge records. Titles are plain strings: vis-network 9 shows them as text."""
    out = []
    for j, (u, v, attrs) in enumerate(net.edges(data=True)):
        arrow = "\u2194" if attrs.get("symmetric") else "\u2192"
        out.append({"id": j, "from": ids[u], "to": ids[v], "label": attrs["rel"],
                    "title": f"{net.nodes[u]['label']} {arrow} {attrs['rel']} {arrow} {net.nodes[v]['label']}",
                    "arrows": "" if attrs.get("symmetric") else "to",
                    "kg_rel": attrs["relation"], "kg_zh": attrs["rel"], "kg_en": _edge_english(attrs)})
    return out


def _options(n_nodes: int, precomputed: bool) -> dict:
    physics = ({"enabled": False} if precomputed else {
        "enabled": True,
        "solver": "barnesHut",
        "barnesHut": {"gravitationalConstant": -6000, "centralGravity": 0.25,
                      "springLength": 140, "springConstant": 0.04,
                      "damping": 0.35, "avoidOverlap": 0.2},
        "stabilization": {"enabled": True, "iterations": 100, "updateInterval": 25, "fit": True},
    })
    return {
        "physics": physics,
        "layout": {"improvedLayout": False},  # positions come from kg.layout
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": n_nodes > 1000,
                        "hideEdgesOnZoom": n_nodes > 1000},
        "nodes": {"borderWidth": 1,
                  "font": {"size": 14, "face": _FONT_FACE, "color": "#222222",
                           "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"color": {"color": "#9a9a9a", "highlight": "#333333", "hover": "#333333"},
                  "font": {"size": 11, "face": _FONT_FACE, "color": "#555555",
                           "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"},
                  "smooth": ({"enabled": False} if precomputed
                             else {"enabled": True, "type": "continuous"}),
                  "width": 1.2},
    }


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------

_SHAPE_SVG = {
    "dot": '<circle cx="7" cy="7" r="6"/>',
    "square": '<rect x="1.5" y="1.5" width="11" height="11"/>',
    "triangle": '<polygon points="7,1 13,13 1,13"/>',
    "triangleDown": '<polygon points="1,1 13,1 7,13"/>',
    "hexagon": '<polygon points="4,1 10,1 13,7 10,13 4,13 1,7"/>',
    "star": '<polygon points="7,0.5 8.8,5 13.5,5.2 9.8,8.2 11.1,13 7,10.3 2.9,13 4.2,8.2 0.5,5.2 5.2,5"/>',
    "diamond": '<polygon points="7,0.5 13.5,7 7,13.5 0.5,7"/>',
}


def _shape_icon(shape: str, color: str) -> str:
    return (f'<svg class="kg-shape" width="14" height="14" viewBox="0 0 14 14" fill="{color}" '
            f'stroke="#555" stroke-width="1" aria-hidden="true">{_SHAPE_SVG.get(shape, _SHAPE_SVG["dot"])}</svg>')


def _class_filters(net: nx.MultiDiGraph) -> str:
    """The legend: one checkbox per class (shape, colour, names, count) that shows/hides it."""
    counts = Counter(d["cls"] for _, d in net.nodes(data=True))
    items = []
    for key, (zh, en, color, shape) in CLASS_STYLE.items():
        n = counts.get(key, 0)
        items.append(f'<label class="kg-item{"" if n else " kg-none"}"><input type="checkbox" '
                     f'data-kg-class="{key}" checked>{_shape_icon(shape, color)}'
                     f'{html.escape(zh)} {html.escape(en)} <span class="kg-count">{n}</span></label>')
    return "".join(items)


def _relation_filters(net: nx.MultiDiGraph) -> str:
    counts = Counter(d["relation"] for _, _, d in net.edges(data=True))
    return "".join(
        f'<label class="kg-item"><input type="checkbox" data-kg-rel="{key}" checked>'
        f'{html.escape(REL_LABELS[key] if key != "post" else "职务")} {html.escape(REL_ENGLISH[key])} '
        f'<span class="kg-count">{counts[key]}</span></label>'
        for key in REL_LABELS if counts.get(key))


def _header(title: str, selection: Selection) -> str:
    net = selection.net
    if net.number_of_nodes():
        summary = f"{net.number_of_nodes():,} 个节点 nodes · {net.number_of_edges():,} 条关系 edges"
    else:
        summary = ('<b class="kg-empty">图谱为空：没有可显示的实体。'
                   "The graph is empty: there are no entities to show.</b>")
    notes = "".join(f'<div class="kg-note">{html.escape(note)}</div>' for note in selection.notes)
    return f"""<div id="kg-top">
  <div class="kg-row"><h1>{html.escape(title)}</h1>
    <span class="kg-search-box"><input id="kg-search" type="search" autocomplete="off"
      placeholder="搜索名称或别名 Search names / aliases" aria-label="搜索 Search">
      <ul id="kg-results" hidden></ul></span>
    <button id="kg-lang" type="button" title="切换标签语言 Switch label language">English</button>
    <span class="kg-summary">{summary}</span></div>
  <div id="kg-legend" class="kg-row"><span class="kg-what">类别 Classes</span>{_class_filters(net)}</div>
  <div id="kg-relations" class="kg-row"><span class="kg-what">关系 Relations</span>{_relation_filters(net)}</div>
  {notes}
</div>
<aside id="kg-panel" hidden><button id="kg-panel-close" type="button" aria-label="关闭 Close">×</button>
  <div id="kg-panel-body"></div></aside>
"""


def _script_json(value) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` in it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page_data(selection: Selection, ids: dict[str, int], facts: dict, precomputed: bool) -> dict:
    return {"layout": "precomputed" if precomputed else "physics",
            "classes": {k: [zh, en] for k, (zh, en, _c, _s) in CLASS_STYLE.items()},
            "focus": [ids[n] for n in selection.focus if n in ids],
            "facts": {str(ids[n]): f for n, f in facts.items() if n in ids}}


# drawGraph() hooks: before the network is built the page adds DOM tooltips to the records;
# after, it wires the panel, search, filters and the physics stop (kg/resources/viz.js).
_BEFORE_NETWORK = """
                  nodes = new vis.DataSet(kgMap.prepareNodes(nodes.get()));
                  edges = new vis.DataSet(kgMap.prepareEdges(edges.get()));
                  data = {nodes: nodes, edges: edges};
"""
_AFTER_NETWORK = """
                  kgMap.start(network, nodes, edges);
"""


def _pyvis_page(vis_nodes: list[dict], vis_edges: list[dict], options: dict) -> str:
    """pyvis' page with vis-network inlined and every remote tag removed."""
    from pyvis.network import Network  # imported late: pulls in jinja2 and IPython bits

    vis = Network(height="100%", width="100%", directed=True, cdn_resources="in_line",
                  bgcolor="#ffffff", heading="")
    vis.options = options
    # Keep Chinese readable in the file; tojson still escapes < > & ' (htmlsafe).
    vis.templateEnv.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    # Append directly: Network.add_node/add_edge scan lists on every call (O(N·E)).
    vis.nodes, vis.edges = vis_nodes, vis_edges
    vis.node_ids = [n["id"] for n in vis_nodes]
    page = _REMOTE_TAG.sub("", vis.generate_html())
    return _EMPTY_HEADING.sub("", page)


def _render(selection: Selection, facts: dict, title: str,
            positions: dict[str, tuple[float, float]], precomputed: bool) -> str:
    net = selection.net
    ids = {node: i for i, node in enumerate(net)}
    page = _pyvis_page(_vis_nodes(net, ids, positions), _vis_edges(net, ids),
                       _options(net.number_of_nodes(), precomputed))
    if page.count(_NETWORK_CTOR) != 1:
        raise RuntimeError("unexpected pyvis template: cannot find the vis.Network constructor")
    page = page.replace(_NETWORK_CTOR, _BEFORE_NETWORK + "                  " + _NETWORK_CTOR
                        + _AFTER_NETWORK)
    page = page.replace("<html>", '<!DOCTYPE html>\n<html lang="zh-CN">', 1)
    page = page.replace('<meta charset="utf-8">',
                        f'<meta charset="utf-8">\n        <title>{html.escape(title)}</title>', 1)
    injected = (f"<style>{resources.path('viz.css').read_text(encoding='utf-8')}</style>\n"
                + _header(title, selection)
                + f'<script type="application/json" id="kg-data">'
                  f"{_script_json(_page_data(selection, ids, facts, precomputed))}</script>\n"
                + f"<script>{resources.path('viz.js').read_text(encoding='utf-8')}</script>\n")
    page, n_body = re.subn(r"<body>", lambda _m: "<body>\n" + injected, page, count=1)
    if n_body != 1:
        raise RuntimeError("unexpected pyvis template: no <body>")
    if _REMOTE_REF.search(page) is not None:
        raise RuntimeError("the map still references a remote resource")
    return page


def check_map_target(graph: Path, out: Path) -> None:
    """Refuse (:class:`MapError`) a map path that is the input graph itself (also through a link or
    another spelling of the path) or an existing file that is not an HTML page: writing the map would
    replace a file kg did not write.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "g.ttl").write_text("<a:b> <a:c> <a:d> .")
    >>> check_map_target(folder / "g.ttl", folder / "map.html")  # a new file: fine
    >>> try:
    ...     check_map_target(folder / "g.ttl", folder / "." / "g.ttl")
    ... except MapError as exc:
    ...     print("refused")
    refused
    """
    graph, out = Path(graph), Path(out)
    try:
        same = os.path.samefile(graph, out)
    except OSError:
        same = os.path.abspath(graph) == os.path.abspath(out)
    if same:
        raise MapError(f"{out}: is the input graph; give another file for the map (e.g. map.html)")
    if out.is_file():
        try:
            with open(out, "rb") as fh:
                head = fh.read(1024)
        except OSError as exc:
            raise MapError(f"{out}: cannot read it to check it is a map ({exc.strerror or exc})") from None
        start = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
        if not start.startswith((b"<!doctype html", b"<html")):
            raise MapError(f"{out}: exists and is not an HTML page, and the map would replace it: "
                           "give another file (e.g. map.html)")


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


#: Above this many nodes the page gets a layout computed in Python instead of live physics.
LAYOUT_THRESHOLD = 1000
#: Default cap on the nodes of a map (the most connected are kept).
MAX_NODES = 2000


def write_map(graph: rdflib.Graph, path: Path, *, title: str = "政企图谱 Zhengqi KG",
              focus: str | None = None, depth: int = 2, classes: Iterable[str] | None = None,
              max_nodes: int | None = MAX_NODES, layout_threshold: int = LAYOUT_THRESHOLD,
              source: Path | None = None) -> dict:
    """Write the interactive relationship map of ``graph`` to ``path`` (UTF-8 HTML, atomically).

    The page is self-contained (vis-network inlined, no ``http(s)`` ``src``/``href``). Nodes
    are coloured and shaped by class (:data:`CLASS_STYLE`, a legend whose checkboxes filter
    classes) and sized by degree; edges are labelled in Chinese (the role for a post), with a
    toggle to English labels where known. Hovering a node shows its names and class; clicking
    it opens a panel with every fact about it and its evidence sentences (document, date);
    a search box finds names and aliases; relations can be filtered. Up to
    ``layout_threshold`` nodes, physics starts from :func:`kg.layout.force_layout`'s positions,
    runs until stabilised and stops; above, those positions are final (no physics). ``focus`` (a name), ``depth``, ``classes`` and
    ``max_nodes`` (the most connected are kept) choose what is shown; the page says so.

    Returns ``{"nodes", "edges", "total_nodes", "layout"}``; raises :class:`MapError` for an
    unknown class, a focus name that is not in the graph or a negative depth, and, given the graph's
    file as ``source``, for a ``path`` that is that file or an existing file that is not a page
    (:func:`check_map_target`).

    Example::

        >>> import rdflib, tempfile
        >>> from pathlib import Path
        >>> out = Path(tempfile.mkdtemp()) / "map.html"
        >>> write_map(rdflib.Graph(), out)
        {'nodes': 0, 'edges': 0, 'total_nodes': 0, 'layout': 'physics'}
    """
    net = graph_to_network(graph)
    wanted = parse_classes(classes) if classes is not None else None
    focus_ids = find_focus(graph, net, focus) if focus else []
    selection = select(net, focus=focus_ids, depth=depth, classes=wanted, max_nodes=max_nodes)
    shown = selection.net
    precomputed = shown.number_of_nodes() > layout_threshold
    positions = force_layout(shown)  # the final layout, or where physics starts from
    facts = {node: node_facts(graph, node) for node in shown}
    if source is not None:
        check_map_target(source, Path(path))
    _write_atomic(Path(path), _render(selection, facts, title, positions, precomputed))
    return {"nodes": shown.number_of_nodes(), "edges": shown.number_of_edges(),
            "total_nodes": selection.total, "layout": "precomputed" if precomputed else "physics"}
