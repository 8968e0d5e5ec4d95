"""Passage search: quality on questions written from the texts, and the HTTP route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ingest import build
from ontology import base_iri
from service.graph import Graph
from service.passage_index import PassageIndex
from tests.conftest import DATA, assert_problem, running_server

CASES = json.loads((DATA / "search_questions.json").read_text(encoding="utf-8"))["cases"]


def norm(s: str) -> str:
    return " ".join(s.replace("’", "'").split())


def test_search_finds_the_passage_for_words_and_questions(
    built_store: tuple[Path, build.Report],
) -> None:
    index = PassageIndex(Graph(built_store[0], base_iri()))
    ranks = []
    for c in CASES:
        hits = index.search(c["q"], limit=5)
        ranks.append(
            next(
                (i + 1 for i, (d, _) in enumerate(hits) if norm(c["expect"]) in norm(d.text)), None
            )
        )
    top1 = sum(r == 1 for r in ranks) / len(ranks)
    top5 = sum(r is not None for r in ranks) / len(ranks)
    assert top1 >= 0.8 and top5 >= 0.9, (top1, top5, ranks)


@pytest.fixture(scope="module")
def api(built_store: tuple[Path, build.Report]) -> Iterator[httpx.Client]:
    with running_server(built_store[0]) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def test_search_route_ranks_and_filters_by_work(api: httpx.Client) -> None:
    r = api.get("/api/v1/search", params={"q": "Kempelen chess automaton", "limit": 3}).json()
    top = r["items"][0]
    assert top["work_id"] == "003" and "Kempelen" in top["snippet"]
    assert top["locator"]["label"] in ("page", "paragraph") and top["score"] > 0
    p = api.get(f"/api/v1/passages/{top['passage_id']}").json()
    assert "Kempelen" in p["text"]
    only = api.get("/api/v1/search", params={"q": "data annotation", "work": "004"}).json()["items"]
    assert only and {i["work_id"] for i in only} == {"004"}
    assert_problem(api.get("/api/v1/search"), 422)
    assert api.get("/api/v1/search", params={"q": "zzzzqqq"}).json()["items"] == []
