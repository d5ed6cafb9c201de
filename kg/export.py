"""Exports of a contract graph for the tools researchers use: tables for pandas, R, Stata and
spreadsheets (CSV), networks for Gephi and networkx (GraphML, GEXF), and RDF for other stores
(JSON-LD with a compact context, TriG with one named graph per source document, N-Triples).

One small pure function per format builds the content; :func:`export` writes the files of the
chosen formats into a folder, each atomically (a temp file renamed into place). Output is
deterministic: rows and nodes sorted, ids are the entities' IRIs.

* ``csv``: ``nodes.csv`` (one row per entity or designation: ``id``, ``class``, ``label_zh``,
  ``label_en``, ``pinyin``, ``aliases`` joined by ``|``, ``first_date``/``last_date`` the earliest
  and latest ``dcterms:date`` of the documents that mention it, ``mentions`` the number of those
  documents, ``posts`` the titles held without a named body) and ``edges.csv`` (one row per
  relation *and evidence sentence*: ``source``, ``target``, ``relation``, ``role`` (the title, for
  ``holdsPost``), ``date`` (the document's), ``document`` (its title or file name), ``evidence``
  (the sentence), then ``source_label``, ``target_label``, ``relation_zh``, ``start``, ``end``).
  UTF-8 with a byte-order mark, so Excel shows the Chinese; ``pandas.read_csv`` reads it as it is.
* ``graphml`` / ``gexf``: the network of :func:`research_network` (entities and designations as
  nodes with ``label``, ``label_en``, ``pinyin``, ``class`` …; relations as edges with
  ``relation``, ``label``, ``role``, ``weight`` = number of evidence sentences).
* ``jsonld``: the whole graph, compacted with :data:`JSONLD_CONTEXT` (prefixes and short terms).
* ``trig``: the whole graph split by source document, see :func:`trig_dataset`.
* ``nt``: the whole graph as sorted N-Triples.

Example::

    >>> import rdflib, tempfile
    >>> from kg.ingest import document_from_text
    >>> from kg.pipeline import build_graph
    >>> g = build_graph([document_from_text("市长程宇出席会议。", "a.txt")], fast=True, home_city="辽源市")
    >>> [(r["source_label"], r["role"], r["target_label"]) for r in edge_rows(g)]
    [('程宇', '市长', '辽源市人民政府')]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in export(g, ["csv", "nt"], d)]
    ['nodes.csv', 'edges.csv', 'graph.nt']
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import rdflib
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF

from kg.explain import PAIR_NAMES, Source, statement_sources, sources
from kg.viz import _role_label, graph_to_network
from kg.vocab import KGO, KGR, PREFIXES, bind_prefixes

__all__ = ["FORMATS", "JSONLD_CONTEXT", "NODE_COLUMNS", "EDGE_COLUMNS", "research_network",
           "node_rows", "edge_rows", "csv_bytes", "graphml_bytes", "gexf_bytes", "jsonld_bytes",
           "trig_dataset", "trig_bytes", "nt_bytes", "export", "load_graph"]

NODE_COLUMNS = ("id", "class", "label_zh", "label_en", "pinyin", "aliases",
                "first_date", "last_date", "mentions", "posts")
EDGE_COLUMNS = ("source", "target", "relation", "role", "date", "document", "evidence",
                "source_label", "target_label", "relation_zh", "start", "end")

#: Relation keys of the exports (those of :func:`kg.viz.graph_to_network`, with its ``post``
#: named ``holdsPost`` as in the scorer) → RDF predicate, for the plain triples: locatedIn,
#: undertakes, subOrganizationOf, cooperatesWith, recognizedAs.
STATEMENT_PREDICATES = {str(p).rsplit("#", 1)[-1]: p for p in PAIR_NAMES}
AGREEMENT_RELATIONS = ("party", "signatory", "witness")


# ---------------------------------------------------------------------------
# the network and the tables
# ---------------------------------------------------------------------------

def _document_dates(graph: Graph) -> dict:
    return {d: str(graph.value(d, DCTERMS.date) or "") for d in graph.subjects(RDF.type, KGO.Document)}


def _edge_sources(graph: Graph, u: str, v: str, attrs: dict) -> list[Source]:
    """The evidence behind one network edge (sentences, documents, offsets)."""
    s, o, relation = URIRef(u), URIRef(v), attrs["relation"]
    if relation in STATEMENT_PREDICATES:
        p = STATEMENT_PREDICATES[relation]
        found = statement_sources(graph, s, p, o)
        if attrs.get("symmetric"):
            found += statement_sources(graph, o, p, s)
    elif relation in AGREEMENT_RELATIONS:  # the role's own sentence (a signatory's, a witness's), else the signing's
        found = statement_sources(graph, o, KGO[relation], s) or sources(graph, o)
    else:  # a post: the memberships of u in v with this title
        found = [src for m in graph.subjects(ORG.member, s) if (m, ORG.organization, o) in graph
                 and (_role_label(graph, m) or attrs["rel"]) == attrs["rel"] for src in sources(graph, m)]
    unique = {(x.document, x.start, x.end, x.sentence): x for x in found}
    return [unique[k] for k in sorted(unique, key=lambda k: (k[0], k[1], k[2]))]


def research_network(graph: Graph) -> nx.MultiDiGraph:
    """:func:`kg.viz.graph_to_network` with what researchers tabulate added.

    Nodes gain ``pinyin``, ``first_date``, ``last_date`` (ISO strings or None), ``mentions`` (number
    of documents: ``kgo:mentionedIn``, or for a designation the documents of its evidence) and
    ``documents``; edges gain ``role`` (the title of a post, else None), ``sources`` (a list of
    :class:`kg.explain.Source`) and ``weight`` (number of evidence sentences, at least 1). The
    relation key ``post`` becomes ``holdsPost``.

    >>> from kg.ingest import document_from_text
    >>> from kg.pipeline import build_graph
    >>> g = build_graph([document_from_text("市长程宇出席会议。", "a.txt")], fast=True, home_city="辽源市")
    >>> net = research_network(g)
    >>> [(net.nodes[u]["pinyin"], d["relation"], d["role"], d["weight"]) for u, v, d in net.edges(data=True)]
    [('Cheng Yu', 'holdsPost', '市长', 1)]
    """
    net = graph_to_network(graph)
    dates = _document_dates(graph)
    for node, attrs in net.nodes(data=True):
        subject = URIRef(attrs["iri"])
        docs = set(graph.objects(subject, KGO.mentionedIn))
        if attrs["cls"] == "Designation":
            for st in graph.subjects(RDF.object, subject):
                docs |= {graph.value(ev, PROV.wasDerivedFrom) for ev in graph.objects(st, PROV.wasDerivedFrom)}
            docs.discard(None)
        known = sorted(d for d in (dates.get(doc, "") for doc in docs) if d)
        pinyin = graph.value(subject, KGO.pinyin)
        attrs.update(pinyin=str(pinyin) if pinyin is not None else None,
                     first_date=known[0] if known else None, last_date=known[-1] if known else None,
                     mentions=len(docs), documents=sorted(str(d) for d in docs))
    for u, v, attrs in net.edges(data=True):
        if attrs["relation"] == "post":
            attrs["relation"] = "holdsPost"
        attrs["role"] = attrs["rel"] if attrs["relation"] == "holdsPost" else None
        attrs["sources"] = _edge_sources(graph, u, v, attrs)
        attrs["weight"] = max(1, len(attrs["sources"]))
    return net


def node_rows(graph: Graph, net: nx.MultiDiGraph | None = None) -> list[dict]:
    """One dict per node (columns :data:`NODE_COLUMNS`), sorted by id; lists joined with ``|``."""
    net = research_network(graph) if net is None else net
    rows = []
    for node in sorted(net.nodes):
        a = net.nodes[node]
        rows.append({"id": node, "class": a["cls"], "label_zh": a["label"], "label_en": a["label_en"] or "",
                     "pinyin": a["pinyin"] or "", "aliases": "|".join(a["aliases"]),
                     "first_date": a["first_date"] or "", "last_date": a["last_date"] or "",
                     "mentions": a["mentions"], "posts": "|".join(a["posts"])})
    return rows


def edge_rows(graph: Graph, net: nx.MultiDiGraph | None = None) -> list[dict]:
    """One dict per relation and evidence sentence (columns :data:`EDGE_COLUMNS`), sorted."""
    net = research_network(graph) if net is None else net
    rows = []
    for u, v, a in net.edges(data=True):
        base = {"source": u, "target": v, "relation": a["relation"], "role": a["role"] or "",
                "source_label": net.nodes[u]["label"], "target_label": net.nodes[v]["label"],
                "relation_zh": "任职" if a["relation"] == "holdsPost" else a["rel"]}
        for src in a["sources"] or [None]:
            rows.append({**base, "date": (src.date or "") if src else "", "document": src.document if src else "",
                         "evidence": src.sentence if src else "", "start": src.start if src else "",
                         "end": src.end if src else ""})
    key = lambda r: (r["relation"], r["source"], r["target"], r["role"], r["document"], str(r["start"]).zfill(9))
    return [{c: r[c] for c in EDGE_COLUMNS} for r in sorted(rows, key=key)]


#: First characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a
#: formula: the OWASP "CSV injection" list.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    r"""A CSV cell that no spreadsheet runs as a formula: text starting with ``= + - @``, a tab or a
    carriage return gets a ``'`` in front (the OWASP rule; Excel shows the text, the ``'`` hidden).
    Numbers are left alone.

    >>> csv_cell('=HYPERLINK("http://x","y")'), csv_cell("-1"), csv_cell("程宇"), csv_cell(-1)
    ('\'=HYPERLINK("http://x","y")', "'-1", '程宇', -1)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(rows: list[dict], columns: Iterable[str]) -> bytes:
    """Rows as CSV in UTF-8 with a byte-order mark (RFC 4180 quoting, CRLF line ends); every text
    cell passes through :func:`csv_cell`, so none starts a formula.

    >>> data = csv_bytes([{"a": "程宇", "b": "x,y"}, {"a": "=1+1", "b": "@SUM(A1)"}], ["a", "b"])
    >>> data[:3], data[3:].decode("utf-8").splitlines()
    (b'\\xef\\xbb\\xbf', ['a,b', '程宇,"x,y"', "'=1+1,'@SUM(A1)"])
    >>> data.endswith(b"\\r\\n")
    True
    """
    columns = list(columns)
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({c: csv_cell(row.get(c, "")) for c in columns} for row in rows)
    return buf.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------------------
# networks: GraphML and GEXF
# ---------------------------------------------------------------------------

#: Characters XML 1.0 does not allow anywhere, not even escaped: the C0 controls but tab, line feed
#: and carriage return; lone surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    r"""``value`` with the characters XML 1.0 cannot hold removed (a NUL or an escape code in a name
    would make the whole GraphML/GEXF file unreadable); other values are left alone.

    >>> xml_text("程\x00宇\x1b[31m\ufffe"), xml_text("a\tb\nc"), xml_text(3)
    ('程宇[31m', 'a\tb\nc', 3)
    """
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def _flat_network(net: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with only the scalar attributes GraphML/GEXF can hold (lists joined, None left out),
    every text (ids too) passed through :func:`xml_text`."""
    flat = nx.MultiDiGraph(name="Zhengqi KG")
    for node in sorted(net.nodes):
        a = net.nodes[node]
        values = {"label": a["label"], "label_en": a["label_en"], "pinyin": a["pinyin"], "class": a["cls"],
                  "aliases": "|".join(a["aliases"]) or None, "posts": "|".join(a["posts"]) or None,
                  "first_date": a["first_date"], "last_date": a["last_date"], "mentions": a["mentions"]}
        flat.add_node(xml_text(node), **{k: xml_text(v) for k, v in values.items() if v is not None})
    edges = sorted(net.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[3]["relation"], e[2]))
    for i, (u, v, key, a) in enumerate(edges):
        values = {"id": f"e{i}", "relation": a["relation"], "label": a["rel"], "role": a["role"],
                  "weight": a["weight"], "symmetric": a["symmetric"]}
        flat.add_edge(xml_text(u), xml_text(v), key=xml_text(key),
                      **{k: xml_text(v) for k, v in values.items() if v is not None})
    return flat


def graphml_bytes(net: nx.MultiDiGraph) -> bytes:
    """GraphML of :func:`research_network`'s network (for Gephi, yEd, Cytoscape, igraph, networkx).

    >>> net = nx.MultiDiGraph()
    >>> net.add_node("kgr:a", label="程宇", label_en=None, pinyin="Cheng Yu", cls="Person", aliases=[],
    ...              posts=["市长"], first_date=None, last_date=None, mentions=1)
    >>> back = nx.read_graphml(io.BytesIO(graphml_bytes(net)))
    >>> back.nodes["kgr:a"]["label"], back.nodes["kgr:a"]["class"], back.nodes["kgr:a"]["posts"]
    ('程宇', 'Person', '市长')
    """
    buf = io.BytesIO()
    nx.write_graphml(_flat_network(net), buf, encoding="utf-8", named_key_ids=True)
    return buf.getvalue()


def gexf_bytes(net: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 of the network (Gephi's own format): node ``label`` is the Chinese name, the rest
    are attributes; edge ``weight`` counts evidence sentences. No date stamp, so it is deterministic.
    """
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    meta.attrib.pop("lastmodifieddate", None)
    meta.find("creator").text = "Zhengqi KG (政企图谱)"
    writer.add_graph(_flat_network(net))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------
# RDF: JSON-LD, TriG, N-Triples
# ---------------------------------------------------------------------------

def _term(curie: str, **extra) -> dict:
    return {"@id": curie, **extra}


#: The compact JSON-LD context: the contract's prefixes and short names for its terms. Labels are
#: language maps ({"zh": ..., "en": ...}), texts default to Chinese, IRIs are ``kgr:…`` CURIEs.
JSONLD_CONTEXT: dict = {
    **{p: str(ns) for p, ns in PREFIXES.items()},
    "label": _term("rdfs:label", **{"@container": "@language"}),
    "altLabel": _term("skos:altLabel", **{"@container": "@language"}),
    "pinyin": "kgo:pinyin",
    "text": _term("kgo:text", **{"@language": "zh"}),
    "start": "kgo:start",  # integers as JSON numbers
    "end": "kgo:end",
    "mentionedIn": _term("kgo:mentionedIn", **{"@type": "@id"}),
    "wasDerivedFrom": _term("prov:wasDerivedFrom", **{"@type": "@id"}),
    "title": _term("dcterms:title", **{"@language": "zh"}),
    "source": "dcterms:source",
    "isPartOf": _term("dcterms:isPartOf", **{"@language": "zh"}),
    "member": _term("org:member", **{"@type": "@id"}),
    "role": _term("org:role", **{"@type": "@id"}),
    "organization": _term("org:organization", **{"@type": "@id"}),
    "roleLabel": _term("kgo:roleLabel", **{"@language": "zh"}),
    "asOf": "kgo:asOf",
    "date": "dcterms:date",
    **{name: _term(f"kgo:{name}", **{"@type": "@id"})
       for name in ("locatedIn", "undertakes", "cooperatesWith", "recognizedAs", "party", "signatory", "witness")},
    "subOrganizationOf": _term("org:subOrganizationOf", **{"@type": "@id"}),
    "subject": _term("rdf:subject", **{"@type": "@id"}),
    "predicate": _term("rdf:predicate", **{"@type": "@id"}),
    "object": _term("rdf:object", **{"@type": "@id"}),
}


_ID_TERMS = frozenset(k for k, v in JSONLD_CONTEXT.items() if isinstance(v, dict) and v.get("@type") == "@id")


def _compact_ids(value, prefix: str, curie: str, is_id: bool = False):
    """Entity IRIs (``@id`` values and values of ``@id``-typed terms) as ``kgr:…`` CURIEs, and
    arrays in a stable order; literals are left alone (in place, returned)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k != "@context":
                value[k] = _compact_ids(v, prefix, curie, k == "@id" or k in _ID_TERMS)
        return value
    if isinstance(value, list):
        items = [_compact_ids(v, prefix, curie, is_id) for v in value]
        return sorted(items, key=lambda x: json.dumps(x, ensure_ascii=False, sort_keys=True))
    if is_id and isinstance(value, str) and value.startswith(prefix):
        return curie + value[len(prefix):]
    return value


def jsonld_bytes(graph: Graph) -> bytes:
    """The graph as JSON-LD compacted with :data:`JSONLD_CONTEXT`; rdflib parses it back into an
    isomorphic graph.

    >>> g = Graph()
    >>> _ = g.add((KGR["person/a"], KGO.pinyin, rdflib.Literal("Cheng Yu")))
    >>> doc = json.loads(jsonld_bytes(g))
    >>> doc["@graph"][0] if "@graph" in doc else {k: v for k, v in doc.items() if k != "@context"}
    {'@id': 'kgr:person/a', 'pinyin': 'Cheng Yu'}
    >>> len(Graph().parse(data=jsonld_bytes(g), format="json-ld"))
    1
    """
    text = graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True, use_native_types=True)
    doc = json.loads(text)
    doc = _compact_ids(doc, str(KGR), "kgr:")
    if "@graph" in doc:
        doc["@graph"] = sorted(doc["@graph"], key=lambda n: n.get("@id", ""))
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def trig_dataset(graph: Graph) -> Dataset:
    """The graph as a dataset with one named graph per source document, named by the
    ``kgo:Document``'s IRI. A document's graph holds the document itself, its evidence, the
    ``kgo:mentionedIn`` links to it, and every fact it supports (a post's Membership, an
    agreement's parties, signatories, witnesses and date, a plain triple with its
    ``rdf:Statement``), each fact's ``prov:wasDerivedFrom`` links to this document's evidence
    only. A fact supported by several documents is in each of their graphs. The default graph
    holds what no single document owns: entity descriptions (class, labels, aliases, pinyin),
    roles and designations. The union of all graphs is the input graph.

    >>> from kg.ingest import document_from_text
    >>> from kg.pipeline import build_graph
    >>> g = build_graph([document_from_text("市长程宇出席会议。", "a.txt")], fast=True, home_city="辽源市")
    >>> ds = trig_dataset(g)
    >>> sorted(str(c.identifier).rsplit("/", 1)[-1] for c in ds.graphs() if len(c))
    ['a', 'urn:x-rdflib:default']
    >>> len({t for c in ds.graphs() for t in c}) == len(g)
    True
    """
    documents = set(graph.subjects(RDF.type, KGO.Document))
    evidence_doc = {ev: graph.value(ev, PROV.wasDerivedFrom) for ev in graph.subjects(RDF.type, KGO.Evidence)}
    evidence_doc = {ev: d for ev, d in evidence_doc.items() if d in documents}

    def fact_docs(node) -> set:
        return {evidence_doc[ev] for ev in graph.objects(node, PROV.wasDerivedFrom) if ev in evidence_doc}

    facts = set(graph.subjects(RDF.type, ORG.Membership)) | set(graph.subjects(RDF.type, RDF.Statement))
    agreements = set(graph.subjects(RDF.type, KGO.Agreement))
    agreement_facts = (KGO.party, KGO.signatory, KGO.witness, DCTERMS.date)
    asserted: dict[tuple, set] = {}
    for st in graph.subjects(RDF.type, RDF.Statement):
        key = (graph.value(st, RDF.subject), graph.value(st, RDF.predicate), graph.value(st, RDF.object))
        asserted.setdefault(key, set()).update(fact_docs(st))

    ds = Dataset()
    bind_prefixes(ds)
    named = {d: ds.graph(d) for d in sorted(documents)}
    default = ds.default_graph
    for s, p, o in graph:
        if s in documents:
            where = {s}
        elif s in evidence_doc:
            where = {evidence_doc[s]}
        elif p == KGO.mentionedIn and o in documents:
            where = {o}
        elif p == PROV.wasDerivedFrom and o in evidence_doc:
            where = {evidence_doc[o]}
        elif s in facts or (s in agreements and p in agreement_facts):
            where = fact_docs(s)
        else:
            where = asserted.get((s, p, o), set())
        for d in where or [None]:
            (named[d] if d is not None else default).add((s, p, o))
    return ds


def trig_bytes(graph: Graph) -> bytes:
    """TriG of :func:`trig_dataset`: the default graph first, then the documents' graphs in IRI
    order, each block written by rdflib's (deterministic) Turtle writer."""
    ds = trig_dataset(graph)
    prefixes: set[str] = set()
    blocks = []
    default = ds.default_graph.identifier
    for ctx in sorted(ds.graphs(), key=lambda c: (c.identifier != default, str(c.identifier))):
        if not len(ctx):
            continue
        part = Graph()
        bind_prefixes(part)
        for t in ctx:
            part.add(t)
        body = []
        for line in part.serialize(format="turtle").splitlines():
            (prefixes.add(line) if line.startswith("@prefix") else body.append(line))
        inner = "\n".join(body).strip("\n")  # not indented: multi-line literals must stay as they are
        name = "" if ctx.identifier == default else ctx.identifier.n3() + " "
        blocks.append(f"{name}{{\n{inner}\n}}\n")
    return ("\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)).encode("utf-8")


def nt_bytes(graph: Graph) -> bytes:
    """N-Triples, one triple a line, lines sorted (diff-friendly, loads anywhere).

    >>> g = Graph()
    >>> _ = g.add((KGR.b, KGO.pinyin, rdflib.Literal("Wu Bilei"))).add((KGR.a, KGO.pinyin, rdflib.Literal("Cheng Yu")))
    >>> print(nt_bytes(g).decode())
    <https://w3id.org/zhengqi/id/a> <https://w3id.org/zhengqi/ontology#pinyin> "Cheng Yu" .
    <https://w3id.org/zhengqi/id/b> <https://w3id.org/zhengqi/ontology#pinyin> "Wu Bilei" .
    <BLANKLINE>
    """
    lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return "".join(line + "\n" for line in sorted(set(lines)) if line.strip()).encode("utf-8")


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------

#: Format → the files it writes.
FORMATS: dict[str, tuple[str, ...]] = {
    "csv": ("nodes.csv", "edges.csv"),
    "graphml": ("graph.graphml",),
    "gexf": ("graph.gexf",),
    "jsonld": ("graph.jsonld",),
    "trig": ("graph.trig",),
    "nt": ("graph.nt",),
}


def export(graph: Graph, formats: Iterable[str], out_dir: str | Path) -> list[Path]:
    """Write the files of ``formats`` (keys of :data:`FORMATS`) into ``out_dir``, all or none: every file
    is staged beside its target and they are renamed in together (:class:`kg.atomic.Outputs`), so a
    failure part way leaves the previous export as it was. Returns their paths in the order written.
    Raises ValueError for an unknown format."""
    from kg.atomic import Outputs, write_atomic

    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {unknown[0]!r} (one of {', '.join(FORMATS)})")
    out = Path(out_dir)
    net = research_network(graph) if {"csv", "graphml", "gexf"} & set(formats) else None
    content = {
        "csv": lambda: [csv_bytes(node_rows(graph, net), NODE_COLUMNS), csv_bytes(edge_rows(graph, net), EDGE_COLUMNS)],
        "graphml": lambda: [graphml_bytes(net)],
        "gexf": lambda: [gexf_bytes(net)],
        "jsonld": lambda: [jsonld_bytes(graph)],
        "trig": lambda: [trig_bytes(graph)],
        "nt": lambda: [nt_bytes(graph)],
    }
    written = []
    with Outputs() as outputs:
        for fmt in formats:
            for name, data in zip(FORMATS[fmt], content[fmt]()):
                write_atomic(outputs.stage(out / name), data)
                written.append(out / name)
    return written


def load_graph(path: str | Path) -> Graph:
    """Parse an RDF file (Turtle unless the extension says N-Triples, RDF/XML, JSON-LD, N3 …).
    Raises OSError or a parser error (ValueError, SyntaxError …) for what is not RDF."""
    path = Path(path)
    fmt = rdflib.util.guess_format(str(path)) or "turtle"
    graph = Graph()
    bind_prefixes(graph)
    graph.parse(path, format=fmt)
    return graph
