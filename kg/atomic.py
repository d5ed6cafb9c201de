"""Outputs replaced all at once or not at all.

``kg build`` writes graph.ttl, graph.html and store/; ``kg export`` several files. Each output is first
written beside its target under a temporary name (``.NAME.XXXXXXXX.new``). Only when every one of them
is complete are they renamed into place, each previous output moved aside until all the renames have
succeeded (and moved back if one fails). An exception, Ctrl-C, SIGTERM or a full disk before that
leaves the previous outputs byte for byte as they were and no temporary file behind; SIGINT and
SIGTERM are held during the renames themselves, so they cannot stop half way.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with Outputs() as outputs:
...     write_atomic(outputs.stage(folder / "a.txt"), b"new a")
...     write_atomic(outputs.stage(folder / "b.txt"), b"new b")
>>> sorted(p.name for p in folder.iterdir()), (folder / "a.txt").read_bytes()
(['a.txt', 'b.txt'], b'new a')
>>> try:
...     with Outputs() as outputs:
...         write_atomic(outputs.stage(folder / "a.txt"), b"newer a")
...         raise OSError(28, "No space left on device")
... except OSError:
...     pass
>>> sorted(p.name for p in folder.iterdir()), (folder / "a.txt").read_bytes()
(['a.txt', 'b.txt'], b'new a')
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

__all__ = ["Interrupted", "Outputs", "write_atomic"]


class Interrupted(KeyboardInterrupt):
    """SIGTERM while outputs are being written: handled like Ctrl-C (everything staged is removed)."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file beside ``path``, then rename: an interrupted write leaves the old file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are for sharing
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def _signals_held():
    """SIGINT and SIGTERM wait until the block is done, then take effect."""
    if not _in_main_thread():
        yield
        return
    pending: list[int] = []
    previous = {s: signal.signal(s, lambda n, _f: pending.append(n)) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if pending:
            signal.raise_signal(pending[0])


def _raise_interrupted(_signum, _frame):
    raise Interrupted()


class Outputs:
    """A set of outputs staged beside their targets and renamed into place together (see the module)."""

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []
        self._sigterm = None

    def stage(self, target: Path) -> Path:
        """The temporary path to write ``target`` to (a file or a folder; the writer creates it)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.new")
        self._staged.append((target, tmp))
        return tmp

    def staged(self, target: Path) -> Path:
        """Where ``target`` is being written (after :meth:`stage`)."""
        for t, tmp in self._staged:
            if t == Path(target):
                return tmp
        raise KeyError(target)

    def __enter__(self) -> Outputs:
        if _in_main_thread():  # SIGTERM cleans up like Ctrl-C instead of leaving temp files behind
            self._sigterm = signal.signal(signal.SIGTERM, _raise_interrupted)
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.discard()
        finally:
            if self._sigterm is not None:
                signal.signal(signal.SIGTERM, self._sigterm)
                self._sigterm = None
        return False

    def discard(self) -> None:
        """Remove everything staged; the targets are untouched."""
        for _, tmp in self._staged:
            _remove(tmp)
        self._staged = []

    def commit(self) -> None:
        """Rename every staged output onto its target; on any failure put every previous output back."""
        with _signals_held():
            done: list[list] = []  # [target, previous output moved aside or None, new one in place]
            try:
                for target, tmp in self._staged:
                    if not (tmp.exists() or tmp.is_symlink()):
                        raise FileNotFoundError(2, "staged output was not written", str(tmp))
                    step = [target, None, False]
                    done.append(step)
                    if target.exists() or target.is_symlink():
                        step[1] = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
                        os.rename(target, step[1])
                    os.rename(tmp, target)
                    step[2] = True
            except BaseException:
                for target, backup, placed in reversed(done):
                    if placed:
                        _remove(target)
                    if backup is not None:
                        os.rename(backup, target)
                self.discard()
                raise
            for _, backup, _ in done:
                if backup is not None:
                    _remove(backup)
            self._staged = []
