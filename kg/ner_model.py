"""The trained entity tagger: a character CRF (python-crfsuite) shipped in ``kg/models/``.

``tag(text)`` returns flat spans ``(start, end_exclusive, label)`` of four coarse kinds: ``PER`` (a
person's name), ``ORG`` (an organisation), ``LOC`` (a place) and ``TITLE`` (a title or post). The
weights are read lazily from the package on the first call, offline; ``org_kind`` types an
organisation by its head word. ``features`` builds the per-character attributes and is shared with
``scripts/train_ner.py``, so training and tagging cannot drift apart. See ``kg/models/README.md``.

>>> text = "高勇，男，现任杭州市人民政府副市长。"
>>> [(text[s:e], label) for s, e, label in tag(text)]
[('高勇', 'PER'), ('杭州市人民政府', 'ORG'), ('副市长', 'TITLE')]
>>> org_kind("杭州市发展和改革委员会"), org_kind("阿里巴巴集团")
('GovernmentBody', 'Enterprise')
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from pathlib import Path

from kg import resources

MODELS = Path(__file__).resolve().parent / "models"
MODEL_FILE = MODELS / "ner_crf.crfsuite"
META_FILE = MODELS / "ner_crf.json"
ORGTYPE_FILE = MODELS / "ner_orgtype.crfsuite"
LABELS = ("PER", "ORG", "LOC", "TITLE")

_PAD_L = "\x02\x02"
_PAD_R = "\x03\x03"
# Pieces of at most this many characters are tagged as one sequence (cut after sentence ends).
_MAX_PIECE = 400
_PIECE_RE = re.compile(r"[^。！？；\n]*[。！？；\n]?")


# ---------------------------------------------------------------- lexicons and word boundaries


@lru_cache(maxsize=None)
def _lexicon():
    """One Aho-Corasick automaton over the lexicon files: word -> tuple of kinds."""
    import ahocorasick

    kinds: dict[str, set[str]] = {}

    def add(word: str, kind: str) -> None:
        if word:
            kinds.setdefault(word, set()).add(kind)

    for w in resources.load_words("surnames.txt"):
        add(w, "sur")
    for row in resources.load_table("titles.tsv"):
        add(row[0], "ti")
    for row in resources.load_table("name_suffixes.tsv"):
        if row[1] in ("Enterprise", "GovernmentBody", "Institution"):
            add(row[0], "sf")
    for row in resources.load_table("divisions.tsv"):
        if row[0] == "adcode":
            continue
        add(row[1], "dv")
        if len(row) > 2 and len(row[2]) >= 2:
            add(row[2], "dv")
    auto = ahocorasick.Automaton()
    for word, ks in kinds.items():
        auto.add_word(word, (len(word), tuple(sorted(ks))))
    auto.make_automaton()
    return auto


@lru_cache(maxsize=None)
def _jieba():
    """A private jieba tokenizer on jieba's own dictionary (not the one kg.nlp extends)."""
    import logging

    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


@lru_cache(maxsize=None)
def _words():
    """An Aho-Corasick automaton over jieba's dictionary (words of 2+ characters, frequency >= 3)."""
    import os

    import ahocorasick
    import jieba

    auto = ahocorasick.Automaton()
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split(" ")
            if len(parts) >= 2 and len(parts[0]) >= 2 and int(parts[1]) >= 3:
                auto.add_word(parts[0], len(parts[0]))
    auto.make_automaton()
    return auto


_BUCKET = ("0", "1", "2", "3", "4", "5")


def _lattice_feats(text: str) -> list[str]:
    """Per character: the length (capped at 5) of the longest dictionary word starting and the longest
    ending here, as one attribute ``lL2R0``."""
    n = len(text)
    left = [0] * n
    right = [0] * n
    for end, length in _words().iter(text):
        start = end - length + 1
        if length > left[start]:
            left[start] = length
        if length > right[end]:
            right[end] = length
    return [_LATTICE[a if a < 5 else 5][b if b < 5 else 5] for a, b in zip(left, right)]


_LATTICE = [["lL" + _BUCKET[a] + "R" + _BUCKET[b] for b in range(6)] for a in range(6)]  # built once


def _word_feats(text: str) -> list[str]:
    out: list[str] = []
    for w in _jieba().cut(text, HMM=False):
        n = len(w)
        if n == 1:
            out.append("wS")
        else:
            b = str(min(n, 5))
            out.append("wB" + b)
            out.extend(["wM" + b] * (n - 2))
            out.append("wE" + b)
    return out


def _lex_feats(text: str) -> list[list[str]]:
    n = len(text)
    marks: list[list[str]] = [[] for _ in range(n)]
    if not n:
        return marks
    for end, (length, ks) in _lexicon().iter(text):
        start = end - length + 1
        for k in ks:
            if k == "sur":
                marks[start].append("Lsur")
            elif k == "ti":
                marks[start].append("Lti<")
                marks[end].append("Lti>")
                if end + 1 < n:
                    marks[end + 1].append("Lti>-1")
            elif k == "sf":
                marks[end].append("Lsf>")
            else:
                marks[start].append("Ldv<")
                marks[end].append("Ldv>")
    return marks


# ---------------------------------------------------------------- features


def features(text: str, rich: str = "lattice", indicator: str | None = None) -> list[list[str]]:
    """Attributes of each character: the character, its neighbours at ±1/±2, three bigrams, two
    trigrams (``rich="base"``); ``"jieba"`` adds its position in its jieba word (B/M/E/S) with the
    word's length, ``"lattice"`` the longest jieba-dictionary word starting and ending here; both add
    lexicon marks (a surname, a title, an organisation head word, a division name starting or ending
    here). ``indicator`` adds a dataset attribute (``D=name``) to every character; ``"a+b"`` adds both.

    >>> features("张三", rich="base")[0][:3]
    ['c0张', 'c-1\\x02', 'c-2\\x02']
    """
    p = _PAD_L + text + _PAD_R
    n = len(text)
    c0 = p[2 : n + 2]
    cm1 = p[1 : n + 1]
    cm2 = p[0:n]
    cp1 = p[3 : n + 3]
    cp2 = p[4 : n + 4]
    extra: list[list[str]] = []
    if rich == "jieba":
        extra.append(_word_feats(text))
    elif rich == "lattice":
        extra.append(_lattice_feats(text))
    if indicator:
        for ind in indicator.split("+"):
            extra.append(["D=" + ind] * n)
    # one pass over the five shifted strings (a row per character, built in place: the features are
    # half of the tagger's time)
    rows = [["c0" + b, "c-1" + a1, "c-2" + a2, "c1" + c1, "c2" + c2, "b-1" + a1 + b, "b0" + b + c1,
             "b1" + c1 + c2, "t-" + a2 + a1 + b, "t+" + b + c1 + c2]
            for a2, a1, b, c1, c2 in zip(cm2, cm1, c0, cp1, cp2)]
    for col in extra:
        for row, f in zip(rows, col):
            row.append(f)
    if rich != "base":
        for row, m in zip(rows, _lex_feats(text)):
            if m:
                row.extend(m)
    return rows


def spans_from_bio(labels, offset: int = 0) -> list[tuple[int, int, str]]:
    """Spans of a BIO label sequence (an I- without a matching B- starts a span).

    >>> spans_from_bio(["B-PER", "I-PER", "O", "I-LOC", "B-ORG"])
    [(0, 2, 'PER'), (3, 4, 'LOC'), (4, 5, 'ORG')]
    """
    out = []
    start, kind = None, None
    for i, lab in enumerate(labels):
        if lab == "O" or lab.startswith("B-") or (lab.startswith("I-") and lab[2:] != kind):
            if kind is not None:
                out.append((start + offset, i + offset, kind))
                start, kind = None, None
            if lab != "O":
                start, kind = i, lab[2:]
    if kind is not None:
        out.append((start + offset, len(labels) + offset, kind))
    return out


# ---------------------------------------------------------------- the shipped model

_lock = threading.Lock()
_state: dict = {}


def meta() -> dict:
    """The model's settings as written by training (features, the dataset indicator used to tag)."""
    if "meta" not in _state:
        _state["meta"] = json.loads(META_FILE.read_text(encoding="utf-8"))
    return _state["meta"]


def _tagger():
    t = getattr(_local, "tagger", None)
    if t is None:
        import pycrfsuite

        with _lock:
            t = pycrfsuite.Tagger()
            t.open(str(MODEL_FILE))
        _local.tagger = t
    return t


_local = threading.local()


def pieces(text: str):
    """(offset, piece) cuts of ``text`` after sentence ends, each at most ``_MAX_PIECE`` chars."""
    for m in _PIECE_RE.finditer(text):
        s = m.group(0)
        if not s:
            continue
        for k in range(0, len(s), _MAX_PIECE):
            yield m.start() + k, s[k : k + _MAX_PIECE]


def tag(text: str) -> list[tuple[int, int, str]]:
    """Entity spans ``(start, end, label)`` of ``text``; labels are PER, ORG, LOC and TITLE."""
    m = meta()
    tagger = _tagger()
    rich, ind = m.get("features", "lattice"), m.get("indicator")
    out: list[tuple[int, int, str]] = []
    for off, piece in pieces(text):
        if piece.strip():
            out.extend(spans_from_bio(tagger.tag(features(piece, rich, ind)), off))
    return out


def tag_scored(text: str) -> list[tuple[int, int, str, float]]:
    """Like :func:`tag`, with each span's confidence: the least marginal probability the CRF gives
    its labels over the span's characters (1.0 = certain).

    >>> [(s, e, label) for s, e, label, p in tag_scored("市委书记张三出席会议。") if p > 0.5]
    [(0, 2, 'ORG'), (2, 4, 'TITLE'), (4, 6, 'PER')]
    """
    m = meta()
    tagger = _tagger()
    rich, ind = m.get("features", "lattice"), m.get("indicator")
    out: list[tuple[int, int, str, float]] = []
    for off, piece in pieces(text):
        if not piece.strip():
            continue
        labels = tagger.tag(features(piece, rich, ind))
        for s, e, kind in spans_from_bio(labels):
            p = min(tagger.marginal(labels[i], i) for i in range(s, e))
            out.append((s + off, e + off, kind, round(p, 3)))
    return out


# ---------------------------------------------------------------- typing an organisation


def org_features(text: str, start: int, end: int) -> list[str]:
    """Attributes of an organisation span for the learned typer: its endings and beginnings, its
    characters, its length, and two characters of context each side."""
    name = text[start:end]
    f = ["s1" + name[-1:], "s2" + name[-2:], "s3" + name[-3:], "s4" + name[-4:], "p1" + name[:1],
         "p2" + name[:2], "n" + str(min(len(name), 8)), "l1" + text[max(start - 1, 0) : start],
         "l2" + text[max(start - 2, 0) : start], "r1" + text[end : end + 1], "r2" + text[end : end + 2]]
    f.extend("ch" + c for c in set(name))
    return f


def org_type(text: str, start: int, end: int) -> str:
    """CLUENER's kind of the organisation ``text[start:end]`` (company, government or organization),
    by a classifier trained on CLUENER2020's organisations (kg/models/ner_orgtype.crfsuite).

    >>> org_type("国家发改委发布通知", 0, 5), org_type("腾讯公司发布财报", 0, 4)
    ('government', 'company')
    """
    t = getattr(_local, "orgtype", None)
    if t is None:
        import pycrfsuite

        t = pycrfsuite.Tagger()
        t.open(str(ORGTYPE_FILE))
        _local.orgtype = t
    return t.tag([org_features(text, start, end)])[0]



@lru_cache(maxsize=None)
def _suffixes() -> tuple[tuple[str, str], ...]:
    rows = [(r[0], r[1]) for r in resources.load_table("name_suffixes.tsv") if len(r) > 1]
    rows += [(s, "GovernmentBody") for s in ("委员会", "委", "部", "署", "办", "院", "法院", "检察院", "署")]
    rows += [(s, "Institution") for s in ("大学", "中学", "小学", "学校", "医院")]
    rows += [(s, "Enterprise") for s in ("银行", "公司", "集团", "股份", "证券", "保险", "传媒", "基金")]
    return tuple(sorted(set(rows), key=lambda r: -len(r[0])))


def org_kind(name: str) -> str:
    """The class an organisation's head word implies (longest head wins): Enterprise,
    GovernmentBody, Institution, IndustrialPark, or Organization when no head word decides."""
    for suf, kind in _suffixes():
        if name.endswith(suf) and len(name) > len(suf):
            return kind if kind != "Project" else "Organization"
    return "Organization"
