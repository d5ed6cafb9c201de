"""``kg push`` against hostile or broken servers (issue 13, point 14): real little HTTP servers on
127.0.0.1 (``http.server`` in a thread), no triple store needed.

* a redirect is never followed (302 turning the PUT into a GET, 307 to another origin with the graph
  and the Digest credentials): the push fails naming the Location;
* a 50 MB error page is not read: the server manages to send only a small part of it;
* ``--timeout`` is the total for the whole push: a server dripping its answer a byte a second, or
  answering each of many requests just within the timeout, cannot stretch it.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import rdflib

from kg.push import PushError, push_graph

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "contract_sample.ttl"
IRI = "urn:kg:test"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler still dripping to a client that left does not hold the test


class Handler(BaseHTTPRequestHandler):
    """Records every request (method, path, Authorization header, body length) in ``server.log``;
    subclasses answer in ``respond``."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def answer(self, status: int, text: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(text)

    def handle_any(self):
        body = self.body()
        self.server.log.append((self.command, self.path, self.headers.get("Authorization"), len(body)))
        self.respond()

    def respond(self):  # pragma: no cover - overridden
        self.answer(500)

    do_HEAD = do_PUT = do_POST = do_GET = handle_any


@contextmanager
def serve(handler: type[Handler], tls: ssl.SSLContext | None = None):
    """A server with ``handler`` on a free port of 127.0.0.1 (https with ``tls``); yields it
    (``.base``, ``.log``, ``.sent``, ``.done``)."""
    server = Server(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.log = []
    server.done = threading.Event()
    server.sent = 0
    server.base = f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def one_line(error: PushError) -> str:
    message = str(error)
    assert "\n" not in message and "\r" not in message and len(message) < 600, message
    return message


# ------------------------------------------------------------------ redirects

@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed(status):
    """A 302 used to turn the PUT into a GET of the Location and report success with nothing stored;
    a 307/308 used to resend the graph. Every redirect is now a one-line error naming the Location."""

    class Redirecting(Handler):
        def respond(self):
            if self.path.startswith("/gsp"):
                self.answer(status, b"moved", {"Location": "/elsewhere"})
            else:
                self.answer(201 if self.command == "PUT" else 200, b"ok")

    with serve(Redirecting) as server:
        with pytest.raises(PushError) as info:
            push_graph(SAMPLE, server.base, IRI, method="gsp", graph_store_url=server.base + "/gsp", timeout=10)
        message = one_line(info.value)
        assert f"HTTP {status}" in message and "redirects to /elsewhere" in message
        assert info.value.status == status
        assert [(m, p.split("?")[0]) for m, p, _, _ in server.log] == [("PUT", "/gsp")]


def test_kg_push_refuses_a_302_in_one_line():
    class Redirecting(Handler):
        def respond(self):
            self.answer(302, b"", {"Location": "/login"}) if self.command == "PUT" else self.answer(200, b"ok")

    with serve(Redirecting) as server:
        run = subprocess.run([sys.executable, "-m", "kg", "push", str(SAMPLE), "-e", server.base,
                              "--graph-store-url", server.base + "/gsp", "--method", "gsp", "--timeout", "10"],
                             cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert run.returncode == 2, (run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: HTTP 302") and "/login" in lines[0], run.stderr
    assert "pushed" not in run.stdout and "Traceback" not in run.stderr
    assert [m for m, _, _, _ in server.log] == ["PUT"]


def digest_challenge(realm: str) -> dict:
    return {"WWW-Authenticate": f'Digest realm="{realm}", nonce="abc{realm}", qop="auth", algorithm=MD5'}


def test_307_to_another_origin_gets_neither_the_graph_nor_the_credentials():
    """The store (Digest auth) answers the signed PUT with 307 to 127.0.0.1 on another port, which
    asks for Digest credentials too. The old push sent it the whole graph, then signed credentials."""

    class Elsewhere(Handler):
        def respond(self):
            if self.headers.get("Authorization") is None:
                self.answer(401, b"who?", digest_challenge("elsewhere"))
            else:
                self.answer(201, b"stored")

    with serve(Elsewhere) as other:
        class Store(Handler):
            def respond(self):
                if self.headers.get("Authorization") is None:
                    self.answer(401, b"who?", digest_challenge("store"))
                elif self.command == "PUT":
                    self.answer(307, b"", {"Location": other.base + "/gsp?graph=" + IRI})
                else:
                    self.answer(200)

        with serve(Store) as store:
            with pytest.raises(PushError) as info:
                push_graph(SAMPLE, store.base, IRI, user="dba", password="secret", method="gsp",
                           graph_store_url=store.base + "/gsp", timeout=10)
            message = one_line(info.value)
            assert "HTTP 307" in message and f"redirects to {other.base}/gsp" in message
            # the store itself got the signed PUT with the graph (it is the URL we were given) ...
            assert any(m == "PUT" and auth and auth.startswith("Digest ") and n > 0 for m, _, auth, n in store.log)
        # ... the other origin got nothing at all
        assert other.log == []


# ------------------------------------------------------------------ a huge error body

BIG = 50 * 1024 * 1024


def test_a_50_mb_error_page_is_not_read():
    """The error body is read up to 64 KB and the connection dropped: the server cannot hand over
    more than what the kernel's socket buffers hold (the old push read all 50 MB into memory)."""

    class Huge(Handler):
        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)

        def respond(self):
            if self.command != "PUT":
                return self.answer(200)
            self.send_response(500)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(BIG))
            self.end_headers()
            chunk = b"<html><body><h1>store exploded</h1>" + b"A" * (65536 - 36)
            try:
                while self.server.sent < BIG:
                    self.wfile.write(chunk)
                    self.server.sent += len(chunk)
                self.wfile.flush()
            except OSError:
                pass
            finally:
                self.server.done.set()
                self.close_connection = True

    with serve(Huge) as server:
        with pytest.raises(PushError) as info:
            push_graph(SAMPLE, server.base, IRI, method="gsp", graph_store_url=server.base + "/gsp", timeout=60)
        message = one_line(info.value)
        assert message.startswith("HTTP 500") and "store exploded" in message
        assert server.done.wait(60), "the server is still sending: the client never closed"
        assert server.sent < 16 * 1024 * 1024, f"the server sent {server.sent:,} bytes of {BIG:,}"


# ------------------------------------------------------------------ the total timeout

RESPONSE = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
ERROR = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 60\r\nConnection: close\r\n\r\n"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A server context with a self-signed certificate for 127.0.0.1 (made by openssl), which the
    client trusts through REQUESTS_CA_BUNDLE."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (needed to make a certificate for the https case)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


@pytest.mark.parametrize("where", ["status line", "error body", "https"])
def test_a_slow_drip_cannot_stretch_the_timeout(where, request, monkeypatch):
    """One byte a second, each well within a per-read timeout: the old push waited for all of them
    (~60 s for 60 bytes with --timeout 3) and then reported success. Now --timeout 3 is the total,
    over https too."""
    context = None
    if where == "https":
        context, cert = request.getfixturevalue("tls")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))

    class Drip(Handler):
        def respond(self):
            if where in ("status line", "https"):
                head, drip = b"", RESPONSE
            else:
                head, drip = ERROR, b"x" * 60
            try:
                self.wfile.write(head)
                self.wfile.flush()
                for i in range(len(drip)):
                    self.wfile.write(drip[i:i + 1])
                    self.wfile.flush()
                    self.server.sent += 1
                    time.sleep(1)
            except OSError:
                pass
            finally:
                self.server.done.set()
                self.close_connection = True

    with serve(Drip, context) as server:
        start = time.monotonic()
        with pytest.raises(PushError, match="timeout") as info:
            push_graph(SAMPLE, server.base, IRI, method="gsp", graph_store_url=server.base + "/gsp", timeout=3)
        elapsed = time.monotonic() - start
        one_line(info.value)
        assert elapsed < 15, f"the push took {elapsed:.1f} s with a timeout of 3 s"
        # the client left long before the drip was over: the server's next writes failed
        assert server.done.wait(30)
        assert server.sent < 20, f"the server dripped {server.sent} bytes to a client that should have left"


def test_the_timeout_is_for_all_requests_together():
    """SPARQL Update in batches of one triple, each answered after a second: every request is within
    --timeout 3, the push as a whole is not. The old push sent all ~100 batches (one per second)."""

    class Slow(Handler):
        def respond(self):
            time.sleep(1)
            self.answer(200, b"ok")

    triples = len(rdflib.Graph().parse(SAMPLE))
    assert triples > 20
    with serve(Slow) as server:
        with pytest.raises(PushError, match="timeout"):
            push_graph(SAMPLE, server.base, IRI, method="update", batch_size=1, update_url=server.base + "/update",
                       timeout=3)
        time.sleep(1.5)  # a request in flight at the deadline is still logged by the server
        assert 1 <= len(server.log) <= 5, f"{len(server.log)} requests of {triples + 1} within a timeout of 3 s"


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_a_timeout_that_is_not_a_positive_number_is_refused(bad):
    with pytest.raises(PushError, match="timeout must be"):
        push_graph(SAMPLE, "http://127.0.0.1:9", IRI, timeout=bad)


def test_help_says_redirects_and_total_timeout():
    run = subprocess.run([sys.executable, "-m", "kg", "push", "--help"], cwd=ROOT, capture_output=True, text=True,
                         encoding="utf-8", timeout=120, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin",
                                                             "PYTHONIOENCODING": "utf-8"})
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.replace("│", " ").split())
    assert "No redirect is followed" in text and "Location" in text
    assert "Seconds for the whole push" in text and "64 KB" in text
