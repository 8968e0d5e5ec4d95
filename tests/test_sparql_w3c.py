# ruff: noqa: E501  (the table of cases reads best one case per line)
"""The W3C SPARQL 1.1 Protocol test cases that apply to a read-only endpoint, as a table.

Names follow https://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/ (query_*,
bad_*); update_* cases do not apply (updates are refused: 403, tested in
test_sparql_protocol.py). Each case sends the request the test describes and checks the
status class and media type it requires.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from ingest import build
from tests.conftest import running_server

G3 = "https://w3id.org/datawork-kg/id/graph/work/003"
G4 = "https://w3id.org/datawork-kg/id/graph/work/004"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass
class Case:
    name: str
    method: str
    params: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    media: str | None = None


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
CASES = [
    Case("query_get", "GET", [("query", "ASK {}")], media="application/sparql-results"),
    Case("query_post_form", "POST", body=b"query=ASK%20%7B%7D", headers=FORM, media="application/sparql-results"),
    Case("query_post_direct", "POST", body=b"ASK {}", headers=DIRECT, media="application/sparql-results"),
    Case("query_dataset_default_graph", "GET", [("query", COUNT), ("default-graph-uri", G4)]),
    Case("query_dataset_default_graphs_get", "GET", [("query", COUNT), ("default-graph-uri", G3), ("default-graph-uri", G4)]),
    Case("query_dataset_default_graphs_post", "POST", headers=FORM,
         body=f"query={COUNT}&default-graph-uri={G3}&default-graph-uri={G4}".encode()),
    Case("query_dataset_named_graphs_get", "GET", [("query", "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"), ("named-graph-uri", G3), ("named-graph-uri", G4)]),
    Case("query_dataset_full", "GET", [("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"), ("default-graph-uri", G3), ("named-graph-uri", G4)]),
    Case("query_multiple_dataset", "GET", [("query", f"SELECT (COUNT(*) AS ?n) FROM <{G3}> WHERE {{ ?s ?p ?o }}"), ("default-graph-uri", G4)]),
    Case("query_content_type_select", "GET", [("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")], media="application/sparql-results"),
    Case("query_content_type_ask", "GET", [("query", "ASK { ?s ?p ?o }")], media="application/sparql-results"),
    Case("query_content_type_describe", "GET", [("query", f"DESCRIBE <{G4}>")], media="text/turtle"),
    Case("query_content_type_construct", "GET", [("query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1")], media="text/turtle"),
    Case("bad_query_method", "PUT", [("query", "ASK {}")], status=405),
    Case("bad_multiple_queries", "GET", [("query", "ASK {}"), ("query", "ASK {}")], status=400),
    Case("bad_query_wrong_media_type", "POST", body=b"ASK {}", headers={"Content-Type": "text/plain"}, status=415),
    Case("bad_query_missing_form_type", "POST", body=b"query=ASK%20%7B%7D", status=415),
    Case("bad_query_missing_direct_type", "POST", body=b"ASK {}", status=415),
    Case("bad_query_non_utf8", "POST", body="ASK { ?s ?p 'é' }".encode("utf-16"),
         headers={"Content-Type": "application/sparql-query; charset=UTF-16"}, status=400),
    Case("bad_query_syntax", "GET", [("query", "ASK {")], status=400),
]  # fmt: skip


@pytest.fixture(scope="module")
def server(built_store: tuple[Path, build.Report]) -> Iterator[str]:
    with running_server(built_store[0]) as url:
        yield url


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_w3c_protocol_case(server: str, case: Case) -> None:
    r = httpx.request(
        case.method, f"{server}/sparql", params=case.params, content=case.body,
        headers=case.headers, timeout=60,
    )  # fmt: skip
    assert r.status_code == case.status, r.text[:300]
    if case.status >= 400:
        assert r.headers["content-type"].startswith("application/problem+json")
    elif case.media:
        assert r.headers["content-type"].startswith(case.media)


def test_protocol_dataset_overrides_the_query_dataset(server: str) -> None:
    def count(*params: tuple[str, str]) -> int:
        r = httpx.get(f"{server}/sparql", params=list(params), timeout=60)
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    only4 = count(("query", COUNT), ("default-graph-uri", G4))
    both = count(("query", COUNT), ("default-graph-uri", G3), ("default-graph-uri", G4))
    only3 = count(("query", COUNT), ("default-graph-uri", G3))
    assert both == only3 + only4
    from_query = count(("query", f"SELECT (COUNT(*) AS ?n) FROM <{G3}> WHERE {{ ?s ?p ?o }}"))
    assert from_query == only3
    overridden = count(
        ("query", f"SELECT (COUNT(*) AS ?n) FROM <{G3}> WHERE {{ ?s ?p ?o }}"),
        ("default-graph-uri", G4),
    )
    assert overridden == only4
