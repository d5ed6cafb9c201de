"""Entity recognition on characters: lexicons, head words and context rules, with the statistical
tagger (:mod:`kg.statmodel`) for names no list holds.

Chinese names are found from their *head* (人民政府, 产业园, 项目, 有限公司, an industry word such
as 钢铁 …) and extended to the left until a boundary word (推进, 支持, 与, punctuation …); persons
from the titles before them, reporter bylines, speech verbs and the tagger; places from the
divisions of China. Everything works on character offsets, so no segmenter can split a name.

The work is done by named *passes* (:mod:`kg.recognize.registry`), each a small function of the
text, its home, the :class:`Lexicon` and what the passes before it found; one named overlap filter
chooses the non-overlapping names. :class:`Recognizer` runs all of them or a subset:

* ``lexicon`` – the word lists and automata, loaded once (:func:`shared_lexicon`), never at import;
* ``base`` – :class:`Mention`, :class:`Home`, :func:`detect_home`, :func:`page_homes`, :func:`with_county`, :func:`place_prefix`;
* ``common``, ``judge`` – what the passes share (boundaries, jieba's words, is-this-a-name tests);
* the passes: ``names`` (suffix-names, quoted-names, industry-firms, model-firms), ``context`` (context-names,
  known-names, agreements), ``persons`` (posts, persons), ``lists`` (enumerations), ``structure``
  (the longest-first filter, departments, body-units, subsidiaries, nested, project-owners), ``places``.

>>> rec = Recognizer()
>>> home = Home.of_city("辽源市")
>>> [(m.text, m.label) for m in rec.find("副市长司马江出席。", home) if m.label != "Place"]
[('副市长', 'Post'), ('司马江', 'Person')]
>>> pass_names()
('suffix-names', 'quoted-names', 'industry-firms', 'model-firms', 'context-names', 'known-names', 'agreements', 'posts', 'persons', 'enumerations', 'tagger', 'person-lists', 'departments', 'body-units', 'subsidiaries', 'nested', 'project-owners', 'places', 'tagger-guesses')
"""

from __future__ import annotations

from kg.recognize.base import ORG_CLASSES, Home, Mention, detect_home, page_homes, place_prefix, with_county
from kg.recognize.common import TokenIndex, left_edge, strip_lead_words, strip_modifiers, unknown_runs
from kg.recognize.lexicon import Lexicon, known_entities, shared_lexicon, suffix_table, surnames, titles
from kg.recognize.recognizer import Recognizer
from kg.recognize.registry import FILTERS, PASSES, Context, Pass, ordered_passes, overlap_filter, \
    recognizer_pass, select_passes

# the names other modules imported before the package had public ones
_titles = titles
_known = known_entities

__all__ = ["ORG_CLASSES", "Context", "FILTERS", "Home", "Lexicon", "Mention", "PASSES", "Pass", "Recognizer",
           "TokenIndex", "detect_home", "page_homes", "known_entities", "left_edge", "ordered_passes", "overlap_filter",
           "pass_names", "place_prefix", "recognizer_pass", "select_passes", "shared_lexicon", "strip_lead_words",
           "strip_modifiers", "suffix_table", "surnames", "titles", "unknown_runs", "with_county"]


def pass_names() -> tuple[str, ...]:
    """The registered passes, in the order a :class:`Recognizer` runs them."""
    return tuple(p.name for p in ordered_passes())
