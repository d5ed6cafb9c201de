"""Incremental builds: a rebuild extracts only new or changed documents (content-hash cache under
OUT/.cache/) and writes the same graph, byte for byte, as a clean build of the same folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
ADDED = "辽源市委副书记、市长程宇到东丰县调研梅花鹿产业园建设情况。"


def kg_build(src: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "kg", "build", str(src), "-o", str(out), "--no-map", "--no-store",
                           *extra], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc


def extracted(proc: subprocess.CompletedProcess) -> tuple[int, int]:
    """(documents extracted, documents from the cache) as the build reports them."""
    m = re.search(r"incremental: (\d+) document\(s\) extracted, (\d+) from the cache", proc.stderr)
    return (int(m.group(1)), int(m.group(2))) if m else (-1, 0)


def n_documents(folder: Path) -> int:
    """The documents a build of ``folder`` extracts: one per article of each page."""
    from kg.ingest import read_documents

    return len(read_documents([folder])[0])


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("news")
    for path in SEEDS[:3]:
        shutil.copy(path, folder / path.name)
    return folder


def test_rebuild_extracts_only_new_and_changed_documents_and_matches_a_clean_build(news, tmp_path):
    out = tmp_path / "out"
    first = kg_build(news, out)
    assert extracted(first) == (-1, 0)  # nothing cached yet: a plain build
    # Unchanged: everything from the cache, same bytes.
    before = (out / "graph.ttl").read_bytes()
    again = kg_build(news, out)
    assert extracted(again) == (0, 10)  # the three pages hold 3 + 1 + 6 articles, a document each
    assert (out / "graph.ttl").read_bytes() == before

    # Two documents added, one changed (a sentence appended in the paper's style).
    for path in SEEDS[3:]:
        shutil.copy(path, news / path.name)
    changed = news / SEEDS[0].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n" + ADDED + "\n", encoding="utf-8")
    rebuilt = kg_build(news, out)
    assert extracted(rebuilt) == (4, 9)  # the changed page's last article, and two pages of 1 + 2 articles

    clean = kg_build(news, tmp_path / "clean", "--no-cache")
    assert not (tmp_path / "clean" / ".cache").exists()  # --no-cache neither reads nor writes it
    assert (out / "graph.ttl").read_bytes() == (tmp_path / "clean" / "graph.ttl").read_bytes()
    assert "梅花鹿产业园建设情况" in (out / "graph.ttl").read_text(encoding="utf-8")

    # A removed document leaves the graph and the cache.
    (news / SEEDS[4].name).unlink()
    kg_build(news, out)
    assert len(list((out / ".cache").rglob("*.json"))) == 11  # its two articles left
    assert SEEDS[4].stem not in (out / "graph.ttl").read_text(encoding="utf-8")


def test_other_options_do_not_reuse_the_cache(news, tmp_path):
    out = tmp_path / "out"
    kg_build(news, out)
    fast = kg_build(news, out, "--fast")
    assert extracted(fast)[0] in (-1, n_documents(news))  # all extracted again
    clean_fast = kg_build(news, tmp_path / "clean", "--fast", "--no-cache")
    assert (out / "graph.ttl").read_bytes() == (tmp_path / "clean" / "graph.ttl").read_bytes()


def test_a_damaged_cache_entry_is_extracted_again(news, tmp_path):
    out = tmp_path / "out"
    kg_build(news, out)
    entries = sorted((out / ".cache").rglob("*.json"))
    entries[0].write_bytes(b"not an entry")
    proc = kg_build(news, out)
    assert extracted(proc) == (1, n_documents(news) - 1)
    kg_build(news, tmp_path / "clean", "--no-cache")
    assert (out / "graph.ttl").read_bytes() == (tmp_path / "clean" / "graph.ttl").read_bytes()
