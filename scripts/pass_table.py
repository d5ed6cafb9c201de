"""What each recognition pass adds: build a set of documents with every pass, then with each pass left out
(and the passes that need it), and print the scorer's entity and relation F1 for each.

    .venv/bin/python scripts/pass_table.py ../shared/eval/real-dev/docs ../shared/eval/real-dev/gold
    .venv/bin/python scripts/pass_table.py seeds ../shared/eval/seeds-gold.json --fast

Lines opening with ``# `` are dropped from each text first (the header of real-dev's files), as a user
feeds plain text. The passes are those of ``kg ner --list-passes``; "only" rows run the listed passes
alone with what they need. One build per row, in this process (about 15 s per row on real-dev).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_diff import load_scorer  # noqa: E402  (scripts/eval_diff.py: ../shared/eval/score.py as a module)


def without(name: str, passes) -> tuple[str, ...]:
    """The passes left when ``name`` and every pass that needs it (directly or not) are left out.

    >>> from kg.recognize import ordered_passes
    >>> "persons" in without("posts", ordered_passes()), "places" in without("posts", ordered_passes())
    (False, True)
    """
    dropped = {name}
    changed = True
    while changed:
        changed = False
        for p in passes:
            if p.name not in dropped and dropped & set(p.requires):
                dropped.add(p.name)
                changed = True
    return tuple(p.name for p in passes if p.name not in dropped)


def arguments(doc: str, argv=None, fast_help: str = "rules only (no tagger)") -> argparse.Namespace:
    """DOCS, GOLD and --fast, the arguments of the tables (``doc``: the script's docstring)."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("docs", type=Path, help="a folder of .txt documents")
    ap.add_argument("gold", type=Path, help="the gold file or folder for ../shared/eval/score.py")
    ap.add_argument("--fast", action="store_true", help=fast_help)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    return args


def read_docs(folder: Path) -> list:
    """The ``*.txt`` documents of a folder, lines opening with ``# `` dropped (as a user feeds plain text)."""
    from kg.ingest import document_from_text

    docs = []
    for f in sorted(folder.glob("*.txt")):
        text = "\n".join(line for line in f.read_text(encoding="utf-8").splitlines() if not line.startswith("# "))
        docs.append(document_from_text(text, f.name))
    return docs


def scored(sc, graph, gold: Path) -> dict:
    """The scorer's scores (``sc``: ../shared/eval/score.py) of an rdflib graph against ``gold``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "graph.ttl"
        graph.serialize(path, format="turtle")
        return sc.score(path, gold, None)


def main(argv=None) -> int:
    args = arguments(__doc__, argv, fast_help="rules only (no tagger: its passes add nothing)")
    from kg.pipeline import build_graph
    from kg.recognize import ordered_passes

    sc = load_scorer()
    docs = read_docs(args.docs)
    passes = ordered_passes()
    rows = [("all passes", None)] + [(f"without {p.name}", without(p.name, passes)) for p in passes]

    def scores(chosen):
        s = scored(sc, build_graph(docs, fast=args.fast, passes=chosen), args.gold)
        return s["entities"]["ALL"]["f1"], s["relations"]["ALL"]["f1"]

    base = None
    print(f"{len(docs)} documents from {args.docs}{' (--fast)' if args.fast else ''}")
    print(f"{'':32} {'entity F1':>9} {'Δ':>7} {'relation F1':>11} {'Δ':>7}")
    for label, chosen in rows:
        ent, rel = scores(chosen)
        if base is None:
            base = (ent, rel)
            print(f"{label:32} {ent:9.3f} {'':>7} {rel:11.3f}", flush=True)
        else:
            print(f"{label:32} {ent:9.3f} {ent - base[0]:+7.3f} {rel:11.3f} {rel - base[1]:+7.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
