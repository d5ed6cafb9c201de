"""The same input gives byte-identical Turtle (and map) on every run, whatever the order in which
the files are given or found, the folder they are in, and the hash seed of the interpreter.

Every build here runs with each entry of OPTIONS: add ``("--workers", "2")`` and the like to
check that the number of workers does not change a byte either.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
OPTIONS = [()]  # e.g. ("--workers", "1"), ("--workers", "2") once the build has workers


def build(inputs, out: Path, *options: str, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "kg", "build", *map(str, inputs), "-o", str(out), "--no-store",
                           "--no-cache", *options], cwd=ROOT, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=600)
    assert proc.returncode == 0, proc.stderr
    return {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.html")}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    return build([ROOT / "seeds"], tmp_path_factory.mktemp("det") / "ref", seed="1")


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: " ".join(o) or "default")
def test_again_with_another_hash_seed(reference, options, tmp_path):
    again = build([ROOT / "seeds"], tmp_path / "again", *options, seed="2")
    assert again["graph.ttl"] == reference["graph.ttl"]
    assert again["graph.html"] == reference["graph.html"]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: " ".join(o) or "default")
def test_files_given_in_reverse_from_another_folder(reference, options, tmp_path):
    folder = tmp_path / "a folder of another name"
    folder.mkdir()
    for path in reversed(SEEDS):  # created in the other order (the directory lists them so)
        shutil.copy(path, folder / path.name)
    again = build(reversed([folder / p.name for p in SEEDS]), tmp_path / "out", *options, seed="3")
    assert again["graph.ttl"] == reference["graph.ttl"]
