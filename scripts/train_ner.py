#!/usr/bin/env python3
"""Train the entity tagger shipped in kg/models/ (a python-crfsuite character CRF) from ../shared/data.

    python scripts/train_ner.py                 # train the shipped model, print the validation tables
    python scripts/train_ner.py --mode separate --features base --silver none --c1 0.05 --minfreq 1
                                                # the per-set baseline of FINDINGS

The shipped model (the defaults): one CRF over all four sets, jieba-dictionary lattice and lexicon
features, no dataset indicator, and silver completion: a first CRF trained with a dataset attribute
(D=<set>, into build/ner_stage1, not shipped) tags each training set under the indicator of a set that
labels what it lacks (places for CLUENER and Resume, titles for People's Daily and MSRA), and the
predicted spans that overlap no gold span are added before the final training.

Each labelled set keeps a fixed validation split (md5 of the text, so the split does not depend on
file order and duplicates fall on one side): 10 % of CLUENER2020 train, 10 % of Resume train + dev,
30 % of People's Daily dev and 10 % of MSRA train. Nothing else is read: never ../shared/eval/.
Labels are mapped to one coarse scheme (PER, ORG, LOC, TITLE; see MAPS) for training, and the
predictions are mapped back to each set's own labels for scoring (exact spans, micro-F1).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kg import ner_model  # noqa: E402

FILES = {
    "cluener": ["ner_cluener2020_train.jsonl"],
    "resume": ["ner_resume_train.jsonl", "ner_resume_dev.jsonl"],
    "pd": ["ner_peoples_daily_dev.jsonl"],
    "msra": ["ner_msra_train.jsonl"],
    "policy": ["ner_policy_news_ranxi.jsonl"],
}
VAL_PCT = {"cluener": 10, "resume": 10, "pd": 30, "msra": 10, "policy": 10}
# Each set's labels -> the coarse scheme; a label not listed is O.
MAPS = {
    "cluener": {"name": "PER", "company": "ORG", "government": "ORG", "organization": "ORG",
                "position": "TITLE", "address": "LOC"},
    "resume": {"NAME": "PER", "ORG": "ORG", "TITLE": "TITLE", "LOC": "LOC"},
    "pd": {"PER": "PER", "ORG": "ORG", "LOC": "LOC"},
    "msra": {"PER": "PER", "ORG": "ORG", "LOC": "LOC"},
    "policy": {"人名": "PER", "政府机构": "ORG", "组织机构企业": "ORG", "城市地点": "LOC", "省份": "LOC",
               "国家": "LOC"},
}
# The labels each set is scored on (its own names).
SCORED = {
    "cluener": ("name", "company", "government", "position"),
    "resume": ("NAME", "ORG", "TITLE"),
    "pd": ("PER", "ORG", "LOC"),
    "msra": ("PER", "ORG", "LOC"),
}
# Which indicator a set trains under (People's Daily and MSRA are the same source).
INDICATOR = {"cluener": "cluener", "resume": "resume", "pd": "pd", "msra": "pd", "policy": "policy"}
GROUPS = {"cluener": ["cluener"], "resume": ["resume"], "pd": ["pd", "msra"]}


def load(data: Path, name: str):
    out = []
    for fn in FILES[name]:
        with open(data / fn, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                out.append((r["text"], [tuple(s) for s in r["spans"]]))
    return out


def is_val(text: str, pct: int) -> bool:
    return int(hashlib.md5(text.encode("utf-8")).hexdigest()[:8], 16) % 100 < pct


def to_bio(text: str, spans, mapping) -> list[str]:
    """BIO of the mapped spans; overlapping spans: the longest wins (then the first)."""
    tags = ["O"] * len(text)
    mapped = [(s, e, mapping[l]) for s, e, l in spans if l in mapping and 0 <= s < e <= len(text)]
    for s, e, l in sorted(mapped, key=lambda x: (-(x[1] - x[0]), x[0])):
        if all(t == "O" for t in tags[s:e]):
            tags[s] = "B-" + l
            for i in range(s + 1, e):
                tags[i] = "I-" + l
    return tags


# ---------------------------------------------------------------- mapping predictions back


def learn_org_suffixes(train_cluener) -> dict[str, str]:
    """From CLUENER's training part: the majority fine class (company / government / organization)
    of each 1-3 character ending seen at least 3 times."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for text, spans in train_cluener:
        for s, e, l in spans:
            if l in ("company", "government", "organization"):
                name = text[s:e]
                for k in (1, 2, 3):
                    if len(name) > k:
                        counts[name[-k:]][l] += 1
    return {suf: c.most_common(1)[0][0] for suf, c in counts.items() if sum(c.values()) >= 3}


def train_orgtype(train_cluener, path: Path) -> float:
    """The organisation typer: one-item sequences (span attributes -> company/government/organization)."""
    import pycrfsuite

    t0 = time.time()
    tr = pycrfsuite.Trainer(verbose=False)
    for text, spans in train_cluener:
        for s, e, l in spans:
            if l in ("company", "government", "organization"):
                tr.append([ner_model.org_features(text, s, e)], [l])
    tr.set_params({"c1": 0.1, "c2": 0.01, "max_iterations": 100})
    tr.train(str(path))
    return time.time() - t0


def cluener_org(name: str, how: str, learned: dict[str, str], text="", s=0, e=0) -> str:
    if how == "model":
        return _ORGTYPER.tag([ner_model.org_features(text, s, e)])[0]
    if how == "learned":
        for k in (3, 2, 1):
            if len(name) > k and name[-k:] in learned:
                return learned[name[-k:]]
        return "organization"
    kind = ner_model.org_kind(name)
    return {"Enterprise": "company", "GovernmentBody": "government"}.get(kind, "organization")


_ORGTYPER = None


def back(set_name: str, text: str, spans, how: str = "model", learned=None):
    out = set()
    for s, e, l in spans:
        if set_name == "cluener":
            lab = {"PER": "name", "TITLE": "position", "LOC": "address", "COM": "company", "GOV": "government",
                   "ORGX": "organization"}.get(l)
            if l == "ORG":
                lab = cluener_org(text[s:e], how, learned or {}, text, s, e)
        elif set_name == "resume":
            lab = {"PER": "NAME", "ORG": "ORG", "TITLE": "TITLE", "LOC": "LOC"}[l]
        else:
            lab = l if l != "TITLE" else None
        if lab in SCORED[set_name]:
            out.add((s, e, lab))
    return out


def gold(set_name: str, spans):
    return {(s, e, l) for s, e, l in spans if l in SCORED[set_name]}


def score(gold_pred, labels):
    tp, fp, fn = Counter(), Counter(), Counter()
    for gold, pred in gold_pred:
        for x in pred:
            (tp if x in gold else fp)[x[2]] += 1
        for x in gold:
            if x not in pred:
                fn[x[2]] += 1

    def prf(t, p, n):
        pr = t / (t + p) if t + p else 0.0
        rc = t / (t + n) if t + n else 0.0
        return pr, rc, (2 * pr * rc / (pr + rc) if pr + rc else 0.0)

    res = {l: prf(tp[l], fp[l], fn[l]) for l in labels}
    res["micro"] = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return res


# ---------------------------------------------------------------- training and evaluation


# Classes a set does not label, filled from a first model's predictions under another set's indicator.
MISSING = {"cluener": {"LOC": "pd"}, "resume": {"LOC": "pd"}, "pd": {"TITLE": "cluener"},
           "msra": {"TITLE": "cluener"}, "policy": {"TITLE": "cluener"}}


def lexicon_titles(text: str, tags: list[str]) -> int:
    """In a set that labels no titles: a title of kg/resources/titles.tsv right after a labelled
    organisation or place, or right before a labelled person (市委|书记|张三), becomes TITLE."""
    import re

    from kg import resources

    global _TITLE_RE
    if _TITLE_RE is None:
        _TITLE_RE = re.compile(resources.alternation(r[0] for r in resources.load_table("titles.tsv")))
    n = 0
    for m in _TITLE_RE.finditer(text):
        s, e = m.span()
        if any(t != "O" for t in tags[s:e]):
            continue
        after_body = s > 0 and tags[s - 1][2:] in ("ORG", "LOC")
        before_person = e < len(tags) and tags[e] == "B-PER"
        if after_body or before_person:
            tags[s] = "B-TITLE"
            for i in range(s + 1, e):
                tags[i] = "I-TITLE"
            n += 1
    return n


_TITLE_RE = None


def complete(args, train_part, rich):
    """Silver completion: train (or reuse) a first joint model with dataset indicators, tag each training
    set under the indicator of a set that labels its missing classes (places for CLUENER and Resume,
    titles for People's Daily and MSRA), and add those predicted spans that overlap no gold span."""
    import pycrfsuite

    first = args.stage1
    if args.silver == "auto" or not (first / "ner_crf.crfsuite").exists():
        argv = ["--data", str(args.data), "--out", str(first), "--mode", "joint", "--features", rich, "--silver", "none",
                "--indicator", "on", "--sets", args.sets, "--msra-max", str(args.msra_max),
                "--c1", "0.05", "--c2", "0.01", "--iters", "60", "--minfreq", "1", "--name", "stage1"]
        print("stage 1:", " ".join(argv), file=sys.stderr)
        main(argv)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(first / "ner_crf.crfsuite"))
    out, added = {}, Counter()
    for name in args.sets.split(","):
        miss = MISSING.get(name, {})
        by_ind = defaultdict(list)
        for lab, ind in miss.items():
            by_ind[ind].append(lab)
        rows = []
        for text, spans in train_part[name]:
            tags = to_bio(text, spans, MAPS[name])
            for ind, labs in by_ind.items():
                taken = [False] * len(text)
                for s, e, _ in spans:
                    for i in range(max(s, 0), min(e, len(text))):
                        taken[i] = True
                for i, t in enumerate(tags):
                    if t != "O":
                        taken[i] = True
                if not text.strip():
                    continue
                for s, e, lab in ner_model.spans_from_bio(tagger.tag(ner_model.features(text, rich, ind))):
                    if lab == "TITLE" and lab in labs:
                        # 市委书记: the set has 市委 as ORG; the title is what follows it
                        while s < e and taken[s]:
                            s += 1
                    if s < e and lab in labs and not any(taken[s:e]):
                        tags[s] = "B-" + lab
                        for i in range(s + 1, e):
                            tags[i] = "I-" + lab
                        added[name, lab] += 1
            if "TITLE" in miss:
                added[name, "TITLE(lexicon)"] += lexicon_titles(text, tags)
            rows.append(tags)
        out[name] = rows
    print("silver spans added:", dict(added), file=sys.stderr)
    return out


def train(seqs, model_path: Path, args) -> float:
    import pycrfsuite

    t0 = time.time()
    tr = pycrfsuite.Trainer(verbose=False)
    for x, y in seqs:
        tr.append(x, y)
    tr.set_params({"c1": args.c1, "c2": args.c2, "max_iterations": args.iters,
                   "feature.possible_transitions": True, "feature.minfreq": args.minfreq})
    tr.train(str(model_path))
    return time.time() - t0


def predict(tagger, texts, rich, ind):
    out = []
    for t in texts:
        out.append(ner_model.spans_from_bio(tagger.tag(ner_model.features(t, rich, ind))))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "kg" / "models",
                    help="directory for ner_crf.crfsuite and ner_crf.json (joint mode)")
    ap.add_argument("--mode", choices=["joint", "separate"], default="joint")
    ap.add_argument("--features", choices=["base", "jieba", "lattice"], default="lattice")
    ap.add_argument("--indicator", choices=["on", "off"], default="off",
                    help="joint mode: a dataset attribute D=<set> on every character while training")
    ap.add_argument("--sets", default="cluener,resume,pd,msra", help="training sets (joint mode)")
    ap.add_argument("--groups", default="cluener,resume,pd", help="separate mode: the per-set models")
    ap.add_argument("--cluener-fine", action="store_true",
                    help="train CLUENER's company/government/organization as three labels (COM, GOV, ORGX)")
    ap.add_argument("--msra-max", type=int, default=20000, help="MSRA training sentences (seeded sample)")
    ap.add_argument("--c1", type=float, default=0.1)
    ap.add_argument("--c2", type=float, default=0.01)
    ap.add_argument("--iters", type=int, default=60)
    ap.add_argument("--minfreq", type=float, default=2)
    ap.add_argument("--tag-indicator", default=None, help="indicator to ship (default: best mean F1)")
    ap.add_argument("--eval-only", action="store_true",
                    help="joint mode: score the model already in --out (same split), do not train")
    ap.add_argument("--silver", choices=["auto", "reuse", "none"], default="auto",
                    help="complete each set's missing classes from a first model (--stage1): auto = train it, "
                         "reuse = use the one there if present, none = no completion")
    ap.add_argument("--stage1", type=Path, default=REPO / "build" / "ner_stage1",
                    help="where the first model of --silver goes (not shipped)")
    ap.add_argument("--results", type=Path, default=None, help="append a JSON line of the scores here")
    ap.add_argument("--name", default=None, help="a name for the run in --results")
    args = ap.parse_args(argv)
    rich = args.features
    if args.cluener_fine:
        MAPS["cluener"] = dict(MAPS["cluener"], company="COM", government="GOV", organization="ORGX")
    rng = random.Random(13)

    needed = set(args.sets.split(",")) | set(SCORED)
    train_part, val_part = {}, {}
    for name in sorted(needed):
        recs = load(args.data, name)
        train_part[name] = [r for r in recs if not is_val(r[0], VAL_PCT[name])]
        val_part[name] = [r for r in recs if is_val(r[0], VAL_PCT[name])]
        if name == "msra":
            rng.shuffle(train_part[name])
            train_part[name] = train_part[name][: args.msra_max]
            val_part[name] = val_part[name][:2000]  # 2,000 MSRA sentences are enough to score
        print(f"{name}: {len(train_part[name])} train / {len(val_part[name])} validation", file=sys.stderr)
    learned = learn_org_suffixes(train_part["cluener"])
    import pycrfsuite

    global _ORGTYPER
    args.out.mkdir(parents=True, exist_ok=True)
    secs = 0 if args.eval_only else train_orgtype(train_part["cluener"], args.out / "ner_orgtype.crfsuite")
    _ORGTYPER = pycrfsuite.Tagger()
    _ORGTYPER.open(str(args.out / "ner_orgtype.crfsuite"))
    print(f"organisation typer: {secs:.0f} s", file=sys.stderr)

    def seqs_of(names, indicator):
        if silver_bio:
            for name in names:
                for (text, _), tags in zip(train_part[name], silver_bio[name]):
                    if text.strip():
                        ind = INDICATOR[name] if indicator else None
                        yield ner_model.features(text, rich, ind), tags
            return
        for name in names:
            for text, spans in train_part[name]:
                if text.strip():
                    ind = INDICATOR[name] if indicator else None
                    yield ner_model.features(text, rich, ind), to_bio(text, spans, MAPS[name])

    import pycrfsuite

    silver_bio = None
    if args.silver != "none" and not args.eval_only:
        silver_bio = complete(args, train_part, rich)
    args.out.mkdir(parents=True, exist_ok=True)
    report = {"name": args.name, "mode": args.mode, "features": args.features, "indicator": args.indicator,
              "sets": args.sets, "msra_max": args.msra_max, "c1": args.c1, "c2": args.c2,
              "iters": args.iters, "minfreq": args.minfreq, "scores": {}}
    if args.mode == "separate":
        total_t, total_size = 0.0, 0
        for group in args.groups.split(","):
            names = GROUPS[group]
            path = args.out / f"sep_{group}.crfsuite"
            secs = train(list(seqs_of(names, False)), path, args)
            total_t += secs
            total_size += path.stat().st_size
            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            for name in names:
                if name in SCORED:
                    texts = [t for t, _ in val_part[name]]
                    preds = predict(tagger, texts, rich, None)
                    gp = [(gold(name, g), back(name, t, p, "model", learned))
                          for (t, g), p in zip(val_part[name], preds)]
                    report["scores"][name] = score(gp, SCORED[name])
            print(f"{group}: trained in {secs:.0f} s, {path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
        report["train_s"], report["size_mb"] = total_t, total_size / 1e6
        speed_tagger = tagger
        ship_ind = None
    else:
        names = args.sets.split(",")
        path = args.out / "ner_crf.crfsuite"
        seqs = [] if args.eval_only else list(seqs_of(names, args.indicator == "on"))
        if args.eval_only:
            secs = 0.0
        else:
            print(f"training on {len(seqs)} sequences ...", file=sys.stderr)
            secs = train(seqs, path, args)
        report["train_s"], report["size_mb"] = secs, path.stat().st_size / 1e6
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        candidates = [None]
        if args.indicator == "on":
            candidates += sorted({INDICATOR[n] for n in names})
        by_ind = {}
        for ind in candidates:
            sc = {}
            for name in SCORED:
                texts = [t for t, _ in val_part[name]]
                preds = predict(tagger, texts, rich, ind)
                for how in ("model", "learned", "rule") if name == "cluener" else ("model",):
                    gp = [(gold(name, g), back(name, t, p, how, learned))
                          for (t, g), p in zip(val_part[name], preds)]
                    sc[name if how == "model" else "cluener_" + how] = score(gp, SCORED[name])
            by_ind[str(ind)] = sc
            mean = sum(sc[n]["micro"][2] for n in SCORED) / len(SCORED)
            print(f"indicator {ind}: mean micro-F1 {mean:.3f}", file=sys.stderr)
        report["by_indicator"] = by_ind
        if args.tag_indicator:
            ship_ind = None if args.tag_indicator == "none" else args.tag_indicator
        else:
            ship_ind = max(candidates, key=lambda i: sum(by_ind[str(i)][n]["micro"][2] for n in SCORED))
        report["scores"] = by_ind[str(ship_ind)]
        meta = {"features": rich, "indicator": ship_ind, "labels": list(ner_model.LABELS),
                "cluener_org_suffixes": learned,
                "trained_on": {n: len(train_part[n]) for n in names},
                "params": {k: report[k] for k in ("c1", "c2", "iters", "minfreq", "msra_max")}}
        (args.out / "ner_crf.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True),
                                              encoding="utf-8")
        speed_tagger = tagger
    report["shipped_indicator"] = ship_ind

    # speed: all validation texts, one core, features included
    texts = [t for n in SCORED for t, _ in val_part[n]]
    nchars = sum(map(len, texts))
    ner_model.features("预热", rich)  # load jieba and the lexicon outside the timing
    t0, c0 = time.perf_counter(), time.process_time()
    predict(speed_tagger, texts, rich, ship_ind)
    report["chars_per_s_wall"] = nchars / (time.perf_counter() - t0)
    report["chars_per_s"] = nchars / (time.process_time() - c0)  # CPU time of this one process

    print(f"\n{args.name or ''} mode={args.mode} features={args.features} indicator={args.indicator} "
          f"shipped={ship_ind}: trained {report['train_s']:.0f} s, {report['size_mb']:.1f} MB, "
          f"{report['chars_per_s'] / 1000:.0f} k chars/s per CPU second "
          f"({report['chars_per_s_wall'] / 1000:.0f} k/s wall on a shared machine)")
    print("| set | labels | P | R | micro-F1 | per label F1 |")
    print("|---|---|---|---|---|---|")
    for name, sc in report["scores"].items():
        labs = SCORED["cluener" if name.startswith("cluener") else name]
        per = ", ".join(f"{l} {sc[l][2]:.3f}" for l in labs)
        p, r, f = sc["micro"]
        print(f"| {name} | {'/'.join(labs)} | {p:.3f} | {r:.3f} | **{f:.3f}** | {per} |")
    if args.results:
        with open(args.results, "a", encoding="utf-8") as f:
            f.write(json.dumps(report, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
