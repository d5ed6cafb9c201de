"""Fixtures shared by test modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory) -> Path:
    """The seeds built once, as a user builds them (``python -m kg build seeds -o OUT --no-store``):
    the folder holds graph.ttl and kg build's default map, graph.html. Read it, do not write to it."""
    out = tmp_path_factory.mktemp("seeds_build") / "out"
    proc = subprocess.run([sys.executable, "-m", "kg", "build", "seeds", "-o", str(out), "--no-store"],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out
