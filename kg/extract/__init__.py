"""Extraction: a document's mentions → facts (posts, relations, agreements, recognitions), each with the
sentence that states it as evidence.

The facts are found by named *rules* (:mod:`kg.extract.registry`), each finding one relation per sentence
or once per document; :func:`extract` runs all of them or the ones named:

* ``records`` – the facts (:class:`PostFact`, :class:`PairFact`, :class:`AgreementFact`,
  :class:`RecognitionFact`), :class:`Evidence`, :class:`EntityRef`, :class:`DocumentFacts`, :func:`sentences`;
* ``context`` – :class:`Context` (what every rule reads), :func:`canonical` and :func:`ref`;
* ``clauses``, ``names`` – what several rules share (clauses, lists of names, names inside names);
* the rules, by relation: ``posts`` (holdsPost), ``located`` (locatedIn), ``undertakes``, ``organisation``
  (subOrganizationOf, and the places' parents), ``cooperation`` (cooperatesWith), ``recognitions``
  (recognizedAs), ``agreements`` and ``interviews`` (an interviewee's county);
* ``extractor`` – :func:`extract`.

>>> rule_names()
('posts', 'name-places', 'name-projects', 'name-units', 'locate-verbs', 'builders', 'sited', 'invested', 'owned', 'cooperation', 'recognitions', 'award-lists', 'signings', 'one-per-signing', 'signing-partners', 'table-lists', 'hierarchy', 'town-parents', 'interview-places', 'home-sites')
"""

from __future__ import annotations

from kg.extract import agreements, cooperation, interviews, located, organisation, posts, recognitions, \
    undertakes  # noqa: F401  (the rules register themselves)
from kg.extract.context import BODY_ABBREV, Context, canonical, ref
from kg.extract.extractor import extract
from kg.extract.records import ENTITY_LABELS, AgreementFact, DocumentFacts, EntityRef, Evidence, Fact, PairFact, \
    PostFact, RecognitionFact, RoleFact, Sentence, relation_of, sentences
from kg.extract.registry import RELATIONS, RULES, Rule, ordered_rules, rule, rule_names, select_rules

__all__ = ["BODY_ABBREV", "ENTITY_LABELS", "RELATIONS", "RULES", "AgreementFact", "Context", "DocumentFacts",
           "EntityRef", "Evidence", "Fact", "PairFact", "PostFact", "RecognitionFact", "RoleFact", "Rule", "Sentence",
           "canonical", "extract", "ordered_rules", "ref", "relation_of", "rule", "rule_names", "select_rules",
           "sentences"]
