"""The document model every reader produces.

A :class:`Document` is a work (article, book, news item, a user's own file)
read into ordered :class:`Block` objects: headings, body paragraphs, notes,
reference entries, captions and front/back matter, each with its normalised
text, its exact place in the raw file, its section and chapter, and its
locator (printed page with a certainty, or a paragraph/note number where the
source has no pages).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from ingest.textspan import Span


class Kind(StrEnum):
    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    NOTE = "note"
    REFERENCE = "reference"
    CAPTION = "caption"
    TABLE = "table"
    FRONT = "front"  # bylines, affiliations, mastheads, keywords, licences
    BACK = "back"  # bios, funding, conflicts, ORCID, acknowledgements


class Certainty(StrEnum):
    EXACT = "exact"  # anchored by a running head or masthead on that page
    INFERRED = "inferred"  # counted from page-start cues between anchors
    UNKNOWN = "unknown"


@dataclass
class Pages:
    """Printed page labels of a block; ``first``/``last`` are None when unknown."""

    first: str | None = None
    last: str | None = None
    certainty: Certainty = Certainty.UNKNOWN

    @property
    def label(self) -> str | None:
        if self.first is None:
            return None
        if self.last is None or self.last == self.first:
            return self.first
        return f"{self.first}–{self.last}"


@dataclass
class Block:
    kind: Kind
    span: Span
    lines: tuple[int, int]  # first and last raw line (1-based) the block was read from
    section: str | None = None
    chapter: int | None = None
    pages: Pages = field(default_factory=Pages)
    number: int | None = None  # paragraph number (per work or chapter), note number
    note_refs: list[int] = field(default_factory=list)  # note markers found in the text
    iri_key: str = ""  # set by Document.assign_keys
    order: int = 0  # position in the document, from 1
    # where a new printed page begins inside the text: (text offset, page label)
    page_breaks: list[tuple[int, str]] = field(default_factory=list)
    # the certainty of each page the block is on, where it differs between them
    page_certainty: dict[str, Certainty] = field(default_factory=dict)

    def page_at(self, offset: int) -> str | None:
        """The printed page of the character at ``offset`` in the text, if known."""
        if self.pages.first is None or self.pages.certainty is Certainty.UNKNOWN:
            return None
        page: str | None = self.pages.first
        for start, label in self.page_breaks:
            if start <= offset:
                page = label or None  # "" marks text whose page is not known
        return page

    def certainty_of(self, *pages: str) -> Certainty:
        """The weakest certainty of the given pages of this block."""
        known = [self.page_certainty.get(p, self.pages.certainty) for p in pages]
        if any(c is Certainty.UNKNOWN for c in known):
            return Certainty.UNKNOWN
        if all(c is Certainty.EXACT for c in known):
            return Certainty.EXACT
        return Certainty.INFERRED

    def locator(self) -> tuple[str, str]:
        """How to cite this block: a printed page where known, else its number or section."""
        if self.pages.label is not None and self.pages.certainty is not Certainty.UNKNOWN:
            return "page", self.pages.label
        return self.unpaged_locator()

    def unpaged_locator(self) -> tuple[str, str]:
        """The locator to use where no page can be claimed: note, paragraph or section."""
        if self.kind is Kind.NOTE and self.number is not None:
            return "note", str(self.number)
        if self.kind is Kind.PARAGRAPH and self.number is not None:
            return "paragraph", str(self.number)
        return "section", self.section or ""

    @property
    def text(self) -> str:
        return self.span.text

    @property
    def raw_chars(self) -> tuple[int, int]:
        return self.span.raw_range()


@dataclass
class Chapter:
    number: int
    title: str | None
    title_source: str | None
    authors: list[dict[str, str]]
    opening: str = ""  # the chapter's first words, as printed (from the manifest)
    first_line: int = 0
    last_line: int = 0
    part: str | None = None
    title_note: str | None = None
    pages: Pages = field(default_factory=Pages)


@dataclass
class Document:
    work_id: str
    path: str  # file name relative to the corpus folder
    layout: str
    raw: str
    blocks: list[Block] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def finish(self) -> None:
        """Number paragraphs (per chapter where there are chapters), order blocks, key them."""
        counters: dict[int | None, int] = {}
        for i, b in enumerate(self.blocks, start=1):
            b.order = i
            if b.kind is Kind.PARAGRAPH:
                counters[b.chapter] = counters.get(b.chapter, 0) + 1
                b.number = counters[b.chapter]
        self.assign_keys()

    def assign_keys(self) -> None:
        """Stable keys: a hash of the normalised text, an ordinal for duplicates.

        A paragraph keeps its key (and so its IRI) when unrelated text changes.
        """
        seen: dict[str, int] = {}
        for b in self.blocks:
            digest = text_hash(b.kind.value + "\n" + b.text)
            n = seen.get(digest, 0) + 1
            seen[digest] = n
            b.iri_key = digest if n == 1 else f"{digest}-{n}"

    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind is Kind.PARAGRAPH]

    def line_of(self, offset: int) -> int:
        """1-based raw line number of a raw character offset."""
        return self.raw.count("\n", 0, offset) + 1


def text_hash(text: str) -> str:
    canon = unicodedata.normalize("NFC", " ".join(text.split()))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:12]
