"""Writing a big graph: triples streamed as N-Triples, loaded into the pyoxigraph store, dumped as Turtle.

rdflib holds a graph as Python objects (about 1 KB a triple) and its Turtle serializer slows down faster
than linearly with the graph (rdflib issue 2135): 34 s for a million triples. Here the
:class:`~kg.graph.GraphBuilder` streams its triples, document by document, into an N-Triples file
(:class:`NTriplesSink`; nothing of the graph stays in memory), pyoxigraph bulk-loads that file into the
on-disk store (the one ``kg query`` and ``kg serve`` read, so it is built once) and writes the Turtle
from the store in under a second a million triples. The store keeps the triples in its key order, so the
Turtle is the same bytes for the same graph, whatever order the triples came in (how many workers,
which documents first).

>>> from kg.ingest import document_from_text
>>> from kg.pipeline import extract_all
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> facts = extract_all([document_from_text("市长程宇出席会议。", "a.txt")], fast=True, home_city="辽源市")
>>> summary = write_graph(facts, out / "graph.ttl")
>>> summary.classes["Person"], (out / "graph.ttl").read_text(encoding="utf-8").count('"程宇"@zh')
(1, 1)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF

RDF_TYPE = RDF.type

from kg.vocab import PREFIXES

# Prefixes of the Turtle. kgr: is left out on purpose: the entities' local names hold a slash
# (person/b67011469a39), which Turtle can only write escaped (kgr:person\/b67011469a39), so full IRIs
# read better, as rdflib wrote them before.
TURTLE_PREFIXES = {name: str(ns) for name, ns in PREFIXES.items() if name != "kgr"}

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def nt_term(term) -> str:
    """One term in N-Triples syntax (IRIs and literals: the graph has no blank nodes).

    >>> from rdflib.namespace import XSD
    >>> nt_term(Literal('他说"好"\\n', lang="zh")), nt_term(Literal(3)), nt_term(URIRef("https://x/a"))
    ('"他说\\\\"好\\\\"\\\\n"@zh', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>', '<https://x/a>')
    """
    kind = type(term)  # exact types first: isinstance on rdflib's terms goes through abc, 3x slower
    if kind is URIRef or (kind is not Literal and isinstance(term, URIRef)):
        return "<" + str(term) + ">"
    if kind is Literal or isinstance(term, Literal):
        text = '"' + str(term).translate(_ESCAPES) + '"'
        if term.language:
            return text + "@" + term.language
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return text + "^^<" + str(term.datatype) + ">"
        return text
    raise TypeError(f"cannot write {term!r} as N-Triples (no blank nodes in this graph)")


class NTriplesSink:
    """Where :class:`~kg.graph.GraphBuilder` streams triples: one N-Triples line each, to a file.

    Lines may repeat (a statement or an evidence node cited again); the store keeps each triple once.
    With ``index=True`` it also remembers the ``prov:wasDerivedFrom`` links and answers the few
    look-ups :func:`kg.curation.record_curation` makes (``subjects``, ``objects``, ``in``), so curation
    works on a streamed graph too; nothing else can be asked of it."""

    def __init__(self, path: Path, index: bool = False) -> None:
        self.path = Path(path)
        self._fh = open(self.path, "w", encoding="utf-8", newline="\n")
        self.lines = 0
        self._derived: dict | None = {} if index else None

    def add(self, triple) -> None:
        s, p, o = triple
        self._fh.write(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n")
        self.lines += 1
        if self._derived is not None and p == PROV.wasDerivedFrom:
            self._derived.setdefault(s, set()).add(o)

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    # ------------------------------------------------- the look-ups curation makes
    def _index(self, predicate) -> dict:
        if self._derived is None or predicate not in (PROV.wasDerivedFrom, None):
            raise NotImplementedError("a streamed graph answers only prov:wasDerivedFrom look-ups "
                                      "(NTriplesSink(index=True))")
        return self._derived

    def subjects(self, predicate=None, object=None):
        index = self._index(predicate)
        return [s for s, objs in list(index.items()) if object is None or object in objs]

    def objects(self, subject=None, predicate=None):
        index = self._index(predicate)
        if subject is None:
            return [o for objs in list(index.values()) for o in objs]
        return list(index.get(subject, ()))

    def __contains__(self, triple) -> bool:
        s, p, o = triple
        objs = self._index(p).get(s, set())
        return bool(objs) if o is None else o in objs


@dataclass
class GraphSummary:
    """What the build reports: the triples in the store, entities per class, facts per relation."""

    triples: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)
    graph: object = None  # for the map: an rdflib Graph without the documents' text (see write_graph)


def write_graph(all_facts, ttl_path: Path, store_path: Path | None = None, curation=None,
                map_graph_up_to: int = 0) -> GraphSummary:
    """Facts of all documents → ``ttl_path`` (Turtle) and, when ``store_path`` is given, the pyoxigraph
    store there (a folder this creates; otherwise a temporary one is used and removed). The caller makes
    the outputs atomic (write to temporary paths, rename them in): see :class:`kg.atomic.Outputs`.

    With ``map_graph_up_to``, a graph of at most that many triples also comes back as ``summary.graph``
    (rdflib, for :func:`kg.viz.write_map`), taken from the store without the documents' ``kgo:text``,
    which the map never shows and which made reading the Turtle back slow (7 s of a 64 MB build)."""
    from kg.pipeline import graph_from_facts

    ttl_path = Path(ttl_path)
    scratch = Path(tempfile.mkdtemp(prefix=".kg-build.", dir=ttl_path.parent))
    try:
        sink = NTriplesSink(scratch / "graph.nt", index=curation is not None)
        try:
            graph_from_facts(all_facts, curation, sink=sink)
        finally:
            sink.close()
        return turtle_from_ntriples(sink.path, ttl_path,
                                    Path(store_path) if store_path is not None else scratch / "store",
                                    map_graph_up_to)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def turtle_from_ntriples(nt_path: Path, ttl_path: Path, store_dir: Path, map_graph_up_to: int = 0) -> GraphSummary:
    """Load an N-Triples file (any order, repeats allowed) into a new store at ``store_dir``, remove the
    file, write the Turtle from the store and count what the build reports. The same triples give the
    same Turtle bytes: the store is read in its key order, which does not depend on the loading order."""
    import pyoxigraph as ox

    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(nt_path), format=ox.RdfFormat.N_TRIPLES)
    os.unlink(nt_path)
    # the dump runs in Rust without the GIL: on a thread, beside the counting and the map's graph here
    with ThreadPoolExecutor(max_workers=1) as pool:
        dumped = pool.submit(store.dump, output=str(ttl_path), format=ox.RdfFormat.TURTLE,
                             from_graph=ox.DefaultGraph(), prefixes=TURTLE_PREFIXES)
        summary = summarize(store)
        if summary.triples <= map_graph_up_to:
            summary.graph = rdflib_graph(store, without_document_text=True)
        dumped.result()
    store.flush()
    del store
    return summary


def rdflib_graph(store, without_document_text: bool = False):
    """The store's default graph as an rdflib Graph (the contract's prefixes bound), optionally without the
    ``kgo:text`` of ``kgo:Document`` s (evidence sentences stay)."""
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.vocab import KGO, bind_prefixes

    skip = set()
    if without_document_text:
        doc_class, text = ox.NamedNode(str(KGO.Document)), ox.NamedNode(str(KGO.text))
        skip = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(str(RDF_TYPE)), doc_class)}
    g = Graph()
    bind_prefixes(g)
    add = g.add
    terms: dict = {}

    def term(t):
        got = terms.get(t)
        if got is None:
            if isinstance(t, ox.Literal):
                dt = t.datatype.value
                got = Literal(t.value, lang=t.language) if t.language else \
                    Literal(t.value, datatype=None if dt == _XSD_STRING else URIRef(dt))
            else:
                got = URIRef(t.value)  # no blank nodes in this graph
            if len(terms) < 1_000_000:
                terms[t] = got
        return got

    for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        if skip and q.subject in skip and q.predicate == text:
            continue
        add((term(q.subject), term(q.predicate), term(q.object)))
    return g


def summarize(store) -> GraphSummary:
    """Counts for the build's table, by SPARQL on the store (what ``kg build`` printed from rdflib)."""
    from kg.graph import PAIR_PREDICATES
    from kg.vocab import ENTITY_CLASSES, KGO

    def count(query: str) -> int:
        for row in store.query(query):
            return int(row[0].value)
        return 0

    summary = GraphSummary(triples=len(store))
    for cls in ENTITY_CLASSES:
        summary.classes[cls] = count(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{KGO[cls]}> }}")
    summary.relations["holdsPost (org:Membership)"] = count(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <http://www.w3.org/ns/org#Membership> }")
    for name, pred in {**PAIR_PREDICATES, "recognizedAs": KGO.recognizedAs}.items():
        summary.relations[name] = count(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ ?s <{pred}> ?o }} }}")
    return summary
