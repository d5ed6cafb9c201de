"""A read-only SPARQL 1.1 Protocol endpoint over the embedded store (standard library HTTP server).

* ``/sparql``: GET ``?query=``, POST form (``query=``) or ``application/sparql-query``; results by content
  negotiation (``Accept`` or ``?format=json|xml|csv|tsv|turtle|nt|jsonld``): JSON, XML, CSV, TSV for
  SELECT/ASK; Turtle, N-Triples, JSON-LD for CONSTRUCT/DESCRIBE.
* Read-only: SPARQL Update (``update=``, ``application/sparql-update``, or an update in ``query``) → 403.
* A malformed query → 400 with the parser's message; a query over the time limit → 503; results are
  capped at ``max_rows`` (the cap is reported in the ``X-Result-Truncated`` header).
* CORS headers on every answer, so browser clients (YASGUI) work; ``/`` serves a small query page.

>>> server = make_server(memory_store_from_turtle(b""), port=0)
>>> server.server_address[0]
'127.0.0.1'
>>> server.server_close()
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from kg.store import QueryError, QueryTimeout, is_update, memory_store_from_turtle, run_query  # noqa: F401 (doctest)

ACCEPT_FORMATS = [
    ("application/sparql-results+json", "json"), ("application/json", "json"),
    ("application/sparql-results+xml", "xml"), ("application/xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "jsonld"),
]
QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"


@dataclass
class EndpointConfig:
    timeout: float = 30.0
    max_rows: int = 10_000


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


#: Queries run at once (pyoxigraph cannot stop a query inside the engine: one that times out keeps its
#: worker until it ends, while rows are fetched it stops at the deadline), and queries running or waiting
#: before new ones are answered 503 at once instead of queueing without bound.
QUERY_WORKERS = 8
MAX_PENDING = 256

_SERVICE_NOISE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:-])", re.IGNORECASE)


def uses_service(query: str) -> bool:
    """True when the query has a SERVICE clause (pyoxigraph would send an HTTP request for it and show
    the answer in its error message), outside strings, IRIs and comments.

    >>> uses_service("SELECT * { SERVICE <http://127.0.0.1:8890/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service("SELECT ?service { ?service rdfs:label 'SERVICE' } # service")
    False
    """
    return bool(_SERVICE.search(_SERVICE_NOISE.sub(" ", query)))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    verbose = False
    request_queue_size = 128  # the listen backlog: socketserver's 5 resets connections of 50 clients at once

    def handle_error(self, request, client_address):
        """A request that broke (a client gone mid-answer …): one line when verbose, never a traceback."""
        import sys

        exc = sys.exc_info()[1]
        if self.verbose:
            sys.stderr.write(f"{client_address[0]}: request failed: {type(exc).__name__}: {exc}\n")


class SparqlHandler(BaseHTTPRequestHandler):
    server_version = "ZhengqiKG"
    timeout = 60  # seconds a client may take to send its request (slow or idle connections are closed)
    store = None
    config = EndpointConfig()
    pool: ThreadPoolExecutor | None = None
    slots: threading.BoundedSemaphore | None = None

    def log_message(self, fmt, *args):  # quiet by default; the CLI prints one line at start
        if getattr(self.server, "verbose", False):
            super().log_message(fmt, *args)

    # -------------------------------------------------------------- plumbing

    def _send(self, status: int, body: bytes, media: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media + ("; charset=utf-8" if media.startswith(("text/", "application/")) else ""))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Expose-Headers", "X-Result-Truncated")
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

    def _answer(self, query: str, fmt: str | None) -> None:
        if is_update(query):
            return self._error(HTTPStatus.FORBIDDEN, "SPARQL Update is not allowed: this endpoint is read-only")
        if uses_service(query):
            return self._error(HTTPStatus.FORBIDDEN, "SERVICE (federated query) is not allowed: this endpoint "
                                                     "does not send requests to other servers")
        if not self.slots.acquire(blocking=False):
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE, "busy: too many queries waiting; try again")
        cap = self.config.max_rows
        deadline = time.monotonic() + self.config.timeout
        try:
            future = self.pool.submit(run_query, self.store, query, cap + 1, deadline)
        except BaseException:
            self.slots.release()
            raise
        future.add_done_callback(lambda _f: self.slots.release())
        try:
            result = future.result(timeout=self.config.timeout)
        except (FutureTimeout, QueryTimeout):
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE,
                               f"query timed out after {self.config.timeout:g} s (the limit is --timeout)")
        except QueryError as exc:
            return self._error(HTTPStatus.BAD_REQUEST, f"malformed query: {exc}")
        truncated = False
        if result.kind == "select" and len(result.rows) > cap:
            result.rows, result.raw, truncated = result.rows[:cap], result.raw[:cap], True
        if result.kind == "graph" and len(result.raw) > cap:
            result.raw, truncated = result.raw[:cap], True
        chosen = choose_format(self.headers.get("Accept") or "", result.kind, fmt)
        try:
            body, media = result.serialize(chosen)
        except QueryError as exc:
            return self._error(HTTPStatus.NOT_ACCEPTABLE, str(exc))
        extra = {"X-Result-Truncated": f"true; max-rows={cap}"} if truncated else {}
        self._send(HTTPStatus.OK, body, media, extra)


def make_server(store, host: str = "127.0.0.1", port: int = 7878, config: EndpointConfig | None = None,
                verbose: bool = False) -> ThreadingHTTPServer:
    """An HTTP server answering SPARQL over ``store`` (call ``serve_forever`` to run it)."""
    handler = type("Handler", (SparqlHandler,), {
        "store": store, "config": config or EndpointConfig(),
        "pool": ThreadPoolExecutor(max_workers=QUERY_WORKERS, thread_name_prefix="sparql"),
        "slots": threading.BoundedSemaphore(MAX_PENDING),
    })
    server = _Server((host, port), handler)
    server.verbose = verbose
    return server


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread
