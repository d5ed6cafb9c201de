"""Choosing some of a registry's named steps (the recognition passes, the relation rules) by name.

>>> from collections import namedtuple
>>> Step = namedtuple("Step", "name requires")
>>> steps = [Step("posts", ()), Step("persons", ("posts",))]
>>> [s.name for s in select_named(steps, ["persons", "posts"], "pass", "passes")]
['posts', 'persons']
>>> select_named(steps, ["persons"], "pass", "passes")
Traceback (most recent call last):
...
ValueError: pass 'persons' needs 'posts': add it to the passes
"""

from __future__ import annotations

__all__ = ["select_named"]


def select_named(ordered: list, names, kind: str, kinds: str, allow_empty: bool = False) -> list:
    """The steps of ``ordered`` (each with a ``name`` and the names it ``requires``) called ``names``, in
    the order of ``ordered``. ValueError, in one line naming the ``kind`` of step (plural ``kinds``), for an
    unknown name, for no name unless ``allow_empty``, or for a step whose required step is left out."""
    wanted = list(names)
    known = [s.name for s in ordered]
    for name in wanted:
        if name not in known:
            raise ValueError(f"unknown {kind} {name!r}; the {kinds} are: {', '.join(known)}")
    if not wanted and not allow_empty:
        raise ValueError(f"no {kind} given; the {kinds} are: {', '.join(known)}")
    chosen = [s for s in ordered if s.name in wanted]
    for s in chosen:
        missing = [r for r in s.requires if r not in wanted]
        if missing:
            raise ValueError(f"{kind} {s.name!r} needs {', '.join(map(repr, missing))}: add it to the {kinds}")
    return chosen
