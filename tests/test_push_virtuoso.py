"""kg.push against a real OpenLink Virtuoso, started here on loopback ports with its own database.

Needs `virtuoso-t` (Debian: virtuoso-opensource; CI runs scripts/ci_install_virtuoso.sh); skipped
with the reason when it is not installed. A fresh Virtuoso database always has the user dba with
password dba, whatever the package's debconf question was answered (that only concerns the
system instance in /var/lib/virtuoso-opensource-7).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.namespace import RDFS

from kg.push import PushError, push_graph

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "contract_sample.ttl"
SYSTEM_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
START_TIMEOUT = 60  # seconds for the server to answer HTTP
USER, PASSWORD = "dba", "dba"  # a new Virtuoso database's administrator


def free_ports(n: int) -> list[int]:
    """n distinct free TCP ports on 127.0.0.1 (held open together, so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def write_ini(folder: Path, sql_port: int, http_port: int) -> Path:
    """The Debian virtuoso.ini with its database files in `folder` and both servers on loopback."""
    section, lines = None, []
    for line in SYSTEM_INI.read_text(encoding="utf-8", errors="replace").splitlines():
        if m := re.match(r"\s*\[([^\]]+)\]", line):
            section = m.group(1).strip()
        if m := re.match(r"\s*([A-Za-z_]+)\s*=\s*(.*?)\s*$", line):
            key, value = m.groups()
            if section in ("Database", "TempDatabase") and key in (
                    "DatabaseFile", "ErrorLogFile", "LockFile", "TransactionFile", "xa_persistent_file"):
                line = f"{key} = {folder / Path(value).name}"
            elif key == "ServerPort" and section == "Parameters":
                line = f"ServerPort = 127.0.0.1:{sql_port}"
            elif key == "ServerPort" and section == "HTTPServer":
                line = f"ServerPort = 127.0.0.1:{http_port}"
        lines.append(line)
    text = "\n".join(lines) + "\n"
    assert f"127.0.0.1:{sql_port}" in text and f"127.0.0.1:{http_port}" in text, "ServerPort lines not found"
    ini = folder / "virtuoso.ini"
    ini.write_text(text, encoding="utf-8")
    return ini


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """Base URL of a Virtuoso started for this module; always stopped at the end."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        # In CI the server is installed by .ci/run: its absence there is a failure, not a skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)("virtuoso-t is not installed (apt-get install virtuoso-opensource; "
                    "see scripts/ci_install_virtuoso.sh)")
    if not SYSTEM_INI.is_file():
        pytest.skip(f"{SYSTEM_INI} is missing (virtuoso-opensource-7 not fully installed)")
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_ports(2)
    ini = write_ini(folder, sql_port, http_port)
    base = f"http://127.0.0.1:{http_port}"
    log = open(folder / "stdout.log", "wb")
    proc = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=folder,
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"virtuoso-t exited with {proc.returncode}:\n{_tail(folder)}")
            try:
                if requests.get(base + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Virtuoso did not answer on {base} within {START_TIMEOUT} s:\n{_tail(folder)}")
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _tail(folder: Path) -> str:
    out = []
    for name in ("stdout.log", "virtuoso.log"):
        p = folder / name
        if p.is_file():
            out += p.read_text(errors="replace").splitlines()[-15:]
    return "\n".join(out)


def select(base: str, query: str) -> list[dict]:
    r = requests.get(base + "/sparql", params={"query": query, "format": "application/sparql-results+json"},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text[:300]
    return json.loads(r.content.decode("utf-8"))["results"]["bindings"]


def count(base: str, graph_iri: str) -> int:
    rows = select(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"])


def holders_of_label(base: str, graph_iri: str, label: str, lang: str = "zh") -> set[str]:
    rows = select(base, f'SELECT ?s WHERE {{ GRAPH <{graph_iri}> {{ ?s <{RDFS.label}> "{label}"@{lang} }} }}')
    return {row["s"]["value"] for row in rows}


def local_holders(graph: rdflib.Graph, label: str, lang: str = "zh") -> set[str]:
    return {str(s) for s in graph.subjects(RDFS.label, rdflib.Literal(label, lang=lang))}


@pytest.fixture(scope="module")
def sample() -> rdflib.Graph:
    return rdflib.Graph().parse(SAMPLE)


def test_gsp_put_loads_the_graph_and_replaces_it(virtuoso, sample):
    iri = "https://w3id.org/zhengqi/test/gsp"
    result = push_graph(SAMPLE, virtuoso, iri, user=USER, password=PASSWORD, method="gsp", timeout=30)
    assert (result.method, result.triples) == ("gsp", len(sample))
    assert result.status in (200, 201, 204)
    assert "/sparql-graph-crud-auth?graph-uri=" in result.url
    assert count(virtuoso, iri) == len(sample) == 95
    # Exactly the same IRI: the sample's kgr:person\/chengyu-1 style names must not keep the backslash.
    expected = local_holders(sample, "程宇")
    assert expected == {"https://w3id.org/zhengqi/id/person/chengyu-1"}
    assert holders_of_label(virtuoso, iri, "程宇") == expected
    # PUT again: the graph is replaced, not doubled.
    again = push_graph(SAMPLE, virtuoso, iri, user=USER, password=PASSWORD, method="gsp", timeout=30)
    assert again.status in (200, 201, 204)
    assert count(virtuoso, iri) == len(sample)


def test_built_graph_pushed_with_auto(virtuoso, tmp_path):
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "kg", "build", "seeds", "-o", str(out), "--no-map", "--no-store"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    graph = rdflib.Graph().parse(out / "graph.ttl")
    assert len(graph) > 100
    iri = "https://w3id.org/zhengqi/test/built"
    result = push_graph(out / "graph.ttl", virtuoso, iri, user=USER, password=PASSWORD, timeout=30)
    assert (result.method, result.triples) == ("gsp", len(graph))
    assert count(virtuoso, iri) == len(graph)
    expected = local_holders(graph, "程宇")
    assert expected, "the seeds name 程宇"
    assert holders_of_label(virtuoso, iri, "程宇") == expected


def test_update_fallback_in_batches(virtuoso, sample):
    iri = "https://w3id.org/zhengqi/test/update"
    result = push_graph(SAMPLE, virtuoso, iri, user=USER, password=PASSWORD, method="update", batch_size=40,
                        timeout=30)
    assert (result.method, result.triples, result.status) == ("update", len(sample), 200)
    assert result.batches == 3  # 95 triples / 40
    assert count(virtuoso, iri) == len(sample)
    assert holders_of_label(virtuoso, iri, "程宇") == local_holders(sample, "程宇")
    # The graph is cleared first: pushing twice leaves one copy, and stale triples go.
    requests.post(virtuoso + "/sparql-auth", data=f"INSERT DATA {{ GRAPH <{iri}> {{ <urn:stale> <urn:p> 1 }} }}",
                  headers={"Content-Type": "application/sparql-update"},
                  auth=requests.auth.HTTPDigestAuth(USER, PASSWORD), timeout=30).raise_for_status()
    assert count(virtuoso, iri) == len(sample) + 1
    push_graph(SAMPLE, virtuoso, iri, user=USER, password=PASSWORD, method="update", timeout=30)
    assert count(virtuoso, iri) == len(sample)


def test_update_splits_batches_virtuoso_finds_too_big(virtuoso, tmp_path):
    # Virtuoso refuses an INSERT DATA of ~1,500+ triples (SP031: generated SQL over 10000 lines);
    # the default batch of 5000 must be halved until it fits.
    g = rdflib.Graph()
    for i in range(1500):
        s = rdflib.URIRef(f"https://w3id.org/zhengqi/id/person/t{i}")
        g.add((s, RDFS.label, rdflib.Literal(f"测试人{i}", lang="zh")))
        g.add((s, RDFS.comment, rdflib.Literal(f"第{i}行\n\"引号\"")))
    path = tmp_path / "big.ttl"
    g.serialize(path, format="turtle")
    iri = "https://w3id.org/zhengqi/test/big"
    result = push_graph(path, virtuoso, iri, user=USER, password=PASSWORD, method="update", timeout=60)
    assert result.triples == 3000 and result.batches >= 2
    assert count(virtuoso, iri) == 3000
    rows = select(virtuoso, f'SELECT ?c WHERE {{ GRAPH <{iri}> {{ <https://w3id.org/zhengqi/id/person/t7> '
                            f'<{RDFS.comment}> ?c }} }}')
    assert [r["c"]["value"] for r in rows] == ["第7行\n\"引号\""]


def test_auto_falls_back_to_update_when_there_is_no_graph_store(virtuoso, sample):
    iri = "https://w3id.org/zhengqi/test/fallback"
    result = push_graph(SAMPLE, virtuoso, iri, user=USER, password=PASSWORD, timeout=30,
                        graph_store_url=virtuoso + "/no-graph-store-here")
    assert result.method == "update"
    assert count(virtuoso, iri) == len(sample)


def test_wrong_password_is_a_401_push_error(virtuoso):
    iri = "https://w3id.org/zhengqi/test/denied"
    for method in ("gsp", "update"):
        with pytest.raises(PushError, match="401") as info:
            push_graph(SAMPLE, virtuoso, iri, user=USER, password="not-the-password", method=method, timeout=30)
        assert "\n" not in str(info.value) and info.value.status == 401
    assert count(virtuoso, iri) == 0


def test_anonymous_write_is_refused(virtuoso):
    with pytest.raises(PushError, match=r"HTTP 403.*user and password"):
        push_graph(SAMPLE, virtuoso, "https://w3id.org/zhengqi/test/anon", method="gsp", timeout=30)


def test_closed_port_is_connection_refused():
    (port,) = free_ports(1)  # nothing listens there now
    t0 = time.monotonic()
    with pytest.raises(PushError, match="connection refused") as info:
        push_graph(SAMPLE, f"http://127.0.0.1:{port}", "https://w3id.org/zhengqi/test/x", user=USER,
                   password=PASSWORD, timeout=5)
    assert time.monotonic() - t0 < 5
    assert "\n" not in str(info.value)


# --- A generic (non-Virtuoso) store, faked on loopback: Basic auth only, GSP or not. ---------------

class FakeStore:
    """A tiny HTTP server: Basic auth (user/pw), PUT on /gsp (unless no_gsp), POST on /sparql."""

    def __init__(self, no_gsp: bool = False):
        import base64
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        store = self
        self.log: list[tuple[str, str, str, bytes]] = []  # authorized requests: method, path, type, body
        good = "Basic " + base64.b64encode(b"user:pw").decode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status: int, text: str = "", headers: dict | None = None):
                body = text.encode()
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def handle_any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != good:
                    return self.answer(401, "Unauthorized\n", {"WWW-Authenticate": 'Basic realm="fake"'})
                store.log.append((self.command, self.path, self.headers.get("Content-Type", ""), body))
                path = self.path.split("?")[0]
                if path == "/gsp" and not no_gsp:
                    return self.answer(201 if self.command == "PUT" else 404)
                if path == "/sparql" and self.command == "POST":
                    return self.answer(200, "ok")
                return self.answer(404, "Not Found\nno such path")

            do_HEAD = do_PUT = do_POST = do_GET = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_store(request):
    store = FakeStore(no_gsp=getattr(request, "param", False))
    yield store
    store.close()


def test_basic_auth_when_the_server_offers_only_basic(fake_store, sample):
    result = push_graph(SAMPLE, fake_store.base, "urn:kg:test", user="user", password="pw", method="gsp",
                        graph_store_url=fake_store.base + "/gsp", timeout=5)
    assert (result.method, result.status, result.triples) == ("gsp", 201, len(sample))
    puts = [entry for entry in fake_store.log if entry[0] == "PUT"]
    assert puts[-1][1] == "/gsp?graph=urn%3Akg%3Atest" and puts[-1][2].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=puts[-1][3].decode(), format="turtle")) == len(sample)
    with pytest.raises(PushError, match="401"):
        push_graph(SAMPLE, fake_store.base, "urn:kg:test", user="user", password="bad", method="gsp",
                   graph_store_url=fake_store.base + "/gsp", timeout=5)


@pytest.mark.parametrize("fake_store", [True], indirect=True)
def test_auto_without_graph_store_uses_sparql_update(fake_store, sample):
    # Default (Virtuoso) paths on a store that has neither /sparql-graph-crud-auth nor /sparql-auth.
    result = push_graph(SAMPLE, fake_store.base, "urn:kg:test", user="user", password="pw", batch_size=50,
                        timeout=5)
    assert (result.method, result.batches, result.url) == ("update", 2, fake_store.base + "/sparql")
    assert [(m, path) for m, path, _, _ in fake_store.log] == [
        ("HEAD", "/sparql-graph-crud-auth?graph-uri=urn%3Akg%3Atest"),  # digest challenge; Basic it is
        ("PUT", "/sparql-graph-crud-auth?graph-uri=urn%3Akg%3Atest"),   # 404: no graph store
        ("POST", "/sparql-auth"), ("POST", "/sparql"), ("POST", "/sparql"), ("POST", "/sparql")]
    assert all(ctype == "application/sparql-update; charset=utf-8" for m, _, ctype, _ in fake_store.log if m == "POST")
    bodies = [body.decode() for _, path, _, body in fake_store.log if path == "/sparql"]
    assert bodies[0] == "CLEAR SILENT GRAPH <urn:kg:test>"
    assert all(b.startswith("INSERT DATA { GRAPH <urn:kg:test> {\n") and b.endswith("\n} }") for b in bodies[1:])
    inserted = "\n".join(line for b in bodies[1:] for line in b.splitlines()[1:-1])
    assert len(rdflib.Graph().parse(data=inserted, format="nt")) == len(sample)


# --- The command line, as a user runs it. ------------------------------------------------------------

def kg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env=full_env)


def test_kg_push_command_loads_into_virtuoso(virtuoso, sample):
    iri = "https://w3id.org/zhengqi/test/cli"
    run = kg("push", str(SAMPLE), "--endpoint", virtuoso, "--graph-iri", iri, "--user", USER,
             env={"KG_PUSH_PASSWORD": PASSWORD})
    assert run.returncode == 0, run.stderr
    assert f"pushed {len(sample)} triples" in run.stdout and "Graph Store PUT" in run.stdout
    assert count(virtuoso, iri) == len(sample)
    assert holders_of_label(virtuoso, iri, "程宇") == local_holders(sample, "程宇")

    run = kg("push", str(SAMPLE), "-e", virtuoso, "--graph-iri", iri, "-u", USER, "-p", PASSWORD,
             "--method", "update", "--batch-size", "30")
    assert run.returncode == 0, run.stderr
    assert "SPARQL Update in 4 batch(es)" in run.stdout
    assert count(virtuoso, iri) == len(sample)


@pytest.mark.parametrize("args, message", [
    (["push", "no/such.ttl", "-e", "http://127.0.0.1:9"], "no such file"),
    (["push", str(SAMPLE), "-e", "ftp://x"], "endpoint must be an http(s) URL"),
    (["push", str(SAMPLE), "-e", "http://127.0.0.1:9", "--graph-iri", "not an iri"], "absolute IRI"),
    (["push", str(SAMPLE), "-e", "http://127.0.0.1:9", "--method", "zip"], "unknown method"),
    (["push", str(SAMPLE), "-e", "http://127.0.0.1:9", "-u", "dba"], "--user needs --password"),
])
def test_kg_push_bad_arguments_are_one_line_errors(args, message):
    run = kg(*args)
    assert run.returncode == 2
    assert message in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_kg_push_to_a_closed_port_says_so():
    (port,) = free_ports(1)
    run = kg("push", str(SAMPLE), "-e", f"http://127.0.0.1:{port}", "-u", USER, "-p", PASSWORD, "--timeout", "5")
    assert run.returncode == 2 and "connection refused" in run.stderr
    assert "Traceback" not in run.stderr
