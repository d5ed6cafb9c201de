"""What several rules share about a sentence: its names that are not inside a longer one, its clauses,
and the names listed before or after a position (甲、乙等14家企业与 …)."""

from __future__ import annotations

import re

from kg.extract.records import ENTITY_LABELS, Sentence
from kg.recognize import Mention

__all__ = ["clause_end", "clauses", "group_after", "group_before", "top_names"]


def top_names(ms: list[Mention]) -> list[Mention]:
    """The entities' names among ``ms`` that are not inside a longer name (no titles)."""
    return [m for m in ms if not m.nested and m.label in ENTITY_LABELS]


def clause_end(text: str, pos: int, limit: int) -> int:
    """Where the clause holding ``pos`` ends (the next ，。；), at most ``limit``."""
    m = re.compile(r"[，,。；;]").search(text, pos, limit)
    return m.start() if m else limit


def clauses(s: Sentence) -> list[Sentence]:
    """The clauses of a sentence (split at ，；。), with offsets in the document.

    >>> [c.text for c in clauses(Sentence(10, 16, "甲来了，乙走"))]
    ['甲来了', '乙走']
    """
    out, start = [], s.start
    for m in re.finditer(r"[，,；;。]", s.text):
        end = s.start + m.start()
        out.append(Sentence(start, end, s.text[start - s.start:end - s.start]))
        start = end + 1
    if start < s.end:
        out.append(Sentence(start, s.end, s.text[start - s.start:]))
    return out


def group_before(text: str, top: list[Mention], pos: int, floor: int) -> list[Mention]:
    """Names in a list ending right before ``pos`` (甲、乙等14家企业与 …), nearest first."""
    group: list[Mention] = []
    edge = pos
    for m in reversed([m for m in top if m.end <= pos and m.start >= floor]):
        gap = text[m.end:edge]
        if re.fullmatch(r"(?:等(?:\d+|[一二三四五六七八九十]+)?[户家个所]?[\u4e00-\u9fff]{0,4})?|、|和|及", gap) \
                or (not group and re.fullmatch(r"[^，,。；、]{0,3}", gap)):
            group.append(m)
            edge = m.start
        else:
            break
    return group


def group_after(text: str, top: list[Mention], pos: int, limit: int) -> list[Mention]:
    """Names in a list starting right after ``pos`` (与甲、乙和丙 …), in text order."""
    group: list[Mention] = []
    edge = pos
    for m in [m for m in top if m.start >= pos and m.end <= limit]:
        gap = text[edge:m.start]
        if (not group and len(gap) <= 1) or re.fullmatch(r"、|和|及|以及", gap):
            group.append(m)
            edge = m.end
        else:
            break
    return group
