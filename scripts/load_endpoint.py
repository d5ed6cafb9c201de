#!/usr/bin/env python3
"""Load test of `kg serve` on loopback: N concurrent clients for T seconds, a mix of the queries/ files.

    .venv/bin/python scripts/load_endpoint.py --store out/store                  # 50 clients, 30 s
    .venv/bin/python scripts/load_endpoint.py --store out/store --clients 10 --seconds 3
    .venv/bin/python scripts/load_endpoint.py --url http://127.0.0.1:7878 --pid 12345   # a running server

Without --url it starts `python -m kg serve --store DIR` (or --graph FILE) on 127.0.0.1 and a free port,
and stops it at the end. Each client sends one request after another (POST application/sparql-query,
a query of queries/ in turn, every 20th request the query page at /) until the time is up or the
whole run has sent --max-requests. It prints requests/s, latency p50/p95/max, the failed requests
(anything but HTTP 200, or no answer) and the server's resident memory (RSS) at the start, half way
and at the end. Exit 1 on any failed request, or when RSS grew by more than --max-rss-growth-mb
between the middle and the end (the first half warms the caches up); 2 on a bad argument.
Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import os
import re
import socket
import subprocess
import sys
import threading
import time
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
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def start_server(args) -> tuple[subprocess.Popen, str]:
    source = ["--store", str(args.store)] if args.store else ["--graph", str(args.graph)]
    cmd = [sys.executable, "-m", "kg", "serve", *source, "--host", "127.0.0.1", "--port", "0",
           "--timeout", str(args.timeout)]
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


def load_queries(folder: Path) -> list[tuple[str, str]]:
    """(name, text) of every .rq file; CONSTRUCT/DESCRIBE ask for Turtle, the others for JSON."""
    queries = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq"))]
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
        self.latencies: list[float] = []
        self.failures: list[str] = []

    def take(self) -> bool:
        with self.lock:
            if self.sent >= self.budget:
                return False
            self.sent += 1
            return True

    def done(self, seconds: float, failure: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if failure is not None:
                self.failures.append(failure)


def client(n: int, host: str, port: int, queries, stats: Stats, stop_at: float, request_timeout: float) -> None:
    i = n  # clients start at different queries
    while time.monotonic() < stop_at and stats.take():
        i += 1
        if i % 20 == 0:
            method, path, body, headers, what = "GET", "/", None, {}, "query page"
        else:
            name, text = queries[i % len(queries)]
            method, path, body, what = "POST", "/sparql", text.encode("utf-8"), name
            headers = {"Content-Type": "application/sparql-query", "Accept": accept_for(text)}
        t0 = time.perf_counter()
        failure = None
        try:
            conn = http.client.HTTPConnection(host, port, timeout=request_timeout)
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                if resp.status != 200:
                    failure = f"{what}: HTTP {resp.status} {data[:120]!r}"
                elif not data:
                    failure = f"{what}: empty answer"
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            failure = f"{what}: {type(exc).__name__}: {exc}"
        stats.done(time.perf_counter() - t0, failure)


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
    ap.add_argument("--max-rss-growth-mb", type=float, default=25.0,
                    help="Largest allowed growth of the server's RSS from the middle to the end (default 25 MB).")
    args = ap.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.max_requests < 1:
        ap.error("--clients, --seconds and --max-requests must be positive")
    queries = load_queries(args.queries)

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
    t0 = time.monotonic()
    stop_at = t0 + args.seconds
    threads = [threading.Thread(target=client, args=(n, host, port, queries, stats, stop_at, args.timeout), daemon=True)
               for n in range(args.clients)]
    try:
        for t in threads:
            t.start()
        while time.monotonic() < t0 + args.seconds / 2 and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        rss["middle"] = rss_mb(pid)
        for t in threads:
            t.join(timeout=max(0.0, stop_at - time.monotonic()) + args.timeout + 5)
        rss["end"] = rss_mb(pid)
        elapsed = time.monotonic() - t0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    n, lat = len(stats.latencies), stats.latencies
    hung = sum(t.is_alive() for t in threads)
    print(f"endpoint http://{host}:{port}: {args.clients} clients for {args.seconds:g} s, {len(queries)} queries "
          f"from {args.queries}")
    print(f"requests: {n} in {elapsed:.1f} s = {n / elapsed:.1f}/s; latency p50 {percentile(lat, 0.5) * 1000:.1f} ms, "
          f"p95 {percentile(lat, 0.95) * 1000:.1f} ms, max {max(lat, default=float('nan')) * 1000:.1f} ms")
    print(f"failures: {len(stats.failures) + hung}" + (f" ({hung} clients still waiting)" if hung else ""))
    for f in stats.failures[:10]:
        print(f"  {f}")

    def mb(v):
        return "n/a" if v is None else f"{v:.1f} MB"

    print(f"server RSS: start {mb(rss['start'])}, middle {mb(rss.get('middle'))}, end {mb(rss.get('end'))}")
    ok = not stats.failures and not hung and n > 0
    if rss.get("middle") is not None and rss.get("end") is not None:
        growth = rss["end"] - rss["middle"]
        flat = growth <= args.max_rss_growth_mb
        print(f"RSS growth middle → end: {growth:+.1f} MB (bound {args.max_rss_growth_mb:g} MB): "
              + ("flat" if flat else "GROWING"))
        ok = ok and flat
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
