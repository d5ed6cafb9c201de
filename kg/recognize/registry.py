"""The registry of recognition passes and overlap filters (named, like spaCy's factories).

A pass is a function of a :class:`Context` that returns mentions, registered with
:func:`recognizer_pass` under a name, a *stage* and the passes whose output it reads::

    @recognizer_pass("persons", requires=("posts",))
    def persons(ctx: Context) -> list[Mention]: ...

Stages run in this order (and passes within a stage in the order they were registered):

* ``candidates`` – every candidate name; its mentions are added to ``ctx.candidates``. Then the
  overlap filter (:func:`overlap_filter`) keeps the non-overlapping ones as ``ctx.names``;
* ``names`` – rewrites the names (a firm's departments and units): returns the new ``ctx.names``;
* ``nested`` – names inside names, added to ``ctx.nested``;
* ``places`` – division names, added to ``ctx.places``;
* ``guesses`` – what a model saw where nothing else was found, added to ``ctx.guesses`` as unconfirmed
  mentions (``Mention.confirmed`` False): ``kg ner`` reports them, the graph is built without them.

>>> from kg.recognize import pass_names
>>> pass_names()[:3], pass_names()[-1]
(('suffix-names', 'quoted-names', 'industry-firms'), 'tagger-guesses')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from kg.named import select_named
from kg.recognize.base import Home, Mention
from kg.recognize.common import TokenIndex
from kg.recognize.lexicon import Lexicon

STAGES = ("candidates", "names", "nested", "places", "guesses")


@dataclass
class Context:
    """What a pass reads: the document, its home, the lexicon, LAC's tokens, the trained tagger's spans and what the
    passes before it found (``found`` holds each pass's own output by name)."""

    text: str
    home: Home
    lexicon: Lexicon
    tokens: TokenIndex
    tagged: tuple = ()  # the trained tagger's (start, end, label[, confidence]) spans: PER, ORG, LOC, TITLE
    candidates: list[Mention] = field(default_factory=list)
    names: list[Mention] = field(default_factory=list)
    nested: list[Mention] = field(default_factory=list)
    places: list[Mention] = field(default_factory=list)
    guesses: list[Mention] = field(default_factory=list)
    found: dict[str, list[Mention]] = field(default_factory=dict)

    @property
    def persons_by_tagger(self) -> dict:
        """The tagger's PER tokens by start offset."""
        return {t.start: t for t in self.tokens.tokens if t.tag == "PER"}


@dataclass(frozen=True)
class Pass:
    name: str
    func: Callable[[Context], list[Mention]]
    stage: str
    requires: tuple[str, ...]

    @property
    def summary(self) -> str:
        """The first paragraph of the pass's docstring, on one line."""
        return " ".join((self.func.__doc__ or "").strip().split("\n\n")[0].split())


PASSES: dict[str, Pass] = {}
FILTERS: dict[str, Callable[[list[Mention]], list[Mention]]] = {}


def recognizer_pass(name: str, stage: str = "candidates", requires: tuple[str, ...] = ()):
    """Register the decorated function as the pass ``name`` of ``stage``."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")

    def register(func: Callable[[Context], list[Mention]]):
        if name in PASSES:
            raise ValueError(f"pass {name!r} is registered twice")
        PASSES[name] = Pass(name, func, stage, tuple(requires))
        return func

    return register


def overlap_filter(name: str):
    """Register the decorated function (candidates → non-overlapping names) as the filter ``name``."""
    def register(func: Callable[[list[Mention]], list[Mention]]):
        if name in FILTERS:
            raise ValueError(f"overlap filter {name!r} is registered twice")
        FILTERS[name] = func
        return func

    return register


def ordered_passes() -> list[Pass]:
    """Every registered pass, in the order a recogniser runs them."""
    return sorted(PASSES.values(), key=lambda p: STAGES.index(p.stage))  # stable: registration order within a stage


def select_passes(names=None) -> list[Pass]:
    """The passes called ``names`` (all when None), in running order. ValueError, in one line, for an
    unknown name or a pass whose required pass is left out.

    >>> [p.name for p in select_passes(["persons", "posts"])]
    ['posts', 'persons']
    >>> select_passes(["person"])
    Traceback (most recent call last):
    ...
    ValueError: unknown pass 'person'; the passes are: suffix-names, quoted-names, industry-firms, model-firms, context-names, known-names, agreements, posts, persons, enumerations, tagger, person-lists, departments, body-units, subsidiaries, nested, project-owners, places, tagger-guesses
    """
    passes = ordered_passes()
    return passes if names is None else select_named(passes, names, "pass", "passes")
