"""Language knowledge as data files, and small loaders for them.

Each file starts with ``#`` comment lines that name its source. Loaders skip comments and blank lines.
"""

from __future__ import annotations

import re
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


@lru_cache(maxsize=None)
def load_cues(name: str = "relation_cues.tsv") -> dict[str, tuple[str, ...]]:
    """Named word lists of a two-column resource (name, space-separated words): the rules' cue words."""
    return {row[0]: tuple(row[1].split()) for row in load_table(name)}


def alternation(words) -> str:
    """A regex alternation of ``words``, longest first (so 坐落于 wins over 坐落).

    >>> alternation(["位于", "坐落于", "落户"])
    '坐落于|位于|落户'
    """
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def cue(name: str) -> str:
    """The alternation of one cue list of ``relation_cues.tsv``: ``cue("visit_verbs")``."""
    return alternation(load_cues()[name])
