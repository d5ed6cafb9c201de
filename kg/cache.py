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

>>> import tempfile
>>> from pathlib import Path
>>> from kg.ingest import document_from_text
>>> cache = FactsCache(Path(tempfile.mkdtemp()), fast=True, home_city="辽源市")
>>> doc = document_from_text("市长程宇出席会议。", "a.txt")
>>> cache.get(doc) is None
True
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from kg.extract import DocumentFacts
from kg.ingest import Document

__all__ = ["FactsCache", "extractor_version"]

CACHE_FORMAT = "1"
PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """A hash of the package's code and language data: any change to either changes every key."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    code = (p for p in PACKAGE.rglob("*.py") if p.parent.name != "resources")  # kg/*.py and kg/recognize/*.py
    files = sorted(code) + sorted(p for p in (PACKAGE / "resources").glob("*") if p.is_file())
    for path in files:
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class FactsCache:
    """Extraction results on disk, one pickle per document key (written atomically)."""

    def __init__(self, folder: Path, fast: bool, home_city: str | None) -> None:
        self.folder = Path(folder)
        self.options = f"fast={fast}|city={home_city or ''}|version={extractor_version()}"
        self.hits = 0
        self.misses = 0

    def key(self, doc: Document) -> str:
        return hashlib.sha256((self.options + "\0" + repr(doc)).encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, doc: Document) -> DocumentFacts | None:
        """The cached facts of ``doc``, or None (also for an unreadable or foreign cache file)."""
        path = self._path(self.key(doc))
        try:
            with open(path, "rb") as fh:
                facts = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            self.misses += 1
            return None
        if not isinstance(facts, DocumentFacts) or facts.document != doc:
            self.misses += 1
            return None
        self.hits += 1
        return facts

    def put(self, facts: DocumentFacts) -> None:
        path = self._path(self.key(facts.document))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".facts.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(facts, fh, protocol=pickle.HIGHEST_PROTOCOL)
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
        """Delete entries of documents no longer in the input (or of older extractors); returns how many."""
        wanted = {self._path(self.key(d)) for d in keep}
        removed = 0
        for path in self.folder.glob("*/*.pickle"):
            if path not in wanted:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
