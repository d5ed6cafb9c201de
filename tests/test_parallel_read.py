"""Reading and cleaning on a process pool (kg build with several workers on a big input) gives the
same documents, problems and order as reading in one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import kg.ingest as ingest

ROOT = Path(__file__).resolve().parent.parent


def test_pool_reads_the_same_documents_and_problems_in_the_same_order(tmp_path, monkeypatch):
    folder = tmp_path / "news"
    shutil.copytree(ROOT / "seeds", folder)
    (folder / "sub").mkdir()
    first = sorted((ROOT / "seeds").glob("*.txt"))[0]
    shutil.copy(first, folder / "sub" / first.name)  # the same file again: reported, left out
    (folder / "empty.txt").write_bytes(b"")
    (folder / "gbk.txt").write_bytes("辽源市市长程宇出席会议。".encode("gb18030"))
    serial = ingest.read_documents([folder], workers=1)
    monkeypatch.setattr(ingest, "PARALLEL_READ_BYTES", 0)  # the seeds are small: force the pool
    pooled = ingest.read_documents([folder], workers=2)
    assert pooled == serial
    docs, problems, n_files = pooled
    assert n_files == 8 and len({d.source for d in docs}) == 6  # 5 seeds + the GB18030 one
    assert len(docs) == 14  # the seeds' pages hold 13 articles
    assert any("empty file" in p for p in problems) and any("the same text as" in p for p in problems)
