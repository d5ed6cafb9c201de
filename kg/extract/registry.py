"""The registry of relation rules (named, like spaCy's factories and :mod:`kg.recognize.registry`'s passes).

A rule finds the facts of one relation, named as in the graph (:data:`RELATIONS`), and is registered
with :func:`rule` under a unique name, a *scope* and the rules whose facts it reads::

    @rule("locatedIn", name="sited")
    def sited(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]: ...

    @rule("locatedIn", name="interview-places", scope="document", requires=("posts",))
    def interview_places(facts: DocumentFacts, ctx: Context) -> list[PairFact]: ...

* ``sentence`` – called once per sentence with the sentence, the mentions inside it (nested ones
  too), the sentence as :class:`~kg.extract.records.Evidence` and the document's
  :class:`~kg.extract.context.Context`; returns the facts it finds there;
* ``document`` – called once, after every sentence rule, with the facts found so far and the
  context; returns the facts it adds. A rule that revises facts already found (``one-per-signing``)
  sets them on ``facts`` itself and returns none.

Sentence rules run before document rules, each scope in the order of :data:`RUN_ORDER` (a rule
registered elsewhere runs after those, in the order it was registered): within a sentence, the facts
of one relation keep the order the rules run in. A rule is placed after the rules it requires.

>>> rule_names()[:4], rule_names()[-1]
(('posts', 'name-places', 'name-projects', 'name-units'), 'home-sites')
>>> RULES["sited"].relation, RULES["hierarchy"].scope
('locatedIn', 'document')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from kg.named import select_named

__all__ = ["RELATIONS", "RULES", "RUN_ORDER", "SCOPES", "Rule", "ordered_rules", "rule", "rule_names",
           "select_rules"]

SCOPES = ("sentence", "document")
RELATIONS = ("holdsPost", "locatedIn", "undertakes", "subOrganizationOf", "cooperatesWith", "recognizedAs",
             "agreement")
RUN_ORDER = (
    # sentence rules
    "posts", "name-places", "name-projects", "name-units", "locate-verbs", "builders", "sited", "invested",
    "owned", "cooperation", "recognitions", "award-lists", "signings",
    # document rules
    "one-per-signing", "signing-partners", "table-lists", "hierarchy", "town-parents", "interview-places", "home-sites",
)


@dataclass(frozen=True)
class Rule:
    name: str
    relation: str
    scope: str
    func: Callable
    requires: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """The first paragraph of the rule's docstring, on one line."""
        return " ".join((self.func.__doc__ or "").strip().split("\n\n")[0].split())


RULES: dict[str, Rule] = {}


def rule(relation: str, *, name: str, scope: str = "sentence", requires: tuple[str, ...] = ()):
    """Register the decorated function as the rule ``name`` finding ``relation`` facts, per sentence or
    per document (``scope``), reading the facts of the rules ``requires`` names (a document rule only).
    ValueError for an unknown relation or scope, a name taken, or requirements of a sentence rule."""
    if relation not in RELATIONS:
        raise ValueError(f"unknown relation {relation!r}; relations: {', '.join(RELATIONS)}")
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; scopes: {', '.join(SCOPES)}")
    if requires and scope != "document":
        raise ValueError(f"rule {name!r}: only a document rule reads other rules' facts")

    def register(func: Callable):
        if name in RULES:
            raise ValueError(f"rule {name!r} is registered twice")
        RULES[name] = Rule(name, relation, scope, func, tuple(requires))
        return func

    return register


def ordered_rules() -> list[Rule]:
    """Every registered rule, in the order :func:`kg.extract.extract` runs them."""
    def place(r: Rule) -> tuple[int, int]:
        return SCOPES.index(r.scope), RUN_ORDER.index(r.name) if r.name in RUN_ORDER else len(RUN_ORDER)

    return sorted(RULES.values(), key=place)  # stable: registration order among the rules RUN_ORDER leaves out


def rule_names() -> tuple[str, ...]:
    """The registered rules' names, in running order."""
    return tuple(r.name for r in ordered_rules())


def select_rules(names=None) -> list[Rule]:
    """The rules called ``names`` (all when None, none for an empty list; a single name may be given as a
    string), in running order. ValueError, in one line, for an unknown name or a rule whose required rule
    is left out.

    >>> [r.name for r in select_rules(["hierarchy", "sited"])]
    ['sited', 'hierarchy']
    >>> select_rules(["site"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown rule 'site'; the rules are: posts, name-places, ..., home-sites
    >>> select_rules(["interview-places"])
    Traceback (most recent call last):
    ...
    ValueError: rule 'interview-places' needs 'posts': add it to the rules
    """
    rules = ordered_rules()
    if names is None:
        return rules
    return select_named(rules, [names] if isinstance(names, str) else names, "rule", "rules", allow_empty=True)
