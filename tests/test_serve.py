"""`dwkg serve` as a user starts it: a real server on loopback, queried over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ingest import build
from tests.conftest import running_server


@pytest.fixture()
def server(built_store: tuple[Path, build.Report]) -> Iterator[str]:
    with running_server(built_store[0]) as url:
        yield url


def test_sparql_over_http(server: str) -> None:
    q = (
        "SELECT ?v WHERE { ?p dw:pageLabel ?v ; c4o:hasContent ?t "
        "FILTER(CONTAINS(?t, 'Pivotal to the future')) }"
    )
    r = httpx.get(f"{server}/sparql", params={"query": q}, timeout=10)
    assert r.status_code == 200
    [b] = r.json()["results"]["bindings"]
    assert b["v"]["value"] == "241"
    r = httpx.post(f"{server}/sparql", data={"query": "SELECT ?x WHERE { ?x"}, timeout=10)
    assert r.status_code == 400 and "Malformed query" in r.text


def test_ontology_documentation_is_served_as_html_and_turtle(server: str) -> None:
    import rdflib

    html = httpx.get(f"{server}/ontology", timeout=30)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert 'id="Concept"' in html.text
    assert "dw:outsourcesTo" in html.text
    ttl = httpx.get(f"{server}/ontology", headers={"Accept": "text/turtle"}, timeout=30)
    assert ttl.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=ttl.text, format="turtle")
    assert len(g) > 500
