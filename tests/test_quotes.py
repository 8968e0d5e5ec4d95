"""Finding quotations: the hand-checked set, the ways writers mistype them, and the pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cite import VARIANTS, load_set, right_locator
from ingest import build
from ontology import DEFAULT_BASE
from service.graph import Graph
from service.passage_index import PassageIndex
from service.quotes import QuoteMatcher, parts, skeleton, typography

QUOTES, CLAIMS = load_set()


@pytest.fixture(scope="module")
def matcher(built_store: tuple[Path, build.Report]) -> QuoteMatcher:
    return QuoteMatcher(PassageIndex(Graph(built_store[0], DEFAULT_BASE)))


def test_the_set_covers_every_work_and_chapter() -> None:
    assert len(QUOTES) >= 100 and len(CLAIMS) >= 30
    assert {q["work"] for q in QUOTES} == {"000", "001", "002", "003", "004"}
    assert {q["chapter"] for q in QUOTES if q["work"] == "003"} == set(range(1, 20))


def test_every_quote_is_found_in_its_work_and_never_on_a_wrong_page(
    matcher: QuoteMatcher,
) -> None:
    wrong_page, other = [], []
    for q in QUOTES:
        found = matcher.find(q["quote"], limit=1)
        assert found and found[0].status == "found", q
        m = found[0]
        assert (m.doc.work_id, m.doc.chapter) == (q["work"], q["chapter"]), q
        label, value, _ = m.locator
        if label == "page" and value != q["page"]:
            wrong_page.append((q["line"], q["page"], value))
        elif not right_locator(m.locator, q):
            other.append((q["line"], q["page"], label, value))
    assert wrong_page == []
    # a note on a page without a running head is cited by its number, not by a page
    assert other == [(1108, "17", "note", "3")]


def test_quotes_across_a_page_break_cite_both_pages(matcher: QuoteMatcher) -> None:
    ranges = [q for q in QUOTES if q["page"] and "–" in q["page"]]
    assert len(ranges) >= 6
    for q in ranges:
        assert matcher.find(q["quote"], limit=1)[0].locator[1] == q["page"]


@pytest.mark.parametrize("variant", ["curly quotes", "hyphen left in", "ellipsis"])
def test_typographic_variants_are_still_found(matcher: QuoteMatcher, variant: str) -> None:
    for q in QUOTES:
        m = matcher.find(VARIANTS[variant](q["quote"]), limit=1)[0]
        assert m.status == "found" and m.doc.work_id == q["work"], (variant, q)
        assert m.locator == matcher.find(q["quote"], limit=1)[0].locator


def test_an_ellipsis_says_what_it_leaves_out(matcher: QuoteMatcher) -> None:
    q = "Data annotation is a global market … to digital platforms"
    m = matcher.find(q, limit=1)[0]
    assert m.status == "found" and m.doc.work_id == "000"
    elided = [d for d in m.differences if d.kind == "elided"]
    assert elided and elided[0].source == "with AI companies outsourcing work"


def test_a_changed_word_is_close_and_named(matcher: QuoteMatcher) -> None:
    original = "Data annotation is a global market with AI companies outsourcing work"
    m = matcher.find(original.replace("global", "worldwide"), limit=1)[0]
    assert m.status == "close" and m.doc.work_id == "000"
    assert [(d.kind, d.quote, d.source) for d in m.differences] == [
        ("changed", "worldwide", "global")
    ]
    m = matcher.find(original.replace(" global", ""), limit=1)[0]
    assert m.status == "close"
    assert [(d.kind, d.source) for d in m.differences] == [("left_out", "global")]


def test_every_close_variant_lands_in_its_work(matcher: QuoteMatcher) -> None:
    misses = []
    for variant in ("word left out", "word changed"):
        for q in QUOTES:
            m = matcher.find(VARIANTS[variant](q["quote"]), limit=1)[0]
            if m.status == "not_found" or m.doc.work_id != q["work"]:
                misses.append((variant, q["line"]))
    assert misses == []


def test_what_is_not_in_the_corpus_is_not_found(matcher: QuoteMatcher) -> None:
    found = matcher.find("the moon is made of green cheese according to most economists")
    assert all(m.status == "not_found" for m in found)
    assert matcher.find("...") == []


def test_typography_names_what_differs() -> None:
    kinds = {d.note for d in typography("“data work”—it is", '"Data work"-it is')}
    assert kinds == {"quotation marks", "dashes", "case"}
    assert typography("same text", "same  text") == []


def test_parts_and_skeleton() -> None:
    assert parts("“a b … c d [...] e”") == ["a b", "c d", "e"]
    assert parts("[D]ata annotation") == ["Data annotation"]
    text = "Infra-\u00a0structure, «x»"
    skel, offsets = skeleton(text)
    assert skel == "infrastructurex" and text[offsets[-1]] == "x"
