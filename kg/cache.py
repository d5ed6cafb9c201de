"""A content-hash cache of per-document extraction results, for incremental builds.

Extraction (nlp → extract) is the expensive, per-document stage; resolution and the graph are global
and cheap. So ``kg build`` keeps each document's :class:`~kg.extract.DocumentFacts` under
``OUT/.cache/facts/``, keyed by a hash of

* the cleaned document (text, source name, metadata),
* the options that change extraction (``--fast``, ``--city``),
* the extractor's own code and language data (every ``kg/*.py`` and ``kg/resources/*`` file),

and on the next build extracts only the documents whose key is new. Everything after extraction runs
on all documents as in a clean build, so the graph is the same as a clean build's, byte for byte.
A changed extractor or lexicon changes every key: nothing stale is ever reused.

An entry is data, never code: JSON (the fields of the facts' dataclasses, in order) after a line with
its SHA-256, read back only into the classes the type hints name (:data:`ALLOWED`). An entry that is
damaged (a flipped byte), truncated, empty, of another document or of an older format (the pickles
of kg before issue 13, never opened) is a miss: the document is extracted again and the entry rewritten.

>>> import tempfile
>>> from pathlib import Path
>>> from kg.ingest import document_from_text
>>> cache = FactsCache(Path(tempfile.mkdtemp()), fast=True, home_city="辽源市")
>>> doc = document_from_text("市长程宇出席会议。", "a.txt")
>>> cache.get(doc) is None
True
>>> cache.put(DocumentFacts(doc, entities=[EntityRef("Person", "程宇", "程宇")]))
>>> cache.get(doc).entities
[EntityRef(label='Person', name='程宇', surface='程宇')]
>>> entry = next(cache.folder.glob("*/*.json"))
>>> data = entry.read_bytes()
>>> _ = entry.write_bytes(data[:-3] + bytes([data[-3] ^ 1]) + data[-2:])  # one bit of one byte
>>> cache.get(doc) is None
True
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import types
import typing
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from kg.extract import AgreementFact, DocumentFacts, EntityRef, Evidence, PairFact, PostFact, RecognitionFact, RoleFact
from kg.gazetteer import Division, gazetteer
from kg.ingest import Document
from kg.recognize import Home, Mention

__all__ = ["FactsCache", "extractor_version", "encode_facts", "decode_facts"]

CACHE_FORMAT = "2"  # 1: pickle (never read: code could run on load); 2: JSON with a checksum
PACKAGE = Path(__file__).resolve().parent
SUFFIX = ".json"
HEADER = b"kg-facts 2 "  # then the SHA-256 of the body in hex, a line break, and the body

# The only classes an entry may hold: each is rebuilt from its fields by its type hints (no type is ever
# taken from the file), a place (Home.city_division) by its code in the gazetteer.
ALLOWED = (DocumentFacts, Document, EntityRef, Evidence, PostFact, PairFact, AgreementFact, RoleFact, RecognitionFact,
           Mention, Home)


class BadEntry(ValueError):
    """A cache entry that is damaged, truncated, foreign or of another shape: a miss."""


@lru_cache(maxsize=None)
def _hints(cls: type) -> tuple[tuple[str, object], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.init)


@lru_cache(maxsize=1)
def _divisions() -> dict[str, Division]:
    gaz = gazetteer()
    found: dict[str, Division] = {}
    for d in [*gaz.by_name.values(), *(d for ds in gaz.by_short.values() for d in ds)]:
        for node in (d, *d.ancestors()):
            found.setdefault(node.adcode, node)
    return found


def _encode(value, hint):
    """``value`` as JSON data, checked against ``hint`` (a field's type): what cannot be decoded back
    exactly is not written."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in typing.get_args(hint):
            return None
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _encode(value, inner)
    if origin in (tuple, list):
        if type(value) is not origin:
            raise BadEntry(f"expected a {origin.__name__}, not {type(value).__name__}")
        (inner,) = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return [_encode(v, inner) for v in value]
    if hint is Division:
        if type(value) is not Division:
            raise BadEntry("expected a Division")
        return value.adcode
    if hint in ALLOWED:
        if type(value) is not hint:
            raise BadEntry(f"expected a {hint.__name__}, not {type(value).__name__}")
        return [_encode(getattr(value, name), h) for name, h in _hints(hint)]  # the fields in order
    if hint in (str, int, bool) and type(value) is hint:
        return value
    raise BadEntry(f"cannot store a {type(value).__name__} as {hint}")


def _decode(data, hint):
    """JSON data back into ``hint`` (a field's type), or :class:`BadEntry`."""
    return _decoder(hint)(data)


@lru_cache(maxsize=None)
def _decoder(hint) -> Callable:
    """A function that turns JSON data into ``hint`` (a field's type) or raises :class:`BadEntry`: made
    once per type from its hints, so reading an entry costs no type introspection."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        decode_inner = _decoder(inner)
        return lambda data: None if data is None else decode_inner(data)
    if origin in (tuple, list):
        (inner,) = [a for a in typing.get_args(hint) if a is not Ellipsis]
        decode_item = _decoder(inner)

        def sequence(data):
            if type(data) is not list:
                raise BadEntry(f"expected a list, not {type(data).__name__}")
            return origin(map(decode_item, data))
        return sequence
    if hint is Division:
        def division(data):
            try:
                return _divisions()[data]
            except (KeyError, TypeError):
                raise BadEntry(f"no place with the code {data!r}") from None
        return division
    if hint in ALLOWED:
        decoders = [_decoder(h) for _, h in _hints(hint)]

        def record(data):
            if type(data) is not list or len(data) != len(decoders):
                raise BadEntry(f"expected the {len(decoders)} fields of {hint.__name__}")
            return hint(*[decode(value) for decode, value in zip(decoders, data)])
        return record
    if hint in (str, int, bool):
        def plain(data):
            if type(data) is not hint:
                raise BadEntry(f"expected {hint.__name__}, not {type(data).__name__}")
            return data
        return plain
    raise TypeError(f"no decoder for {hint}")


def encode_facts(facts: DocumentFacts, key: str) -> bytes:
    """One cache entry: a header line with the body's SHA-256, then the body (JSON: the key and the facts)."""
    body = json.dumps({"key": key, "facts": _encode(facts, DocumentFacts)}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8", "surrogatepass")
    return HEADER + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def decode_facts(data: bytes, key: str) -> DocumentFacts:
    """The facts of an entry written by :func:`encode_facts` under ``key``; :class:`BadEntry` for anything
    else (a flipped byte, a truncated or empty file, another key's entry, a pickle, another format)."""
    head, sep, body = data.partition(b"\n")
    if not sep or not head.startswith(HEADER) or head[len(HEADER):] != hashlib.sha256(body).hexdigest().encode():
        raise BadEntry("not a kg cache entry, or damaged (checksum)")
    try:
        record = json.loads(body.decode("utf-8", "surrogatepass"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadEntry(f"not JSON ({exc})") from None
    if type(record) is not dict or set(record) != {"key", "facts"} or record["key"] != key:
        raise BadEntry("the entry of another document")
    try:
        return _decode(record["facts"], DocumentFacts)
    except RecursionError:
        raise BadEntry("nested too deep") from None


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """A hash of the package's code and language data: any change to either changes every key."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    code = (p for p in PACKAGE.rglob("*.py") if p.parent.name != "resources")  # kg/*.py and kg/recognize/*.py
    data = [p for folder in ("resources", "models") for p in (PACKAGE / folder).glob("*") if p.is_file()]
    files = sorted(code) + sorted(data)  # the tagger's weights (kg/models/) decide extraction too
    for path in files:
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class FactsCache:
    """Extraction results on disk, one JSON entry per document key (written atomically; see
    :func:`encode_facts`). Nothing in the folder is ever unpickled or executed: an entry that is damaged,
    truncated, foreign or of an older format is a miss, extracted again and rewritten."""

    def __init__(self, folder: Path, fast: bool, home_city: str | None) -> None:
        self.folder = Path(folder)
        self.options = f"fast={fast}|city={home_city or ''}|version={extractor_version()}"
        self.hits = 0
        self.misses = 0

    def key(self, doc: Document) -> str:
        return hashlib.sha256((self.options + "\0" + repr(doc)).encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{SUFFIX}"

    def get(self, doc: Document) -> DocumentFacts | None:
        """The cached facts of ``doc``, or None (also for an unreadable, damaged or foreign cache file)."""
        key = self.key(doc)
        try:
            with open(self._path(key), "rb") as fh:
                facts = decode_facts(fh.read(), key)
        except (OSError, BadEntry):
            self.misses += 1
            return None
        if facts.document != doc:
            self.misses += 1
            return None
        self.hits += 1
        return facts

    def put(self, facts: DocumentFacts) -> None:
        key = self.key(facts.document)
        try:
            data = encode_facts(facts, key)
        except BadEntry:  # a value the format cannot hold exactly: not cached (extracted again next time)
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".facts.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def extract(self, documents: list[Document],
                extract_missing: Callable[[list[Document]], list[DocumentFacts]]) -> list[DocumentFacts]:
        """Facts of every document in input order: from the cache where the key is known, else from
        ``extract_missing`` (called once, on the misses only, in input order), which are then cached."""
        found = [self.get(doc) for doc in documents]
        missing = [doc for doc, facts in zip(documents, found) if facts is None]
        fresh = iter(extract_missing(missing) if missing else [])
        out = []
        for facts in found:
            if facts is None:
                facts = next(fresh)
                self.put(facts)
            out.append(facts)
        return out

    def prune(self, keep: list[Document]) -> int:
        """Delete entries of documents no longer in the input (or of older extractors or formats, such as
        the pickles of older versions) and temp files of killed builds; returns how many."""
        wanted = {self._path(self.key(d)) for d in keep}
        removed = 0
        for path in self.folder.glob("*/*"):
            if path.suffix in (SUFFIX, ".pickle") or (path.name.startswith(".facts.") and path.suffix == ".tmp"):
                if path not in wanted and not path.is_dir():
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed
