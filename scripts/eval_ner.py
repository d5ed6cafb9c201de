"""Score ``kg ner`` on a labelled NER set (exact spans), with our labels mapped to the set's own.

    python scripts/eval_ner.py FILE.jsonl --scheme cluener [--val PCT] [--fast] [--limit N]

FILE is JSONL of ``{"text": ..., "spans": [[start, end, "LABEL"], ...]}`` (the format of
``../shared/data/ner_*.jsonl``); ``--val PCT`` keeps the validation part that ``scripts/train_ner.py``
holds out of training (the same md5 rule). Only the
labels of the scheme are scored: gold spans of other labels are ignored, and so are predictions whose
class maps to none of them. The public test splits are not in ``../shared/data``; the maintainers score
the same way on them.

Schemes (our label → theirs):

* ``cluener``: Person → name, Enterprise → company, GovernmentBody → government, Post → position
* ``resume``: Person → NAME, Enterprise/GovernmentBody/Institution/IndustrialPark/Organization → ORG,
  Post → TITLE
* ``pd`` (People's Daily, MSRA): Person → PER, Enterprise/GovernmentBody/Institution/IndustrialPark/
  Organization → ORG, Place/Location → LOC
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ORGS = ("Enterprise", "GovernmentBody", "Institution", "IndustrialPark", "Organization")
SCHEMES = {
    "cluener": {"Person": "name", "Enterprise": "company", "GovernmentBody": "government", "Post": "position"},
    "resume": {"Person": "NAME", **{c: "ORG" for c in ORGS}, "Post": "TITLE"},
    "pd": {"Person": "PER", **{c: "ORG" for c in ORGS}, "Place": "LOC", "Location": "LOC"},
}


def score(gold: list[set], pred: list[set], labels: list[str]) -> dict[str, tuple[float, float, float, int, int]]:
    """Per label and ``ALL``: precision, recall, F1, predicted, gold (exact (start, end, label) matches).

    >>> s = score([{(0, 2, "PER")}], [{(0, 2, "PER"), (3, 5, "LOC")}], ["PER", "LOC"])
    >>> s["PER"][:3], s["ALL"][:3]
    ((1.0, 1.0, 1.0), (0.5, 1.0, 0.6666666666666666))
    """
    tp, np_, ng = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred):
        for span in p:
            np_[span[2]] += 1
            tp[span[2]] += span in g
        for span in g:
            ng[span[2]] += 1
    out = {}
    for label in [*labels, "ALL"]:
        t = sum(tp.values()) if label == "ALL" else tp[label]
        p = sum(np_.values()) if label == "ALL" else np_[label]
        g = sum(ng.values()) if label == "ALL" else ng[label]
        prec, rec = (t / p if p else 0.0), (t / g if g else 0.0)
        out[label] = (prec, rec, 2 * prec * rec / (prec + rec) if prec + rec else 0.0, p, g)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--scheme", choices=sorted(SCHEMES), required=True)
    ap.add_argument("--fast", action="store_true", help="rules only (kg ner --fast)")
    ap.add_argument("--limit", type=int, default=0, help="score the first N records only")
    ap.add_argument("--val", type=int, default=0, metavar="PCT",
                    help="score only the validation part scripts/train_ner.py held out (md5 of the text mod 100 "
                         "below PCT: 10 for CLUENER, Resume and MSRA, 30 for People's Daily dev)")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kg.cli import ner_entities
    from kg.nlp import make_nlp

    mapping = SCHEMES[args.scheme]
    labels = sorted(set(mapping.values()))
    records = [json.loads(line) for line in args.file.open(encoding="utf-8") if line.strip()]
    if args.val:
        import hashlib

        records = [r for r in records
                   if int(hashlib.md5(r["text"].encode("utf-8")).hexdigest()[:8], 16) % 100 < args.val]
    if args.limit:
        records = records[:args.limit]
    nlp = make_nlp(fast=args.fast)
    gold, pred, chars = [], [], 0
    t0 = time.perf_counter()
    for r in records:
        chars += len(r["text"])
        gold.append({(s, e, lab) for s, e, lab in r["spans"] if lab in labels})
        pred.append({(m["start"], m["end"], mapping[m["label"]]) for m in ner_entities(nlp, r["text"])
                     if m["label"] in mapping})
    seconds = time.perf_counter() - t0
    print(f"{args.file.name}: {len(records)} records, {chars:,} characters, scheme {args.scheme}"
          f"{' (--fast)' if args.fast else ''}, {chars / seconds:,.0f} chars/s")
    print(f"{'':12} {'P':>6} {'R':>6} {'F1':>6} {'pred':>6} {'gold':>6}")
    for label, (p, r, f, n_pred, n_gold) in score(gold, pred, labels).items():
        print(f"{label:12} {p:6.3f} {r:6.3f} {f:6.3f} {n_pred:6d} {n_gold:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
