"""Remote backends give the same answers as the embedded store.

``dwkg ingest`` loads the corpus into a real Oxigraph server (through the Graph Store
Protocol) and into a real Virtuoso (through SPARQL 1.1 Update, with digest
authentication); ``dwkg serve`` then runs on each endpoint, and every named query (with
its example parameters) and a mix of typed API calls must answer exactly as the same
service on the embedded store does. Servers are started and stopped by the tests, on
loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, parse
from rdflib.compare import to_canonical_graph

from ingest import build, endpoint
from ingest.endpoint import Endpoint
from service import catalogue
from tests.conftest import ROOT, assert_problem, running_server
from tests.servers import VirtuosoEndpoint, oxigraph_server, virtuoso_server

TOKEN = "backend-test-token"
BASE = "https://w3id.org/datawork-kg/id/"

# typed API calls whose answers must not depend on the backend
CALLS = [
    "/api/v1/works",
    "/api/v1/works/003",
    "/api/v1/entities?limit=50",
    "/api/v1/entities?q=data%20colonialism",
    "/api/v1/entities/deep-labour",
    "/api/v1/entities/baidu",
    "/api/v1/entities/inland-sourcing",
    "/api/v1/search?q=annotators%20in%20Kenya",
    "/api/v1/cite?q=graduated%20sovereignty",
    "/api/v1/cite?q=%22the%20planetary%20labour%20market%22",
    "/api/v1/bib",
    "/.well-known/void",
]


def _named_calls() -> list[str]:
    calls = []
    for name, query in sorted(catalogue.load(ROOT / "queries").items()):
        for example in query.examples or ({},):
            params = "&".join(f"{k}={v}" for k, v in example.items())
            calls.append(f"/api/v1/queries/{name}" + (f"?{params}" if params else ""))
    return calls


def _ingest(env: dict[str, str]) -> str:
    """``dwkg ingest`` into a remote endpoint; the build id it printed."""
    r = subprocess.run(
        [sys.executable, "-m", "service.cli", "ingest"],
        env={**os.environ, **env, "COLUMNS": "200"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.split("build: ")[-1].split()[0]


def _answers(url: str, calls: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with httpx.Client(base_url=url, timeout=120) as c:
        for call in calls:
            r = c.get(call)
            out[call] = (r.status_code, _body(r, url))
    return out


def _body(r: httpx.Response, url: str) -> Any:
    """JSON as data; RDF as a graph (blank nodes and order do not count), own URL left out."""
    media = r.headers.get("content-type", "").split(";")[0]
    if "json" in media:
        return _normal(r.json())
    assert media == "text/turtle", media
    graph = rdflib.Graph().parse(data=r.text.replace(url, "http://service"), format="turtle")
    return sorted(to_canonical_graph(graph).serialize(format="nt").splitlines())


def _normal(doc: Any) -> Any:
    """Drop what names the build (ids of builds, timings), keep every answer."""
    if isinstance(doc, dict):
        return {k: _normal(v) for k, v in doc.items() if k not in ("build", "elapsed_ms")}
    if isinstance(doc, list):
        return [_normal(v) for v in doc]
    return doc


@pytest.fixture(scope="module")
def embedded(built_store: tuple[Path, build.Report]) -> Iterator[dict[str, Any]]:
    with running_server(built_store[0]) as url:
        yield _answers(url, CALLS + _named_calls())


def _assert_same(expected: dict[str, Any], got: dict[str, Any], backend: str) -> None:
    assert got.keys() == expected.keys()
    differ = [call for call in expected if got[call] != expected[call]]
    for call in differ[:3]:
        print(backend, call, "\nembedded:", json.dumps(expected[call])[:800])
        print(backend, call, "\nremote:  ", json.dumps(got[call])[:800])
    assert not differ, f"{backend} answers {len(differ)} of {len(expected)} calls differently"
    assert all(status == 200 for status, _ in expected.values())


@pytest.fixture(scope="module")
def oxigraph_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Oxigraph server loaded by ``dwkg ingest`` (Graph Store Protocol)."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "db", timeout_s=10) as ox:
        env = {
            "DWKG_SPARQL_ENDPOINT": ox.query_url,
            "DWKG_SPARQL_UPDATE_ENDPOINT": ox.update_url,
            "DWKG_GRAPH_STORE_ENDPOINT": ox.store_url,
        }
        assert len(_ingest(env)) == 16  # the build id it printed
        yield {k.removeprefix("DWKG_").lower(): v for k, v in env.items()}


def test_oxigraph_server_answers_as_the_embedded_store(
    embedded: dict[str, Any], oxigraph_settings: dict[str, str], tmp_path: Path
) -> None:
    with running_server(tmp_path / "unused-store", **oxigraph_settings) as url:
        _assert_same(embedded, _answers(url, list(embedded)), "oxigraph")
        _update_moves_the_build(url, oxigraph_settings, tmp_path)


def test_remote_queries_keep_the_limits_and_the_errors(
    oxigraph_settings: dict[str, str], tmp_path: Path
) -> None:
    limits = {"query_timeout_s": "2", "max_result_rows": "50", "sparql_concurrency": "1"}
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with running_server(tmp_path / "unused-store", **oxigraph_settings, **limits) as url:
        sparql = f"{url}/sparql"
        r = httpx.get(sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30)
        assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 50
        assert r.json()["truncated"] is True and "50 rows" in r.headers["DWKG-Truncated"]
        r = httpx.get(sparql, params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=30)
        assert "refused the query" in str(assert_problem(r, 400)["detail"])
        r = httpx.get(sparql, params={"query": "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"})
        assert "SERVICE is not allowed" in str(assert_problem(r, 400)["detail"])
        with ThreadPoolExecutor(2) as pool:
            slow = pool.submit(httpx.get, sparql, params={"query": runaway}, timeout=60)
            time.sleep(0.5)
            busy = httpx.get(sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
            started = time.monotonic()
            stopped = slow.result()
        assert (
            str(assert_problem(busy, 503)["type"]).endswith("/busy") and busy.headers["Retry-After"]
        )
        assert str(assert_problem(stopped, 503)["type"]).endswith("/query-timeout")
        assert time.monotonic() - started < 10
        r = httpx.get(sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert r.json()["boolean"] is True  # the slot is free again


def test_the_remote_pool_tells_its_observer_of_every_answer(
    oxigraph_settings: dict[str, str],
) -> None:
    """What the request log reads a SPARQL answer's kind, rows and truncation from."""
    from service.remote import RemotePool
    from service.sparql import Request, Result

    seen: list[Result] = []
    pool = RemotePool(Endpoint(oxigraph_settings["sparql_endpoint"]), size=1, timeout_s=30)
    pool.observer = seen.append
    try:
        got = pool.run(Request(query="SELECT * WHERE { ?s ?p ?o }", store_path="", max_rows=7))
    finally:
        pool.close()
    assert seen == [got] and (got.kind, got.rows, got.truncated) == ("solutions", 7, True)


def test_virtuoso_answers_as_the_embedded_store(embedded: dict[str, Any], tmp_path: Path) -> None:
    with virtuoso_server(tmp_path / "virtuoso", max_rows=1_000_000) as vt:
        env = {
            "DWKG_SPARQL_ENDPOINT": vt.sparql_url,
            "DWKG_SPARQL_UPDATE_ENDPOINT": vt.update_url,
            "DWKG_GRAPH_STORE_ENDPOINT": vt.gsp_url,
            "DWKG_ENDPOINT_USER": vt.user,
            "DWKG_ENDPOINT_PASSWORD": vt.password,
            "DWKG_ENDPOINT_AUTH": "digest",
        }
        _ingest(env)
        settings = {k.removeprefix("DWKG_").lower(): v for k, v in env.items()}
        with running_server(tmp_path / "unused-store", **settings) as url:
            _assert_same(embedded, _answers(url, list(embedded)), "virtuoso")
            _update_moves_the_build(url, settings, tmp_path)
        _load_by_update_only(vt)


def _load_by_update_only(vt: VirtuosoEndpoint) -> None:
    """Without a Graph Store Protocol, a load goes by INSERT DATA in batches Virtuoso takes
    (it refuses ~1500 triples in one), a graph with blank nodes in one request."""
    base = "https://w3id.org/test-update-load/"
    big, bn = NamedNode(f"{base}graph/big"), NamedNode(f"{base}graph/bn")
    named = [
        Quad(NamedNode(f"{base}s{i}"), NamedNode(f"{base}p"), Literal(f"value {i}"), big)
        for i in range(2500)
    ]
    ontology = parse(path=str(ROOT / "ontology" / "datawork.ttl"), format=RdfFormat.TURTLE)
    small = [
        Quad(q.subject, q.predicate, q.object, bn)
        for q in ontology
        if isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode)
    ]
    target = Endpoint(vt.sparql_url, update_url=vt.update_url, user=vt.user,
                      password=vt.password, auth="digest", timeout_s=120)  # fmt: skip
    assert len(named) > 2 * endpoint.BATCH and small
    try:
        _check_load(target, named, small, base)
    finally:
        target.close()


def _check_load(target: Endpoint, named: list[Quad], small: list[Quad], base: str) -> None:
    assert endpoint.load(target, named + small, base, "b1") == 3
    counts = {
        r["g"].value: int(r["n"].value)
        for r in target.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{base}")) }} GROUP BY ?g'
        )
    }
    assert counts == {f"{base}graph/big": len(named), f"{base}graph/bn": len(small),
                      f"{base}graph/build": 1}  # fmt: skip
    assert endpoint.read_build_id(target, base) == "b1"


def _update_moves_the_build(url: str, settings: dict[str, str], tmp: Path) -> None:
    """An update through our endpoint reaches the engine and changes the ETags."""
    with running_server(
        tmp / "unused-store", **settings, allow_update="true", update_token=TOKEN
    ) as writable:
        before = httpx.get(f"{writable}/api/v1/works").headers["etag"]
        r = httpx.post(
            f"{writable}/sparql",
            data={
                "update": f'INSERT DATA {{ GRAPH <{BASE}graph/test> {{ id:x rdfs:label "x" }} }}'
            },
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert r.status_code == 204, r.text
        ask = httpx.get(
            f"{url}/sparql",
            params={"query": 'ASK { id:x rdfs:label "x" }'},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert ask.json()["boolean"] is True
        time.sleep(2.5)  # the build marker is looked at every endpoint_refresh_s (2 s)
        assert httpx.get(f"{writable}/api/v1/works").headers["etag"] != before


def test_every_named_query_orders_its_rows() -> None:
    """Engines return unordered rows in different orders: the catalogue never relies on one."""
    unordered = [
        name
        for name, q in catalogue.load(ROOT / "queries").items()
        if "ORDER BY" not in q.sparql.upper()
    ]
    assert not unordered


def test_an_unreachable_endpoint_is_a_502_naming_it(tmp_path: Path) -> None:
    from service.errors import from_sparql
    from service.remote import RemotePool
    from service.sparql import Request, Upstream
    from tests.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    pool = RemotePool(Endpoint(url, timeout_s=5), size=2, timeout_s=5)
    with pytest.raises(Upstream, match="cannot reach the SPARQL endpoint") as e:
        pool.run(Request(query="ASK {}", store_path=""))
    problem = from_sparql(e.value, 5)
    assert problem.status == 502 and url in problem.detail
    pool.close()
