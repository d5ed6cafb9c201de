"""Validate a graph against the contract's SHACL shapes (``ontology/shapes.ttl``).

The shapes encode ``shared/SCHEMA.md``: one ``rdfs:label@zh`` per entity, evidence on
every Membership / Agreement / reified statement, evidence offsets that slice the
document text, and so on. Validation runs pyshacl with the project ontology
(``ontology/zhengqi.ttl``) as ``ont_graph`` and no inference, so it is fast and
nothing is inferred that the builder did not write.

Only ``sh:Violation`` results make a graph non-conforming; ``sh:Warning`` results
(e.g. a ``kgo:locatedIn`` triple without an evidenced ``rdf:Statement``) are counted
separately and reported, but do not fail validation.

Example::

    >>> from pathlib import Path
    >>> from kg.validate import validate_file
    >>> result = validate_file(Path("tests/data/contract_sample.ttl"))
    >>> result.conforms, result.violations
    (True, 0)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import RDF, SH
from rdflib.util import guess_format

__all__ = ["ValidationResult", "validate_graph", "validate_file", "default_shapes_path",
           "default_ontology_path"]

_PACKAGE_DIR = Path(__file__).resolve().parent
_RESOURCES_DIR = _PACKAGE_DIR / "resources"
_ONTOLOGY_DIR = _PACKAGE_DIR.parent / "ontology"


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of a SHACL validation.

    ``conforms`` is False iff there is at least one ``sh:Violation``; ``violations``
    counts them; ``warnings`` counts ``sh:Warning`` / ``sh:Info`` results; ``report``
    is pyshacl's human-readable text report.

    Example::

        >>> r = ValidationResult(conforms=True, violations=0, report="Conforms: True")
        >>> bool(r)
        True
    """

    conforms: bool
    violations: int
    report: str
    warnings: int = 0

    def __bool__(self) -> bool:
        return self.conforms


def _find(name: str) -> Path | None:
    """Look for a bundled file: ``kg/resources/<name>`` first, then ``ontology/<name>``."""
    for candidate in (_RESOURCES_DIR / name, _ONTOLOGY_DIR / name):
        if candidate.is_file():
            return candidate
    return None


def default_shapes_path() -> Path:
    """The shapes file used when none is given (``kg/resources`` first, then ``ontology/``).

    Example::

        >>> default_shapes_path().name
        'shapes.ttl'
    """
    path = _find("shapes.ttl")
    if path is None:
        raise FileNotFoundError(
            f"shapes.ttl not found in {_RESOURCES_DIR} or {_ONTOLOGY_DIR}")
    return path


def default_ontology_path() -> Path | None:
    """The ontology passed to pyshacl as ``ont_graph``, or None if it is not shipped."""
    return _find("zhengqi.ttl")


# pyshacl runs each SHACL-SPARQL constraint once per focus node, passing the same query
# text every time; rdflib re-parses a string query on every call (~25 ms), which makes
# the evidence-span and statement checks quadratic-feeling on real builds. While
# validating we memoise the parse+translate step. This only caches a pure function
# of (query text, base, namespaces), so it is safe even if other threads query meanwhile.
_patch_lock = threading.Lock()
_patch_depth = 0
_original_sparql_query = None


@functools.lru_cache(maxsize=512)
def _translated(query: str, base: str | None, namespaces: tuple | None):
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.algebra import translateQuery

    return translateQuery(parseQuery(query), base, dict(namespaces) if namespaces else None)


def _cached_sparql_query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
    if isinstance(strOrQuery, str):
        key = tuple(sorted(initNs.items())) if initNs else None
        strOrQuery = _translated(strOrQuery, base, key)
    return _original_sparql_query(self, strOrQuery, initBindings, initNs, base, DEBUG)


@contextmanager
def _sparql_parse_cache() -> Iterator[None]:
    global _patch_depth, _original_sparql_query
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    with _patch_lock:
        if _patch_depth == 0:
            _original_sparql_query = SPARQLProcessor.query
            SPARQLProcessor.query = _cached_sparql_query
        _patch_depth += 1
    try:
        yield
    finally:
        with _patch_lock:
            _patch_depth -= 1
            if _patch_depth == 0:
                SPARQLProcessor.query = _original_sparql_query


def _parse(path: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(path, format=guess_format(str(path)) or "turtle")
    return graph


def validate_graph(data: rdflib.Graph, shapes_path: Path | None = None) -> ValidationResult:
    """Validate ``data`` against the contract shapes (or the shapes in ``shapes_path``).

    The caller's graph is not modified (pyshacl works on a copy when the ontology
    is mixed in).

    Example::

        >>> import rdflib
        >>> from kg.validate import validate_graph
        >>> g = rdflib.Graph().parse(data='''
        ...     @prefix kgo: <https://w3id.org/zhengqi/ontology#> .
        ...     <https://w3id.org/zhengqi/id/person/x> a kgo:Person .
        ... ''', format="turtle")
        >>> r = validate_graph(g)          # no @zh label, no kgo:mentionedIn
        >>> r.conforms, r.violations >= 2
        (False, True)
    """
    from pyshacl import validate  # imported lazily: pyshacl is slow to import

    shapes = _parse(Path(shapes_path) if shapes_path is not None else default_shapes_path())
    ontology_path = default_ontology_path()
    ont_graph = _parse(ontology_path) if ontology_path is not None else None

    with _sparql_parse_cache():
        conforms, results_graph, report = validate(
            data,
            shacl_graph=shapes,
            ont_graph=ont_graph,
            inference="none",
            allow_warnings=True,    # sh:Warning / sh:Info do not break conformance
            abort_on_first=False,
        )

    if not isinstance(results_graph, rdflib.Graph):  # pyshacl's ValidationFailure
        raise RuntimeError(f"SHACL validation could not run: {report}")

    violations = warnings = 0
    for result in results_graph.subjects(RDF.type, SH.ValidationResult):
        if results_graph.value(result, SH.resultSeverity) == SH.Violation:
            violations += 1
        else:
            warnings += 1
    return ValidationResult(
        conforms=bool(conforms) and violations == 0,
        violations=violations,
        report=str(report),
        warnings=warnings,
    )


def validate_file(path: Path, shapes_path: Path | None = None) -> ValidationResult:
    """Parse an RDF file (format guessed from its suffix, Turtle by default) and validate it.

    Example::

        >>> from pathlib import Path
        >>> validate_file(Path("tests/data/contract_sample.ttl")).conforms
        True
    """
    return validate_graph(_parse(Path(path)), shapes_path=shapes_path)
