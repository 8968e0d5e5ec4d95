"""The typed API under /api/v1 on a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ingest import build
from tests.conftest import CORPUS, assert_problem, running_server


@pytest.fixture(scope="module")
def api(built_store: tuple[Path, build.Report]) -> Iterator[httpx.Client]:
    with running_server(built_store[0]) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def test_search_forgives_spelling_variants_and_typos(api: httpx.Client) -> None:
    def first(q: str, **params: str) -> str:
        items = api.get("/api/v1/entities", params={"q": q, **params}).json()["items"]
        return str(items[0]["id"])

    assert first("deep labor") == "deep-labour"
    assert first("graduated sovereignity") == "graduated-sovereignty"
    assert first("Didi Chuxing") == "didi"
    assert first("Xia Bingqing") == "bingqing-xia"
    assert first("inland sourcing", type="Concept") == "inland-sourcing"
    places = api.get("/api/v1/entities", params={"q": "china", "type": "Place"}).json()["items"]
    assert places and all(i["type"] == "Place" for i in places)


def test_cursor_pagination_walks_every_entity_once(api: httpx.Client) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"type": "Regime", "limit": "5", **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/entities", params=params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 17
    assert_problem(api.get("/api/v1/entities", params={"cursor": "not-a-cursor"}), 400)
    assert_problem(api.get("/api/v1/entities", params={"limit": "0"}), 422)
    assert_problem(api.get("/api/v1/entities", params={"type": "Gadget"}), 422)


def test_entity_detail_with_evidence_and_definitions(api: httpx.Client) -> None:
    e = api.get("/api/v1/entities/deep-labour").json()
    assert e["type"] == "Concept" and "deep labor" in e["alt_labels"]
    by_work = {d["work_id"]: d for d in e["definitions"] if d["method"] == "curated"}
    assert {"001", "003"} <= set(by_work)
    assert "Antonio A. Casilli" in by_work["003"]["credited_to"]
    assert by_work["003"]["chapter"] == 10 and by_work["001"]["chapter"] is None
    assert any(r["target"]["id"] == "appen" for r in e["relations"])
    for r in e["relations"]:
        for ev in r["evidence"]:
            assert ev["quote"] and ev["locator"]["label"] in (
                "page",
                "paragraph",
                "note",
                "section",
            )
    assert {m["work_id"] for m in e["mentioned_in"]} >= {"001", "003"}
    didi = api.get("/api/v1/entities/didi").json()
    assert "Didi Chuxing" in didi["alt_labels"] and "PlatformCompany" in didi["types"]


def test_unknown_entity_answers_404_with_the_closest_matches(api: httpx.Client) -> None:
    body = assert_problem(api.get("/api/v1/entities/deep-labor"), 404)
    assert body["closest"][0] == "deep-labour"  # type: ignore[index]


def test_passage_gives_text_locator_and_the_raw_source_span(api: httpx.Client) -> None:
    e = api.get("/api/v1/entities/graduated-sovereignty").json()
    passage_id = e["definitions"][0]["passage_id"]
    p = api.get(f"/api/v1/passages/{passage_id}").json()
    assert p["work_id"] == "003" and p["chapter"] == 7
    assert "graduated sovereignty" in p["text"]
    raw = (CORPUS / p["raw"]["file"]).read_text(encoding="utf-8")
    span = raw[p["raw"]["char_start"] : p["raw"]["char_end"]]
    assert " ".join(span.split())[:30] == " ".join(p["text"].split())[:30]
    assert raw.count("\n", 0, p["raw"]["char_start"]) + 1 == p["raw"]["line_start"]
    assert_problem(api.get("/api/v1/passages/003-000000000000"), 404)


def test_named_queries_with_typed_parameters(api: httpx.Client) -> None:
    listing = api.get("/api/v1/queries").json()["items"]
    assert len(listing) >= 25
    credits = next(q for q in listing if q["name"] == "concept-credits")
    assert credits["params"][0] == {
        "name": "concept",
        "type": "entity",
        "required": True,
        "description": "The concept's id (e.g. deep-labour)",
    }
    r = api.get("/api/v1/queries/concept-credits", params={"concept": "deep-labour"}).json()
    assert any(row.get("chapter") == "10" for row in r["rows"])
    assert_problem(api.get("/api/v1/queries/concept-credits"), 400)
    assert_problem(api.get("/api/v1/queries/concept-credits", params={"concept": "x } ."}), 400)
    assert_problem(api.get("/api/v1/queries/nope"), 404)


def test_etag_and_caching_headers(api: httpx.Client) -> None:
    r = api.get("/api/v1/entities/didi")
    tag = r.headers["ETag"]
    assert "max-age" in r.headers["Cache-Control"]
    again = api.get("/api/v1/entities/didi", headers={"If-None-Match": tag})
    assert again.status_code == 304
    other = api.get("/api/v1/entities/china")
    assert other.headers["ETag"] != tag


def test_openapi_document_and_docs_page(api: httpx.Client) -> None:
    doc = api.get("/openapi.json").json()
    paths = [
        "/api/v1/entities",
        "/api/v1/entities/{entity_id}",
        "/api/v1/passages/{passage_id}",
        "/api/v1/queries",
        "/api/v1/queries/{name}",
        "/sparql",
    ]
    for path in paths:
        assert path in doc["paths"], path
    assert api.get("/docs").status_code == 200


def test_works_with_csl_records_chapters_and_reference_lists(api: httpx.Client) -> None:
    works = api.get("/api/v1/works").json()["items"]
    assert [w["id"] for w in works] == ["000", "001", "002", "003", "004"]
    assert {w["type"] for w in works} >= {"article-journal", "book", "article-newspaper"}
    book = api.get("/api/v1/works/003").json()
    assert book["csl"]["title"] == "Digital Work in the Planetary Market"
    assert len(book["chapters"]) == 19
    ch13 = next(c for c in book["chapters"] if c["number"] == 13)
    assert ch13["csl"]["type"] == "chapter"
    assert ch13["csl"]["container-title"] == "Digital Work in the Planetary Market"
    assert ch13["csl"]["author"] == [{"given": "Jathan", "family": "Sadowski"}]
    assert {e["family"] for e in ch13["csl"]["editor"]} == {"Graham", "Ferrari"}
    assert {r["chapter"] for r in book["references"]} == {11, 16}
    article = api.get("/api/v1/works/000").json()
    assert article["references"] and all(r["cited"] for r in article["references"])
    assert_problem(api.get("/api/v1/works/999"), 404)


def test_void_describes_size_and_partitions(api: httpx.Client) -> None:
    import rdflib

    r = api.get("/.well-known/void", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    [ds] = list(g.subjects(rdflib.RDF.type, void.Dataset))
    triples = int(g.value(ds, void.triples))
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    count = api.get("/sparql", params={"query": distinct})
    assert triples == int(count.json()["results"]["bindings"][0]["n"]["value"])
    concept = rdflib.URIRef("https://w3id.org/datawork-kg/ontology#Concept")
    parts = {
        g.value(p, void["class"]): int(g.value(p, void.entities))
        for p in g.objects(ds, void.classPartition)
    }
    assert parts[concept] > 150
    assert any(True for _ in g.objects(ds, void.propertyPartition))


def test_api_documentation_is_served_from_the_package(api: httpx.Client) -> None:
    html = api.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in html and "cdn." not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert api.get(f"/static/swagger/{asset}").status_code == 200


def test_ids_that_cannot_be_iris_answer_404_not_500(api: httpx.Client) -> None:
    # found by schemathesis: a passage id with characters no IRI may hold crashed the route
    for bad in ("%20", "a%22b", "x%3Cy%3E", "%C3%A9%7B"):
        assert_problem(api.get(f"/api/v1/passages/{bad}"), 404)
        assert_problem(api.get(f"/id/entity/{bad}", headers={"Accept": "text/turtle"}), 404)


def test_bibliography_as_csl_json_keyed_by_citation_key(api: httpx.Client) -> None:
    r = api.get("/api/v1/bib", params={"format": "csljson"})
    assert r.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    items = {i["id"]: i for i in r.json()}
    assert len(items) == len(r.json()) > 200
    article = items["wuGlobalDataEmpires2025"]
    assert article["type"] == "article-journal" and article["author"][0] == {
        "given": "Tongyu",
        "family": "Wu",
    }
    chapter = items["sadowskiPlanetaryPotemkinAI2022"]
    assert chapter["type"] == "chapter"
    assert chapter["container-title"] == "Digital Work in the Planetary Market"
    book = items["grayGhostWork2019"]  # a book the reference lists cite
    assert book["type"] == "book" and book["author"][0] == {"family": "Gray"}
    assert book["issued"] == {"date-parts": [[2019]]} and "publisher" in book
    assert_problem(api.get("/api/v1/bib", params={"format": "endnote"}), 400)
