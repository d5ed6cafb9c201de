"""``kg build`` on Dask: a real ``dask.distributed`` cluster of 2 worker processes, as a user runs it.

The corpus: the seeds, excerpts of the national work reports, and short same-style reports naming
程宇 and 中国一汽 again, so that batches on both workers mention the same person and firm. The graph
built on the cluster (``--scheduler``, the test's own cluster, and ``--workers 2``, kg's local cluster)
must be the same bytes as the one-process build; the batches must really have run on both workers,
with 程宇's documents on more than one, and each worker must have loaded the models once.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDFS

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "gov_work_reports_national.jsonl"
KGO = rdflib.Namespace("https://w3id.org/zhengqi/ontology#")
VISITS = [
    "本报讯 1月{d}日，市委副书记、市长程宇到中国一汽调研，与中国一汽有关负责人座谈，"
    "就新能源汽车零部件配套合作进行深入交流。",
    "本报讯 1月{d}日，市长程宇主持召开市政府常务会议，研究部署重点项目建设工作。"
    "会议指出，要持续深化与中国一汽的合作。",
]


def kg(*args, env_extra=None, timeout=300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def error_lines(stderr: str) -> list[str]:
    noise = ("Building prefix dict", "Loading model", "Prefix dict has been built", "Dumping model")
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith(noise)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Seeds and report excerpts (each < 20,000 characters, the smallest batch), each followed by a
    short report on 程宇 and 中国一汽: a batch holds two files or more, so every batch names them."""
    folder = tmp_path_factory.mktemp("corpus")
    names = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(p, folder / p.name)
        names.append(p.stem)
    reports = [json.loads(line)["content"] for line in CORPUS.open(encoding="utf-8")] if CORPUS.exists() else []
    for i, text in enumerate(reports[-4:]):
        (folder / f"r{i}_report.txt").write_text(text[:12_000], encoding="utf-8")
        names.append(f"r{i}")
    for i, name in enumerate(names):  # 000_….txt, 000a_visit.txt, 001_….txt …: '_' sorts before 'a'
        (folder / f"{name}a_visit.txt").write_text(VISITS[i % 2].format(d=10 + i), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def one_process(corpus, tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("w1") / "out"
    proc = kg("build", corpus, "-o", out, "--workers", "1", "--no-map", "--no-store", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    return (out / "graph.ttl").read_bytes()


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of 2 worker processes (spawned: like workers of a remote cluster, they import kg and
    load the models on their first batch)."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.CRITICAL) as lc, Client(lc) as client:
        client.wait_for_workers(2, timeout=60)
        yield lc, client


def test_scheduler_build_is_byte_identical_and_uses_both_workers(corpus, one_process, cluster, tmp_path):
    lc, client = cluster
    client.get_task_stream()  # start the scheduler's task-stream record
    out = tmp_path / "out"
    proc = kg("build", corpus, "-o", out, "--scheduler", lc.scheduler_address, "--no-map", "--no-store", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert (out / "graph.ttl").read_bytes() == one_process

    # where each batch ran: task keys are kg-extract-TOKEN-K (K: the batch's index, in input order)
    from kg.parallel import batches

    stream = [t for t in client.get_task_stream() if str(t["key"]).startswith("kg-extract-")]
    ran_on = {int(str(t["key"]).rsplit("-", 1)[1]): t["worker"] for t in stream}
    assert len(set(ran_on.values())) == 2, ran_on
    from kg.ingest import read_documents

    docs = read_documents([corpus])[0]  # a document per article of each page, as the build reads them
    sizes = [len(d.text) for d in docs]
    assert max(sizes) < 20_000
    runs = batches(sizes, threads=2)
    assert all(len(run) >= 2 for run in runs) and len(runs) >= 4
    assert sorted(ran_on) == list(range(len(runs)))
    worker_of_doc = {docs[i].doc_id: ran_on[k] for k, run in enumerate(runs) for i in run}

    # 程宇 and 中国一汽: one node each, from documents extracted on both workers
    g = rdflib.Graph().parse(data=one_process.decode("utf-8"), format="turtle")
    for name in ("程宇", "中国一汽"):
        nodes = {s for s in g.subjects(RDFS.label, rdflib.Literal(name, lang="zh"))}
        assert len(nodes) == 1, name
        docs = {str(d).rsplit("/", 1)[1] for d in g.objects(nodes.pop(), KGO.mentionedIn)}
        assert len({worker_of_doc[d] for d in docs}) == 2, (name, docs)

    # the models were loaded once per worker, however many batches it ran
    from kg.nlp import make_nlp

    loads = client.run(lambda: make_nlp.cache_info().misses)
    assert sorted(loads.values()) == [1, 1], loads


def test_local_cluster_build_is_byte_identical(corpus, one_process, tmp_path):
    """--workers 2: kg starts its own LocalCluster (forced for this small input by KG_LOCAL_BELOW=0)."""
    out = tmp_path / "out"
    proc = kg("build", corpus, "-o", out, "--workers", "2", "--no-map", "--no-store", "--no-cache",
              env_extra={"KG_LOCAL_BELOW": "0"})
    assert proc.returncode == 0, proc.stderr
    assert (out / "graph.ttl").read_bytes() == one_process


def test_extract_documents_in_input_order(cluster):
    """The function engineer-facing code calls: same facts, in input order, on the cluster as here."""
    from kg.ingest import document_from_text
    from kg.parallel import extract_documents

    lc, _client = cluster
    docs = [document_from_text(VISITS[i % 2].format(d=i + 1), f"v{i}.txt") for i in range(6)]
    done = []
    here = extract_documents(docs, fast=True, workers=1)
    there = extract_documents(docs, fast=True, scheduler=lc.scheduler_address, on_done=done.append)
    assert [f.document for f in there] == docs
    assert there == here
    assert sorted(f.document.doc_id for f in done) == sorted(d.doc_id for d in docs)


@pytest.mark.parametrize("address, reason", [
    ("tcp://127.0.0.1:1", "Connection refused"),
    ("not-an-address", "not a Dask scheduler address"),
    ("tcp://127.0.0.1:99999", "not a Dask scheduler address"),
])
def test_bad_scheduler_is_one_line_exit_2(address, reason, tmp_path):
    proc = kg("build", "seeds", "-o", tmp_path / "out", "--scheduler", address)
    assert proc.returncode == 2
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("error:") and reason in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("n", ["0", "-1"])
def test_workers_below_one_is_one_line_exit_2(n, tmp_path):
    proc = kg("build", "seeds", "-o", tmp_path / "out", "--workers", n)
    assert proc.returncode == 2
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and re.fullmatch(rf"error: --workers must be at least 1, not {n}", lines[0]), proc.stderr
    assert not (tmp_path / "out").exists()


def test_help_says_when_it_runs_in_process():
    proc = kg("build", "--help")
    text = " ".join(proc.stdout.split())
    assert "--workers" in text and "--scheduler" in text
    assert "runs in this process" in text and "tcp://" in text
