"""The recogniser: runs the registered passes (all, or a subset by name) and the overlap filter."""

from __future__ import annotations

from dataclasses import replace

from kg.recognize.base import Home, Mention
from kg.recognize.common import TokenIndex, inside_any, overlaps_any
from kg.recognize.lexicon import Lexicon, shared_lexicon
from kg.recognize.registry import FILTERS, Context, select_passes

# the passes register themselves when imported, in this (their running) order
import kg.recognize.names  # noqa: E402,F401,I001
import kg.recognize.context  # noqa: E402,F401
import kg.recognize.persons  # noqa: E402,F401
import kg.recognize.lists  # noqa: E402,F401
import kg.recognize.tagged  # noqa: E402,F401
import kg.recognize.structure  # noqa: E402,F401
import kg.recognize.places  # noqa: E402,F401

DEFAULT_FILTER = "longest-first"
ENCLOSING = ("Enterprise", "Institution", "GovernmentBody", "Agreement")  # a place inside these is not a mention


class Recognizer:
    """Finds :class:`Mention` s in a document's text. Build once; call :meth:`find` per document.

    ``passes``: the names of the passes to run (:func:`kg.recognize.pass_names`; all when None), run
    in their registered order whatever order they are given in; ``overlap``: the overlap filter.

    >>> Recognizer(passes=["persons"])
    Traceback (most recent call last):
    ...
    ValueError: pass 'persons' needs 'posts': add it to the passes
    """

    def __init__(self, lexicon: Lexicon | None = None, passes=None, overlap: str = DEFAULT_FILTER) -> None:
        self.lexicon = lexicon if lexicon is not None else shared_lexicon()
        self.passes = select_passes(passes)
        if overlap not in FILTERS:
            raise ValueError(f"unknown overlap filter {overlap!r}; the filters are: {', '.join(FILTERS)}")
        self.overlap = FILTERS[overlap]

    def find(self, text: str, home: Home, tokens=None, tagged=()) -> list[Mention]:
        """All mentions: names (non-overlapping) plus places and firms nested in longer names.
        ``tokens``: LAC's tokens; ``tagged``: the trained tagger's ``(start, end, label)`` spans."""
        ctx = Context(text, home, self.lexicon, TokenIndex(tokens or []), tuple(tagged or ()))
        filtered = False
        for p in self.passes:
            if p.stage != "candidates" and not filtered:
                ctx.names, filtered = self.overlap(ctx.candidates), True
            out = p.func(ctx)
            ctx.found[p.name] = out
            if p.stage == "candidates":
                ctx.candidates += out
            elif p.stage == "names":
                ctx.names = out
            elif p.stage == "nested":
                ctx.nested += out
            elif p.stage == "places":
                ctx.places += out
            else:
                ctx.guesses += out
        if not filtered:
            ctx.names = self.overlap(ctx.candidates)
        return assemble(ctx)


def assemble(ctx: Context) -> list[Mention]:
    """Names, nested names, places outside every name, places inside a project or park (nested), and the
    unconfirmed guesses."""
    names = ctx.names
    free_places = [m for m in ctx.places if not overlaps_any(m, names)]
    inner_places = [replace(m, nested=True) for m in ctx.places if inside_any(m, names)
                    and not inside_any(m, [n for n in names if n.label in ENCLOSING])]
    return sorted(names + ctx.nested + free_places + inner_places + ctx.guesses, key=lambda m: (m.start, -m.end))
