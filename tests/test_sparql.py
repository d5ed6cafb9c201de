"""SPARQL as researchers use it: the embedded store, `kg query`, `kg load`, and the HTTP endpoint
(SPARQL 1.1 Protocol over a real socket on loopback)."""

import csv
import io
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import rdflib

from kg.server import EndpointConfig, make_server, serve_in_thread
from kg.store import QueryError, is_update, memory_store, open_store, run_query

ROOT = Path(__file__).resolve().parent.parent
POSTS = ("SELECT ?name ?role ?body WHERE { ?m org:member ?p ; kgo:roleLabel ?role ; org:organization ?b . "
         "?p rdfs:label ?name . ?b rdfs:label ?body FILTER(lang(?body) = 'zh') }")


def kg(*args, **kw):
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("sparql")
    proc = kg("build", "seeds", "-o", out, "--no-map")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def endpoint(built):
    server = make_server(open_store(built / "store"), port=0, config=EndpointConfig(timeout=10, max_rows=5))
    serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def http(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


# ------------------------------------------------------------------ store

def test_build_writes_a_store_with_the_graph(built):
    store = open_store(built / "store")
    graph = rdflib.Graph().parse(built / "graph.ttl")
    assert len(store) == len(graph)


def test_select_ask_construct_on_the_store(built):
    store = memory_store(built / "graph.ttl")
    rows = run_query(store, POSTS).rows
    assert ["程宇", "市长", "辽源市人民政府"] in rows
    assert run_query(store, "ASK { ?a a kgo:Agreement ; kgo:signatory ?p . ?p rdfs:label '司马江'@zh }").boolean
    g = run_query(store, "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a kgo:Person ; rdfs:label ?l }")
    assert g.kind == "graph" and len(g.raw) >= 20


def test_malformed_query_and_update_are_refused(built):
    store = memory_store(built / "graph.ttl")
    with pytest.raises(QueryError):
        run_query(store, "SELEC ?x WHERE { }")
    with pytest.raises(QueryError, match="read-only"):
        run_query(store, "PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }")
    assert is_update("# a comment\nDELETE WHERE { ?s ?p ?o }") and not is_update("DESCRIBE <http://e/a>")


# ------------------------------------------------------------------ CLI

def test_kg_query_table_csv_and_json(built):
    proc = kg("query", POSTS, "--store", built / "store")
    assert proc.returncode == 0, proc.stderr
    assert "程宇" in proc.stdout and "辽源市人民政府" in proc.stdout
    proc = kg("query", POSTS, "--graph", built / "graph.ttl", "--format", "csv")
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["name", "role", "body"] and ["程宇", "市长", "辽源市人民政府"] in rows
    proc = kg("query", POSTS, "--store", built / "store", "--format", "json")
    data = json.loads(proc.stdout)
    assert data["head"]["vars"] == ["name", "role", "body"]


def test_kg_query_reads_an_rq_file(built, tmp_path):
    f = tmp_path / "ask.rq"
    f.write_text("# is 程宇 in the graph?\nASK { ?p rdfs:label '程宇'@zh }\n", encoding="utf-8")
    proc = kg("query", f, "--store", built / "store")
    assert proc.returncode == 0 and proc.stdout.strip() == "true"


def test_kg_query_errors_are_one_line(built):
    proc = kg("query", "SELEC ?x", "--store", built / "store")
    assert proc.returncode == 2 and "malformed query" in proc.stderr and "Traceback" not in proc.stderr
    proc = kg("query", "SELECT * WHERE { ?s ?p ?o }", "--store", built / "nothing")
    assert proc.returncode == 2 and "no store" in proc.stderr


def test_kg_load_replaces_a_store(built, tmp_path):
    proc = kg("load", built / "graph.ttl", "--store", tmp_path / "st")
    assert proc.returncode == 0, proc.stderr
    assert len(open_store(tmp_path / "st")) == len(rdflib.Graph().parse(built / "graph.ttl"))
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle <", encoding="utf-8")
    proc = kg("load", bad, "--store", tmp_path / "st")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert len(open_store(tmp_path / "st")) > 0  # the earlier store survives a failed load


# ------------------------------------------------------------------ HTTP endpoint

def test_get_and_content_negotiation(endpoint):
    q = urllib.parse.quote("SELECT ?l WHERE { ?p a kgo:Person ; rdfs:label ?l }")
    status, headers, body = http(f"{endpoint}/sparql?query={q}", headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    assert len(json.loads(body)["results"]["bindings"]) == 5  # the row cap of this endpoint
    assert headers.get("X-Result-Truncated", "").startswith("true")
    for accept, media in (("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values"),
                          ("application/sparql-results+xml", "application/sparql-results+xml")):
        status, headers, body = http(f"{endpoint}/sparql?query={q}", headers={"Accept": accept})
        assert status == 200 and headers["Content-Type"].startswith(media)


def test_post_forms_and_graph_results(endpoint):
    form = urllib.parse.urlencode({"query": "ASK { ?p rdfs:label '程宇'@zh }"}).encode()
    status, _, body = http(f"{endpoint}/sparql", data=form,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and json.loads(body)["boolean"] is True
    construct = "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a kgo:Person ; rdfs:label ?l FILTER(?l = '程宇'@zh) }"
    status, headers, body = http(f"{endpoint}/sparql", data=construct.encode(),
                                 headers={"Content-Type": "application/sparql-query", "Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=body.decode(), format="turtle")) == 1
    status, headers, body = http(f"{endpoint}/sparql", data=construct.encode(),
                                 headers={"Content-Type": "application/sparql-query", "Accept": "application/ld+json"})
    assert status == 200 and "程宇" in body.decode()


def test_updates_are_forbidden_and_errors_are_400(endpoint):
    status, _, _ = http(f"{endpoint}/sparql", data=b"INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
                        headers={"Content-Type": "application/sparql-update"})
    assert status == 403
    form = urllib.parse.urlencode({"update": "DELETE WHERE { ?s ?p ?o }"}).encode()
    assert http(f"{endpoint}/sparql", data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 403
    q = urllib.parse.quote("DELETE WHERE { ?s ?p ?o }")
    assert http(f"{endpoint}/sparql?query={q}")[0] == 403
    status, _, body = http(f"{endpoint}/sparql?query={urllib.parse.quote('SELEC ?x')}")
    assert status == 400 and b"malformed query" in body


def test_no_cors_by_default_and_query_page(endpoint):
    status, headers, _ = http(f"{endpoint}/sparql", method="OPTIONS")
    assert status == 204 and "Access-Control-Allow-Origin" not in headers
    q = urllib.parse.quote("ASK { ?s ?p ?o }")
    status, headers, _ = http(f"{endpoint}/sparql?query={q}", headers={"Origin": "https://evil.example"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    status, headers, body = http(f"{endpoint}/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "SPARQL" in body.decode() and "<script" in body.decode()


@pytest.mark.parametrize("cors", ["https://yasgui.org", "*"])
def test_cors_only_when_asked(built, cors):
    server = make_server(built / "store", port=0, config=EndpointConfig(cors=cors, workers=1))
    serve_in_thread(server)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        status, headers, _ = http(url, method="OPTIONS")
        assert status == 204 and headers["Access-Control-Allow-Origin"] == cors
        status, headers, _ = http(url + "?query=" + urllib.parse.quote("ASK { ?s ?p ?o }"))
        assert status == 200 and headers["Access-Control-Allow-Origin"] == cors
    finally:
        server.shutdown()
        server.server_close()


def test_kg_serve_refuses_a_bad_cors_origin(built):
    proc = kg("serve", "--store", built / "store", "--port", "0", "--cors", "https://a.example\r\nSet-Cookie: x=1")
    assert proc.returncode == 2 and "--cors" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_kg_serve_refuses_a_memory_cap_below_a_worker(built):
    proc = kg("serve", "--store", built / "store", "--port", "0", "--max-query-mb", "64", "--workers", "1")
    assert proc.returncode == 2 and "--max-query-mb 64 leaves no room" in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_kg_query_with_an_unbound_service_is_a_one_line_error(built):
    proc = kg("query", "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }", "--store", built / "store")
    assert proc.returncode == 2, proc.stderr
    assert "malformed query" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_serve_binds_loopback_by_default():
    server = make_server(memory_store(ROOT / "tests" / "data" / "contract_sample.ttl"), port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()
