#!/usr/bin/env python3
"""Load test of `kg serve` on loopback: N concurrent clients for T seconds, a mix of the queries/ files
and three hostile queries.

    .venv/bin/python scripts/load_endpoint.py --store out/store                  # 50 clients, 30 s
    .venv/bin/python scripts/load_endpoint.py --store out/store --clients 10 --seconds 3
    .venv/bin/python scripts/load_endpoint.py --url http://127.0.0.1:7878 --pid 12345   # a running server

Without --url it starts `python -m kg serve --store DIR` (or --graph FILE) on 127.0.0.1 and a free port
(with --max-query-mb), and stops it at the end. Each client sends one request after another (POST
application/sparql-query, a query of queries/ or a hostile one in turn, every 20th request the query page
at /) until the time is up or the whole run has sent --max-requests. The hostile queries (unless
--no-hostile): a SERVICE hidden behind a comment ended by CR, aimed at a recording HTTP server this
script runs on loopback (must be refused, 400/403, and that server never contacted); the ORDER BY bomb
(must be stopped, 503); SERVICE with an unbound variable (must be 400).

It prints requests/s, latency p50/p95/max of the normal queries, the failed requests (a normal query not
answered 200, a hostile one not answered as it must be, or no answer), the hostile answers, and the
resident memory (RSS) of the server's whole process tree (server and query workers): idle (before the
load), half way, at the end and the peak (sampled every 0.2 s). Exit 1 on any failed request, a contacted
SERVICE target, a peak RSS above --max-rss-factor × idle, or a server that is not alive and answering
after the run; 2 on a bad argument. Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import ipaddress
import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of a process and all its descendants (the query workers), in MB."""
    if pid is None or not Path(f"/proc/{pid}").is_dir():
        return None
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(") ", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            total += int((Path(f"/proc/{p}/statm")).read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    return total / 2**20


class Trap:
    """An HTTP server on loopback standing for "another server in the network": it counts the requests
    it gets. A SERVICE the endpoint let through would show up here."""

    def __init__(self):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def hostile_queries(trap_url: str) -> list[tuple[str, str, tuple[int, ...]]]:
    """(name, text, the statuses it must get)."""
    return [
        ("hostile: SERVICE behind a CR comment", f"SELECT * WHERE {{ # x\rSERVICE <{trap_url}> {{ ?s ?p ?o }} }}",
         (400, 403)),
        ("hostile: ORDER BY bomb", "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i", (503,)),
        ("hostile: SERVICE ?unbound", "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }", (400,)),
    ]


def start_server(args) -> tuple[subprocess.Popen, str]:
    source = ["--store", str(args.store)] if args.store else ["--graph", str(args.graph)]
    cmd = [sys.executable, "-m", "kg", "serve", *source, "--host", "127.0.0.1", "--port", "0",
           "--timeout", str(args.timeout), "--max-query-mb", str(args.max_query_mb)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "400"}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    found: list[str] = []

    def read():
        for line in proc.stdout:
            m = re.search(r"http://127\.0\.0\.1:(\d+)/sparql", line)
            if m and not found:
                found.append(f"http://127.0.0.1:{m.group(1)}")

    threading.Thread(target=read, daemon=True).start()
    t0 = time.monotonic()
    while not found:
        if proc.poll() is not None:
            raise SystemExit(f"error: kg serve exited ({proc.returncode}): {proc.stderr.read().strip()}")
        if time.monotonic() - t0 > 120:
            proc.kill()
            raise SystemExit("error: kg serve did not start within 120 s")
        time.sleep(0.05)
    return proc, found[0]


def load_queries(folder: Path) -> list[tuple[str, str, tuple[int, ...]]]:
    """(name, text, (200,)) of every .rq file; CONSTRUCT/DESCRIBE ask for Turtle, the others for JSON."""
    queries = [(p.name, p.read_text(encoding="utf-8"), (200,)) for p in sorted(folder.glob("*.rq"))]
    if not queries:
        raise SystemExit(f"error: no .rq files in {folder}")
    return queries


def accept_for(query: str) -> str:
    body = re.sub(r"#[^\n]*", " ", query)
    body = re.sub(r"(?is)^\s*((PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*", "", body)
    graph = body.strip().upper().startswith(("CONSTRUCT", "DESCRIBE"))
    return "text/turtle" if graph else "application/sparql-results+json"


class Stats:
    def __init__(self, budget: int):
        self.lock = threading.Lock()
        self.budget = budget
        self.sent = 0
        self.latencies: list[float] = []  # of the normal requests
        self.failures: list[str] = []
        self.hostile: collections.Counter = collections.Counter()  # (name, status)

    def take(self) -> bool:
        with self.lock:
            if self.sent >= self.budget:
                return False
            self.sent += 1
            return True

    def done(self, seconds: float, failure: str | None, hostile: tuple[str, object] | None = None) -> None:
        with self.lock:
            if hostile is None:
                self.latencies.append(seconds)
            else:
                self.hostile[hostile] += 1
            if failure is not None:
                self.failures.append(failure)


def client(n: int, host: str, port: int, queries, stats: Stats, stop_at: float, request_timeout: float) -> None:
    i = n  # clients start at different queries
    while time.monotonic() < stop_at and stats.take():
        i += 1
        expect = (200,)
        if i % 20 == 0:
            method, path, body, headers, what = "GET", "/", None, {}, "query page"
        else:
            name, text, expect = queries[(i - i // 20) % len(queries)]  # every query in turn, pages aside
            method, path, body, what = "POST", "/sparql", text.encode("utf-8"), name
            headers = {"Content-Type": "application/sparql-query", "Accept": accept_for(text)}
        t0 = time.perf_counter()
        failure, status = None, None
        try:
            conn = http.client.HTTPConnection(host, port, timeout=request_timeout)
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                status = resp.status
                if resp.status not in expect:
                    failure = f"{what}: HTTP {resp.status} {data[:120]!r}"
                elif not data:
                    failure = f"{what}: empty answer"
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            failure = f"{what}: {type(exc).__name__}: {exc}"
            status = type(exc).__name__
        stats.done(time.perf_counter() - t0, failure, (what, status) if expect != (200,) else None)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    source = ap.add_mutually_exclusive_group()
    source.add_argument("--store", type=Path, help="Start kg serve on this store folder (default out/store).")
    source.add_argument("--graph", type=Path, help="Start kg serve on this Turtle file.")
    source.add_argument("--url", help="Load a running endpoint instead (loopback only), e.g. http://127.0.0.1:7878.")
    ap.add_argument("--pid", type=int, help="With --url: the server's process id, to report its memory.")
    ap.add_argument("--clients", type=int, default=50, help="Concurrent clients (default 50).")
    ap.add_argument("--seconds", type=float, default=30.0, help="How long to run (default 30).")
    ap.add_argument("--max-requests", type=int, default=200_000, help="Requests in all at most (default 200,000).")
    ap.add_argument("--queries", type=Path, default=ROOT / "queries", help="Folder of .rq files (default queries/).")
    ap.add_argument("--timeout", type=float, default=30.0, help="The server's --timeout and each request's (default 30 s).")
    ap.add_argument("--max-query-mb", type=int, default=100,
                    help="The server's --max-query-mb (default 100: a query worker is stopped past 100 MB).")
    ap.add_argument("--max-rss-factor", type=float, default=2.0,
                    help="Largest allowed peak RSS of the server's process tree, as a multiple of its idle RSS "
                         "(default 2).")
    ap.add_argument("--no-hostile", action="store_true", help="Only the queries of --queries, no hostile ones.")
    args = ap.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.max_requests < 1 or args.max_rss_factor <= 0:
        ap.error("--clients, --seconds, --max-requests and --max-rss-factor must be positive")
    if args.max_query_mb < 64:
        ap.error("--max-query-mb must be at least 64")
    queries = load_queries(args.queries)
    trap = None if args.no_hostile else Trap()
    if trap is not None:  # spread early in the rotation, so that a short run meets them too
        for k, hostile in enumerate(hostile_queries(trap.url)):
            queries.insert(1 + 3 * k, hostile)

    proc = None
    if args.url:
        url = urlparse(args.url)
        if url.scheme != "http" or not url.hostname or not is_loopback(url.hostname):
            ap.error(f"--url must be http:// on a loopback address, not {args.url}")
        host, port, pid = url.hostname, url.port or 80, args.pid
    else:
        if args.graph is None and args.store is None:
            args.store = ROOT / "out" / "store"
        proc, base = start_server(args)
        url = urlparse(base)
        host, port, pid = url.hostname, url.port, proc.pid
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        print(f"error: no endpoint at {host}:{port} ({exc})", file=sys.stderr)
        return 2

    stats = Stats(args.max_requests)
    rss = {"start": rss_mb(pid)}
    peak = [rss["start"] or 0.0]
    sampling = threading.Event()

    def sample():
        while not sampling.wait(0.2):
            peak[0] = max(peak[0], rss_mb(pid) or 0.0)

    t0 = time.monotonic()
    stop_at = t0 + args.seconds
    threads = [threading.Thread(target=client, args=(n, host, port, queries, stats, stop_at, args.timeout), daemon=True)
               for n in range(args.clients)]
    alive_after = None
    try:
        if pid is not None:
            threading.Thread(target=sample, daemon=True).start()
        for t in threads:
            t.start()
        while time.monotonic() < t0 + args.seconds / 2 and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        rss["middle"] = rss_mb(pid)
        for t in threads:
            t.join(timeout=max(0.0, stop_at - time.monotonic()) + args.timeout + 5)
        rss["end"] = rss_mb(pid)
        sampling.set()
        elapsed = time.monotonic() - t0
        alive_after = still_answers(host, port, args.timeout) and (proc is None or proc.poll() is None)
    finally:
        sampling.set()
        if trap is not None:
            trap.close()
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    n, lat = len(stats.latencies), stats.latencies
    n_hostile = sum(stats.hostile.values())
    hung = sum(t.is_alive() for t in threads)
    normal = sum(1 for q in queries if q[2] == (200,))
    print(f"endpoint http://{host}:{port}: {args.clients} clients for {args.seconds:g} s, {normal} queries "
          f"from {args.queries}" + (f" and {len(queries) - normal} hostile ones" if trap else ""))
    print(f"requests: {n} in {elapsed:.1f} s = {n / elapsed:.1f}/s; latency p50 {percentile(lat, 0.5) * 1000:.1f} ms, "
          f"p95 {percentile(lat, 0.95) * 1000:.1f} ms, max {max(lat, default=float('nan')) * 1000:.1f} ms"
          + (f"; and {n_hostile} hostile requests" if trap else ""))
    print(f"failures: {len(stats.failures) + hung}" + (f" ({hung} clients still waiting)" if hung else ""))
    for f in stats.failures[:10]:
        print(f"  {f}")
    for (name, status), count in sorted(stats.hostile.items(), key=str):
        print(f"  {name}: {count} × {status}")
    ok = not stats.failures and not hung and n > 0
    if trap is not None:
        print(f"SERVICE target contacted: {len(trap.hits)} times")
        ok = ok and not trap.hits

    def mb(v):
        return "n/a" if v is None else f"{v:.1f} MB"

    print(f"server RSS (whole process tree): start {mb(rss['start'])}, middle {mb(rss.get('middle'))}, "
          f"end {mb(rss.get('end'))}, peak {mb(peak[0] if pid is not None else None)}")
    if rss.get("start"):
        bounded = peak[0] <= args.max_rss_factor * rss["start"]
        print(f"peak / idle: {peak[0] / rss['start']:.2f} (bound {args.max_rss_factor:g}): "
              + ("bounded" if bounded else "TOO HIGH"))
        ok = ok and bounded
    print(f"server alive after: {'yes' if alive_after else 'NO'}")
    ok = ok and bool(alive_after)
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


def still_answers(host: str, port: int, timeout: float) -> bool:
    """The endpoint answers a plain ASK with 200 (it survived the run)."""
    try:
        conn = http.client.HTTPConnection(host, port, timeout=timeout + 5)
        try:
            conn.request("POST", "/sparql", body=b"ASK { ?s ?p ?o }",
                         headers={"Content-Type": "application/sparql-query"})
            resp = conn.getresponse()
            resp.read()
            return resp.status == 200
        finally:
            conn.close()
    except (OSError, http.client.HTTPException):
        return False


if __name__ == "__main__":
    sys.exit(main())
