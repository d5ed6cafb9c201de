"""The trained tagger's spans as candidates (``tagger`` pass): recall where no rule fired.

The statistical tagger (:mod:`kg.ner_model`, a character CRF trained on CLUENER2020, Resume NER,
People's Daily and MSRA) finds names in contexts no rule was written for: a person opening a sentence
(高勇，男，…), a list of leaders without titles, a firm named without a head word the rules know.
Its spans become candidates only where no rule candidate overlaps them (the rules' spans and typing
win), and only when they pass the same checks a rule's name passes:

* ``PER`` → Person: 2–4 characters with a known surname (or a transliterated name with ·), and
  :func:`~kg.recognize.persons.person_ok` (no 和其他, 任期, 周总理);
* ``ORG`` → the class its head word gives (``name_suffixes.tsv``: 公司 → Enterprise, 局 →
  GovernmentBody, 大学 → Institution …); an organisation without a head the project knows is an
  unconfirmed guess typed by the tagger's organisation typer (reported by ``kg ner``, never a graph node);
* ``LOC`` → a Place when it is a country (``countries.txt``: 巴西, 吉尔吉斯斯坦), else ``Location`` when the
  gazetteer does not know it (divisions come from the ``places`` pass);
* ``TITLE`` → Post, right before a person's name, when no rule found a title there.

>>> from kg.recognize import Home, Recognizer
>>> text = "高勇，男，汉族，现任华锐风电董事长。"
>>> spans = ((0, 2, "PER"), (10, 14, "ORG"), (14, 17, "TITLE"))
>>> [(m.text, m.label, m.confirmed) for m in Recognizer(passes=["tagger"]).find(text, Home(), tagged=spans)]
[('高勇', 'Person', True), ('华锐风电', 'Enterprise', False)]
"""

from __future__ import annotations

import re

from kg.gazetteer import gazetteer
from kg.recognize.base import Mention
from kg.recognize.common import COUNTED, cuts_word, words
from kg.recognize.judge import specific
from kg.recognize.persons import person_ok, surname_ok
from kg.recognize.registry import Context, recognizer_pass

SOURCE = "model:tagger"
NAME_CHARS = re.compile(r"[\u4e00-\u9fff·A-Za-z0-9（）()\-]+")
# the least marginal probability over a span's characters (PER2: a two-character name)
MIN_CONFIDENCE = {"PER": 0.8, "PER2": 0.95, "ORG": 0.6}
CUED_CONFIDENCE = 0.4  # a person right after 车主, 居民 … (person_cues.txt)
MAX_LEN = {"PER": 6, "ORG": 30, "LOC": 20, "TITLE": 12}


def org_class(lx, text: str, start: int, end: int) -> tuple[str, str | None]:
    """The class of the organisation ``text[start:end]`` and the head word that gave it: a known name's
    class, else the longest head word of ``name_suffixes.tsv``, else Organization (the tagger's own
    organisation typer, tried here, put 公司, 兴安盟 and 人民日报 in the graph: seeds entity F1 0.902 → 0.885).

    >>> from kg.recognize.lexicon import shared_lexicon
    >>> lx = shared_lexicon()
    >>> [org_class(lx, n, 0, len(n))[0] for n in ("华锐风电有限公司", "兴安盟发改委", "圣保罗投促局")]
    ['Enterprise', 'GovernmentBody', 'GovernmentBody']
    """
    name = text[start:end]
    known = lx.known.get(name)
    if known:
        return known[1], None
    for i in range(max(0, len(name) - 11), len(name)):
        hit = lx.suffix_table.get(name[i:])
        if hit and i > 0:
            return hit[0], name[i:]
    return "Organization", None


GENERIC_TAGS = {"v", "vn", "a", "ad", "d", "n"}


def _named(lx, text: str, start: int, name: str, head: str, home) -> bool:
    """Whether the tagger's organisation ending in ``head`` names one (a lighter check than the rules'
    :func:`~kg.recognize.names.plausible`, which needs the name's shape alone to convince): something
    stands before the head that is not a bare verb, industry or generic word (合资公司, 医疗集团,
    集团公司), no count is in it, no 诸多/一批/该 before it, it starts on a word boundary and not with a
    verb, and its core says which one (:func:`~kg.recognize.judge.specific`: a place, a rare word …).

    >>> from kg.recognize.lexicon import shared_lexicon
    >>> lx = shared_lexicon()
    >>> from kg.recognize import Home
    >>> [_named(lx, t, 0, t, h, Home()) for t, h in (("合资公司", "公司"), ("医疗集团", "集团"), ("平遥牛肉集团", "集团"))]
    [False, False, True]
    """
    core = name[:len(name) - len(head)]
    if len(core) < 2 or core in lx.suffix_table or core in lx.generic or core in lx.industry_words:
        return False
    if lx.tags.get(core, "") in GENERIC_TAGS and lx.freq.get(core, 0) > 500:
        return False
    if COUNTED.search(name) or "的" in core or text[max(0, start - 2):start].endswith(lx.generic_leads):
        return False
    if cuts_word(text, start):
        return False  # 发|挥行业协会: the span starts inside a word
    first = words(core)[:1]
    if first and lx.tags.get(first[0], "") in ("v", "vn", "p", "d", "c") and len(first[0]) >= 2:
        return False  # 采取广播电视大学, 深化公立医院, 建设国际科技创新中心: a verb opens it
    return specific(lx, core, home)


def _person(ctx: Context, s: int, e: int, confidence: float) -> bool:
    """A person's name: 2–4 characters with a surname (two only when the tagger is nearly sure: 海澄, 陈风
    are words too), not the end of a longer word (赫|鲁晓夫), and what a rule's name must pass."""
    name = ctx.text[s:e]
    if "·" in name:
        return len(name) >= 3
    cued = ctx.text.endswith(ctx.lexicon.person_cues, 0, s)  # 车主饶辉虎, 居民邢丽
    if len(name) == 2 and confidence < MIN_CONFIDENCE["PER2"] and not cued:
        return False
    return 2 <= len(name) <= 4 and surname_ok(ctx.lexicon, name) and not cuts_word(ctx.text, s) \
        and person_ok(ctx.lexicon, ctx.text, s, e, ctx.persons_by_tagger)


def _clip(text: str, s: int, e: int) -> int:
    """The end of the span cut at its first line break or space (a headline's last word)."""
    cut = next((i for i in range(s, e) if text[i] in "\n \t"), e)
    return cut


@recognizer_pass("tagger")
def tagger(ctx: Context) -> list[Mention]:
    """The trained tagger's names where no rule candidate overlaps them, typed by head word."""
    text, lx = ctx.text, ctx.lexicon
    taken = sorted((m.start, m.end) for m in ctx.candidates if m.label != "Place")
    persons = {t[0] for t in ctx.tagged if t[2] == "PER"} | \
        {m.start for m in ctx.candidates if m.label == "Person"}
    out: list[Mention] = []
    for s, e, label, *conf in ctx.tagged:
        cued = label == "PER" and text.endswith(lx.person_cues, 0, s)
        if conf and conf[0] < (CUED_CONFIDENCE if cued else MIN_CONFIDENCE.get(label, 0.0)):
            continue
        e = _clip(text, s, e)
        if label == "PER" and text[e - 1:e] == "摄":
            e -= 1  # 刘通摄: a photo credit
        name = text[s:e]
        if e - s > MAX_LEN.get(label, 20) or not NAME_CHARS.fullmatch(name):
            continue
        if any(a < e and s < b for a, b in taken):
            continue
        if label == "PER":
            if _person(ctx, s, e, conf[0] if conf else 1.0):
                out.append(Mention(s, e, "Person", name, name, SOURCE))
        elif label == "ORG" and len(name) >= 2:
            cls, head = org_class(lx, text, s, e)
            if head is not None and not _named(lx, text, s, name, head, ctx.home):
                continue
            if cls == "Organization":  # no head word: the graph cannot type it, kg ner reports a guess
                out.append(Mention(s, e, guess_class(lx, text, s, e, label), name, name, SOURCE, confirmed=False))
                continue
            out.append(Mention(s, e, cls, name, name, SOURCE))
        elif label == "TITLE" and e in persons:  # a title right before a name: 副总领事孙仁安
            out.append(Mention(s, e, "Post", name, name, SOURCE))
        elif label == "LOC" and len(name) >= 2 and gazetteer().best(name) is None:
            out.append(Mention(s, e, "Place" if name in lx.countries else "Location", name, name, SOURCE))
    return out


LIST_ITEM = re.compile(r"(?<=、)[\u4e00-\u9fff·]{2,4}(?=、)")


@recognizer_pass("person-lists", requires=("tagger",))
def person_lists(ctx: Context) -> list[Mention]:
    """Every name of a list of persons (领导张毅、王正伟、崔波、齐同生、蔡国英、昌业廷、张小素、陶源出席): where
    two or more items of a 、-separated list are persons already (a rule's or the tagger's) and they are
    at least half of its items, each item between two 、 with a surname that passes the rules' person
    checks is a person too, and so are the list's first and last items where the tagger saw a person
    there, however unsure.

    >>> from kg.recognize import Home, Recognizer
    >>> text = "领导张毅、王正伟、齐同生、陶源出席。"
    >>> spans = ((2, 4, "PER", 1.0), (5, 8, "PER", 1.0), (13, 15, "PER", 0.6))
    >>> [m.text for m in Recognizer(passes=["tagger", "person-lists"]).find(text, Home(), tagged=spans)]
    ['张毅', '王正伟', '齐同生', '陶源']
    """
    text, lx = ctx.text, ctx.lexicon
    known = {(m.start, m.end) for m in ctx.candidates if m.label == "Person"}
    unsure = {(t[0], t[1]) for t in ctx.tagged if t[2] == "PER"}
    taken = [(m.start, m.end) for m in ctx.candidates]
    out: list[Mention] = []
    for chain in _chains(text):
        items = [(s, e) for s, e in chain]
        ends = [_end_item(text, chain[0][0], unsure, before=True), _end_item(text, chain[-1][1], unsure, before=False)]
        persons = sum(it in known for it in items) + sum(it is not None and it in known for it in ends)
        total = len(items) + sum(it is not None for it in ends)
        if persons < 2 or persons * 2 < total:
            continue
        for s, e in items + [it for it in ends if it is not None]:
            name = text[s:e]
            if (s, e) in known or any(a < e and s < b for a, b in taken):
                continue
            if surname_ok(lx, name) and person_ok(lx, text, s, e, ctx.persons_by_tagger):
                out.append(Mention(s, e, "Person", name, name, "person-list"))
    return out


def _chains(text: str) -> list[list[tuple[int, int]]]:
    """Runs of list items each between two 、 (the middle items of a list), as (start, end) spans."""
    chains: list[list[tuple[int, int]]] = []
    for m in LIST_ITEM.finditer(text):
        if chains and chains[-1][-1][1] + 1 == m.start():
            chains[-1].append((m.start(), m.end()))
        else:
            chains.append([(m.start(), m.end())])
    return chains


def _end_item(text: str, at: int, unsure: set, before: bool) -> tuple[int, int] | None:
    """The tagger's person just before the 、 that opens a chain (``before``) or just after the one that
    closes it."""
    for s, e in unsure:
        if (before and e == at - 1 and text[e:e + 1] == "、") or (not before and s == at + 1 and text[at:at + 1] == "、"):
            return (s, e)
    return None


GUESS_MIN = 0.5  # the least confidence of a guess (kg ner shows it; the graph leaves it out)


def guess_class(lx, text: str, s: int, e: int, label: str) -> str:
    """The class of a tagger span nothing confirmed: a person, a post, a division (Place) or another
    geographic name (Location), an organisation by its known name or head word, else by the tagger's
    organisation typer (:func:`kg.ner_model.org_type`: company → Enterprise, government → GovernmentBody).

    >>> from kg.recognize.lexicon import shared_lexicon
    >>> lx = shared_lexicon()
    >>> [guess_class(lx, t, 0, len(t), k) for t, k in (("招行", "ORG"), ("珠江", "LOC"), ("郑州", "LOC"), ("主教练", "TITLE"))]
    ['Enterprise', 'Location', 'Place', 'Post']
    """
    if label in ("PER", "TITLE"):
        return "Person" if label == "PER" else "Post"
    if label == "LOC":
        return "Place" if gazetteer().best(text[s:e]) is not None else "Location"
    cls, _ = org_class(lx, text, s, e)
    if cls != "Organization":
        return cls
    from kg import ner_model

    return {"company": "Enterprise", "government": "GovernmentBody"}.get(ner_model.org_type(text, s, e), "Organization")


@recognizer_pass("tagger-guesses", stage="guesses", requires=("tagger",))
def tagger_guesses(ctx: Context) -> list[Mention]:
    """The trained tagger's spans that nothing else found or confirmed, as unconfirmed guesses: every
    span of confidence ≥ ``GUESS_MIN`` that overlaps no name, nested name or place, typed by
    :func:`guess_class`. ``kg ner`` reports them (``"guess": true``); the graph is built without them.

    >>> from kg.recognize import Home, Recognizer
    >>> text = "招行的利息收入增长。"
    >>> [(m.text, m.label, m.confirmed) for m in Recognizer(passes=["tagger", "tagger-guesses"]).find(
    ...     text, Home(), tagged=((0, 2, "ORG", 0.99),))]
    [('招行', 'Enterprise', False)]
    """
    text, lx = ctx.text, ctx.lexicon
    taken = [(m.start, m.end) for m in ctx.names + ctx.nested + ctx.places]
    out: list[Mention] = []
    for s, e, label, *conf in ctx.tagged:
        if conf and conf[0] < GUESS_MIN:
            continue
        e = _clip(text, s, e)
        name = text[s:e]
        if e <= s or not name.strip() or any(a < e and s < b for a, b in taken):
            continue
        cls = guess_class(lx, text, s, e, label)
        out.append(Mention(s, e, cls, name, name, SOURCE, confirmed=False))
        taken.append((s, e))
    return out
