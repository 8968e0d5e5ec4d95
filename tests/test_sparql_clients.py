"""Real SPARQL clients against the running server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from ingest import build
from tests.conftest import running_server

PREFIX = "PREFIX dw: <https://w3id.org/datawork-kg/ontology#>\n"


@pytest.fixture(scope="module")
def endpoint(built_store: tuple[Path, build.Report]) -> Iterator[str]:
    with running_server(built_store[0]) as url:
        yield f"{url}/sparql"


def test_sparqlwrapper_select_ask_construct_in_its_formats(endpoint: str) -> None:
    w = SPARQLWrapper(endpoint)
    w.setQuery(PREFIX + "SELECT ?id WHERE { ?w dw:workId ?id } ORDER BY ?id")
    w.setReturnFormat(JSON)
    rows = w.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert [r["id"]["value"] for r in rows] == ["000", "001", "002", "003", "004"]
    w.setReturnFormat(XML)
    assert len(w.queryAndConvert().getElementsByTagName("result")) == 5  # type: ignore[union-attr]
    w.setReturnFormat(CSV)
    assert w.queryAndConvert().decode().splitlines()[0] == "id"  # type: ignore[union-attr]
    w.setMethod("POST")
    w.setQuery(PREFIX + "ASK { ?w dw:workId '004' }")
    w.setReturnFormat(JSON)
    assert w.queryAndConvert()["boolean"] is True  # type: ignore[index]
    w.setQuery(PREFIX + "CONSTRUCT { ?w dw:workId ?id } WHERE { ?w dw:workId ?id }")
    w.setReturnFormat(TURTLE)
    g = rdflib.Graph().parse(data=w.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert len(g) == 5


def test_sparqlwrapper_sees_a_malformed_query_as_such(endpoint: str) -> None:
    w = SPARQLWrapper(endpoint)
    w.setQuery("SELECT ?x WHERE { ?x")
    w.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed):
        w.queryAndConvert()


def test_rdflib_sparqlstore_reads_the_graph(endpoint: str) -> None:
    store = SPARQLStore(endpoint)
    g = rdflib.Graph(store=store)
    dw = rdflib.Namespace("https://w3id.org/datawork-kg/ontology#")
    rows = list(g.query(PREFIX + "SELECT ?id WHERE { ?w dw:workId ?id } ORDER BY ?id"))
    assert [str(r[0]) for r in rows] == ["000", "001", "002", "003", "004"]
    didi = rdflib.URIRef("https://w3id.org/datawork-kg/id/entity/didi")
    assert (didi, dw.operatesIn, rdflib.URIRef("https://w3id.org/datawork-kg/id/entity/china")) in g
