"""The readers, checked on passages read by hand from the texts."""

from __future__ import annotations

import re

import pytest

from ingest.model import Document, Kind
from tests.conftest import squash


def _paragraph_with(doc: Document, words: str) -> str:
    hits = [b.text for b in doc.blocks if squash(words) in squash(b.text)]
    assert len(hits) == 1, f"{words!r}: {len(hits)} hits"
    return hits[0]


@pytest.mark.parametrize(
    ("work", "joined", "broken"),
    [
        # a word broken at a print line end: joined without its hyphen
        ("003", "put a few computers into shipping containers, powered them", "contain-"),
        ("003", "In 1947, Bell Labs engineers Douglas Ring", "engi-"),
        # a real compound split at a line end ("- "): joined keeping the hyphen
        ("003", "appropriated by the commune-based brigade enterprises", "commune- "),
        ("003", "sometimes developing into long-term structural changes", "long- "),
        # the artificial space after an in-line hyphen is removed
        ("003", "a foreign-owned company", "foreign- owned"),
        # a compound whose space moved to the next line (L368/370)
        ("003", "China-US economic rivalry", "China- US"),
        # across a footnote block and a page break in 002 (with- / out)
        ("002", "workplace surveillance without consultation", "with-"),
    ],
)
def test_hyphenation(docs: dict[str, Document], work: str, joined: str, broken: str) -> None:
    text = _paragraph_with(docs[work], joined)
    assert joined in text
    assert broken not in text


def test_suspended_hyphens_are_kept(docs: dict[str, Document]) -> None:
    assert "low- and middle-income" in _paragraph_with(docs["003"], "low- and middle-income")
    assert "two- or three-hour shift" in _paragraph_with(docs["003"], "two- or three-hour")


@pytest.mark.parametrize(
    ("work", "end", "start"),
    [
        ("000", "Muldoon et al., 2024b); Eastern", "Europe (Miceli et al., 2020"),
        ("000", "For math-related tasks, we ask", "HR to filter candidates"),
        ("001", "greater stability but less", "flexibility, with multiple intermediate"),
        ("001", "to develop voice assistants", "like Alexa and Siri"),
        ("002", "different types of invisible human labor—what", "Gray and Suri termed as"),
        ("004", "screening videos for violent content, and", "filtering audio for keywords"),
        ("003", "into designing and testing new products", "and improving the quality"),
    ],
)
def test_split_paragraphs_are_rejoined(
    docs: dict[str, Document], work: str, end: str, start: str
) -> None:
    text = _paragraph_with(docs[work], end)
    assert f"{end} {start}" in squash(text)


def test_no_layout_debris_in_paragraphs(docs: dict[str, Document]) -> None:
    heads = re.compile(
        r"\b(?:6 M\. Graham and F\. Ferrari|Moving beyond Shanzhai\? 29|\d{1,3} James Steinhoff|"
        r"Planetary Potemkin AI 235|238 Jathan Sadowski|Data, Compute, Labor 249|"
        r"Cellular Capitalism 265|270 Matthew Hockenberry|Collectives 3(?:07|11))\b"
    )
    footer = re.compile(r"Creative Commons|Corresponding author|Department of Sociology|\^[a-d]\b")
    for doc in docs.values():
        for b in doc.paragraphs():
            assert not heads.search(b.text), (doc.work_id, b.lines, b.text[:80])
            assert not footer.search(b.text), (doc.work_id, b.lines)
            assert not re.search(r"https?://\S+$", b.text), (doc.work_id, b.lines)
            assert not re.search(r"\w- (?!and |or |to )\w", b.text), (
                doc.work_id,
                b.lines,
                re.findall(r".{20}\w- \w.{20}", b.text),
            )
            assert "Figure 17.1 The data" not in b.text


def test_footnote_markers_leave_body_text(docs: dict[str, Document]) -> None:
    text = _paragraph_with(docs["003"], "global production networks that link workers")
    assert "networks1" not in text
    text = _paragraph_with(docs["003"], "Microsoft made 10")
    assert "Microsoft made 10." in text and "10.9" not in text
    assert "Figure 17.1 depicts" in _paragraph_with(docs["003"], "depicts")


def test_chapters_have_authors_and_boundaries(docs: dict[str, Document]) -> None:
    chapters = docs["003"].chapters
    assert [c.number for c in chapters] == list(range(1, 20))
    assert all(c.authors for c in chapters)
    starts = {c.number: c.first_line for c in chapters}
    assert starts[6] == 5299 and starts[11] == 10485 and starts[16] == 15535
    assert starts[19] == 17539


def test_headings_sections_and_apparatus(docs: dict[str, Document]) -> None:
    doc = docs["003"]
    headings = {b.text for b in doc.blocks if b.kind is Kind.HEADING and b.chapter == 8}
    assert "From Legacy, General-Purpose Crowdwork to Specialized Full-Service Crowd-AI Stacks" in (
        headings
    )
    captions = [b.text for b in doc.blocks if b.kind is Kind.CAPTION]
    assert len([c for c in captions if c.startswith(("Figure", "Table"))]) == 19
    refs = [b for b in doc.blocks if b.kind is Kind.REFERENCE and b.chapter == 16]
    assert len(refs) == 11
    notes = [b.number for b in doc.blocks if b.kind is Kind.NOTE and b.chapter == 14]
    assert notes == list(range(1, 11))


def test_lines_layout_apparatus(docs: dict[str, Document]) -> None:
    d000 = docs["000"]
    assert [b.number for b in d000.blocks if b.kind is Kind.NOTE] == [1, 2]
    assert len([b for b in d000.blocks if b.kind is Kind.REFERENCE]) == 52
    assert len([b for b in docs["001"].blocks if b.kind is Kind.REFERENCE]) == 46
    notes002 = [b.number for b in docs["002"].blocks if b.kind is Kind.NOTE]
    assert notes002 == list(range(1, 48))
    assert not any(
        b.kind is Kind.PARAGRAPH and "is a reporter" in b.text for b in docs["004"].blocks
    )


def test_user_markdown_document(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ingest import build, manifest

    (tmp_path / "my-notes.md").write_text(
        "# Fieldwork notes\n\n## Shenzhen\n\nAnnotators at the base work in two shifts and are\n"
        "paid by the piece, which the mana-\ngers call *efficiency*.\n\nA second paragraph.\n",
        encoding="utf-8",
    )
    [entry] = manifest.load(tmp_path)
    doc = build.read_document(entry, tmp_path)
    paras = doc.paragraphs()
    assert paras[0].text == (
        "Annotators at the base work in two shifts and are paid by the piece, "
        "which the managers call efficiency."
    )
    assert paras[0].section == "Shenzhen"
    assert paras[0].locator() == ("paragraph", "1")
    assert paras[0].pages.first is None
    start, end = paras[0].raw_chars
    assert doc.raw[start:end].startswith("Annotators") and doc.raw[start:end].endswith("*.")


def test_decimal_numbers_keep_their_digits_when_note_markers_are_stripped(
    docs: dict[str, Document],
) -> None:
    text = " ".join(b.text for b in docs["003"].blocks)
    for number in ("$27.3 million", "4.4 percent", "99.2 percent", "$6.40", "$1.50– $2.00"):
        assert number.replace("– ", "–") in text.replace("– ", "–"), number
    # a real marker after a number that ends a sentence is still removed
    assert "Microsoft made 10. By comparison" in text
