"""The embedded SPARQL store: pyoxigraph, in memory or persisted on disk, with the contract's
prefixes predeclared so researchers can write ``kgo:Person`` without a PREFIX line.

>>> store = memory_store_from_turtle(b'<https://w3id.org/zhengqi/id/p> a <https://w3id.org/zhengqi/ontology#Person> .')
>>> result = run_query(store, "SELECT ?p WHERE { ?p a kgo:Person }")
>>> result.kind, [row[0] for row in result.rows]
('select', ['https://w3id.org/zhengqi/id/p'])
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg.vocab import PREFIXES

QUERY_PREFIXES = {name: str(ns) for name, ns in PREFIXES.items()}
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")

RESULT_FORMATS = {
    "json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (ox.QueryResultsFormat.CSV, "text/csv"),
    "tsv": (ox.QueryResultsFormat.TSV, "text/tab-separated-values"),
}
GRAPH_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),  # through rdflib: pyoxigraph 0.5 writes JSON-LD only as a preview
}


class QueryError(Exception):
    """A malformed query or one the store refuses (the parser's message is the text)."""


class QueryTimeout(Exception):
    """The query's deadline passed while its results were being read."""


@dataclass
class QueryResult:
    kind: str  # select, ask, graph
    variables: list[str] = field(default_factory=list)
    rows: list[list[str | None]] = field(default_factory=list)  # plain values, for tables
    boolean: bool | None = None
    raw: object = None  # the pyoxigraph result, for serialising

    def serialize(self, fmt: str) -> tuple[bytes, str]:
        """Bytes and media type in a SPARQL results format (select/ask) or an RDF format (graph)."""
        if self.kind == "graph":
            return serialize_triples(self.raw, fmt)
        if fmt not in RESULT_FORMATS:
            raise QueryError(f"unknown result format {fmt!r} (json, xml, csv, tsv)")
        ox_fmt, media = RESULT_FORMATS[fmt]
        if self.kind == "ask":
            return _ask_bytes(self.boolean, fmt), media
        return _solutions_bytes(self.variables, self.raw, ox_fmt), media


def _ask_bytes(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return ('{"head":{},"boolean":%s}' % ("true" if value else "false")).encode()
    if fmt == "xml":
        return ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f'<boolean>{"true" if value else "false"}</boolean></sparql>').encode()
    return ("true\n" if value else "false\n").encode()


def _solutions_bytes(variables: list[str], solutions: list, ox_fmt) -> bytes:
    """Re-serialise materialised solutions (pyoxigraph results are single-pass iterators)."""
    store = ox.Store()  # pyoxigraph cannot build solutions by hand: serialise through a VALUES query
    if not solutions:
        query = "SELECT " + (" ".join("?" + v for v in variables) or "*") + " WHERE { FILTER(false) }"
        return store.query(query).serialize(format=ox_fmt)
    rows = []
    for sol in solutions:
        rows.append("(" + " ".join(_term_sparql(sol[i]) for i in range(len(variables))) + ")")
    query = ("SELECT " + " ".join("?" + v for v in variables) + " WHERE { VALUES ("
             + " ".join("?" + v for v in variables) + ") { " + " ".join(rows) + " } }")
    return store.query(query).serialize(format=ox_fmt)


def _term_sparql(term) -> str:
    if term is None:
        return "UNDEF"
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"<urn:bnode:{term.value}>"
    return str(term)  # Literal.__str__ is its N-Triples form


def serialize_triples(triples: list, fmt: str) -> tuple[bytes, str]:
    if fmt not in GRAPH_FORMATS:
        raise QueryError(f"unknown graph format {fmt!r} (turtle, nt, jsonld)")
    ox_fmt, media = GRAPH_FORMATS[fmt]
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if ox_fmt is ox.RdfFormat.N_TRIPLES:
        return nt, media
    from rdflib import Graph

    from kg.vocab import bind_prefixes

    g = Graph()
    bind_prefixes(g)
    g.parse(data=nt.decode("utf-8"), format="nt")
    if fmt == "jsonld":
        return g.serialize(format="json-ld", encoding="utf-8", auto_compact=True), media
    return g.serialize(format="turtle", encoding="utf-8"), media


# ------------------------------------------------------------------ stores

def memory_store_from_turtle(data: bytes) -> ox.Store:
    store = ox.Store()
    store.bulk_load(input=data, format=ox.RdfFormat.TURTLE)
    return store


def memory_store(graph_path: Path) -> ox.Store:
    """An in-memory store of a Turtle (or N-Triples) file."""
    fmt = ox.RdfFormat.N_TRIPLES if graph_path.suffix == ".nt" else ox.RdfFormat.TURTLE
    store = ox.Store()
    store.bulk_load(path=str(graph_path), format=fmt)
    return store


def build_store(graph_path: Path, store_dir: Path) -> int:
    """Load a graph file into a persistent store at ``store_dir``, swapped in only when complete
    (a failed load leaves the previous store as it was). Returns the number of triples.

    Only a new or empty folder or a store kg made is replaced (:func:`kg.outdir.check_store_target`,
    else :class:`kg.outdir.FolderError`); the new store is marked as kg's (``.kg-store``)."""
    from kg.outdir import check_store_target, mark_store

    check_store_target(store_dir)
    store_dir = store_dir.resolve()
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}.", dir=store_dir.parent))
    try:
        store = ox.Store(str(tmp))
        fmt = ox.RdfFormat.N_TRIPLES if graph_path.suffix == ".nt" else ox.RdfFormat.TURTLE
        store.bulk_load(path=str(graph_path), format=fmt)
        store.flush()
        n = len(store)
        del store
        mark_store(tmp)
        old = store_dir.with_name(f".{store_dir.name}.{secrets.token_hex(4)}.old")
        if store_dir.exists():
            store_dir.rename(old)
        tmp.rename(store_dir)
        shutil.rmtree(old, ignore_errors=True)
        return n
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def open_store(store_dir: Path) -> ox.Store:
    """Open a persisted store read-only."""
    if not (store_dir / "CURRENT").is_file():
        raise OSError(f"{store_dir}: not a store (build one with: kg load GRAPH --store {store_dir})")
    try:
        return ox.Store.read_only(str(store_dir))
    except OSError as exc:
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise OSError(f"{store_dir}: cannot open the store ({detail})") from None


# ------------------------------------------------------------------ queries

def is_update(query: str) -> bool:
    """True for SPARQL Update (INSERT, DELETE, LOAD …), which the store and endpoint refuse.

    >>> is_update("PREFIX x: <y> INSERT DATA { <a> <b> <c> }"), is_update("SELECT * { ?s ?p ?o }")
    (True, False)
    """
    import re

    body = re.sub(r"#[^\r\n]*", " ", query)
    body = re.sub(r"(?is)^\s*((PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*", "", body)
    first = body.strip().split(None, 1)[0].upper() if body.strip() else ""
    return first in UPDATE_WORDS or first == "WITH"


def normalise_newlines(query: str) -> str:
    r"""CR LF and a lone CR become LF. SPARQL ends a ``#`` comment at either; rdflib's parser only at LF,
    so the query that is checked and the one that runs are made the same text first.

    >>> normalise_newlines("SELECT * { # x\rSERVICE <a> {} }\r\n")
    'SELECT * { # x\nSERVICE <a> {} }\n'
    """
    return query.replace("\r\n", "\n").replace("\r", "\n")


_PARSER_LOCK = threading.Lock()


@lru_cache(maxsize=512)
def find_service(query: str) -> str | None:
    """The target of the first SERVICE clause anywhere in the parsed query (``<IRI>`` or ``?var``), else
    None. The query is parsed with rdflib's SPARQL parser (after :func:`normalise_newlines`: run the same
    text); one it cannot parse raises :class:`QueryError` (the endpoint refuses what it cannot check).

    >>> find_service("ASK { FILTER NOT EXISTS { SELECT * { service silent <http://h/> { ?s ?p ?o } } } }")
    '<http://h/>'
    >>> find_service("SELECT ?service { ?service rdfs:label 'SERVICE' } # SERVICE <x> {}") is None
    True
    """
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    try:
        with _PARSER_LOCK:  # pyparsing grammars are not thread-safe: one parse at a time
            from rdflib.plugins.sparql.parser import parseQuery

            tree = parseQuery(normalise_newlines(query))
    except Exception as exc:  # pyparsing's ParseException and friends: the query does not parse
        raise QueryError(_first_line(exc)) from None
    stack: list = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            term = node.get("term")
            return f"?{term}" if isinstance(term, Variable) else f"<{term}>"
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)
    return None


def uses_service(query: str) -> bool:
    r"""True when the parsed query has a SERVICE clause anywhere (pyoxigraph would send an HTTP request for
    it); a query that does not parse raises :class:`QueryError`.

    >>> uses_service("SELECT * WHERE { # x\rSERVICE <http://127.0.0.1:8890/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service("SELECT ?service { ?service rdfs:label 'SERVICE' } # service")
    False
    """
    return find_service(query) is not None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _engine_error(exc: BaseException) -> bool:
    """An error pyoxigraph raises while evaluating (RuntimeError, ValueError …, or a Rust panic, which
    pyo3 raises as a BaseException): the query failed, the process is fine."""
    return isinstance(exc, (RuntimeError, ValueError, TypeError)) or type(exc).__name__ == "PanicException"


def run_query(store: ox.Store, query: str, limit: int | None = None, deadline: float | None = None) -> QueryResult:
    """Run a SELECT/ASK/CONSTRUCT/DESCRIBE query; ``limit`` caps the rows materialised; past ``deadline``
    (a :func:`time.monotonic` time) reading the results stops with :class:`QueryTimeout`. Any error of the
    engine (a malformed query, ``SERVICE ?unbound`` …) is a :class:`QueryError` with one line."""
    import time

    if is_update(query):
        raise QueryError("SPARQL Update is not allowed: the store is read-only")
    try:
        result = store.query(query, prefixes=QUERY_PREFIXES)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(result))
        if isinstance(result, ox.QueryTriples):
            triples = []
            for t in result:
                triples.append(t)
                if limit is not None and len(triples) >= limit:
                    break
                if deadline is not None and not len(triples) % 256 and time.monotonic() > deadline:
                    raise QueryTimeout()
            return QueryResult("graph", raw=triples)
        variables = [v.value for v in result.variables]
        solutions, rows = [], []
        for sol in result:
            values = [sol[i] for i in range(len(variables))]
            solutions.append(values)
            rows.append([None if t is None else t.value for t in values])
            if limit is not None and len(rows) >= limit:
                break
            if deadline is not None and not len(rows) % 256 and time.monotonic() > deadline:
                raise QueryTimeout()
        return QueryResult("select", variables=variables, rows=rows, raw=solutions)
    except SyntaxError as exc:
        raise QueryError(_first_line(exc)) from None
    except OSError as exc:
        raise QueryError(f"the store could not answer: {_first_line(exc)}") from None
    except BaseException as exc:
        if _engine_error(exc):
            raise QueryError(_first_line(exc)) from None
        raise
