"""``/api/v1/cite``, ``/api/v1/verify-quote`` and ``/api/v1/bib`` on a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest import build
from tests.conftest import assert_problem, running_server

INLAND = "In a process we call 'inland-sourcing', major Chinese AI firms"


@pytest.fixture(scope="module")
def api(built_store: tuple[Path, build.Report]) -> Iterator[httpx.Client]:
    with running_server(built_store[0]) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def cite(api: httpx.Client, q: str, **params: Any) -> list[dict[str, Any]]:
    r = api.get("/api/v1/cite", params={"q": q, **params})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def test_a_quote_gets_its_passage_locator_and_every_citation_form(api: httpx.Client) -> None:
    top = cite(api, INLAND)[0]
    assert top["work_id"] == "000" and top["match"] == "quotation found"
    assert INLAND in top["text"] and top["quote"] == INLAND
    # 000 has printed pages only on p. 1: this paragraph is cited by its number
    assert top["locator"]["label"] == "paragraph" and top["locator"]["certainty"] == "exact"
    para = top["locator"]["value"]
    key = top["key"]
    assert key == "wuGlobalDataEmpires2025" and top["csl"]["id"] == key
    assert top["citation_item"] == {"id": key, "locator": para, "label": "paragraph"}
    assert top["pandoc"] == f"[@{key}, para. {para}]"
    assert top["bibtex"].startswith(f"@article{{{key},")
    assert top["biblatex"].startswith(f"@article{{{key},")
    assert top["formatted"]["style"] == "apa"
    assert top["formatted"]["citation"].startswith("(Wu et al., 2025")
    assert "Global data empires" in top["formatted"]["bibliography"]


def test_a_quote_from_the_edited_volume_cites_the_chapter_and_its_page(api: httpx.Client) -> None:
    from bench.cite import load_set

    quotes, _ = load_set()
    case = next(q for q in quotes if q["chapter"] == 2 and q["page"] and "–" not in q["page"])
    top = cite(api, case["quote"], style="chicago-author-date")[0]
    assert top["match"] == "quotation found"
    assert (top["work_id"], top["chapter"]) == ("003", 2)
    assert top["csl"]["type"] == "chapter"
    assert top["csl"]["container-title"] == "Digital Work in the Planetary Market"
    assert top["locator"] == {"label": "page", "value": case["page"], "certainty": "inferred"}
    assert top["pandoc"] == f"[@{top['key']}, p. {case['page']}]"
    assert case["page"] in top["formatted"]["citation"]


def test_a_quote_across_a_page_break_cites_both_pages(api: httpx.Client) -> None:
    from bench.cite import load_set

    quotes, _ = load_set()
    case = next(q for q in quotes if q["page"] and "–" in q["page"])
    top = cite(api, case["quote"])[0]
    assert top["locator"]["value"] == case["page"]
    assert top["pandoc"].endswith(f", pp. {case['page']}]")
    assert top["citation_item"]["locator"] == case["page"]


def test_a_concept_name_puts_its_definition_first(api: httpx.Client) -> None:
    top = cite(api, "graduated sovereignty")[0]
    assert top["match"] == "defines graduated sovereignty"
    assert "graduated sovereignty" in top["quote"].lower()
    assert top["work_id"] == "003"


def test_a_claim_in_other_words_finds_its_passage(api: httpx.Client) -> None:
    items = cite(api, "Chinese AI companies move annotation work to poorer inland provinces")
    assert any("inland-sourcing" in i["text"] for i in items[:3])


def test_cite_refuses_bad_input_clearly(api: httpx.Client) -> None:
    body = assert_problem(api.get("/api/v1/cite", params={"q": "x", "style": "mla-9"}), 400)
    assert "apa" in str(body["hint"]) and "chicago-author-date" in str(body["hint"])
    assert_problem(api.get("/api/v1/cite", params={"q": ""}), 422)


def test_verify_quote_found_close_and_not_found(api: httpx.Client) -> None:
    curly = INLAND.replace("'inland-sourcing'", "‘inland-sourcing’")
    r = api.post("/api/v1/verify-quote", json={"quote": f"“{curly}”", "work": "000"})
    v = r.json()
    assert r.status_code == 200 and v["status"] == "found"
    assert v["source"]["locator"]["label"] == "paragraph"
    assert {d["note"] for d in v["differences"]} == {"quotation marks"}
    para = v["source"]["locator"]["value"]
    wrong = {"quote": INLAND, "work": "000", "locator": {"label": "paragraph", "value": "1"}}
    v = api.post("/api/v1/verify-quote", json=wrong).json()
    assert v["locator_ok"] is False and f"paragraph {para}" in v["message"]
    right = {**wrong, "locator": {"label": "paragraph", "value": para}}
    assert api.post("/api/v1/verify-quote", json=right).json()["locator_ok"] is True
    changed = INLAND.replace("major", "leading")
    v = api.post("/api/v1/verify-quote", json={"quote": changed}).json()
    assert v["status"] == "close"
    assert {"kind": "changed", "quote": "leading", "source": "major", "note": ""} in v[
        "differences"
    ]
    v = api.post("/api/v1/verify-quote", json={"quote": INLAND, "work": "001"}).json()
    assert v["status"] == "not_found" and v["elsewhere"] == ["000"]
    assert "000" in v["message"]
    v = api.post("/api/v1/verify-quote", json={"quote": "green cheese moons of economists"}).json()
    assert v["status"] == "not_found" and v["source"] is None
    assert_problem(api.post("/api/v1/verify-quote", json={"work": "000"}), 422)


@pytest.mark.parametrize(
    ("fmt", "accept", "media", "start"),
    [
        ("csljson", None, "application/vnd.citationstyles.csl+json", "["),
        ("bibtex", None, "application/x-bibtex", "@"),
        ("biblatex", None, "application/x-biblatex", "@"),
        (None, "application/x-bibtex", "application/x-bibtex", "@"),
    ],
)
def test_the_whole_bibliography_by_format_or_accept(
    api: httpx.Client, fmt: str | None, accept: str | None, media: str, start: str
) -> None:
    r = api.get(
        "/api/v1/bib",
        params={"format": fmt} if fmt else {},
        headers={"Accept": accept} if accept else {},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert r.text.lstrip().startswith(start)
    assert "wuGlobalDataEmpires2025" in r.text and "grayGhostWork2019" in r.text
    body = assert_problem(api.get("/api/v1/bib", params={"format": "ris"}), 400)
    assert "biblatex" in str(body["hint"])
