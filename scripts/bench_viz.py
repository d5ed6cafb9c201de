#!/usr/bin/env python3
"""How fast the relationship map gets ready: synthetic graphs in the contract's shape
(../shared/SCHEMA.md: places in a hierarchy, bodies, officials with posts, firms, parks, projects,
institutions, agreements, designations; every fact with an evidence sentence and a document).

For each size it prints the Python side (RDF → network, layout, the whole ``write_map``) and the
browser side: headless Debian Chromium (Playwright, every non-file request blocked) from navigation
start to "stable" — stabilisation done with live physics, or the first draw with the precomputed
layout (``window.kgStableAt``, set by kg/resources/viz.js).

    .venv/bin/python scripts/bench_viz.py                 # 500, 1,000 and 5,000 nodes
    .venv/bin/python scripts/bench_viz.py --sizes 5000 --repeat 3 --keep /tmp/bench
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import rdflib
from rdflib import Literal
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.layout import force_layout  # noqa: E402
from kg.viz import LAYOUT_THRESHOLD, graph_to_network, write_map  # noqa: E402
from kg.vocab import KGO, KGR  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHARES = {"Place": 0.06, "GovernmentBody": 0.08, "Person": 0.22, "Enterprise": 0.24,
          "IndustrialPark": 0.05, "Project": 0.2, "Institution": 0.07, "Agreement": 0.07}  # ≈ rest
ROLES = ["市长", "副市长", "书记", "副书记", "局长", "主任", "董事长", "总经理", "副总经理"]
SYLLABLES = "华天启星鑫达宏远东方新润恒通泰和盛安嘉瑞丰源辰光隆兴宇航金海"


def _name(rng: random.Random, n: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(n))


class _Builder:
    """Adds entities and facts (each with an evidence sentence in one of the documents)."""

    def __init__(self, n_docs: int, rng: random.Random):
        self.g = rdflib.Graph()
        self.rng = rng
        self.docs = []
        for i in range(n_docs):
            doc = KGR[f"doc/{i}"]
            self.g.add((doc, RDF.type, KGO.Document))
            self.g.add((doc, DCTERMS.title, Literal(f"{_name(rng, 4)}高质量发展新闻第{i}期", lang="zh")))
            self.g.add((doc, DCTERMS.date, Literal(f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", datatype=XSD.date)))
            self.docs.append(doc)
        self.n_ev = 0
        self.labels = {}

    def entity(self, cls: str, i: int, label: str, alias: str | None = None):
        iri = KGR[f"{cls.lower()}/{i}"]
        self.g.add((iri, RDF.type, KGO[cls]))
        self.g.add((iri, RDFS.label, Literal(label, lang="zh")))
        if alias:
            self.g.add((iri, SKOS.altLabel, Literal(alias, lang="zh")))
        self.g.add((iri, KGO.mentionedIn, self.rng.choice(self.docs)))
        self.labels[iri] = label
        return iri

    def evidence(self, sentence: str):
        ev = KGR[f"ev/{self.n_ev}"]
        self.n_ev += 1
        start = self.rng.randrange(0, 5000)
        for p, o in ((RDF.type, KGO.Evidence), (KGO.text, Literal(sentence, lang="zh")),
                     (KGO.start, Literal(start)), (KGO.end, Literal(start + len(sentence))),
                     (PROV.wasDerivedFrom, self.rng.choice(self.docs))):
            self.g.add((ev, p, o))
        return ev

    def triple(self, s, p, o, verb: str) -> None:
        self.g.add((s, p, o))
        st = rdflib.BNode()
        for pp, oo in ((RDF.type, RDF.Statement), (RDF.subject, s), (RDF.predicate, p), (RDF.object, o)):
            self.g.add((st, pp, oo))
        sentence = f"{self.labels[s]}{verb}{self.labels[o]}，各项工作稳步推进。"
        self.g.add((st, PROV.wasDerivedFrom, self.evidence(sentence)))

    def post(self, person, role: str, body) -> None:
        m = rdflib.BNode()
        for p, o in ((RDF.type, ORG.Membership), (ORG.member, person), (ORG.organization, body),
                     (KGO.roleLabel, Literal(role, lang="zh"))):
            self.g.add((m, p, o))
        sentence = f"{self.labels[body]}{role}{self.labels[person]}出席会议并讲话。"
        self.g.add((m, PROV.wasDerivedFrom, self.evidence(sentence)))


def synthetic_graph(n: int, seed: int = 0) -> rdflib.Graph:
    """About ``n`` entities (and a few designations) in the contract's shape, deterministic."""
    rng = random.Random(seed)
    b = _Builder(max(5, n // 25), rng)
    n_designations = max(1, n // 100)
    count = {cls: max(2, round(n * share)) for cls, share in SHARES.items()}
    count["Agreement"] = max(2, n - n_designations - sum(v for k, v in count.items() if k != "Agreement"))
    places = [b.entity("Place", 0, "吉林省")]
    for i in range(1, count["Place"]):
        places.append(b.entity("Place", i, f"{_name(rng)}{'市' if i < 10 else '县'}{i}"))
        b.triple(places[-1], KGO.locatedIn, places[0] if i < 10 else rng.choice(places[1:10]), "位于")
    bodies = []
    for i in range(count["GovernmentBody"]):
        place = places[i % len(places)]
        bodies.append(b.entity("GovernmentBody", i, f"{b.labels[place]}人民政府{i}", f"政府{i}"))
        b.triple(bodies[-1], KGO.locatedIn, place, "位于")
    parks = [b.entity("IndustrialPark", i, f"{_name(rng)}产业园{i}") for i in range(count["IndustrialPark"])]
    for park in parks:
        b.triple(park, KGO.locatedIn, rng.choice(places), "位于")
    firms = []
    for i in range(count["Enterprise"]):
        short = _name(rng)
        firms.append(b.entity("Enterprise", i, f"{short}科技股份有限公司{i}", f"{short}{i}"))
        b.triple(firms[-1], KGO.locatedIn, rng.choice(parks + places), "落户")
    for i in range(count["Project"]):
        proj = b.entity("Project", i, f"{_name(rng, 3)}生产线项目{i}")
        b.triple(rng.choice(firms), KGO.undertakes, proj, "承建")
        b.triple(proj, KGO.locatedIn, rng.choice(parks), "位于")
    for i in range(count["Institution"]):
        inst = b.entity("Institution", i, f"{_name(rng)}大学{i}")
        b.triple(inst, KGO.cooperatesWith, rng.choice(firms), "携手")
    people = []
    for i in range(count["Person"]):
        people.append(b.entity("Person", i, _name(rng, 3)))
        b.post(people[-1], rng.choice(ROLES), rng.choice(bodies + firms))
    for i in range(count["Agreement"]):
        a = b.entity("Agreement", i, f"《{_name(rng, 4)}战略合作框架协议{i}》")
        for pred, who in ((KGO.party, rng.choice(bodies)), (KGO.party, rng.choice(firms)),
                          (KGO.signatory, rng.choice(people)), (KGO.witness, rng.choice(people))):
            b.g.add((a, pred, who))
        b.g.add((a, PROV.wasDerivedFrom, b.evidence(f"{b.labels[a]}在{b.labels[bodies[0]]}签署。")))
    for i in range(n_designations):
        d = KGR[f"designation/{i}"]
        b.g.add((d, RDF.type, KGO.Designation))
        b.g.add((d, RDFS.label, Literal(f"省级专精特新企业第{i}批", lang="zh")))
        b.labels[d] = f"省级专精特新企业第{i}批"
        for firm in rng.sample(firms, 3):
            b.triple(firm, KGO.recognizedAs, d, "获评")
    return b.g


def _browser_ms(browser, path: Path) -> float:
    """Milliseconds from navigation start to the page's ``kgStableAt``; fails on any request out."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    leaked, errors = [], []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else (leaked.append(route.request.url), route.abort()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.resolve().as_uri())
    page.wait_for_function("window.kgStableAt !== undefined", timeout=120_000)
    ms = page.evaluate("window.kgStableAt")
    page.close()
    if leaked or errors:
        raise SystemExit(f"{path}: requests {leaked[:3]} console errors {errors[:3]}")
    return ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,1000,5000", help="comma-separated node counts")
    ap.add_argument("--repeat", type=int, default=1, help="browser runs per size (median shown)")
    ap.add_argument("--keep", type=Path, help="keep the maps in this folder")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    out_dir = args.keep or Path(tempfile.mkdtemp(prefix="bench_viz."))
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in (int(s) for s in args.sizes.split(",")):
            g = synthetic_graph(n)
            t0 = time.perf_counter()
            net = graph_to_network(g)
            t1 = time.perf_counter()
            force_layout(net)
            t2 = time.perf_counter()
            path = out_dir / f"map_{n}.html"
            stats = write_map(g, path, max_nodes=None)
            t3 = time.perf_counter()
            ms = statistics.median(_browser_ms(browser, path) for _ in range(args.repeat))
            rows.append((stats["nodes"], stats["edges"], stats["layout"], t1 - t0, t2 - t1, t3 - t2,
                         path.stat().st_size / 1e6, ms / 1000))
        browser.close()
    print(f"layout threshold: {LAYOUT_THRESHOLD} nodes; browser: {CHROMIUM} headless; maps in {out_dir}")
    print(f"| nodes | edges | layout | RDF→network s | layout s | write_map s | HTML MB | browser to stable s |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for nodes, edges, layout, to_net, lay, write, mb, stable in rows:
        print(f"| {nodes:,} | {edges:,} | {layout} | {to_net:.2f} | {lay:.2f} | {write:.2f} | {mb:.1f} | {stable:.2f} |")


if __name__ == "__main__":
    main()
