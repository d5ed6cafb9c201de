"""NLP: a spaCy pipeline (``blank("zh")`` + jieba) whose components find the entity spans.

Components, in order (registered like spaCy's own, so they can be reused in other pipelines):

* ``zhengqi_lac`` – the statistical tagger (Baidu LAC via ONNX), run only on sentences where it can
  matter (a title, a speech verb, an enterprise head word); skipped with ``fast=True``.
* ``zhengqi_entities`` – the rule recogniser (:mod:`kg.recognize`): sets ``doc.spans["kg"]`` (every
  mention, Posts and nested names included), ``doc.ents`` (the non-overlapping entities) and
  ``doc.user_data["mentions"]`` (exact character offsets, the source of truth downstream).

>>> nlp = make_nlp(fast=True)
>>> doc = nlp.make_doc("副市长司马江出席。")
>>> doc = annotate(nlp, "副市长司马江出席。", home_city="辽源市")
>>> [(s.text, s.label_) for s in doc.spans["kg"]]
[('副市长', 'Post'), ('司马江', 'Person')]
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import List, Optional

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg import statmodel
from kg.recognize import Home, Mention, Recognizer, detect_home, shared_lexicon, with_county

logging.getLogger("jieba").setLevel(logging.WARNING)

def _worth_tagging() -> re.Pattern:
    """Sentences worth the tagger: a title (names follow), a speech verb (names precede), or a
    firm's head (trade names precede): 市长, 董事长, 说, 表示, 钢铁, 集团 … from the lexicons."""
    from kg.resources import load_table, load_words

    words = {row[0] for row in load_table("titles.tsv")}
    words |= load_words("speech_verbs.txt") | load_words("industry_words.txt")
    words |= {"集团", "公司", "企业", "记者"}
    words -= {"说"}
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(alternatives + r"|[\u4e00-\u9fff]说")


_WORTH_TAGGING = _worth_tagging()
WINDOW = 10  # characters on each side of a trigger that the tagger reads


def trigger_windows(text: str) -> list[tuple[int, int]]:
    """Merged spans of ±WINDOW characters around each trigger word, cut at sentence ends.

    >>> trigger_windows("今年经济增长。副市长司马江出席会议。")
    [(7, 17)]
    """
    spans: list[list[int]] = []
    for m in _WORTH_TAGGING.finditer(text):
        a, b = max(0, m.start() - WINDOW), min(len(text), m.end() + WINDOW)
        left = max(text.rfind(c, a, m.start()) for c in "。！？\n")
        right = [i for i in (text.find(c, m.end(), b) for c in "。！？\n") if i != -1]
        a = max(a, left + 1)
        b = min(right) if right else b
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    return [(a, b) for a, b in spans if b > a]


def lac_tokens(text: str) -> list:
    """The statistical tagger's tokens on the trigger windows of ``text``."""
    return statmodel.tag_spans(text, trigger_windows(text))


@Language.factory("zhengqi_lac")
def make_lac(nlp: Language, name: str):
    def tag(doc: Doc) -> Doc:
        doc.user_data["lac"] = lac_tokens(doc.text)
        return doc

    return tag


def tagger_spans(text: str) -> tuple:
    """The trained tagger's ``(start, end, label, confidence)`` spans over the whole text (:mod:`kg.ner_model`)."""
    from kg import ner_model

    return tuple(ner_model.tag_scored(text))


@Language.factory("zhengqi_tagger")
def make_tagger(nlp: Language, name: str):
    def tag(doc: Doc) -> Doc:
        doc.user_data["tagged"] = tagger_spans(doc.text)
        return doc

    return tag


@Language.factory("zhengqi_entities", default_config={"passes": None})
def make_entities(nlp: Language, name: str, passes: Optional[List[str]]):
    """The recogniser on the process's one lexicon; ``passes``: the passes to run by name (all when None)."""
    recognizer = Recognizer(shared_lexicon(), passes)

    def recognize(doc: Doc) -> Doc:
        home = with_county(doc.user_data.get("home") or detect_home(doc.text), doc.text)
        doc.user_data["home"] = home
        mentions = recognizer.find(doc.text, home, doc.user_data.get("lac"), doc.user_data.get("tagged", ()))
        doc.user_data["mentions"] = mentions
        set_spans(doc, mentions)
        return doc

    recognize.recognizer = recognizer  # for find_mentions, which needs no Doc
    return recognize


def set_spans(doc: Doc, mentions: list[Mention]) -> None:
    """Mentions → spaCy spans (token-aligned by expansion; exact offsets stay in the mentions)."""
    spans, ents, taken = [], [], set()
    for m in mentions:
        if not m.confirmed:
            continue
        span = doc.char_span(m.start, m.end, label=m.label, alignment_mode="expand")
        if span is None:
            continue
        spans.append(span)
        if m.label != "Post" and not m.nested and not taken & set(range(span.start, span.end)):
            ents.append(span)
            taken |= set(range(span.start, span.end))
    doc.spans["kg"] = spans
    doc.set_ents(sorted(ents, key=lambda s: s.start), default="unmodified")


@lru_cache(maxsize=2)
def make_nlp(fast: bool = False, passes: tuple[str, ...] | None = None) -> Language:
    """The pipeline: jieba tokens, then (unless ``fast``) the tagger, then the recogniser (running only
    the recognition ``passes`` named, when given: :func:`kg.recognize.pass_names`)."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    if not fast and statmodel.available():
        nlp.add_pipe("zhengqi_lac")
    if not fast:
        nlp.add_pipe("zhengqi_tagger")
    nlp.add_pipe("zhengqi_entities", config={} if passes is None else {"passes": list(passes)})
    return nlp


def find_mentions(nlp: Language, text: str, home_city: str | None = None,
                  newspaper: str | None = None) -> tuple[Home, list[Mention]]:
    """The home and the confirmed mentions :func:`annotate` puts in ``doc.user_data``, by the same components, without
    making a spaCy ``Doc``: what the build reads are the mentions' exact character offsets, and jieba's
    segmentation of the whole text only places ``doc.spans`` on token boundaries (more than half the time of
    ``--fast``). Same as ``annotate(...).user_data`` without the unconfirmed guesses.

    >>> home, mentions = find_mentions(make_nlp(fast=True), "副市长司马江出席。", home_city="辽源市")
    >>> [(m.text, m.label) for m in mentions]
    [('副市长', 'Post'), ('司马江', 'Person')]
    """
    home = Home.of_city(home_city, newspaper) if home_city else detect_home(text, newspaper)
    home = with_county(home or detect_home(text), text)
    lac = lac_tokens(text) if "zhengqi_lac" in nlp.pipe_names else None
    tagged = tagger_spans(text) if "zhengqi_tagger" in nlp.pipe_names else ()
    mentions = nlp.get_pipe("zhengqi_entities").recognizer.find(text, home, lac, tagged)
    return home, [m for m in mentions if m.confirmed]


def annotate(nlp: Language, text: str, home_city: str | None = None, newspaper: str | None = None) -> Doc:
    """Run the pipeline on one text with its home context (detected when not given)."""
    doc = nlp.make_doc(text)
    doc.user_data["home"] = Home.of_city(home_city, newspaper) if home_city else detect_home(text, newspaper)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc
