"""Language knowledge as data files, and small loaders for them.

Each file starts with ``#`` comment lines that name its source. Loaders skip comments and blank lines.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent


def path(name: str) -> Path:
    return RESOURCES / name


@lru_cache(maxsize=None)
def load_lines(name: str) -> tuple[str, ...]:
    """Non-comment, non-blank lines of a resource file, stripped."""
    out = []
    for line in path(name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return tuple(out)


@lru_cache(maxsize=None)
def load_words(name: str) -> frozenset[str]:
    """Whitespace-separated words of a resource file."""
    return frozenset(w for line in load_lines(name) for w in line.split())


@lru_cache(maxsize=None)
def load_table(name: str) -> tuple[tuple[str, ...], ...]:
    """Tab-separated rows of a resource file (comments skipped)."""
    return tuple(tuple(line.split("\t")) for line in load_lines(name))
