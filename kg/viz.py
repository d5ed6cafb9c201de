"""The interactive relationship map (关系图) of a contract graph, fully offline.

Two steps:

* :func:`graph_to_network` turns an rdflib graph in the contract vocabulary
  (``shared/SCHEMA.md``) into a :class:`networkx.MultiDiGraph` of entities and the
  relations between them (pure; no I/O);
* :func:`write_map` renders that network with pyvis / vis-network 9.1.2 into one
  self-contained HTML file: the library is inlined, every remote ``<link>`` /
  ``<script>`` of pyvis' template (Bootstrap) is removed, so opening the page makes
  no network request.

Names come from untrusted documents. Everything the page interprets as HTML (node
and edge tooltips, the legend, the page title) is built with :func:`html.escape`;
the node/edge data is embedded as JSON by Jinja's ``tojson`` filter, which also
escapes ``<``, ``>``, ``&`` and ``'``, so no name can close a ``<script>``. Canvas
labels are drawn as plain text by vis-network (no ``font.multi``), so they keep the
name as written.

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
import math
import os
import re
import tempfile
from pathlib import Path

import networkx as nx
import rdflib
from rdflib.namespace import ORG, RDF, RDFS, SKOS
from rdflib.term import BNode, Literal, Node

from kg.vocab import ENTITY_CLASSES, KGO

__all__ = ["graph_to_network", "write_map", "CLASS_STYLE", "REL_LABELS"]

#: Class → (Chinese name, English name, colour). Chinese names follow the ontology's
#: ``rdfs:label@zh``; colours are Tableau 10 (distinct, readable on white).
CLASS_STYLE: dict[str, tuple[str, str, str]] = {
    "Person": ("人物", "Person", "#E15759"),
    "Enterprise": ("企业", "Enterprise", "#4E79A7"),
    "GovernmentBody": ("党政机关", "Government body", "#F28E2B"),
    "Institution": ("机构", "Institution", "#76B7B2"),
    "IndustrialPark": ("产业园区", "Industrial park", "#59A14F"),
    "Project": ("项目", "Project", "#EDC948"),
    "Place": ("地点", "Place", "#B07AA1"),
    "Agreement": ("协议", "Agreement", "#FF9DA7"),
    "Designation": ("认定称号", "Designation", "#9C755F"),
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


def _add_entity(net: nx.MultiDiGraph, graph: rdflib.Graph, subject: Node, cls: str) -> None:
    label = _pick_label(graph, subject) or _local_name(subject)
    aliases = sorted({str(a) for a in graph.objects(subject, SKOS.altLabel)
                      if isinstance(a, Literal) and str(a) != label})
    net.add_node(_node_id(subject), label=label, label_en=_english_label(graph, subject),
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
    ``label_en`` (``rdfs:label@en`` or None), ``aliases`` (sorted ``skos:altLabel``s),
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
                         label_en=_english_label(graph, o), aliases=[],
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
# networkx → HTML
# ---------------------------------------------------------------------------

def _class_name(cls: str) -> str:
    zh, en, _ = CLASS_STYLE.get(cls, (cls, cls, "#999999"))
    return f"{zh} ({en})"


def _node_title(attrs: dict) -> str:
    """Tooltip HTML for a node; every value from the graph is escaped."""
    e = html.escape
    parts = [f"<b>{e(attrs['label'])}</b>"]
    if attrs.get("label_en"):
        parts.append(e(attrs["label_en"]))
    parts.append(f"类别 Class: {e(_class_name(attrs['cls']))}")
    if attrs.get("aliases"):
        parts.append("别名 Aliases: " + e("、".join(attrs["aliases"])))
    if attrs.get("posts"):
        parts.append("职务 Posts: " + e("、".join(attrs["posts"])))
    if attrs.get("iri"):
        parts.append(f'<span style="color:#888;font-size:11px">{e(attrs["iri"])}</span>')
    return "<br>".join(parts)


def _defang(title: str) -> str:
    # pyvis switches its template to a raw innerHTML popup when a title contains
    # "href"; an entity named so must not trigger it. &#102; renders as "f".
    return title.replace("href", "hre&#102;")


def _options(n_nodes: int) -> dict:
    return {
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -6000, "centralGravity": 0.25,
                          "springLength": 140, "springConstant": 0.04,
                          "damping": 0.35, "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": 200,
                              "updateInterval": 25, "fit": True},
        },
        "layout": {"improvedLayout": n_nodes <= 300},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": n_nodes > 1000},
        "nodes": {"shape": "dot", "borderWidth": 1,
                  "font": {"size": 14, "face": _FONT_FACE, "color": "#222222",
                           "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"color": {"color": "#9a9a9a", "highlight": "#333333", "hover": "#333333"},
                  "font": {"size": 11, "face": _FONT_FACE, "color": "#555555",
                           "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"},
                  "smooth": {"enabled": True, "type": "continuous"},
                  "width": 1.2},
    }


def _legend(title: str, n_nodes: int, n_edges: int) -> str:
    items = "".join(
        f'<span class="kg-item"><span class="kg-dot" style="background:{color}"></span>'
        f"{html.escape(zh)} {html.escape(en)}</span>"
        for zh, en, color in CLASS_STYLE.values())
    if n_nodes:
        summary = f"{n_nodes} 个节点 nodes · {n_edges} 条关系 edges"
    else:
        summary = ('<b class="kg-empty">图谱为空：没有可显示的实体。'
                   "The graph is empty: there are no entities to show.</b>")
    return f"""
<style>
  body {{ font-family: {_FONT_FACE}; margin: 8px; }}
  #kg-legend {{ margin: 0 0 8px 0; font-size: 13px; line-height: 1.8; }}
  #kg-legend h1 {{ font-size: 20px; margin: 0 0 4px 0; }}
  #kg-legend .kg-item {{ display: inline-block; margin-right: 14px; white-space: nowrap; }}
  #kg-legend .kg-dot {{ display: inline-block; width: 12px; height: 12px; border-radius: 50%;
                        margin-right: 4px; vertical-align: -1px; border: 1px solid #666; }}
  #kg-legend .kg-summary {{ color: #555; }}
  #kg-legend .kg-empty {{ color: #b00; }}
  div.vis-tooltip {{ font-family: {_FONT_FACE}; max-width: 420px; white-space: normal; }}
</style>
<div id="kg-legend">
  <h1>{html.escape(title)}</h1>
  <div class="kg-classes">{items}</div>
  <div class="kg-summary">{summary}</div>
</div>
"""


# Runs inside drawGraph(), around the network's construction: titles (escaped HTML
# built in Python) become DOM elements, because vis-network 9 shows string titles
# as plain text; physics stops once stabilisation is done, so the map stays still.
_BEFORE_NETWORK = """
                  function kgHtmlTitles(items) {
                      return items.map(function (item) {
                          if (typeof item.title === "string") {
                              var div = document.createElement("div");
                              div.innerHTML = item.title;  // escaped in Python (kg.viz)
                              item.title = div;
                          }
                          return item;
                      });
                  }
                  nodes = new vis.DataSet(kgHtmlTitles(nodes.get()));
                  edges = new vis.DataSet(kgHtmlTitles(edges.get()));
                  data = {nodes: nodes, edges: edges};
"""
_AFTER_NETWORK = """
                  (function (net) {
                      var stopped = false;
                      function stopPhysics() {
                          if (stopped) { return; }
                          stopped = true;
                          net.setOptions({physics: {enabled: false}});
                      }
                      net.once("stabilizationIterationsDone", stopPhysics);
                      net.once("stabilized", stopPhysics);
                  })(network);
"""


def _render(net: nx.MultiDiGraph, title: str) -> str:
    from pyvis.network import Network  # imported late: pulls in jinja2 and IPython bits

    vis = Network(height="80vh", width="100%", directed=True, cdn_resources="in_line",
                  bgcolor="#ffffff", heading="")
    vis.options = _options(net.number_of_nodes())
    # Keep Chinese readable in the file; tojson still escapes < > & ' (htmlsafe).
    vis.templateEnv.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    # Append directly: Network.add_node/add_edge scan lists on every call (O(N·E)).
    ids = {}
    for i, (node, attrs) in enumerate(net.nodes(data=True)):
        ids[node] = i
        color = CLASS_STYLE.get(attrs["cls"], ("", "", "#999999"))[2]
        size = min(48.0, 10.0 + 5.0 * math.sqrt(net.degree(node)))
        vis.nodes.append({"id": i, "label": attrs["label"], "title": _defang(_node_title(attrs)),
                          "color": color, "size": round(size, 1)})
    for j, (u, v, attrs) in enumerate(net.edges(data=True)):
        lu, lv = net.nodes[u]["label"], net.nodes[v]["label"]
        arrow = "\u2194" if attrs.get("symmetric") else "\u2192"
        edge_title = html.escape(f"{lu} {arrow} {attrs['rel']} {arrow} {lv}")
        vis.edges.append({"id": j, "from": ids[u], "to": ids[v], "label": attrs["rel"],
                          "title": _defang(edge_title),
                          "arrows": "" if attrs.get("symmetric") else "to"})
    vis.node_ids = list(range(len(vis.nodes)))

    page = vis.generate_html()
    page = _REMOTE_TAG.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    if page.count(_NETWORK_CTOR) != 1:
        raise RuntimeError("unexpected pyvis template: cannot find the vis.Network constructor")
    page = page.replace(_NETWORK_CTOR, _BEFORE_NETWORK + "                  " + _NETWORK_CTOR
                        + _AFTER_NETWORK)
    page = page.replace("<html>", '<!DOCTYPE html>\n<html lang="zh-CN">', 1)
    page = page.replace('<meta charset="utf-8">',
                        f'<meta charset="utf-8">\n        <title>{html.escape(title)}</title>', 1)
    page, n_body = re.subn(r"<body>", "<body>" + _legend(title, net.number_of_nodes(),
                                                         net.number_of_edges()), page, count=1)
    if n_body != 1:
        raise RuntimeError("unexpected pyvis template: no <body>")
    if _REMOTE_REF.search(page) is not None:
        raise RuntimeError("the map still references a remote resource")
    return page


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


def write_map(graph: rdflib.Graph, path: Path, *, title: str = "政企图谱 Zhengqi KG") -> dict:
    """Write the interactive relationship map of ``graph`` to ``path`` (UTF-8 HTML).

    The page is self-contained (vis-network inlined, no ``http(s)`` ``src``/``href``),
    nodes are coloured by class (:data:`CLASS_STYLE`, shown in a legend) and sized by
    degree, hovering shows the names, class, aliases and posts, edges are labelled
    in Chinese (the role for a post). Physics (barnesHut) runs until stabilised (at
    most 200 iterations) and then stops. An empty graph gives a page that says so.
    The file is replaced atomically. Returns ``{"nodes": n, "edges": m}``.

    Example::

        >>> import rdflib, tempfile
        >>> from pathlib import Path
        >>> out = Path(tempfile.mkdtemp()) / "map.html"
        >>> write_map(rdflib.Graph(), out)
        {'nodes': 0, 'edges': 0}
    """
    net = graph_to_network(graph)
    page = _render(net, title)
    _write_atomic(Path(path), page)
    return {"nodes": net.number_of_nodes(), "edges": net.number_of_edges()}
