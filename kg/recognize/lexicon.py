"""The recogniser's language knowledge, loaded once into a :class:`Lexicon` and passed to the passes.

Nothing is read when :mod:`kg.recognize` is imported: :meth:`Lexicon.load` reads the word lists of
``kg/resources`` (head words, titles, known names, boundary words, …), builds their Aho-Corasick
automata and takes jieba's dictionary (frequencies and part-of-speech tags). :func:`shared_lexicon`
is the one a process shares (the spaCy component, :func:`kg.recognize.unknown_runs` without a lexicon).

>>> lx = shared_lexicon()
>>> lx.suffix_table["有限公司"][0], "钢铁" in lx.industry_words, lx is shared_lexicon()
('Enterprise', True, True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from kg.gazetteer import gazetteer
from kg.resources import cue, load_lines, load_table, load_words


def automaton(words) -> ahocorasick.Automaton:
    """An Aho-Corasick automaton over ``(word, value)`` pairs; ``iter`` yields ``(end, (word, value))``."""
    auto = ahocorasick.Automaton()
    for word, value in words:
        auto.add_word(word, (word, value))
    auto.make_automaton()
    return auto


@lru_cache(maxsize=1)
def place_automaton() -> ahocorasick.Automaton:
    """Every surface of a division (full names and short forms of two characters or more)."""
    gaz = gazetteer()
    return automaton((s, gaz.lookup(s)) for s in gaz.surfaces() if len(s) >= 2)


@lru_cache(maxsize=1)
def suffix_table() -> dict[str, tuple[str, int, str]]:
    """head word → (class, shortest name, plausibility check), with the bodies of ``body_abbrev.tsv``."""
    table = {row[0]: (row[1], int(row[2]), row[3]) for row in load_table("name_suffixes.tsv")}
    for short, full in load_table("body_abbrev.tsv"):
        for word in (short, full):
            table.setdefault(word, ("GovernmentBody", len(word) + 1, "body"))
    return table


@lru_cache(maxsize=1)
def titles() -> dict[str, tuple[str, str]]:
    """title → (kind, template) from ``titles.tsv``."""
    return {row[0]: (row[1], row[2]) for row in load_table("titles.tsv")}


@lru_cache(maxsize=1)
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """(single-character surnames, double surnames)."""
    words = load_words("surnames.txt")
    return frozenset(w for w in words if len(w) == 1), frozenset(w for w in words if len(w) == 2)


@lru_cache(maxsize=1)
def known_entities() -> dict[str, tuple[str, str, str]]:
    """surface → (canonical, class, English name)"""
    out: dict[str, tuple[str, str, str]] = {}
    for row in load_table("known_entities.tsv"):
        name, cls, en = row[0], row[1], row[2]
        aliases = [a for a in (row[3].split("|") if len(row) > 3 else []) if a]
        for surface in [name, *aliases]:
            out.setdefault(surface, (name, cls, en))
    return out


def _longest_first(words) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Everything the passes look words up in. Build with :meth:`load` (or take :func:`shared_lexicon`);
    treat it as read-only."""

    suffix_table: dict[str, tuple[str, int, str]]
    titles: dict[str, tuple[str, str]]
    known: dict[str, tuple[str, str, str]]
    single_surnames: frozenset[str]
    double_surnames: frozenset[str]
    # automata: iter(text) → (end, (word, value))
    suffixes: ahocorasick.Automaton
    industry: ahocorasick.Automaton
    title_automaton: ahocorasick.Automaton
    context: ahocorasick.Automaton
    known_automaton: ahocorasick.Automaton
    places: ahocorasick.Automaton
    # jieba's dictionary
    freq: dict[str, int]
    tags: dict[str, str]
    # word lists
    left_stops: tuple[str, ...]  # longest first
    left_stops_set: frozenset[str]
    left_stops_multi: tuple[str, ...]  # those of two or more characters (for str.endswith / startswith)
    stops_by_char: dict[str, tuple[str, ...]]  # first character → stops, longest first
    industry_words: frozenset[str]
    industry_alt: str  # regex alternation, longest first
    firm_heads: tuple[str, ...]  # industry words, 集团, 公司: longest first
    project_heads: tuple[str, ...]  # head words of projects and parks
    lead_modifiers: tuple[str, ...]
    speech: tuple[str, ...]
    generic: frozenset[str]
    policy_terms: frozenset[str]
    policy_prefixes: frozenset[str]
    brand_words: frozenset[str]
    regions: tuple[str, ...]
    generic_leads: tuple[str, ...]  # 诸多, 一批 … before a kind of firm (longest first)
    legal_ends: tuple[str, ...]  # 有限公司 …: a firm's name ends there (legal_forms.txt)
    branch_heads: tuple[str, ...]  # 分公司, 分行 …: a branch's name carries its parent's legal form
    name_ends: tuple[str, ...]  # 集团, 委 … right before a division's name end a name
    legal_heads: tuple[str, ...]  # 有限公司 … as head words: a registered name
    registered_words: frozenset[str]  # 建设, 投资 …: boundary words a registered name holds
    countries: frozenset[str]  # 巴西, 吉尔吉斯斯坦 …: a country the tagger finds is a Place
    person_cues: tuple[str, ...]  # 车主, 居民 … right before a private person's name (longest first)
    known_prefixes: tuple[str, ...]
    concrete_before: re.Pattern
    concrete_after: re.Pattern

    @classmethod
    def load(cls) -> "Lexicon":
        """Read the resources and jieba's dictionary; build the automata."""
        import jieba
        import jieba.posseg

        jieba.initialize()
        table, title_table, known = suffix_table(), titles(), known_entities()
        single, double = surnames()
        left_stops = _longest_first(load_words("left_stops.txt"))
        stops_by_char: dict[str, tuple[str, ...]] = {}
        for w in left_stops:  # longest first within each first character
            stops_by_char[w[0]] = stops_by_char.get(w[0], ()) + (w,)
        industry_words = load_words("industry_words.txt")
        policy_terms = load_words("policy_terms.txt")
        return cls(
            suffix_table=table, titles=title_table, known=known,
            single_surnames=single, double_surnames=double,
            suffixes=automaton((s, v) for s, v in table.items()),
            industry=automaton((w, "Enterprise") for w in industry_words),
            title_automaton=automaton((t, v) for t, v in title_table.items()),
            context=automaton((row[0], (row[1], row[2])) for row in load_table("context_abbrev.tsv")),
            known_automaton=automaton((s, v) for s, v in known.items() if len(s) >= 2 and s != "中央"),
            places=place_automaton(),
            freq=jieba.dt.FREQ, tags=jieba.posseg.dt.word_tag_tab,
            left_stops=left_stops, left_stops_set=frozenset(left_stops), stops_by_char=stops_by_char,
            left_stops_multi=tuple(w for w in left_stops if len(w) >= 2),
            industry_words=industry_words, industry_alt="|".join(_longest_first(industry_words)),
            firm_heads=_longest_first(industry_words | {"集团", "公司"}),
            project_heads=tuple(h for h, v in table.items() if v[0] in ("Project", "IndustrialPark")),
            lead_modifiers=_longest_first(load_words("lead_modifiers.txt")),
            speech=_longest_first(load_words("speech_verbs.txt")),
            generic=load_words("generic_cores.txt"),
            policy_terms=policy_terms, policy_prefixes=frozenset(t[:2] for t in policy_terms),
            brand_words=load_words("brand_words.txt"),
            regions=tuple(load_words("regions.txt")),
            generic_leads=_longest_first(load_words("generic_leads.txt")),
            legal_ends=tuple(load_lines("legal_forms.txt")[0].split()),
            branch_heads=tuple(load_lines("legal_forms.txt")[1].split()),
            name_ends=tuple(load_lines("legal_forms.txt")[2].split()),
            legal_heads=tuple(load_lines("legal_forms.txt")[3].split()),
            registered_words=frozenset(load_lines("legal_forms.txt")[4].split()),
            countries=load_words("countries.txt"),
            person_cues=_longest_first(load_words("person_cues.txt")),
            known_prefixes=_longest_first(k for k in known if len(k) >= 3),
            concrete_before=re.compile(rf"(?:{cue('project_cues_before')})$"),
            concrete_after=re.compile(rf"(?:{cue('project_cues_after')})"),
        )


@lru_cache(maxsize=1)
def shared_lexicon() -> Lexicon:
    """The process's one :class:`Lexicon`, loaded on first use."""
    return Lexicon.load()
