"""Parallel extraction on Dask: documents → :class:`~kg.extract.DocumentFacts`, in input order.

Extraction is independent per document; resolution and the graph are global. So only extraction is
spread out: the documents go in batches of consecutive documents to Dask workers (processes, one
thread each: the extractor is pure Python and holds the GIL), each worker loads spaCy, jieba and the
tagger once (:func:`kg.nlp.make_nlp` is cached per process), and the results come back in input order,
so everything after (``scope_persons``, ``resolve_all``, the graph) sees exactly what a one-process
build sees, and the Turtle is byte-identical whatever the number of workers.

* ``workers=1``, or an input too small to pay for starting a cluster (fewer characters than
  :data:`LOCAL_BELOW` says: ~1 MB of text, ~3 MB with ``--fast``, where the ~1-2 s of starting a local
  cluster and sending the documents cost what the second core saves), runs in this process (the
  environment variable ``KG_LOCAL_BELOW``, in characters, changes the limit: 0 always uses a cluster);
* otherwise a :class:`dask.distributed.LocalCluster` of ``workers`` processes is started for the build.
  On Linux its workers are forked from this process after it has loaded the models, so they start
  with them (start-up ~1 s instead of ~6-9 s of imports and model loading per worker on 2 cores);
  elsewhere they are spawned and load them on their first batch;
* ``scheduler="tcp://HOST:8786"`` uses an existing cluster (its workers need this package installed,
  the same version) and always goes there, whatever the input's size.

>>> from kg.ingest import document_from_text
>>> docs = [document_from_text("市长程宇出席会议。", "a.txt"), document_from_text("副市长司马江讲话。", "b.txt")]
>>> [f.posts[0].person.name for f in extract_documents(docs, fast=True, home_city="辽源市", workers=1)]
['程宇', '司马江']
"""

from __future__ import annotations

import logging
import os
import re
import socket
import sys
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from kg.extract import DocumentFacts
from kg.ingest import Document
from kg.recognize import page_homes

LOCAL_BELOW = {False: 350_000, True: 1_000_000}  # characters (default, --fast): below, start-up costs more
GUIDED = 2  # a batch holds 1/(GUIDED × threads) of the characters left: big first, small last
MIN_BATCH_CHARS, MAX_BATCH_CHARS = 20_000, 500_000
CONNECT_TIMEOUT = 10  # seconds to reach an existing scheduler
# Local workers without the dashboard's sampling: Dask's statistical profiler walks the stack of the
# task's thread every 10 ms and the event loop checks its own health every 20 ms, each taking the GIL
# from the extractor (pure Python); off, a worker extracts ~10 % faster (scripts/bench.py, 2 cores).
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "2s",
}


class ParallelError(Exception):
    """The cluster cannot be used (unreachable scheduler, no workers): a one-line reason."""


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def extract_documents(docs: Iterable[Document], fast: bool = False, home_city: str | None = None,
                      workers: int | None = None, scheduler: str | None = None,
                      on_done: Callable[[DocumentFacts], None] | None = None) -> list[DocumentFacts]:
    """The facts of each document, in input order: the same list as :func:`kg.pipeline.extract_all`.

    ``workers``: processes of a local Dask cluster (default: every core; 1 runs here); ``scheduler``: the
    address of an existing Dask scheduler instead (``workers`` is then the cluster's). ``on_done(facts)``
    is called once per document as its batch completes (not necessarily in input order: for progress).
    Raises :class:`ParallelError` when the cluster cannot be used, ``ValueError`` for ``workers < 1``."""
    from kg.pipeline import extract_all

    docs = page_homes(list(docs))
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if scheduler is None:
        n = workers or default_workers()
        if n == 1 or len(docs) < 2 or sum(len(d.text) for d in docs) < local_below(fast):
            return extract_all(docs, fast=fast, home_city=home_city, on_done=on_done)
        n = min(n, len(docs))
    else:
        n = None
    if not docs:
        return []
    with dask_client(scheduler, n, fast=fast) as client:
        return _extract_on(client, docs, fast, home_city, on_done)


def local_below(fast: bool) -> int:
    """Inputs of fewer characters are extracted in this process (``KG_LOCAL_BELOW`` overrides)."""
    value = os.environ.get("KG_LOCAL_BELOW", "").strip()
    return int(value) if value.isdigit() else LOCAL_BELOW[fast]


# ------------------------------------------------------------------ the cluster

def fork_workers() -> bool:
    """Fork the local cluster's workers (Linux), rather than spawn them (macOS, Windows: not fork-safe)."""
    import multiprocessing

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def dask_client(scheduler: str | None, workers: int | None, fast: bool = False):
    """A client of the cluster at ``scheduler``, or of a local cluster of ``workers`` processes (closed after)."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        address = check_scheduler_address(scheduler)
        try:
            client = Client(address, timeout=f"{CONNECT_TIMEOUT}s", set_as_default=False)
        except Exception as exc:  # OSError, TimeoutError, ValueError … from distributed
            raise ParallelError(f"cannot connect to the Dask scheduler at {scheduler}: {_one_line(exc)}") from None
        try:
            try:
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            except Exception:
                raise ParallelError(f"the Dask cluster at {scheduler} has no workers "
                                    f"(waited {CONNECT_TIMEOUT} s; start some with: dask worker {scheduler})") from None
            yield client
        finally:
            client.close()
        return
    method = "spawn"
    if fork_workers():
        from kg.nlp import make_nlp

        make_nlp(fast=fast)  # before the fork: every worker starts with the models loaded
        method = "fork"
    with dask.config.set({"distributed.worker.multiprocessing-method": method, **QUIET_WORKERS}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               scheduler_port=0, silence_logs=logging.CRITICAL)
    try:
        with Client(cluster, set_as_default=False) as client:
            yield client
    finally:
        cluster.close()


def check_scheduler_address(address: str) -> str:
    """``tcp://HOST:PORT`` (or ``HOST:PORT``, or another Dask scheme): checked before Dask's connection
    loop, which retries a refused TCP connection until its timeout; raises :class:`ParallelError`.

    >>> check_scheduler_address("no-port")
    Traceback (most recent call last):
    kg.parallel.ParallelError: not a Dask scheduler address: 'no-port' (expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786)
    """
    m = re.fullmatch(r"(?:(tcp|tls|inproc|ucx|ws|wss)://)?(\[[0-9a-fA-F:]+\]|[^\s:/\[\]]+):(\d{1,5})/?", address.strip())
    if not m or not 0 < int(m.group(3)) < 65536:
        raise ParallelError(f"not a Dask scheduler address: {address!r} (expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786)")
    scheme, host, port = m.group(1) or "tcp", m.group(2).strip("[]"), int(m.group(3))
    if scheme == "tcp":
        try:
            with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
                pass
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise ParallelError(f"cannot connect to the Dask scheduler at {address}: {reason}") from None
    return f"{scheme}://{m.group(2)}:{port}"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# ------------------------------------------------------------------ the work

def batches(sizes: list[int], threads: int) -> list[range]:
    """Consecutive runs of documents, as index ranges covering every document once, in order; guided
    sizes: each run holds about ``remaining / (GUIDED * threads)`` characters of what is not yet in a
    run (within MIN_BATCH_CHARS … MAX_BATCH_CHARS), so runs shrink toward the end and the workers
    finish together instead of one waiting for the other's last big batch.

    >>> [len(r) for r in batches([10_000] * 40, threads=2)]
    [10, 8, 6, 4, 3, 3, 2, 2, 2]
    """
    def target(remaining: int) -> int:
        return min(MAX_BATCH_CHARS, max(MIN_BATCH_CHARS, remaining // (GUIDED * max(threads, 1))))

    remaining = sum(sizes)
    goal = target(remaining)
    out, start, size = [], 0, 0
    for i, n in enumerate(sizes):
        size += n
        if size >= goal:
            out.append(range(start, i + 1))
            remaining -= size
            start, size, goal = i + 1, 0, target(remaining)
    if start < len(sizes):
        out.append(range(start, len(sizes)))
    return out


def extract_batch(docs: list[Document], fast: bool, home_city: str | None) -> list[DocumentFacts]:
    """Run on a worker: the facts of each document, without the document (the client has it)."""
    from kg.extract import extract
    from kg.nlp import make_nlp

    nlp = make_nlp(fast=fast)  # once per worker process (cached)
    out = []
    for doc in docs:
        facts = extract(doc, nlp, home_city=home_city)
        facts.document = None
        out.append(facts)
    return out


def _extract_on(client, docs: list[Document], fast: bool, home_city: str | None,
                on_done: Callable[[DocumentFacts], None] | None) -> list[DocumentFacts]:
    """Submit the batches (a few per worker thread in flight, so memory stays bounded), gather them in order."""
    from dask.distributed import as_completed

    threads = max(1, sum(client.nthreads().values()))
    runs = batches([len(d.text) for d in docs], threads)
    results: list[list[DocumentFacts] | None] = [None] * len(runs)
    queue = iter(enumerate(runs))
    which = {}
    token = uuid.uuid4().hex[:12]
    pending = as_completed(loop=client.loop)

    def submit_next() -> None:
        for k, run in queue:
            future = client.submit(extract_batch, [docs[i] for i in run], fast, home_city,
                                   key=f"kg-extract-{token}-{k}")  # batch k: tests see where it ran
            which[future.key] = k
            pending.add(future)
            return

    for _ in range(threads * 2):
        submit_next()
    for future in pending:
        k = which.pop(future.key)
        facts_list = future.result()
        future.release()
        for i, facts in zip(runs[k], facts_list):
            facts.document = docs[i]
            if on_done:
                on_done(facts)
        results[k] = facts_list
        submit_next()
    return [facts for part in results for facts in part]
