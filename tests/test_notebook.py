"""notebooks/explore.ipynb runs top to bottom (nbclient), on a kernel of this very interpreter
(the project's .venv, not whatever Python a machine's default Jupyter kernel points to)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from seeds_graph import ROOT

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
KERNEL = "zhengqi-kg-test"


def test_committed_notebook_is_clean_and_generated():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code), "outputs are cleared"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_notebook.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook executed as a researcher runs it (it builds the seeds' graph itself)."""
    tmp = tmp_path_factory.mktemp("notebook")
    spec = tmp / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Zhengqi KG (test)", "language": "python"}), encoding="utf-8")
    figure = tmp / "figure.png"
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(tmp / "jupyter"))
    mp.setenv("JUPYTER_PLATFORM_DIRS", "1")
    mp.setenv("KG_FIGURE", str(figure))
    mp.setenv("KG_LATIN_LABELS", "1")  # the same labels with or without a CJK font on the machine
    mp.delenv("KG_GRAPH", raising=False)
    mp.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    try:
        nb = nbformat.read(NOTEBOOK, as_version=4)
        NotebookClient(nb, kernel_name=KERNEL, timeout=600,
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        mp.undo()
    return nb, figure


def _text(cell) -> str:
    parts = []
    for out in cell.outputs:
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def test_runs_on_this_interpreter(executed):
    nb, _ = executed
    first = _text(nb.cells[1])
    assert f"Python: {sys.executable}" in first, first
    assert f"repository: {ROOT}" in first


def test_every_cell_ran_without_error(executed):
    nb, _ = executed
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:80]
            assert not [o for o in cell.outputs if o.get("name") == "stderr" and "Warning" in o.get("text", "")], \
                [o.get("text") for o in cell.outputs]


def test_answers_and_tables(executed):
    nb, _ = executed
    text = "\n".join(_text(c) for c in nb.cells if c.cell_type == "code")
    assert "triples" in text
    assert "程宇" in text and "市长" in text                        # posts (query 01, edges.csv)
    assert "绿色零碳汽车零部件产业园区供应链试点合作框架协议" in text  # agreements (query 10)
    assert "Enterprise" in text and "Person" in text             # nodes.csv by class
    assert "中国一汽 (FAW Group)" in text                          # the ego network


def test_figure(executed):
    nb, figure = executed
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert figure.stat().st_size > 20_000
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1, "the figure is shown in the notebook too"
