"""Which folders kg may write into and clear: output folders (``kg build -o``) and store folders
(``kg load --store``, ``OUT/store/``).

kg replaces only what it made. A folder it made carries a marker, a small JSON file: ``.kg-output`` in
an output folder, ``.kg-store`` in a store. A non-empty folder without one is refused (one line, exit 2,
nothing touched), unless it holds nothing but kg's own names (an output of an older kg: ``graph.ttl``,
``graph.html``, ``store/``, ``.cache/``; a store of an older kg: only the store's own files); such a
folder is then marked. A build into OUT holds ``OUT/.kg-lock`` (``fcntl.flock``) from the first write
to the last rename: a second build into the same OUT is refused while the first runs. Holding the lock,
the build removes what killed builds left in OUT (``.graph.ttl.*.new``, ``.store.*.new``,
``.kg-build.*`` …): no other build can be using them.

>>> import tempfile
>>> out = Path(tempfile.mkdtemp()) / "out"
>>> check_output(out)  # a new folder: fine
>>> with claim_output(out):
...     sorted(p.name for p in out.iterdir())
['.kg-lock', '.kg-output']
>>> _ = (out / "notes.txt").write_text("mine")
>>> try:
...     check_store_target(out)  # kg load --store OUT would have replaced the whole folder
... except FolderError as exc:
...     print(str(exc).replace(str(out), "OUT"))
OUT: is a kg output folder, not a store (its store is OUT/store)
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
from contextlib import contextmanager
from pathlib import Path

__all__ = ["FolderError", "check_output", "claim_output", "check_store_target", "is_store", "mark_store",
           "lock_output", "remove_leftovers", "OUTPUT_MARKER", "STORE_MARKER", "LOCK_NAME"]

OUTPUT_MARKER = ".kg-output"
STORE_MARKER = ".kg-store"
LOCK_NAME = ".kg-lock"
# what kg build writes into OUT, and of which kind each is
OUTPUT_FILES = {"graph.ttl": "file", "graph.html": "file", "store": "store", ".cache": "dir"}

# RocksDB's own files: a store folder of pyoxigraph holds these and nothing else
_STORE_FILE = re.compile(r"(CURRENT|IDENTITY|LOCK|LOG|LOG\.old\.\d+|MANIFEST-\d+|OPTIONS-\d+|\d+\.(sst|log|blob))")
_RAND = r"[a-z0-9_]{8}"  # tempfile's names
_HEX = r"[0-9a-f]{8}"  # kg.atomic's names
# what an interrupted kg leaves in OUT: staged outputs (kg.atomic.Outputs), previous outputs moved aside
# (.old), the writer's scratch folder (kg.writer), kg load's store in the making (kg.store.build_store),
# temp files of write_atomic and of the map (kg.viz) — never anything else
_LEFTOVER = re.compile(
    rf"\.(graph\.ttl|graph\.html|store)\.{_HEX}\.new"
    rf"|\.kg-build\.{_RAND}"
    rf"|\.store\.{_RAND}"
    rf"|\.\.graph\.html\.{_HEX}\.new\.{_RAND}\.tmp"
    rf"|\.(graph\.ttl|graph\.html|\.kg-output)\.{_RAND}\.tmp")
_BACKUP = re.compile(rf"\.(graph\.ttl|graph\.html|store)\.({_HEX}\.old|old)")  # moved aside, put back if needed


class FolderError(Exception):
    """A folder kg refuses to write into or clear (the message is one line)."""


def _marked(folder: Path, marker: str, kind: str) -> bool:
    try:
        with open(folder / marker, "rb") as fh:
            data = json.loads(fh.read(4096))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("kg") == kind


def _mark(folder: Path, marker: str, kind: str, note: str) -> None:
    from kg.atomic import write_atomic

    if not _marked(folder, marker, kind):
        write_atomic(folder / marker, (json.dumps({"kg": kind, "format": 1, "note": note}) + "\n").encode())


def _names(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError as exc:
        raise FolderError(f"{folder}: cannot read the folder ({exc.strerror or exc})") from None


def is_store(folder: Path) -> bool:
    """A store kg made (marked), or a pyoxigraph store of an older kg (only RocksDB's files in it)."""
    folder = Path(folder)
    if not folder.is_dir():
        return False
    if _marked(folder, STORE_MARKER, "store"):
        return True
    names = _names(folder)
    return "CURRENT" in names and all(_STORE_FILE.fullmatch(n) for n in names)


def mark_store(folder: Path) -> None:
    """Mark a store folder as kg's (so kg load / kg build may replace it later)."""
    _mark(Path(folder), STORE_MARKER, "store", "a pyoxigraph store written by kg; kg load and kg build replace it")


def _shown(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def check_output(out: Path) -> None:
    """Refuse (:class:`FolderError`) an output folder kg may not write into: a file, a store, or a
    non-empty folder that is neither marked as kg's output nor holds only kg's own names."""
    out = Path(out)
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise FolderError(f"{out}: exists and is not a folder (give a new or empty folder, or a kg output folder)")
    if is_store(out):
        raise FolderError(f"{out}: is a kg store, not an output folder (give a new or empty folder)")
    marked = _marked(out, OUTPUT_MARKER, "output")
    names = _names(out)
    if not marked:
        foreign = [n for n in names if n not in OUTPUT_FILES and n != LOCK_NAME
                   and not _LEFTOVER.fullmatch(n) and not _BACKUP.fullmatch(n)]
        if foreign:
            raise FolderError(f"{out}: not a kg output folder (it holds {_shown(foreign)}, which kg did not write; "
                              "kg build would replace what is there): give a new or empty folder")
    for name, kind in OUTPUT_FILES.items():
        path = out / name
        if not (path.exists() or path.is_symlink()):
            continue
        ok = {"file": path.is_file() and not path.is_symlink(), "dir": path.is_dir() and not path.is_symlink(),
              "store": is_store(path)}[kind]
        if not ok:
            what = {"file": "a file written by kg", "dir": "kg's cache folder", "store": "a kg store"}[kind]
            raise FolderError(f"{path}: not {what}, and kg build would replace it: move it away or give another folder")


def check_store_target(store_dir: Path) -> None:
    """Refuse (:class:`FolderError`) a store folder kg load may not replace: a file, a kg output folder,
    or a non-empty folder that is not a kg store."""
    store_dir = Path(store_dir)
    if not store_dir.exists() and not store_dir.is_symlink():
        return
    if not store_dir.is_dir():
        raise FolderError(f"{store_dir}: exists and is not a folder (give a new or empty folder, or a kg store)")
    names = _names(store_dir)
    kg_names = [n for n in names if n in OUTPUT_FILES or n in (OUTPUT_MARKER, LOCK_NAME)]
    if _marked(store_dir, OUTPUT_MARKER, "output") or (kg_names and kg_names == names):
        raise FolderError(f"{store_dir}: is a kg output folder, not a store (its store is {store_dir / 'store'})")
    if names and not is_store(store_dir):
        foreign = [n for n in names if not _STORE_FILE.fullmatch(n) and n != STORE_MARKER]
        raise FolderError(f"{store_dir}: not a kg store (it holds {_shown(foreign or names)}, which kg did not write; "
                          "kg load replaces the whole folder): give a new or empty folder")
    here = Path.cwd().resolve()
    target = store_dir.resolve()
    if target == here or target in here.parents:
        raise FolderError(f"{store_dir}: is the current folder or holds it; give a store folder below it")


def remove_leftovers(out: Path) -> list[str]:
    """Remove what killed builds left in ``out`` (call it holding the lock); a previous output that a
    kill left moved aside (``.NAME.XXXXXXXX.old``) with no output in its place is put back. Returns the
    names removed or put back."""
    from kg.atomic import _remove

    out = Path(out)
    done = []
    for name in _names(out):
        path = out / name
        backup = _BACKUP.fullmatch(name)
        if backup:
            target = out / backup.group(1)
            if not (target.exists() or target.is_symlink()):
                os.rename(path, target)
            else:
                _remove(path)
            done.append(name)
        elif _LEFTOVER.fullmatch(name):
            _remove(path)
            done.append(name)
    return done


@contextmanager
def lock_output(out: Path):
    """Hold ``OUT/.kg-lock`` (``fcntl.flock``, exclusive) for the block; :class:`FolderError` at once when
    another kg process holds it. The lock file stays (removing it would let two builds lock two files)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise FolderError(f"{out}: another kg build is writing there ({out / LOCK_NAME} is locked); "
                              "run this one when it is done, or give another folder") from None
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def claim_output(out: Path):
    """For the block: ``out`` checked (:func:`check_output`), created if need be, locked, marked as kg's
    output, and cleared of killed builds' leftovers."""
    out = Path(out)
    check_output(out)
    with lock_output(out):
        check_output(out)  # again, now that no other build can change it
        _mark(out, OUTPUT_MARKER, "output",
              "an output folder of kg build: kg replaces graph.ttl, graph.html, store/ and .cache/ here")
        remove_leftovers(out)
        yield
