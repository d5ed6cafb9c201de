"""Extraction speed against bare jieba segmentation, measured in one run on the same text.

    .venv/bin/python scripts/bench_nlp.py                      # components at 300,000 chars + builds at 8 MB
    .venv/bin/python scripts/bench_nlp.py --build-mb 0         # the components only (~1 min)
    .venv/bin/python scripts/bench_nlp.py --chars 100000 --build-mb 1

Components, in this process on one core, on the same text (the seeds plus the national work reports from
../shared/corpus, cut to --chars characters and split into documents of ~5,000 characters): bare
``jieba.lcut``; the trained tagger alone (``kg.ner_model.tag``, and ``tag_scored``, which is what
``kg build`` runs: the same plus each span's marginal probability); Baidu LAC (``kg.statmodel``, ONNX) over
the whole text and on the trigger windows ``kg build`` gives it; then the whole extraction
(``extract_all``) with ``--fast`` and without. Each is timed three times, the least kept (a shared
machine's noise only adds time), and printed in chars/s and as its time over jieba's and over LAC's
(whole text) on the same text: lower is better. Then where the tagger's time goes
(cutting into pieces, features built in Python, their conversion for crfsuite, crfsuite's look-up of
the attributes and scoring, Viterbi, marginals), timed step by step over the same text.

Builds (unless --build-mb 0): ``kg build`` (all cores) and ``kg build --fast`` on the corpus of
--build-mb MB that scripts/bench.py makes (its ``make_corpus``, ``bare_jieba`` and ``run_build``: a
subprocess timed from start to exit), each against bare single-process ``jieba.lcut`` over the same files
in the same run. Issue 14's marks: the tagger alone >= 100 k chars/s; at 8 MB ``kg build`` <= 4x jieba,
``--fast`` <= 1.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "gov_work_reports_national.jsonl"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402  (scripts/bench.py: corpora, bare jieba and timed builds)


def texts(limit: int) -> list[str]:
    raw = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    if CORPUS.exists():
        raw += "\n\n" + "\n\n".join(json.loads(line)["content"] for line in CORPUS.open(encoding="utf-8"))
    raw = raw[:limit]
    return [raw[i:i + 5000] for i in range(0, len(raw), 5000)]


def timed(fn, parts, repeat: int = 3) -> float:
    """The least of ``repeat`` timings of ``fn`` over ``parts`` (a shared machine's noise only adds time)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for p in parts:
            fn(p)
        best = min(best, time.perf_counter() - t)
    return best


def tagger_split(parts: list[str]) -> dict[str, float]:
    """Seconds of each step of ``kg.ner_model.tag_scored`` over ``parts``, the steps run one after the
    other as tag_scored runs them (features are built twice more, in parts, to split their time)."""
    import pycrfsuite

    from kg import ner_model as nm

    m = nm.meta()
    rich, ind = m.get("features", "lattice"), m.get("indicator")
    tagger = nm._tagger()
    s = dict.fromkeys(["pieces", "features", "  base (chars, bigrams, trigrams)", "  word lattice (jieba dict)",
                       "  lexicon marks", "crfsuite: lists of str -> ItemSequence",
                       "crfsuite: set (attribute ids, state scores)", "crfsuite: Viterbi",
                       "marginals (tag_scored only)", "spans from BIO"], 0.0)
    clock = time.perf_counter
    for text in parts:
        t = clock()
        cut = [(off, piece) for off, piece in nm.pieces(text) if piece.strip()]
        s["pieces"] += clock() - t
        for _off, piece in cut:
            t0 = clock()
            xseq = nm.features(piece, rich, ind)
            t1 = clock()
            seq = pycrfsuite.ItemSequence(xseq)
            t1b = clock()
            tagger.set(seq)
            t2 = clock()
            labels = tagger.tag()
            t3 = clock()
            spans = nm.spans_from_bio(labels)
            t4 = clock()
            for a, b, _kind in spans:
                min(tagger.marginal(labels[i], i) for i in range(a, b))
            t5 = clock()
            s["features"] += t1 - t0
            s["crfsuite: lists of str -> ItemSequence"] += t1b - t1
            s["crfsuite: set (attribute ids, state scores)"] += t2 - t1b
            s["crfsuite: Viterbi"] += t3 - t2
            s["spans from BIO"] += t4 - t3
            s["marginals (tag_scored only)"] += t5 - t4
            t0 = clock()
            nm.features(piece, "base", ind)
            t1 = clock()
            if rich == "lattice":
                nm._lattice_feats(piece)
            elif rich == "jieba":
                nm._word_feats(piece)
            t2 = clock()
            if rich != "base":
                nm._lex_feats(piece)
            t3 = clock()
            s["  base (chars, bigrams, trigrams)"] += t1 - t0
            s["  word lattice (jieba dict)"] += t2 - t1
            s["  lexicon marks"] += t3 - t2
    return s


def components(chars: int) -> None:
    import jieba

    from kg import ner_model, statmodel
    from kg.ingest import document_from_text
    from kg.nlp import lac_tokens, make_nlp
    from kg.pipeline import extract_all

    jieba.initialize()
    parts = texts(chars)
    n = sum(map(len, parts))
    docs = [document_from_text(t, f"bench-{i}.txt") for i, t in enumerate(parts)]
    has_lac = statmodel.available()

    def lac_whole(text: str):
        return statmodel.tag_spans(text, [(s, s + len(c)) for s, c in statmodel.chunks(text)])

    # everything loaded before timing: jieba, the tagger's model and automata, LAC, the lexicons
    make_nlp(fast=True), make_nlp(fast=False)
    extract_all(docs[:1]), extract_all(docs[:1], fast=True)
    ner_model.tag_scored(parts[0][:2000])
    if has_lac:
        lac_whole(parts[0][:2000])

    rows: list[tuple[str, float | None]] = [
        ("bare jieba.lcut", timed(jieba.lcut, parts)),
        ("tagger: ner_model.tag", timed(ner_model.tag, parts)),
        ("tagger: ner_model.tag_scored (in build)", timed(ner_model.tag_scored, parts)),
        ("LAC over the whole text", timed(lac_whole, parts) if has_lac else None),
        ("LAC on trigger windows (in build)", timed(lac_tokens, parts) if has_lac else None),
        ("kg extract --fast (rules)", timed(lambda d: extract_all([d], fast=True), docs)),
        ("kg extract (LAC + tagger + rules)", timed(lambda d: extract_all([d]), docs)),
    ]
    base = rows[0][1]
    lac = rows[3][1]
    print(f"\n{n:,} characters in {len(parts)} documents, one process, one core")
    print(f"  {'':<42}{'chars/s':>10}   {'x jieba':>8}   {'x LAC':>6}")
    for name, sec in rows:
        if sec is None:
            print(f"  {name:<42}{'(LAC not available)':>10}")
            continue
        vs_lac = f"{sec / lac:6.2f}" if lac else f"{'-':>6}"
        print(f"  {name:<42}{n / sec:>10,.0f}   {sec / base:7.2f}x   {vs_lac}x")
    tag_sec = rows[1][1]
    print(f"  tagger alone: {n / tag_sec / 1000:,.0f} k chars/s (issue 14: >= 100 k) "
          f"{'OK' if n / tag_sec >= 100_000 else 'MISSED'}", flush=True)

    split = tagger_split(parts)
    total = sum(v for k, v in split.items() if not k.startswith("  "))
    print(f"\nwhere tag_scored's time goes ({total:.2f} s over the same text, steps timed one by one; "
          f"the feature parts timed again separately)")
    for name, sec in split.items():
        print(f"  {name:<46}{sec:7.2f} s  {100 * sec / total:5.1f} %")
    print(flush=True)


def builds(megabytes: float, workdir: Path) -> None:
    folder = workdir / f"corpus-{megabytes:g}mb"
    corpus = bench.make_corpus(folder, megabytes)
    chars = sum(map(len, corpus))
    base = bench.bare_jieba(corpus)
    print(f"{megabytes:g} MB: {len(corpus)} files, {chars:,} characters; bare jieba.lcut {base:.1f} s "
          f"({chars / base:,.0f} chars/s), one process", flush=True)
    marks = {"default": 4.0, "fast": 1.5} if megabytes == 8 else {}
    for mode in ("default", "fast"):
        seconds, peak, _single, phases = bench.run_build(folder, workdir / f"out-{megabytes:g}mb-{mode}",
                                                         bench.MODES[mode])
        ratio = seconds / base
        mark = f"  (issue 14: <= {marks[mode]:g}x {'OK' if ratio <= marks[mode] else 'MISSED'})" if mode in marks else ""
        label = "kg build (all cores)" if mode == "default" else "kg build --fast"
        print(f"  {label:<22}{seconds:7.1f} s  {chars / seconds:>9,.0f} chars/s  {ratio:5.2f}x jieba{mark}   "
              f"peak memory {peak / 2**20:,.0f} MB   load {os.getloadavg()[0]:.2f}", flush=True)
        if phases:
            print("      phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items())
                  + f", start-up and the rest {seconds - sum(phases.values()):.1f} s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=300_000, help="characters of text for the components")
    ap.add_argument("--build-mb", type=float, default=8, help="corpus size of the two builds (0: no builds)")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/kg-bench"), help="corpora and build outputs")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"(before the run)", flush=True)
    components(args.chars)
    if args.build_mb > 0:
        builds(args.build_mb, args.workdir)
    print(f"load average after the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
