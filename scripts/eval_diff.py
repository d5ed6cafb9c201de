"""What the scorer counted against a build: gold entities and relations not found, nodes and edges not in gold.

    .venv/bin/python scripts/eval_diff.py out/graph.ttl ../shared/eval/seeds-gold.json [--only entities|relations]

Uses ../shared/eval/score.py's own matching (names_match, closeness), so a line here is a point lost
there. For development: it shows where extraction misses, to find the rule, lexicon entry or pattern
that generalises (never to copy answers).
"""

from __future__ import annotations

import argparse
import importlib.util
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT.parent / "shared" / "eval" / "score.py"


def load_scorer():
    spec = importlib.util.spec_from_file_location("score", SCORER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("graph", type=Path)
    ap.add_argument("gold", type=Path)
    ap.add_argument("--only", choices=["entities", "relations"])
    args = ap.parse_args()
    sc = load_scorer()
    from rdflib import Graph

    g = Graph().parse(args.graph)
    gold = sc.Gold(args.gold, None)
    pred = sc.Pred(g)
    node2gold: dict = {}
    if args.only != "relations":
        print("== entities: gold missed (-) and predicted not in gold (+)")
    for c in sc.CLASSES:
        gold_ids = [i for i, e in enumerate(gold.entities) if e["type"] == c]
        nodes = [n for n, t in pred.types.items() if t == c]
        taken = set()
        extra = []
        for n in sorted(nodes, key=lambda n: -len(pred.labels[n])):
            cands = [i for i in gold_ids if sc.any_match(pred.labels[n], gold.entities[i]["names"])]
            cands.sort(key=lambda i: -sc.closeness(pred.labels[n], gold.entities[i]))
            free = [i for i in cands if i not in taken]
            if free:
                taken.add(free[0])
                node2gold[n] = free[0]
            elif cands:
                node2gold.setdefault(n, cands[0])
                extra.append(f"{sorted(pred.labels[n])[0]} (duplicate)")
            else:
                extra.append(sorted(pred.labels[n], key=len)[-1])
        if args.only == "relations":
            continue
        for i in gold_ids:
            if i not in taken:
                other = {pred.types[n] for n in pred.types if sc.any_match(pred.labels[n], gold.entities[i]["names"])}
                print(f"  - {c:<15} {sorted(gold.entities[i]['names'])[0]}" + (f"   [typed {','.join(other)}]" if other else ""))
        for name in extra:
            print(f"  + {c:<15} {name}")
    if args.only == "entities":
        return

    def resolve(node):
        if node in node2gold:
            return {node2gold[node]}
        labels = pred.label_of(node)
        found = [(sc.closeness(labels, e), i) for i, e in enumerate(gold.entities) if sc.any_match(labels, e["names"])]
        best = max((c for c, _ in found), default=0.0)
        return {i for c, i in found if c >= min(best, 2.0)}

    def gname(i):
        return sorted(gold.entities[i]["names"])[0]

    print("== relations: gold missed (-) and predicted not in gold (+)")
    for rel, prop in sc.PAIR_RELATIONS.items():
        gpairs, evidence = set(), {}
        for r in gold.relations:
            if r["type"] == rel:
                s, o = gold.ent(r, r["subject"]), gold.ent(r, r.get("object", ""))
                if s is not None and o is not None:
                    key = frozenset((s, o)) if rel in sc.SYMMETRIC else (s, o)
                    gpairs.add(key)
                    evidence[key] = r.get("evidence", "")
        closure = set(gpairs)
        if rel == "locatedIn":
            changed = True
            while changed:
                changed = False
                for a, b in list(closure):
                    for c2, d in list(closure):
                        if b == c2 and (a, d) not in closure:
                            closure.add((a, d))
                            changed = True
        hit = set()
        for s, o in g.subject_objects(prop):
            ok = False
            for a in resolve(s):
                for b in resolve(o):
                    key = frozenset((a, b)) if rel in sc.SYMMETRIC else (a, b)
                    if key in closure:
                        ok = True
                        if key in gpairs:
                            hit.add(key)
            if not ok:
                print(f"  + {rel:<17} {sorted(pred.label_of(s))[:1]} → {sorted(pred.label_of(o))[:1]}")
        for key in gpairs - hit:
            a, b = tuple(key) * 2 if rel in sc.SYMMETRIC and len(key) == 1 else (tuple(key) if rel in sc.SYMMETRIC else key)
            print(f"  - {rel:<17} {gname(a)} → {gname(b)}   «{evidence.get(key, '')[:60]}»")


if __name__ == "__main__":
    main()
