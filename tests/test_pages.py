"""Locators checked against the hand-made passage set (tests/data/expected_passages.json).

Each entry was written by reading the raw text: a snippet, the work and chapter
it is in, the printed page with its certainty (or none), and for paragraphs
that run across a page break the paragraph's page range.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ingest.model import Block, Document, Kind
from tests.conftest import DATA, squash

CASES: list[dict[str, Any]] = [
    e for e in json.loads((DATA / "expected_passages.json").read_text()) if "quote" in e
]


def _find(doc: Document, quote: str) -> tuple[Block, int]:
    hits = [
        (b, squash(b.text).find(squash(quote)))
        for b in doc.blocks
        if squash(quote) in squash(b.text)
    ]
    assert len(hits) == 1, f"{quote!r} found in {len(hits)} blocks of {doc.work_id}"
    return hits[0]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['work']}-{c['quote'][:30]}" for c in CASES])
def test_expected_locator(docs: dict[str, Document], case: dict[str, Any]) -> None:
    block, at = _find(docs[case["work"]], case["quote"])
    assert block.chapter == case.get("chapter")
    if case.get("spans_split") and case["page"] is None:
        # the quote runs on past the anchored first page: its page is not claimed
        assert block.page_at(at + len(case["quote"]) - 1) is None
        return
    expected_pages = case.get("paragraph_pages") or case["page"]
    assert block.pages.label == expected_pages, case["why"]
    spans = case.get("paragraph_pages") not in (None, case["page"])
    expected = "inferred" if spans else case["certainty"]
    assert block.pages.certainty.value == expected, case["why"]
    if case["page"] and "–" not in case["page"]:
        assert block.page_at(at) == case["page"], "the page of the quote itself"
    if "section" in case:
        assert block.section == case["section"]
    if case["page"] is None:
        kind, value = block.locator()
        assert kind == ("paragraph" if block.kind is Kind.PARAGRAPH else "section")
        assert value


def test_every_running_head_is_an_exact_anchor(docs: dict[str, Document]) -> None:
    heads = {"6", "29", "50", "64", "67", "79", "198", "235", "238", "249", "265", "270"}
    heads |= {"307", "311", "202", "203", "204", "205", "206"}
    blocks = docs["003"].blocks
    exact = {b.pages.first for b in blocks if b.pages.certainty.value == "exact"}
    assert exact <= heads, "a page without a running head was called exact"
    covered = {label for b in blocks for label in (b.pages.first, b.pages.last)}
    covered |= {label for b in blocks for _, label in b.page_breaks}
    assert heads <= covered


def test_chapters_without_running_heads_claim_no_page(docs: dict[str, Document]) -> None:
    for b in docs["003"].blocks:
        if b.chapter in (6, 7, 8, 9, 10, 12, 16, 17, 19):
            assert b.pages.first is None and b.pages.certainty.value == "unknown"


def test_chapter_page_ranges(docs: dict[str, Document]) -> None:
    ranges = {ch.number: (ch.pages.first, ch.pages.last) for ch in docs["003"].chapters}
    assert ranges[1] == ("1", "17")
    assert ranges[2] == ("23", "38")  # Figure 2.1 is a page of its own (p. 35)
    assert ranges[3] == ("41", "55")
    assert ranges[11] == ("191", "201")
    assert ranges[18] == ("303", "315")
    assert ranges[12] == (None, None)


def test_notes_and_references_pages_only_on_running_head_pages(
    docs: dict[str, Document],
) -> None:
    for doc in docs.values():
        for b in doc.blocks:
            if b.kind in (Kind.NOTE, Kind.REFERENCE) and b.pages.first is not None:
                assert b.pages.certainty.value == "exact", (doc.work_id, b.lines)
    # the chapter 13 note follows a ' Note' heading that may or may not start a page
    [note13] = [b for b in docs["003"].blocks if b.kind is Kind.NOTE and b.chapter == 13]
    assert note13.pages.first is None
