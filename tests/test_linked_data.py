"""Linked Data: /id/ IRIs answer HTML to browsers and RDF by Accept; the query page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import RdfFormat, parse

from ingest import build
from tests.conftest import assert_problem, running_server

DIDI = "https://w3id.org/datawork-kg/id/entity/didi"


@pytest.fixture(scope="module")
def site(built_store: tuple[Path, build.Report]) -> Iterator[httpx.Client]:
    with running_server(built_store[0]) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


@pytest.mark.parametrize(
    ("media", "fmt"),
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/n-triples", RdfFormat.N_TRIPLES),
        ("application/rdf+xml", RdfFormat.RDF_XML),
    ],
)
def test_entity_iri_answers_rdf_by_accept(site: httpx.Client, media: str, fmt: RdfFormat) -> None:
    r = site.get("/id/entity/didi", headers={"Accept": media})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    triples = [q for q in parse(r.content, format=fmt)]
    labels = {t.object.value for t in triples if t.predicate.value.endswith("#altLabel")}
    assert "Didi Chuxing" in labels
    assert all(t.subject.value == DIDI for t in triples)


def test_entity_page_shows_facts_evidence_citations_and_neighbours(site: httpx.Client) -> None:
    r = site.get("/id/entity/graduated-sovereignty", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<h1>graduated sovereignty</h1>" in html
    assert "graduated sovereignty describes a situation" in html  # the definition, verbatim
    assert "Credited to Aihwa Ong" in html
    # a citation to copy: the chapter's author, not the volume's editors
    assert "(Neilson 2022, para. 19)" in html and "Graham &amp; Ferrari" not in html
    assert 'href="/id/entity/dftz"' in html and "<svg" in html
    assert "<script src=" not in html and "https://cdn" not in html  # works offline


def test_passages_and_works_have_pages_too(site: httpx.Client) -> None:
    body = site.get("/api/v1/entities/deep-labour").json()
    passage = body["definitions"][0]["passage_id"]
    r = site.get(f"/id/passage/{passage}", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "hasContent" in r.text
    work = site.get("/id/work/003", headers={"Accept": "text/turtle"})
    assert work.status_code == 200 and "Digital Work in the Planetary Market" in work.text


def test_unknown_iri_is_404(site: httpx.Client) -> None:
    assert_problem(site.get("/id/entity/no-such-thing", headers={"Accept": "text/turtle"}), 404)


def test_query_page_and_named_query_texts(site: httpx.Client) -> None:
    r = site.get("/query")
    assert r.status_code == 200 and "<textarea" in r.text and "/api/v1/queries" in r.text
    text = site.get("/api/v1/queries/concept-credits/text")
    assert text.headers["content-type"].startswith("application/sparql-query")
    assert "dw:coinedBy" in text.text
    run = site.post(
        "/sparql", data={"query": text.text}, headers={"Accept": "application/sparql-results+json"}
    )
    assert run.status_code == 200 and run.json()["results"]["bindings"]
