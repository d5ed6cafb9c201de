"""A read-only SPARQL 1.1 Protocol endpoint over the embedded store (standard library HTTP server).

* ``/sparql``: GET ``?query=``, POST form (``query=``) or ``application/sparql-query``; results by content
  negotiation (``Accept`` or ``?format=json|xml|csv|tsv|turtle|nt|jsonld``): JSON, XML, CSV, TSV for
  SELECT/ASK; Turtle, N-Triples, JSON-LD for CONSTRUCT/DESCRIBE.
* Read-only: SPARQL Update (``update=``, ``application/sparql-update``, or an update in ``query``) → 403.
* A malformed query → 400 with the parser's message; a query over the time limit → 503; results are
  capped at ``max_rows`` (the cap is reported in the ``X-Result-Truncated`` header).
* SERVICE anywhere in the parsed query → 403 (``SERVICE ?var`` → 400); the workers cannot open sockets.
* Each query runs in a worker process (:class:`QueryPool`) that is killed and replaced at the deadline,
  past the memory cap or when the client goes away; a full queue is answered 503 with Retry-After.
* CORS headers only when asked (``cors``: an origin, or ``*``); ``/`` serves a small query page.

>>> server = make_server(memory_store_from_turtle(b""), port=0)
>>> server.server_address[0]
'127.0.0.1'
>>> server.server_close()
"""

from __future__ import annotations

import base64
import collections
import hashlib
import html
import json
import os
import select
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from kg.store import (QueryError, QueryTimeout, find_service, is_update, memory_store_from_turtle,  # noqa: F401
                      normalise_newlines, run_query, uses_service)

ACCEPT_FORMATS = [
    ("application/sparql-results+json", "json"), ("application/json", "json"),
    ("application/sparql-results+xml", "xml"), ("application/xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "jsonld"),
]
QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"


@dataclass
class EndpointConfig:
    timeout: float = 30.0  # seconds from arrival to answer; the query's worker is killed past it
    max_rows: int = 10_000
    cors: str | None = None  # Access-Control-Allow-Origin: an origin or "*"; None sends no CORS headers
    workers: int = 0  # query worker processes (0: by the CPU count, 2 to 4)
    max_queue: int = 64  # queries waiting for a worker; past it 503 with Retry-After
    max_query_mb: int = 512  # resident memory a query's worker may reach before it is killed
    max_result_mb: int = 64  # largest serialised answer


def default_workers() -> int:
    return max(2, min(4, os.cpu_count() or 2))


def choose_format(accept: str, kind: str, explicit: str | None) -> str:
    """The result format: ``?format=`` first, then the Accept header, else JSON / Turtle.

    >>> choose_format("text/csv, */*", "select", None), choose_format("", "graph", None)
    ('csv', 'turtle')
    """
    graph = kind == "graph"
    allowed = {"turtle", "nt", "jsonld"} if graph else {"json", "xml", "csv", "tsv"}
    if explicit:
        return explicit if explicit in allowed else ("turtle" if graph else "json")
    ranked = []
    for i, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            if p.strip().startswith("q="):
                try:
                    q = float(p.strip()[2:])
                except ValueError:
                    pass
        ranked.append((-q, i, media.strip().lower()))
    for _, _, media in sorted(ranked):
        for known, fmt in ACCEPT_FORMATS:
            if media == known and fmt in allowed:
                return fmt
    return "turtle" if graph else "json"


def example_queries() -> list[tuple[str, str]]:
    """(file name, text) of the researcher queries in ``queries/``, for the query page."""
    if not QUERIES_DIR.is_dir():
        return []
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(QUERIES_DIR.glob("*.rq"))]


def query_page() -> tuple[bytes, str]:
    """The query page and its Content-Security-Policy: only its own inline script (by hash) runs, it
    may only fetch from this origin; results and errors are put in the page as text, never as HTML."""
    examples = example_queries()
    options = "\n".join(f'<option value="{i}">{html.escape(name)}</option>' for i, (name, _) in enumerate(examples))
    data = json.dumps([text for _, text in examples], ensure_ascii=False).replace("<", "\\u003c")
    first = html.escape(examples[0][1]) if examples else "SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 20"
    script = _page_script(data)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    csp = (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; connect-src 'self'; "
           "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>政企图谱 SPARQL</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}textarea{{width:100%;height:16em;font-family:monospace}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2em .5em;text-align:left}}</style></head>
<body><h1>政企图谱 Zhengqi KG — SPARQL</h1>
<p>Read-only SPARQL 1.1 endpoint at <code>/sparql</code> (GET <code>?query=</code>, POST form or
<code>application/sparql-query</code>). Prefixes kgo, kgr, org, prov, skos, dcterms, rdf, rdfs, xsd are predeclared.</p>
<p><label>Example: <select id="ex">{options}</select></label></p>
<textarea id="q">{first}</textarea>
<p><button id="run">Run</button> <span id="status"></span></p>
<div id="out"></div>
<script>{script}</script></body></html>"""
    return page.encode("utf-8"), csp


def _page_script(data: str) -> str:
    return f"""
const examples = {data};
const ex = document.getElementById('ex'), q = document.getElementById('q'), out = document.getElementById('out');
ex.addEventListener('change', () => {{ q.value = examples[ex.value]; }});
function cell(b) {{ const td = document.createElement('td'); td.textContent = b ? b.value : ''; return td; }}
document.getElementById('run').addEventListener('click', async () => {{
  document.getElementById('status').textContent = '…';
  const r = await fetch('sparql', {{method: 'POST', headers: {{'Content-Type': 'application/sparql-query',
                        'Accept': 'application/sparql-results+json, text/turtle'}}, body: q.value}});
  const text = await r.text();
  document.getElementById('status').textContent = r.status + ' ' + r.statusText;
  out.textContent = '';
  if (!r.ok || !(r.headers.get('Content-Type') || '').includes('json')) {{
    const pre = document.createElement('pre'); pre.textContent = text; out.appendChild(pre); return; }}
  const res = JSON.parse(text);
  if ('boolean' in res) {{ out.textContent = String(res.boolean); return; }}
  const t = document.createElement('table'), h = document.createElement('tr');
  for (const v of res.head.vars) {{ const th = document.createElement('th'); th.textContent = v; h.appendChild(th); }}
  t.appendChild(h);
  for (const b of res.results.bindings) {{ const tr = document.createElement('tr');
    for (const v of res.head.vars) tr.appendChild(cell(b[v])); t.appendChild(tr); }}
  out.appendChild(t);
}});
"""


SERVICE_REFUSED = "SERVICE (federated query) is not allowed: this endpoint does not send requests to other servers"


# ------------------------------------------------------------------ the worker processes

@dataclass(frozen=True)
class StoreSource:
    """How a worker process opens its own copy of the store: a store folder (read-only), a Turtle or
    N-Triples file, or N-Quads bytes (a store given as an object is dumped to them)."""

    kind: str  # dir, graph, nquads
    value: str | bytes

    @classmethod
    def of(cls, store) -> StoreSource:
        import pyoxigraph as ox

        if isinstance(store, StoreSource):
            return store
        if isinstance(store, ox.Store):
            return cls("nquads", store.dump(format=ox.RdfFormat.N_QUADS))
        path = Path(store)
        return cls("dir" if path.is_dir() else "graph", str(path))

    def open(self):
        import pyoxigraph as ox

        from kg.store import memory_store, open_store

        if self.kind == "dir":
            return open_store(Path(self.value))
        if self.kind == "graph":
            return memory_store(Path(self.value))
        store = ox.Store()
        store.bulk_load(input=self.value, format=ox.RdfFormat.N_QUADS)
        return store


def deny_network() -> bool:
    """From now on this process cannot create or connect a socket (a seccomp filter: socket() and
    connect() fail with EACCES, and so does every system call of another ABI, x32 or 32-bit), so even a
    SERVICE the check missed cannot reach another server. The process also dies with the thread that
    started it (the pool's spawner thread). False where seccomp is not available (then the parsed check
    alone holds)."""
    import ctypes
    import platform
    import signal
    import struct

    numbers = {"x86_64": (0xC000003E, 41, 42), "aarch64": (0xC00000B7, 198, 203)}.get(platform.machine())
    if sys.platform != "linux" or numbers is None:
        return False
    arch, nr_socket, nr_connect = numbers
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG

    def op(code, jt, jf, k):
        return struct.pack("HBBI", code, jt, jf, k)

    ld, jeq, jge, ret, allow, eacces = 0x20, 0x15, 0x35, 0x06, 0x7FFF0000, 0x00050000 | 13
    program = b"".join([
        op(ld, 0, 0, 4), op(jeq, 1, 0, arch), op(ret, 0, 0, eacces),  # another ABI: refused
        op(ld, 0, 0, 0), op(jge, 3, 0, 0x40000000),  # x32 system calls: refused
        op(jeq, 2, 0, nr_socket), op(jeq, 1, 0, nr_connect), op(ret, 0, 0, allow),
        op(ret, 0, 0, eacces),
    ])
    buf = ctypes.create_string_buffer(program)

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = Fprog(len(program) // 8, ctypes.addressof(buf))
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return False
    return libc.prctl(22, 2, ctypes.byref(prog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


@dataclass
class Job:
    query: str
    accept: str
    fmt: str | None
    max_rows: int
    deadline: float  # time.monotonic() (one clock for all processes of the machine)
    timeout: float
    max_result_bytes: int
    checked: bool = False  # the parent saw this very text parse without SERVICE before: skip the parse
    verdict: str = ""  # set by answer_job: "clean" (parsed, no SERVICE) or "refused" (parsed, SERVICE)



def answer_job(store, job: Job) -> tuple[int, bytes, str, dict]:
    """(status, body, media type, extra headers) of one query: the SERVICE check on the parsed query,
    the query, the row cap, the format, the size cap. Runs in a worker process."""
    def error(status, message):
        return int(status), (message.strip() + "\n").encode("utf-8"), "text/plain", {}

    query = normalise_newlines(job.query)
    if is_update(query):
        return error(HTTPStatus.FORBIDDEN, "SPARQL Update is not allowed: this endpoint is read-only")
    try:
        target = None if job.checked else find_service(query)
    except QueryError as exc:
        return error(HTTPStatus.BAD_REQUEST, f"malformed query: {exc}")
    job.verdict = "refused"  # parsed: a SERVICE refusal below is the same for this text every time
    if target is not None and target.startswith("?"):
        return error(HTTPStatus.BAD_REQUEST, f"malformed query: SERVICE {target} names its server with a variable; "
                                             "SERVICE is not allowed here anyway")
    if target is not None:
        return error(HTTPStatus.FORBIDDEN, SERVICE_REFUSED)
    job.verdict = "clean"
    cap = job.max_rows
    try:
        result = run_query(store, query, cap + 1, job.deadline)
    except QueryTimeout:
        return error(HTTPStatus.SERVICE_UNAVAILABLE, f"query timed out after {job.timeout:g} s (the limit is --timeout)")
    except QueryError as exc:
        return error(HTTPStatus.BAD_REQUEST, f"malformed query: {exc}")
    truncated = False
    if result.kind == "select" and len(result.rows) > cap:
        result.rows, result.raw, truncated = result.rows[:cap], result.raw[:cap], True
    if result.kind == "graph" and len(result.raw) > cap:
        result.raw, truncated = result.raw[:cap], True
    chosen = choose_format(job.accept, result.kind, job.fmt)
    try:
        body, media = result.serialize(chosen)
    except QueryError as exc:
        return error(HTTPStatus.NOT_ACCEPTABLE, str(exc))
    if len(body) > job.max_result_bytes:
        return error(HTTPStatus.SERVICE_UNAVAILABLE, f"the answer is larger than {job.max_result_bytes // 2**20} MB "
                                                     "(the limit is --max-result-mb): ask for fewer or shorter rows")
    extra = {"X-Result-Truncated": f"true; max-rows={cap}"} if truncated else {}
    return HTTPStatus.OK, body, media, extra


def _write_answer(out, status: int, body: bytes, media: str, extra: dict, verdict: str = "") -> None:
    header = {"status": int(status), "media": media, "extra": extra, "length": len(body), "verdict": verdict}
    out.write(json.dumps(header).encode("ascii") + b"\n" + body)
    out.flush()


def _warm_parser() -> None:
    try:
        find_service.__wrapped__("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s a ?t ; rdfs:label ?l FILTER(lang(?l) = 'zh') "
                                 "OPTIONAL { ?s ?p ?o } } GROUP BY ?s ORDER BY DESC(?n) LIMIT 10")
    except QueryError:
        pass


def worker_main() -> None:
    """A query worker (``python -c 'from kg.server import worker_main; worker_main()'``): reads the store
    source and then one job per line (JSON) on stdin, writes each answer (a JSON header line and the body)
    on stdout. No pickle: the parent reads only plain data from it."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print cannot corrupt the answers
    sandboxed = deny_network()
    try:
        spec = json.loads(sys.stdin.buffer.readline())
        value = base64.b64decode(spec["value"]) if spec["kind"] == "nquads" else spec["value"]
        store = StoreSource(spec["kind"], value).open()
        run_query(store, "ASK { ?s ?p ?o FILTER(isIRI(?s)) }")  # warm the store up
        if spec.get("warm"):  # ~0.5 s once (pyparsing builds the grammar), not on the first query; a
            _warm_parser()    # replacement skips it: most queries it gets were checked before (the verdicts)
    except BaseException as exc:  # noqa: BLE001 (reported to the parent as one line)
        out.write(json.dumps({"failed": (str(exc).strip().splitlines() or [type(exc).__name__])[0]}).encode() + b"\n")
        out.flush()
        return
    out.write(json.dumps({"ready": True, "sandboxed": sandboxed}).encode() + b"\n")
    out.flush()
    for line in sys.stdin.buffer:
        job = None
        try:
            job = Job(**json.loads(line))
            answer = answer_job(store, job)
        except Exception as exc:  # noqa: BLE001 (a bug must not cost the worker its store)
            answer = (500, f"internal error: {type(exc).__name__}: {exc}\n".encode(), "text/plain", {})
        _write_answer(out, *answer, verdict=job.verdict if job else "")


class _Worker:
    """One worker process and its two pipes."""

    def __init__(self, source: StoreSource, warm: bool = True):
        import subprocess

        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-c", "from kg.server import worker_main; worker_main()"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=env, close_fds=True)
        value = base64.b64encode(source.value).decode() if source.kind == "nquads" else source.value
        self.sandboxed = False
        try:
            self.proc.stdin.write(json.dumps({"kind": source.kind, "value": value, "warm": warm}).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            pass  # died at once: wait_ready says so

    def wait_ready(self, timeout: float = 120.0) -> None:
        if not self.poll(timeout):
            self.kill()
            raise OSError("a query worker did not start")
        line = self.proc.stdout.readline()
        try:
            hello = json.loads(line)
        except ValueError:
            self.kill()
            raise OSError("a query worker died while opening the store") from None
        if not hello.get("ready"):
            self.kill()
            raise OSError(f"a query worker cannot open the store ({hello.get('failed')})")
        self.sandboxed = bool(hello.get("sandboxed"))

    def poll(self, timeout: float) -> bool:
        readable, _, _ = select.select([self.proc.stdout], [], [], timeout)
        return bool(readable)

    def send(self, job: Job) -> None:
        self.proc.stdin.write(json.dumps(job.__dict__).encode("utf-8") + b"\n")
        self.proc.stdin.flush()

    def receive(self) -> tuple[tuple[int, bytes, str, dict], str]:
        """The answer and the parse's verdict on the query (clean, refused or "")."""
        line = self.proc.stdout.readline()
        if not line:
            raise EOFError("the worker is gone")
        header = json.loads(line)
        body = self.proc.stdout.read(header["length"])
        if len(body) != header["length"]:
            raise EOFError("the worker is gone")
        return (header["status"], body, header["media"], header["extra"]), str(header.get("verdict") or "")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss_mb(self) -> float:
        try:
            with open(f"/proc/{self.proc.pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, ValueError, IndexError):
            return 0.0

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(5)
        except (OSError, ValueError):
            pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass


class Gone(Exception):
    """The client closed its connection: nobody is waiting for the answer."""


class QueryPool:
    """Worker processes, each with its own read-only copy of the store; a query runs in one of them and
    is really stopped by killing it (at the deadline, past ``max_query_mb`` of RSS, or when its client is
    gone); the killed worker is replaced in the background. At most ``max_queue`` queries wait (first
    come, first served); past that :meth:`run` answers 503 with Retry-After."""

    POLL = 0.02

    def __init__(self, source: StoreSource, workers: int, max_queue: int, max_query_mb: int):
        self.source, self.size, self.max_queue, self.max_query_mb = source, workers, max_queue, max_query_mb
        self.lock = threading.Lock()
        self.idle: list[_Worker] = []
        self.busy: set[_Worker] = set()
        self.waiters: collections.deque = collections.deque()
        self.closed = False
        # the parse's verdicts by digest of the query text: None (clean: skip the parse) or the refusal
        self.verdicts: collections.OrderedDict[bytes, tuple | None] = collections.OrderedDict()
        self.stats = collections.Counter()  # started, answered, timeout, memory, gone, busy, died
        # workers are started from one long-lived thread: a worker dies with the thread that started it
        # (PR_SET_PDEATHSIG), so that a server killed outright leaves no query running
        self.spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-sparql-spawner")
        started = [self.spawner.submit(_Worker, source).result() for _ in range(workers)]
        try:
            for w in started:
                w.wait_ready()
        except BaseException:
            for w in started:
                w.kill()
            self.spawner.shutdown(wait=False)
            raise
        self.sandboxed = all(w.sandboxed for w in started)
        self.idle.extend(started)
        idle_mb = max(w.rss_mb() for w in started)
        if idle_mb > 0.8 * max_query_mb:
            self.close()
            raise ValueError(f"--max-query-mb {max_query_mb} leaves no room for queries: a worker holding this store "
                             f"already uses {idle_mb:.0f} MB (give at least {int(idle_mb * 1.25) + 1})")

    def _count(self, what: str) -> None:
        with self.lock:
            self.stats[what] += 1

    def pids(self) -> list[int]:
        with self.lock:
            return [w.pid for w in [*self.idle, *self.busy]]

    def close(self) -> None:
        with self.lock:
            self.closed = True
            workers, self.idle, self.busy = [*self.idle, *self.busy], [], set()
        for w in workers:
            w.kill()
        self.spawner.shutdown(wait=False)

    # ---------------------------------------------------------- workers in and out

    def _release(self, worker: _Worker) -> None:
        with self.lock:
            self.busy.discard(worker)
            if self.closed:
                worker.kill()
                return
            while self.waiters:
                slot = self.waiters.popleft()
                slot["worker"] = worker
                slot["event"].set()
                return
            self.idle.append(worker)

    def _replace(self, worker: _Worker) -> None:
        with self.lock:
            self.busy.discard(worker)
        worker.kill()
        threading.Thread(target=self._respawn, daemon=True, name="kg-sparql-respawn").start()

    def _respawn(self) -> None:
        delay = 0.5
        while not self.closed:
            try:
                fresh = self.spawner.submit(_Worker, self.source, False).result()
                fresh.wait_ready()
            except RuntimeError:  # the pool was closed meanwhile (its spawner shut down)
                return
            except (OSError, ValueError) as exc:
                sys.stderr.write(f"kg serve: {exc}; trying again in {delay:g} s\n")
                time.sleep(delay)
                delay = min(delay * 2, 30)
                continue
            with self.lock:
                self.busy.add(fresh)
            self._release(fresh)
            return

    def _acquire(self, deadline: float, gone) -> _Worker | str:
        with self.lock:
            if self.idle and not self.waiters:
                worker = self.idle.pop()
                self.busy.add(worker)
                return worker
            if len(self.waiters) >= self.max_queue:
                return "busy"
            slot = {"event": threading.Event(), "worker": None}
            self.waiters.append(slot)
        while not slot["event"].wait(0.1):
            reason = "timeout" if time.monotonic() > deadline else "gone" if gone() else None
            if reason:
                with self.lock:
                    if slot["worker"] is None:
                        self.waiters.remove(slot)
                        return reason
                break  # handed a worker just now: take it, the caller checks again
        with self.lock:
            self.busy.add(slot["worker"])
        return slot["worker"]

    # ---------------------------------------------------------- one query

    def run(self, job: Job, gone) -> tuple[int, bytes, str, dict]:
        """The answer to ``job``; raises :class:`Gone` when the client left (nothing to send)."""
        def error(status, message, extra=None):
            return int(status), (message + "\n").encode("utf-8"), "text/plain", extra or {}

        timed_out = error(HTTPStatus.SERVICE_UNAVAILABLE,
                          f"query timed out after {job.timeout:g} s (the limit is --timeout)")
        digest = hashlib.sha256(normalise_newlines(job.query).encode("utf-8", "surrogatepass")).digest()
        with self.lock:
            known = digest in self.verdicts
            refusal = self.verdicts.get(digest)
        if refusal is not None:  # refused before (SERVICE): the same answer, no worker
            self._count("refused-again")
            return refusal
        job.checked = known
        worker = self._acquire(job.deadline, gone)
        if worker == "busy":
            self._count("busy")
            return error(HTTPStatus.SERVICE_UNAVAILABLE, f"busy: {self.max_queue} queries are waiting; try again",
                         {"Retry-After": "5"})
        if worker in ("timeout", "gone"):
            self._count(worker)
            if worker == "gone":
                raise Gone()
            return timed_out
        if gone():
            self._count("gone")
            self._release(worker)
            raise Gone()
        if time.monotonic() > job.deadline:
            self._count("timeout")
            self._release(worker)
            return timed_out
        try:
            worker.send(job)
        except (OSError, ValueError):
            self._count("died")
            self._replace(worker)
            return error(HTTPStatus.SERVICE_UNAVAILABLE, "the query worker stopped; try again")
        self._count("started")
        checks = 0
        while True:
            try:
                if worker.poll(self.POLL):
                    answer, verdict = worker.receive()
                    if verdict in ("clean", "refused"):
                        with self.lock:
                            self.verdicts[digest] = None if verdict == "clean" else answer
                            self.verdicts.move_to_end(digest)
                            while len(self.verdicts) > 4096:
                                self.verdicts.popitem(last=False)
                    self._count("answered")
                    self._release(worker)
                    return answer
            except (EOFError, OSError, ValueError):
                self._count("died")
                self._replace(worker)
                return error(HTTPStatus.SERVICE_UNAVAILABLE, "the query stopped its worker (out of memory?); "
                                                             "the worker was replaced")
            checks += 1
            if time.monotonic() > job.deadline:
                self._count("timeout")
                self._replace(worker)
                return timed_out
            if worker.rss_mb() > self.max_query_mb:
                self._count("memory")
                self._replace(worker)
                return error(HTTPStatus.SERVICE_UNAVAILABLE, f"query stopped: it needed more than {self.max_query_mb} MB "
                                                             "of memory (the limit is --max-query-mb)")
            if checks % 5 == 0 and gone():
                self._count("gone")
                self._replace(worker)
                raise Gone()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    verbose = False
    request_queue_size = 128  # the listen backlog: socketserver's 5 resets connections of 50 clients at once

    pool: QueryPool | None = None

    def server_close(self):
        super().server_close()
        if self.pool is not None:
            self.pool.close()

    def handle_error(self, request, client_address):
        """A request that broke (a client gone mid-answer …): one line when verbose, never a traceback."""
        import sys

        exc = sys.exc_info()[1]
        if self.verbose:
            sys.stderr.write(f"{client_address[0]}: request failed: {type(exc).__name__}: {exc}\n")


class SparqlHandler(BaseHTTPRequestHandler):
    server_version = "ZhengqiKG"
    timeout = 60  # seconds a client may take to send its request (slow or idle connections are closed)
    config = EndpointConfig()
    pool: QueryPool | None = None

    def log_message(self, fmt, *args):  # quiet by default; the CLI prints one line at start
        if getattr(self.server, "verbose", False):
            super().log_message(fmt, *args)

    # -------------------------------------------------------------- plumbing

    def _send(self, status: int, body: bytes, media: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media + ("; charset=utf-8" if media.startswith(("text/", "application/")) else ""))
        self.send_header("Content-Length", str(len(body)))
        if self.config.cors:
            self.send_header("Access-Control-Allow-Origin", self.config.cors)
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.send_header("Access-Control-Expose-Headers", "X-Result-Truncated")
            if self.config.cors != "*":
                self.send_header("Vary", "Origin")
        self.send_header("X-Content-Type-Options", "nosniff")  # text/plain stays text
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._send(status, (message.strip() + "\n").encode("utf-8"), "text/plain")

    def do_OPTIONS(self):  # CORS preflight
        self._send(HTTPStatus.NO_CONTENT, b"", "text/plain")

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urlparse(self.path)
        if url.path in ("/", "/index.html"):
            page, csp = query_page()
            return self._send(HTTPStatus.OK, page, "text/html", {"Content-Security-Policy": csp})
        if url.path != "/sparql":
            return self._error(HTTPStatus.NOT_FOUND, "not found: the endpoint is /sparql")
        params = parse_qs(url.query, keep_blank_values=True)
        if "update" in params:
            return self._error(HTTPStatus.FORBIDDEN, "SPARQL Update is not allowed: this endpoint is read-only")
        if "query" not in params:
            return self._error(HTTPStatus.BAD_REQUEST, "missing the query parameter")
        self._answer(params["query"][0], params.get("format", [None])[0])

    def do_POST(self):
        url = urlparse(self.path)
        if url.path != "/sparql":
            return self._error(HTTPStatus.NOT_FOUND, "not found: the endpoint is /sparql")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            return self._error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
        if length > 1_000_000:
            return self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "query too large")
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/sparql-update":
            return self._error(HTTPStatus.FORBIDDEN, "SPARQL Update is not allowed: this endpoint is read-only")
        if ctype == "application/sparql-query":
            query = body
        elif ctype in ("application/x-www-form-urlencoded", ""):
            form = parse_qs(body, keep_blank_values=True)
            if "update" in form:
                return self._error(HTTPStatus.FORBIDDEN, "SPARQL Update is not allowed: this endpoint is read-only")
            if "query" not in form:
                return self._error(HTTPStatus.BAD_REQUEST, "missing the query parameter")
            query = form["query"][0]
            params.update({k: v for k, v in form.items() if k == "format"})
        else:
            return self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"unsupported Content-Type {ctype}")
        self._answer(query, params.get("format", [None])[0])

    # -------------------------------------------------------------- queries

    def _client_gone(self) -> bool:
        """True when the client closed its side (or the connection broke): nobody waits for the answer."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _answer(self, query: str, fmt: str | None) -> None:
        if is_update(query):
            return self._error(HTTPStatus.FORBIDDEN, "SPARQL Update is not allowed: this endpoint is read-only")
        cfg = self.config
        job = Job(query, self.headers.get("Accept") or "", fmt, cfg.max_rows, time.monotonic() + cfg.timeout,
                  cfg.timeout, cfg.max_result_mb * 2**20)
        try:
            status, body, media, extra = self.pool.run(job, self._client_gone)
        except Gone:
            self.close_connection = True
            return
        self._send(status, body, media, extra)


def make_server(store, host: str = "127.0.0.1", port: int = 7878, config: EndpointConfig | None = None,
                verbose: bool = False) -> ThreadingHTTPServer:
    """An HTTP server answering SPARQL over ``store`` (call ``serve_forever`` to run it; ``server_close``
    stops its workers). ``store``: a store folder, a graph file, a pyoxigraph Store or a StoreSource;
    each worker process opens its own copy."""
    config = config or EndpointConfig()
    source = StoreSource.of(store)
    server = _Server((host, port), type("Handler", (SparqlHandler,), {"config": config}), bind_and_activate=False)
    try:
        server.server_bind()
        server.server_activate()
        pool = QueryPool(source, config.workers or default_workers(), config.max_queue, config.max_query_mb)
    except BaseException:
        server.server_close()
        raise
    server.pool = server.RequestHandlerClass.pool = pool
    server.verbose = verbose
    return server


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread
