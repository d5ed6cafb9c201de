"""Extraction speed against bare jieba segmentation, measured in one run on the same text.

    .venv/bin/python scripts/bench_nlp.py [--chars 300000]

Text: the seeds plus national work reports from ../shared/corpus, cut to --chars characters and
split into documents of ~5,000 characters. Prints chars/s and ratios (lower is better).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "gov_work_reports_national.jsonl"


def texts(limit: int) -> list[str]:
    raw = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    if CORPUS.exists():
        raw += "\n\n" + "\n\n".join(json.loads(line)["content"] for line in CORPUS.open(encoding="utf-8"))
    raw = raw[:limit]
    return [raw[i:i + 5000] for i in range(0, len(raw), 5000)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=300_000)
    args = ap.parse_args()
    import jieba

    from kg.ingest import document_from_text
    from kg.nlp import make_nlp
    from kg.pipeline import extract_all

    jieba.initialize()
    parts = texts(args.chars)
    n = sum(map(len, parts))
    docs = [document_from_text(t, f"bench-{i}.txt") for i, t in enumerate(parts)]
    make_nlp(fast=True), make_nlp(fast=False)  # load models before timing
    extract_all(docs[:1]), extract_all(docs[:1], fast=True)

    t = time.perf_counter()
    for p in parts:
        jieba.lcut(p)
    base = time.perf_counter() - t
    t = time.perf_counter()
    extract_all(docs, fast=True)
    fast = time.perf_counter() - t
    t = time.perf_counter()
    extract_all(docs)
    full = time.perf_counter() - t
    print(f"{n:,} characters in {len(parts)} documents")
    print(f"bare jieba.lcut         {n / base:>10,.0f} chars/s   1.00x")
    print(f"kg extract --fast       {n / fast:>10,.0f} chars/s   {fast / base:.2f}x jieba")
    print(f"kg extract (with LAC)   {n / full:>10,.0f} chars/s   {full / base:.2f}x jieba")


if __name__ == "__main__":
    main()
