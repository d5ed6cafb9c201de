"""Write notebooks/explore.ipynb (nbformat 4, outputs cleared) from the cells below.

The notebook is generated so that its code reads as plain Python in review and never carries
outputs into git; tests/test_notebook.py executes it with nbclient and checks that this script
still produces the committed file.

    .venv/bin/python scripts/build_notebook.py           # (re)write the notebook
    .venv/bin/python scripts/build_notebook.py --check   # exit 1 if the committed file differs
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"

CELLS = [
    ("md", """\
# Exploring the Zhengqi KG graph (政企图谱)

This notebook loads the graph that `kg build` makes from the seed documents, asks it three of the
researcher questions in `queries/`, reads the CSV export into pandas, looks at the ego network of
中国一汽 (FAW Group) with networkx and draws one figure with matplotlib.

Run it from the repository with the project's environment:
`.venv/bin/pip install -e '.[notebook]'`, then open it in Jupyter or VS Code with the `.venv`
kernel. Set `KG_GRAPH` to read another `graph.ttl` instead of building the seeds' graph, and
`KG_FIGURE` to also save the figure as a PNG, `KG_LATIN_LABELS=1` to draw names in Latin letters
(English name or pinyin) even where a Chinese font is installed."""),
    ("code", """\
import os
import subprocess
import sys
import tempfile
from pathlib import Path

GRAPH = os.environ.get("KG_GRAPH")    # a graph.ttl to read; unset: build the seeds' graph
FIGURE = os.environ.get("KG_FIGURE")  # where to save the figure as PNG; unset: only show it
LATIN = bool(os.environ.get("KG_LATIN_LABELS"))  # names in the figure in Latin letters


def find_root(start: Path) -> Path:
    \"\"\"The repository: the first folder up from here with queries/ and seeds/.\"\"\"
    for folder in (start, *start.parents):
        if (folder / "queries").is_dir() and (folder / "seeds").is_dir():
            return folder
    import kg  # installed in development mode: the package sits in the repository
    return Path(kg.__file__).resolve().parent.parent


ROOT = Path(os.environ.get("KG_ROOT") or find_root(Path.cwd().resolve()))
print("Python:", sys.executable)
print("repository:", ROOT)"""),
    ("md", """\
## The graph

Without `KG_GRAPH`, the seeds' graph is built as on the command line
(`kg build seeds -o DIR --no-map --no-store`, a few seconds) into a temporary folder."""),
    ("code", """\
from kg.export import load_graph

if not GRAPH:
    out = Path(tempfile.mkdtemp(prefix="kg-notebook-"))
    subprocess.run([sys.executable, "-m", "kg", "build", str(ROOT / "seeds"), "-o", str(out),
                    "--no-map", "--no-store"], cwd=ROOT, check=True, capture_output=True)
    GRAPH = out / "graph.ttl"
GRAPH = Path(GRAPH)
graph = load_graph(GRAPH)
print(f"{GRAPH}: {len(graph):,} triples")"""),
    ("md", """\
## Three researcher questions (SPARQL)

The files in `queries/` run unchanged in any SPARQL tool; here in the embedded pyoxigraph store,
each answer as a pandas table."""),
    ("code", """\
import pandas as pd

from kg.store import memory_store, run_query

store = memory_store(GRAPH)


def sparql(name: str) -> pd.DataFrame:
    \"\"\"Run queries/NAME and return the rows as a DataFrame.\"\"\"
    result = run_query(store, (ROOT / "queries" / name).read_text(encoding="utf-8"))
    return pd.DataFrame(result.rows, columns=result.variables)


posts = sparql("01_posts_by_official.rq")
posts[["person", "role", "body", "asOf"]].head(12)"""),
    ("code", """\
agreements = sparql("10_agreements.rq")
agreements[["agreement", "date", "parties", "signatories", "witnesses"]]"""),
    ("code", """\
cooperation = sparql("05_cooperation_pairs.rq")
cooperation[["a", "classA", "b", "classB", "sentences"]].head(10)"""),
    ("md", """\
## The CSV export in pandas

`kg export GRAPH -f csv -o DIR` writes `nodes.csv` and `edges.csv` (UTF-8 with BOM, so Excel shows
the Chinese too); `edges.csv` has one row per fact and evidence sentence."""),
    ("code", """\
from kg.export import export

tables = Path(tempfile.mkdtemp(prefix="kg-export-"))
export(graph, ["csv"], tables)
nodes = pd.read_csv(tables / "nodes.csv", keep_default_na=False)
edges = pd.read_csv(tables / "edges.csv", keep_default_na=False)
nodes.groupby("class").size().sort_values(ascending=False).rename("entities").to_frame()"""),
    ("code", """\
edges[edges["source_label"] == "程宇"][["relation", "role", "target_label", "document", "evidence"]]"""),
    ("md", """\
## The ego network of 中国一汽

The same network that `kg export -f graphml|gexf` writes for Gephi, as a networkx graph: every
entity one step from 中国一汽, whichever the direction of the relation."""),
    ("code", """\
import networkx as nx

from kg.export import research_network

net = research_network(graph)
faw = nodes.loc[nodes["label_zh"] == "中国一汽", "id"].item()
ego = nx.ego_graph(net, faw, radius=1, undirected=True)
rows = []
for u, v, d in [*net.out_edges(faw, data=True), *net.in_edges(faw, data=True)]:
    other = v if u == faw else u
    rows.append({"neighbour": net.nodes[other]["label"], "class": net.nodes[other]["cls"],
                 "relation": d["relation"], "label": d["rel"], "direction": "→" if u == faw else "←"})
neighbours = pd.DataFrame(rows).sort_values(["relation", "neighbour"], ignore_index=True)
print(f"{net.nodes[faw]['label']} ({net.nodes[faw]['label_en']}): {len(neighbours)} relations, "
      f"{ego.number_of_nodes() - 1} neighbours")
neighbours"""),
    ("md", """\
## A figure

Entities per class, and the ego network of 中国一汽. Matplotlib draws Chinese only with a CJK font
(`fonts-noto-cjk` or `fonts-wqy-zenhei` on Debian); without one the figure uses the English name or
the pinyin instead (as with `KG_LATIN_LABELS=1`), so it never shows empty boxes."""),
    ("code", """\
import matplotlib.pyplot as plt
from matplotlib import font_manager

from kg.pinyin import syllables
from kg.viz import CLASS_STYLE

CJK_FONTS = ("Noto Sans CJK", "Noto Serif CJK", "Source Han", "WenQuanYi", "SimHei", "Microsoft YaHei",
             "PingFang", "Heiti", "AR PL")
cjk = [] if LATIN else sorted({f.name for f in font_manager.fontManager.ttflist if f.name.startswith(CJK_FONTS)})
if cjk:
    plt.rcParams["font.sans-serif"] = [cjk[0], *plt.rcParams["font.sans-serif"]]


def name(node: str, width: int = 16) -> str:
    \"\"\"The label to draw: Chinese with a CJK font, else English, pinyin or the romanised name.\"\"\"
    a = net.nodes[node]
    text = a["label"] if cjk else (a["label_en"] or a.get("pinyin") or "".join(syllables(a["label"])).capitalize())
    return text if len(text) <= width else text[:width - 1] + "…"


fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6), gridspec_kw={"width_ratios": [1, 2]})
counts = nodes.groupby("class").size().sort_values()
left.barh(counts.index, counts.values, color=[CLASS_STYLE[c][2] for c in counts.index])
left.set_title("Entities per class")
left.set_xlabel("nodes")

positions = nx.spring_layout(ego, seed=7)
nx.draw_networkx_edges(ego, positions, ax=right, edge_color="#aaaaaa", arrows=False)
nx.draw_networkx_nodes(ego, positions, ax=right, node_size=[900 if n == faw else 300 for n in ego],
                       node_color=[CLASS_STYLE[ego.nodes[n]["cls"]][2] for n in ego])
nx.draw_networkx_labels(ego, positions, labels={n: name(n) for n in ego}, ax=right, font_size=8)
right.set_title(f"Ego network of {name(faw)}")
right.margins(0.15)
right.axis("off")
fig.tight_layout()
if FIGURE:
    fig.savefig(FIGURE, dpi=110)
plt.show()"""),
    ("md", """\
Next: `kg export GRAPH -f graphml,gexf -o DIR` for Gephi, `-f trig` or `-f jsonld` for another
RDF store, and `kg stats GRAPH` for the most central officials and enterprises."""),
]


def build() -> nbformat.NotebookNode:
    cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in CELLS]
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: the file only changes when a cell does
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def render() -> str:
    return nbformat.writes(build(), version=4) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        same = NOTEBOOK.is_file() and NOTEBOOK.read_text(encoding="utf-8") == text
        if not same:
            print(f"{NOTEBOOK} differs from scripts/build_notebook.py: run it", file=sys.stderr)
        return 0 if same else 1
    NOTEBOOK.parent.mkdir(parents=True, exist_ok=True)
    NOTEBOOK.write_text(text, encoding="utf-8")
    print(f"wrote {NOTEBOOK}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
