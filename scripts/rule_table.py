"""What each relation rule adds: build a set of documents with every rule, then with each rule left out (and
the rules that read its facts), then with each rule alone (with the rules it reads), and print the
scorer's entity F1, relation F1 and the F1 of the rule's own relation for each.

    .venv/bin/python scripts/rule_table.py ../shared/eval/real-dev/docs ../shared/eval/real-dev/gold
    .venv/bin/python scripts/rule_table.py seeds ../shared/eval/seeds-gold.json --fast

Lines opening with ``# `` are dropped from each text first (the header of real-dev's files), as a user
feeds plain text. The rules are those of ``kg.extract.rule_names()``; the relation of a rule is scored as
the scorer names it (holdsPost as holdsPost+org, agreement as agreementParties). One build per row, in
this process (about 1 s per row on real-dev once the models are loaded).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_diff import load_scorer  # noqa: E402  (scripts/eval_diff.py: ../shared/eval/score.py as a module)
from pass_table import arguments, read_docs, scored, without  # noqa: E402  (the same table for passes and rules)

SCORED_AS = {"holdsPost": "holdsPost+org", "agreement": "agreementParties"}  # the scorer's names, where they differ


def alone(name: str, rules) -> tuple[str, ...]:
    """The rule ``name`` and the rules it needs (directly or not), in running order.

    >>> from kg.extract import ordered_rules
    >>> alone("interview-places", ordered_rules()), alone("sited", ordered_rules())
    (('posts', 'interview-places'), ('sited',))
    """
    by_name = {r.name: r for r in rules}
    kept, todo = set(), [name]
    while todo:
        n = todo.pop()
        if n not in kept:
            kept.add(n)
            todo += by_name[n].requires
    return tuple(r.name for r in rules if r.name in kept)


def main(argv=None) -> int:
    args = arguments(__doc__, argv)
    from kg.extract import ordered_rules
    from kg.pipeline import build_graph

    sc = load_scorer()
    docs = read_docs(args.docs)
    rules = ordered_rules()
    rows = [(f"without {r.name}", without(r.name, rules), r) for r in rules] \
        + [(f"only {r.name}", alone(r.name, rules), r) for r in rules]

    def scores(chosen):
        s = scored(sc, build_graph(docs, fast=args.fast, rules=chosen), args.gold)
        return s["entities"]["ALL"]["f1"], s["relations"]

    print(f"{len(docs)} documents from {args.docs}{' (--fast)' if args.fast else ''}")
    print(f"{'':30} {'entity F1':>9} {'Δ':>7} {'relation F1':>11} {'Δ':>7}   {'its relation':<17} {'F1':>6} {'Δ':>7}")
    base_ent, base_rel = scores(None)
    print(f"{'all rules':30} {base_ent:9.3f} {'':>7} {base_rel['ALL']['f1']:11.3f}", flush=True)
    for label, chosen, r in rows:
        ent, rel = scores(chosen)
        key = SCORED_AS.get(r.relation, r.relation)
        own, base_own = rel[key]["f1"], base_rel[key]["f1"]
        print(f"{label:30} {ent:9.3f} {ent - base_ent:+7.3f} {rel['ALL']['f1']:11.3f} {rel['ALL']['f1'] - base_rel['ALL']['f1']:+7.3f}"
              f"   {key:<17} {own:6.3f} {own - base_own:+7.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
