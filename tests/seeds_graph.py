"""The seeds' graph for the export, stats, pinyin and notebook tests: built once per test session,
as a user builds it (``python -m kg build seeds -o DIR --no-map --no-store`` in a subprocess), in
a temporary folder removed at exit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clean_env() -> dict[str, str]:
    """The environment for a ``kg`` subprocess: UTF-8 output, no terminal sizing."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_kg(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python -m kg ARGS`` from the repository root, output as text."""
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, env=clean_env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


@lru_cache(maxsize=1)
def seeds_graph() -> Path:
    """Path of the seeds' graph.ttl (built on first use)."""
    out = Path(tempfile.mkdtemp(prefix="kg-seeds-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    proc = run_kg("build", "seeds", "-o", str(out), "--no-map", "--no-store")
    assert proc.returncode == 0, proc.stderr
    path = out / "graph.ttl"
    assert path.is_file()
    return path
