"""Load a built graph (Turtle) into an external triple store over HTTP.

Two ways in, both plain HTTP with ``requests``:

* ``gsp`` -- the SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT`` of the whole graph as
  ``text/turtle`` to the graph-store URL, which *replaces* the named graph.
* ``update`` -- SPARQL 1.1 Update: ``CLEAR SILENT GRAPH <iri>``, then ``INSERT DATA { GRAPH <iri>
  { ... } }`` in batches of N-Triples lines, each ``POST``-ed as ``application/sparql-update``.
  Slower, but every SPARQL 1.1 store speaks it.

``auto`` (the default) tries ``gsp`` and falls back to ``update`` when the server answers the
``PUT`` with 404, 405 or 501 (no graph store there).

The defaults fit OpenLink Virtuoso (``endpoint`` is the server's base URL, e.g.
``http://127.0.0.1:8890``): the graph store is ``/sparql-graph-crud-auth?graph-uri=IRI`` with HTTP
digest authentication (``/sparql-graph-crud?graph-uri=IRI`` without credentials), and updates go
to ``/sparql-auth`` (``/sparql`` without credentials). Other stores: pass ``graph_store_url`` (the
graph parameter is then ``graph``, as in the standard, unless ``graph_param`` says otherwise) and
``update_url``. Digest authentication is tried first; if the server only offers Basic, Basic is used.

The graph is parsed with rdflib and sent re-serialized as N-Triples lines (valid Turtle): the
count of triples sent is exact, and stores with older Turtle parsers do not misread Turtle 1.1
syntax (Virtuoso 7.2 keeps the backslash of ``kgr:doc\\/x`` in the IRI).

Example::

    from pathlib import Path
    from kg.push import push_graph

    result = push_graph(Path("out/graph.ttl"), "http://127.0.0.1:8890",
                        "https://w3id.org/zhengqi/graph", user="dba", password="dba")
    print(result.triples, result.method, result.status)   # e.g. 2820 gsp 201

Every failure (file unreadable, connection refused, timeout, 401, any 4xx/5xx, a redirect) raises
:class:`PushError` with a one-line message, e.g.
``HTTP 401 Unauthorized from http://127.0.0.1:8890/sparql-graph-crud-auth?...: wrong user or password?``

Under hostile or broken servers:

* **No redirect is followed.** A 3xx answer is a failure naming its ``Location`` (give that URL
  yourself if it is the store): following one could turn the ``PUT`` into a ``GET`` and report
  success with nothing stored, or send the graph and the credentials to another host.
* **Success is a 2xx answer to the ``PUT``/``POST`` itself**, nothing else.
* **``timeout`` is the total for the whole push** (every request, connecting, sending and reading):
  when it runs out, the push's sockets are shut down, so a server that drips its answer a byte at a
  time cannot stretch it.
* **Answers are read up to :data:`BODY_CAP` bytes** (64 KB) and the connection is then dropped, so a
  huge error page costs no memory; the error shows its first line of text.
"""

from __future__ import annotations

import errno
import re
import socket
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

__all__ = ["PushError", "PushResult", "push_graph", "graph_store_target", "METHODS"]

METHODS = ("auto", "gsp", "update")
#: Bytes of a server's answer read at most; the rest is not read (the connection is dropped).
BODY_CAP = 64 * 1024
#: The longest total time a push may be given, in seconds (11.5 days).
MAX_TIMEOUT = 1_000_000
# Answers to the graph-store PUT that mean "no Graph Store Protocol here": fall back to update.
FALLBACK_STATUSES = (404, 405, 501)
# A graph IRI goes between <...> in SPARQL: absolute, and none of the characters IRIREF excludes.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$")
_RDF_FORMATS = {".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".n3": "n3", ".nq": "nquads",
                ".trig": "trig", ".rdf": "xml", ".xml": "xml", ".owl": "xml", ".jsonld": "json-ld"}


class PushError(Exception):
    """Pushing the graph failed; ``str(error)`` is a one-line message fit for the console."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(" ".join(str(message).split()))
        self.status = status


@dataclass(frozen=True)
class PushResult:
    """What :func:`push_graph` did.

    ``triples``: triples sent; ``method``: "gsp" or "update" (what was used in the end, also after
    an ``auto`` fallback); ``status``: HTTP status of the last request (201/200/204 for a PUT);
    ``url``: where the data went; ``requests``: HTTP requests made (without auth challenges);
    ``batches``: INSERT DATA requests (0 for gsp); ``seconds``: wall time.
    """

    triples: int
    method: str
    status: int
    graph_iri: str
    url: str
    requests: int = 1
    batches: int = 0
    seconds: float = 0.0


def graph_store_target(endpoint: str, graph_iri: str, authenticated: bool = True,
                    base: str | None = None, graph_param: str | None = None) -> tuple[str, dict]:
    """URL and query parameters of the Graph Store request for ``graph_iri``.

    Without ``base``, Virtuoso's: ``/sparql-graph-crud-auth`` (or ``/sparql-graph-crud`` when not
    ``authenticated``) with ``graph-uri``; with ``base``, that URL with ``graph`` (the standard's
    indirect graph identification) unless ``graph_param`` names another parameter.

    >>> graph_store_target("http://127.0.0.1:8890/", "urn:g")
    ('http://127.0.0.1:8890/sparql-graph-crud-auth', {'graph-uri': 'urn:g'})
    >>> graph_store_target("http://h:8890", "urn:g", authenticated=False)
    ('http://h:8890/sparql-graph-crud', {'graph-uri': 'urn:g'})
    >>> graph_store_target("", "urn:g", base="http://h:7200/repositories/kg/rdf-graphs/service")
    ('http://h:7200/repositories/kg/rdf-graphs/service', {'graph': 'urn:g'})
    """
    if base:
        url = base
        param = graph_param or ("graph-uri" if "/sparql-graph-crud" in base else "graph")
    else:
        url = endpoint.rstrip("/") + ("/sparql-graph-crud-auth" if authenticated else "/sparql-graph-crud")
        param = graph_param or "graph-uri"
    return url, {param: graph_iri}


def _update_urls(endpoint: str, authenticated: bool, update_url: str | None) -> list[str]:
    if update_url:
        return [update_url]
    base = endpoint.rstrip("/")
    # Virtuoso: the anonymous /sparql may not update; /sparql-auth asks for digest credentials.
    # A store without /sparql-auth (404) gets the plain /sparql.
    return [base + "/sparql-auth", base + "/sparql"] if authenticated else [base + "/sparql"]


def _printable(text: str, limit: int = 200) -> str:
    """``text`` on one line, control characters (terminal escape codes …) shown escaped, cut at ``limit``.

    >>> _printable("a\\x1b[2Jb\\nc" + "x" * 300, 10), _printable("ok")
    ('a\\\\x1b[2Jb …', 'ok')
    """
    text = " ".join(str(text).split())
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _first_line(response: requests.Response) -> str:
    """The server's first line of text (HTML tags dropped), at most 200 characters, printable."""
    try:
        text = response.text or ""
    except Exception:  # pragma: no cover - undecodable body
        return ""
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
    text = re.sub(r"<[^>]+>", "\n", text)
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return _printable(line)
    return ""


class _Deadline:
    """The push's total time. When it runs out, every socket the push opened is shut down (a blocked
    connect, send or read then ends at once, however slowly the server drips its answer), and so is
    any socket opened after."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet = weakref.WeakSet()
        self._timer = threading.Timer(seconds, self.expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def register(self, sock: socket.socket) -> None:
        with self._lock:
            if not self.expired:
                self._sockets.add(sock)
                return
        self._shut(sock)

    def discard(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


def _adapter(deadline: _Deadline) -> HTTPAdapter:
    """A requests adapter whose connections register their sockets with ``deadline``."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Connection(HTTPConnection):
        def _new_conn(self):
            sock = super()._new_conn()
            deadline.register(sock)
            return sock

    class SecureConnection(HTTPSConnection):
        # The TLS socket takes over the TCP socket's descriptor (detaching it), so during the handshake
        # the deadline holds a duplicate of it, and the TLS socket once connected.
        _handshake = None

        def _new_conn(self):
            sock = super()._new_conn()
            self._handshake = sock.dup()
            deadline.register(self._handshake)
            return sock

        def connect(self):
            try:
                super().connect()
            finally:
                if self._handshake is not None:
                    deadline.discard(self._handshake)
                    self._handshake.close()
                    self._handshake = None
            deadline.register(self.sock)

    class Pool(HTTPConnectionPool):
        ConnectionCls = Connection

    class SecurePool(HTTPSConnectionPool):
        ConnectionCls = SecureConnection

    classes = {"http": Pool, "https": SecurePool}

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = classes

        def proxy_manager_for(self, proxy, **kwargs):
            manager = super().proxy_manager_for(proxy, **kwargs)
            if hasattr(manager, "pool_classes_by_scheme"):
                manager.pool_classes_by_scheme = classes
            return manager

    return Adapter(max_retries=0)


def _read_capped(response: requests.Response) -> bytes:
    """The answer's body (as sent, not decompressed), at most :data:`BODY_CAP` bytes; the connection
    is dropped when there is more. Sets ``response.content`` to it."""
    if response._content is not False:  # already read
        return response._content
    chunks, size, whole = [], 0, False
    try:
        while size <= BODY_CAP:
            chunk = response.raw.read(min(16384, BODY_CAP + 1 - size), decode_content=False)
            if not chunk:
                whole = True
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        response._content_consumed = whole  # a whole body lets the connection be reused
        response.close()
    response._content = b"".join(chunks)[:BODY_CAP]
    return response._content


class _CappedDigestAuth(HTTPDigestAuth):
    """Digest authentication that reads a 401 challenge's body only up to the cap."""

    def handle_401(self, r, **kwargs):
        _read_capped(r)
        return super().handle_401(r, **kwargs)


def _connection_error(url: str, exc: Exception, deadline: _Deadline) -> PushError:
    if deadline.expired or deadline.remaining() <= 0 or isinstance(exc, requests.Timeout):
        return PushError(f"no complete answer from {url} within {deadline.seconds:g} s "
                         "(timeout; --timeout is the total for the whole push)")
    seen, cause = set(), exc
    while cause is not None and id(cause) not in seen:  # walk to the socket error
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError) or getattr(cause, "errno", None) == errno.ECONNREFUSED:
            return PushError(f"cannot connect to {url}: connection refused (is the triple store running?)")
        cause = cause.__cause__ or cause.__context__ or (cause.args[0] if cause.args and
                                                          isinstance(cause.args[0], BaseException) else None)
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "refused" in reason.lower():
        return PushError(f"cannot connect to {url}: connection refused (is the triple store running?)")
    return PushError(f"cannot connect to {url}: {_printable(reason)}")


class _Session(requests.Session):
    """A session that never follows a redirect, nor reads one's body to follow it."""

    def get_redirect_target(self, resp):
        return None


class _Client:
    """A session with the auth scheme settled on first contact (digest, or Basic if only that is
    offered), no redirects followed, bodies read up to :data:`BODY_CAP`, all within one deadline."""

    def __init__(self, user: str | None, password: str | None, timeout: float):
        self.session = _Session()
        self.session.headers["User-Agent"] = "zhengqi-kg push (python-requests)"
        self.session.headers["Accept-Encoding"] = "identity"  # bodies are read as sent, capped
        self.user, self.password = user, password
        self.session.auth = _CappedDigestAuth(user, password or "") if user is not None else None
        self.deadline = _Deadline(timeout)
        adapter = _adapter(self.deadline)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.count = 0

    def close(self) -> None:
        self.deadline.cancel()
        self.session.close()

    def _request(self, method: str, url: str, **kwargs) -> requests.Response:
        remaining = self.deadline.remaining()
        if remaining <= 0:
            raise requests.Timeout("deadline passed")
        response = self.session.request(method, url, timeout=remaining, allow_redirects=False, stream=True,
                                        **kwargs)
        _read_capped(response)
        self.count += 1
        return response

    def send(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            response = self._request(method, url, **kwargs)
            if response.status_code == 401 and isinstance(self.session.auth, HTTPDigestAuth):
                offered = response.headers.get("WWW-Authenticate", "").lower()
                if "digest" not in offered and "basic" in offered:
                    self.session.auth = HTTPBasicAuth(self.user, self.password or "")
                    response = self._request(method, url, **kwargs)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise _connection_error(url, exc, self.deadline) from exc
        return response

    def check(self, response: requests.Response, what: str) -> requests.Response:
        """Raise PushError on anything but a 2xx answer (a redirect included: none is followed)."""
        status = response.status_code
        if 200 <= status < 300:
            return response
        url = response.url
        if 300 <= status < 400:
            location = response.headers.get("Location")
            where = (f"redirects to {_printable(location)}" if location else "redirects (no Location)")
            raise PushError(f"HTTP {status} {response.reason or ''} from {url} ({what}): the server {where}; "
                            "kg push follows no redirect: if that is the store, give its URL "
                            "(--endpoint, --graph-store-url or --update-url)", status)
        line = _first_line(response)
        if status == 401:
            hint = "wrong user or password?" if self.user is not None else "the server wants a user and password"
            raise PushError(f"HTTP 401 Unauthorized from {url} ({what}): {hint}" + (f" Server: {line}" if line else ""),
                            status)
        hint = ""
        if self.user is None and (status == 403 or "SECURITY" in line or "permission" in line.lower()):
            hint = " (writing may need a user and password)"
        raise PushError(f"HTTP {status} {response.reason or ''} from {url} ({what})" + (f": {line}" if line else "")
                        + hint, status)

    def authenticate(self, url: str, params: dict | None = None) -> None:
        """Fetch the digest challenge with a small request, so big bodies go out once, already signed.

        Only a refused connection or a 401 stops here; any other answer is left to the real request.
        """
        if self.session.auth is None:
            return
        response = self.send("HEAD", url, params=params)
        if response.status_code == 401:
            self.check(response, "authentication")


def _load(graph_path: Path):
    import rdflib

    path = Path(graph_path)
    if not path.is_file():
        raise PushError(f"no graph file at {path}")
    fmt = _RDF_FORMATS.get(path.suffix.lower(), "turtle")
    graph = rdflib.Graph()
    try:
        graph.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many kinds
        raise PushError(f"cannot read {path} as {fmt}: {type(exc).__name__}: {exc}") from exc
    return graph


def _nt_lines(graph) -> list[str]:
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return sorted(line for line in text.splitlines() if line.strip())


def _has_bnode(line: str) -> bool:
    # An N-Triples line is "subject predicate object .": subject and predicate hold no spaces.
    parts = line.split(" ", 2)
    return parts[0].startswith("_:") or (len(parts) == 3 and parts[2].startswith("_:"))


def _batches(lines: list[str], batch_size: int) -> list[tuple[list[str], bool]]:
    """Lines in batches of ``batch_size``, each with whether it may be split further; lines with blank
    nodes all go in one last batch that may not, because a blank-node label means one node only
    within one request.

    >>> _batches(["<a> <p> <b> .", "<c> <p> <d> .", "_:x <p> <e> .", "<f> <p> _:x ."], 1)
    [(['<a> <p> <b> .'], True), (['<c> <p> <d> .'], True), (['_:x <p> <e> .', '<f> <p> _:x .'], False)]
    """
    plain = [ln for ln in lines if not _has_bnode(ln)]
    bnode = [ln for ln in lines if _has_bnode(ln)]
    out = [(plain[i:i + batch_size], True) for i in range(0, len(plain), batch_size)]
    if bnode:
        out.append((bnode, False))
    return out


def _too_big(response: requests.Response) -> bool:
    """The server refused a batch for its size (Virtuoso: SP031, "generated SQL text has exceeded
    10000 lines", at about 1,000-1,500 triples; others: 413)."""
    if response.status_code == 413:
        return True
    if response.status_code < 400:
        return False
    text = response.text or ""
    return "SP031" in text or "exceeded 10000 lines" in text


def _push_gsp(client: _Client, lines: list[str], endpoint: str, graph_iri: str,
              base: str | None, graph_param: str | None) -> tuple[requests.Response, str]:
    url, params = graph_store_target(endpoint, graph_iri, client.user is not None, base, graph_param)
    client.authenticate(url, params)
    body = ("\n".join(lines) + "\n").encode("utf-8")
    response = client.send("PUT", url, params=params, data=body,
                           headers={"Content-Type": "text/turtle; charset=utf-8"})
    return response, response.url


def _push_update(client: _Client, lines: list[str], endpoint: str, graph_iri: str,
                 update_url: str | None, batch_size: int) -> tuple[requests.Response, str, int]:
    headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
    clear = f"CLEAR SILENT GRAPH <{graph_iri}>".encode("utf-8")
    candidates = _update_urls(endpoint, client.user is not None, update_url)
    for i, url in enumerate(candidates):
        response = client.send("POST", url, data=clear, headers=headers)
        if response.status_code == 404 and i + 1 < len(candidates):
            continue
        break
    client.check(response, "CLEAR SILENT GRAPH")
    # Send the batches; when the store says one is too big, halve it and make the rest no bigger.
    pending, sent, limit = _batches(lines, batch_size), 0, batch_size
    while pending:
        batch, splittable = pending.pop(0)
        body = f"INSERT DATA {{ GRAPH <{graph_iri}> {{\n" + "\n".join(batch) + "\n} }"
        response = client.send("POST", url, data=body.encode("utf-8"), headers=headers)
        if splittable and len(batch) > 1 and _too_big(response):
            limit = (len(batch) + 1) // 2
            rest = [(batch[:limit], True), (batch[limit:], True)] + pending
            pending = [(b[i:i + limit], True) for b, ok in rest if ok for i in range(0, len(b), limit)]
            pending += [(b, ok) for b, ok in rest if not ok]
            continue
        sent += 1
        client.check(response, f"INSERT DATA batch {sent} of {len(batch)} triples")
    return response, url, sent


def push_graph(graph_path: Path, endpoint: str, graph_iri: str, user: str | None = None,
               password: str | None = None, method: str = "auto", batch_size: int = 5000,
               timeout: float = 120, graph_store_url: str | None = None, graph_param: str | None = None,
               update_url: str | None = None) -> PushResult:
    """Load the graph at ``graph_path`` into the named graph ``graph_iri`` of the store at ``endpoint``.

    ``endpoint``: the server's base URL (``http://127.0.0.1:8890``); the request URLs follow from it
    (Virtuoso's paths, see the module doc) unless ``graph_store_url`` / ``update_url`` are given.
    ``user``/``password``: HTTP digest (or Basic) credentials; without a user, Virtuoso's
    unauthenticated paths are used. ``method``: "auto" (GSP, else update on 404/405/501), "gsp" or
    "update". ``batch_size``: N-Triples lines per INSERT DATA. ``timeout``: seconds for the whole push
    (all its requests together; reading the graph file aside). No redirect is followed (a 3xx answer is
    an error naming its Location), only a 2xx answer counts, and at most :data:`BODY_CAP` bytes of an
    answer are read.
    Either way the named graph ends up holding exactly this graph (PUT replaces it; update clears it
    first).

    Example::

        push_graph(Path("out/graph.ttl"), "http://127.0.0.1:8890", "https://w3id.org/zhengqi/graph",
                   user="dba", password="dba")
        # PushResult(triples=2820, method='gsp', status=201, ...)

        # a generic store: explicit graph-store and update URLs
        push_graph(Path("out/graph.ttl"), "http://localhost:7200", "urn:kg", method="auto",
                   graph_store_url="http://localhost:7200/repositories/kg/rdf-graphs/service",
                   update_url="http://localhost:7200/repositories/kg/statements")

    Raises :class:`PushError` (one line) on any failure.
    """
    t0 = time.perf_counter()
    if method not in METHODS:
        raise PushError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise PushError(f"batch size must be a positive whole number, not {batch_size!r}")
    if not _IRI.match(graph_iri or ""):
        raise PushError(f"graph IRI must be an absolute IRI (like https://example.org/graph), not {graph_iri!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT:
        raise PushError(f"timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:,}, not {timeout!r}")
    if not graph_store_url and not re.match(r"^https?://[^/\s]+", endpoint or ""):
        raise PushError(f"endpoint must be an http(s) URL like http://127.0.0.1:8890, not {endpoint!r}")

    graph = _load(graph_path)
    lines = _nt_lines(graph)
    client = _Client(user, password, timeout)
    try:
        if method in ("auto", "gsp"):
            response, url = _push_gsp(client, lines, endpoint, graph_iri, graph_store_url, graph_param)
            if not (method == "auto" and response.status_code in FALLBACK_STATUSES):
                client.check(response, "graph store PUT")
                return PushResult(len(lines), "gsp", response.status_code, graph_iri, url, client.count, 0,
                                  round(time.perf_counter() - t0, 3))
        response, url, n_batches = _push_update(client, lines, endpoint, graph_iri, update_url, batch_size)
        return PushResult(len(lines), "update", response.status_code, graph_iri, url, client.count, n_batches,
                          round(time.perf_counter() - t0, 3))
    finally:
        client.close()
