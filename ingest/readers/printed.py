"""Reader for hard-wrapped print lines (the edited volume, ``003``).

The extraction keeps one printed line per file line, each followed by an
empty line. What the print layout tells us, and how this reader uses it
(``notes/layout.md`` in the project's shared notes has the evidence):

- a line that continues its paragraph ends with a space; a paragraph's last
  line, a heading or a caption does not;
- a line ending in ``-`` with no space is a word broken at the line end (joined
  without the hyphen); ``- `` is a real compound (joined keeping it);
- a printed page begins where two text lines touch (no empty line between)
  and the second starts with a space, or at a running head (``64 Johan
  Lindquist`` / ``Moderating in Obscurity 79``) after two or more empty lines;
- running heads, raw-URL lines, part titles and the chapter title block (printed
  at the foot of a chapter's first page) are not text and may interrupt a
  sentence; figure captions and figure text likewise;
- page labels come only from running heads: pages with one are ``exact``, other
  pages of the same chapter are counted from them (``inferred``) when every
  anchor in the chapter agrees with the count; a chapter without a running
  head has no printed page labels (``unknown``). Counting never crosses a
  chapter boundary, because the reference lists dropped between chapters
  left no trace.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ingest.errors import ReaderError
from ingest.model import Block, Certainty, Chapter, Document, Kind, Pages
from ingest.readers import URL_LINE, Line, repair_print_spacing, split_lines
from ingest.references import is_reference_start
from ingest.textspan import Span

RUNNING_HEAD_VERSO = re.compile(r"^(\d{1,3}) (\S.*\S)$")
RUNNING_HEAD_RECTO = re.compile(r"^(\S.*\S) (\d{1,3})$")
PART_TITLE = re.compile(r"^\s?(?:I|II|III|IV|V|VI) [A-Z][a-z]+(?: [A-Z][a-z]+)*$")
FIGURE_LINE = re.compile(r"^\s?(?:Figure|Table) \d+\.\d+\s*$")
SOURCE_LINE = re.compile(r"^\s?Source: ")
NOTES_HEADING = re.compile(r"^\s?Notes?$")
REFERENCES_HEADING = re.compile(r"^\s?(?:References|Bibliography)$")
NOTE_START = re.compile(r"^\s?(\d{1,2})\. ")
BACK_SECTIONS = {"Disclaimer", "Acknowledgments", "Acknowledgements"}
FIGURE_NUMBER = re.compile(r"(?i)(?:figure|table|chapter)s? \d+\.$")
NOTE_MARKER = re.compile(r"(?<=[A-Za-z.,;:”’)\]])(\d{1,2})(?=[\s,.;:—)]|$)")


@dataclass
class _Page:
    start: int  # line number of the page's first line
    label: str | None = None
    certainty: Certainty = Certainty.UNKNOWN


@dataclass
class _ChapterLayout:
    chapter: Chapter
    pages: list[_Page] = field(default_factory=list)
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)  # line -> (page no, head)
    ignored: list[int] = field(default_factory=list)  # page cues not trusted (in notes)


def read_printed(doc: Document, chapters: list[Chapter]) -> None:
    """Fill ``doc`` with the blocks, chapters and pages of a print-layout file."""
    lines = split_lines(doc.raw)
    _locate_chapters(lines, chapters)
    doc.chapters = chapters
    for ch in chapters:
        layout = _paginate(lines, ch, doc)
        blocks = _ChapterReader(lines, layout, doc).read()
        _strip_note_markers(blocks)
        doc.blocks.extend(blocks)
        _chapter_pages(ch, blocks)


def _locate_chapters(lines: list[Line], chapters: list[Chapter]) -> None:
    """Find each chapter's first line from the opening words the manifest gives."""
    after = 0
    for ch in chapters:
        opening = ch.opening
        found = next(
            (ln.no for ln in lines[after:] if opening and ln.text.lstrip().startswith(opening)),
            None,
        )
        if found is None:
            raise ReaderError(
                f"chapter {ch.number}: its opening words {opening!r} were not found after "
                f"line {after}; correct 'opening' in the manifest"
            )
        ch.first_line = found
        after = found
    for ch, nxt in itertools.pairwise(chapters):
        ch.last_line = nxt.first_line - 1
    if chapters:
        chapters[-1].last_line = len(lines)


def _empties_before(lines: list[Line], idx: int) -> int:
    n, j = 0, idx - 1
    while j >= 0 and lines[j].blank:
        n, j = n + 1, j - 1
    return n


def _running_head(lines: list[Line], idx: int) -> str | None:
    """The page label if line ``idx`` is a running head."""
    ln = lines[idx]
    if ln.blank or ln.text != ln.text.strip() or _empties_before(lines, idx) < 2:
        return None
    m = RUNNING_HEAD_VERSO.match(ln.text)
    if m:
        return m.group(1)
    m = RUNNING_HEAD_RECTO.match(ln.text)
    return m.group(2) if m else None


def _is_page_start(lines: list[Line], idx: int) -> bool:
    ln = lines[idx]
    if ln.blank or not ln.text.startswith(" ") or URL_LINE.match(ln.text):
        return False
    return idx == 0 or not lines[idx - 1].blank


def _paginate(lines: list[Line], ch: Chapter, doc: Document) -> _ChapterLayout:
    layout = _ChapterLayout(ch, [_Page(ch.first_line)])
    notes_started = False
    for idx in range(ch.first_line, ch.last_line):  # lines after the chapter's first
        ln = lines[idx]
        if NOTES_HEADING.match(ln.text):
            # The notes' text block starts with a space whether or not it starts a page.
            notes_started = True
        head = _running_head(lines, idx)
        if head is not None:
            layout.pages.append(_Page(ln.no))
            layout.heads[ln.no] = (len(layout.pages) - 1, head)
        elif _is_page_start(lines, idx):
            if notes_started:
                layout.ignored.append(ln.no)
            else:
                layout.pages.append(_Page(ln.no))
    _label_pages(layout, doc)
    return layout


def _label_pages(layout: _ChapterLayout, doc: Document) -> None:
    """Give pages labels from running heads when every anchor agrees with the count."""
    if not layout.heads:
        return
    offsets = {int(label) - k for k, label in layout.heads.values()}
    if len(offsets) != 1:
        doc.warnings.append(
            f"chapter {layout.chapter.number}: running heads disagree with the page count "
            f"({sorted(layout.heads.values())}); its pages are left unknown"
        )
        for k, label in layout.heads.values():
            layout.pages[k].label, layout.pages[k].certainty = label, Certainty.EXACT
        return
    offset = offsets.pop()
    anchored = {k for k, _ in layout.heads.values()}
    for k, page in enumerate(layout.pages):
        page.label = str(offset + k)
        page.certainty = Certainty.EXACT if k in anchored else Certainty.INFERRED


class _ChapterReader:
    """Walks one chapter's lines and emits blocks."""

    def __init__(self, lines: list[Line], layout: _ChapterLayout, doc: Document) -> None:
        self.lines = lines
        self.layout = layout
        self.ch = layout.chapter
        self.doc = doc
        self.blocks: list[Block] = []
        self.section: str | None = None
        self.region = "body"  # body | notes | references
        self.para: list[Line] = []
        self.para_kind = Kind.PARAGRAPH
        self.heading: list[Line] = []
        self.page_starts = [p.start for p in layout.pages]
        self._last_lines: list[Line] = []

    # -- the walk ---------------------------------------------------------
    def read(self) -> list[Block]:
        idx = self.ch.first_line - 1
        end = self.ch.last_line
        title_block = self._title_block()
        while idx < end:
            ln = self.lines[idx]
            if ln.no in title_block:
                self._emit_title_block(title_block, idx)
                idx = max(title_block)
                continue
            if self._skip(idx):
                idx += 1
                continue
            if FIGURE_LINE.match(ln.text) or self._in_figure_text(idx):
                idx = self._figure(idx)
                continue
            self._line(ln)
            idx += 1
        self._close_paragraph()
        self._close_heading()
        return self.blocks

    def _skip(self, idx: int) -> bool:
        ln = self.lines[idx]
        return (
            ln.blank
            or bool(URL_LINE.match(ln.text))
            or ln.no in self.layout.heads
            or bool(PART_TITLE.match(ln.text) and not self.para)
        )

    def _line(self, ln: Line) -> None:
        if self.para:
            self.para.append(ln)
            if not _continues(ln.text):
                self._close_paragraph()
            return
        if self.heading:
            self.heading.append(ln)
            if not ln.text.endswith("  "):
                self._close_heading()
            return
        if NOTES_HEADING.match(ln.text):
            self._start_region("notes", ln)
            return
        if self.region == "body" and NOTE_START.match(ln.text) and self._after_url(ln):
            self.region, self.section = "notes", "Notes"  # notes whose heading was lost
            self.para = [ln]
            if not _continues(ln.text):
                self._close_paragraph()
            return
        if REFERENCES_HEADING.match(ln.text):
            self._start_region("references", ln)
            return
        if self.region == "body" and _looks_like_heading(ln.text):
            self.heading = [ln]
            if not ln.text.endswith("  "):
                self._close_heading()
            return
        self.para = [ln]
        if not _continues(ln.text):
            self._close_paragraph()

    def _after_url(self, ln: Line) -> bool:
        j = ln.no - 2
        while j >= 0 and self.lines[j].blank:
            j -= 1
        return j >= 0 and bool(URL_LINE.match(self.lines[j].text))

    def _start_region(self, region: str, ln: Line) -> None:
        self.region = region
        self.section = ln.text.strip()
        self._emit(Kind.HEADING, [ln])

    # -- title blocks, figures ----------------------------------------------
    def _title_block(self) -> set[int]:
        """Lines of the chapter's title block, printed at the foot of its first page."""
        if len(self.page_starts) < 2:
            return set()
        first_page_end = self.page_starts[1]
        pattern = re.compile(rf"^{self.ch.number} [A-Z“‘\"]")
        for idx in range(self.ch.first_line, first_page_end - 1):
            if pattern.match(self.lines[idx].text):
                block = {ln.no for ln in self.lines[idx : first_page_end - 1] if not ln.blank}
                if len(block) <= 6:
                    return block
        return set()

    def _emit_title_block(self, block: set[int], idx: int) -> None:
        lines = [self.lines[n - 1] for n in sorted(block)]
        self.blocks.append(self._block(Kind.TITLE, lines, _join_lines(lines)))

    def _in_figure_text(self, idx: int) -> bool:
        """Is line ``idx`` the start of a figure's own text (labels, screenshots)?

        Figure text has no continuation spaces and runs, on the same page, into a
        ``Figure N.M`` line that does not itself start a page.
        """
        ln = self.lines[idx]
        if _continues(ln.text):
            return False
        ends_sentence = ln.text.rstrip()[-1:] in ".?!”)"
        j = idx + 1
        while j < self.ch.last_line:
            nxt = self.lines[j]
            if nxt.blank:
                j += 1
                continue
            if FIGURE_LINE.match(nxt.text):
                # one sentence-final line before a figure is its paragraph's last line
                single = all(x.blank for x in self.lines[idx + 1 : j])
                return not nxt.text.startswith(" ") and not (single and ends_sentence)
            if (
                _continues(nxt.text)
                or nxt.no in self.page_starts
                or URL_LINE.match(nxt.text)
                or nxt.no in self.layout.heads
            ):
                return False
            j += 1
        return False

    def _figure(self, idx: int) -> int:
        """Consume a figure or table (its text, label, caption, cells, source line).

        Figures sit at the top or foot of a page: the block runs to its
        ``Source:`` line, or else to the next page start.
        """
        text: list[Line] = []
        while not FIGURE_LINE.match(self.lines[idx].text):
            if not self.lines[idx].blank:
                text.append(self.lines[idx])
            idx += 1
        if text:
            self.blocks.append(self._block(Kind.TABLE, text, _join_lines(text, " / ")))
        caption = [self.lines[idx]]
        idx += 1
        while idx < self.ch.last_line:
            ln = self.lines[idx]
            if ln.no in self.page_starts or ln.no in self.layout.heads:
                break
            idx += 1
            if ln.blank or URL_LINE.match(ln.text):
                continue
            caption.append(ln)
            if SOURCE_LINE.match(ln.text):
                while idx < self.ch.last_line and _continues(self.lines[idx - 1].text):
                    if not self.lines[idx].blank and self.lines[idx].no not in self.page_starts:
                        caption.append(self.lines[idx])
                    idx += 1
                break
        self.blocks.append(self._block(Kind.CAPTION, caption, _join_lines(caption)))
        return idx

    def _next_nonblank(self, idx: int) -> int | None:
        while idx < self.ch.last_line:
            if not self.lines[idx].blank:
                return idx
            idx += 1
        return None

    # -- closing blocks ---------------------------------------------------------
    def _close_heading(self) -> None:
        if not self.heading:
            return
        lines, self.heading = self.heading, []
        block = self._emit(Kind.HEADING, lines)
        title = block.text
        self.section = title
        if title in BACK_SECTIONS:
            self.region = "back"

    def _close_paragraph(self) -> None:
        if not self.para:
            return
        lines, self.para = self.para, []
        kind = {
            "body": Kind.PARAGRAPH,
            "notes": Kind.NOTE,
            "references": Kind.REFERENCE,
            "back": Kind.BACK,
        }[self.region]
        if kind is Kind.NOTE:
            self._emit_notes(lines)
            return
        if kind is Kind.REFERENCE and self._continues_entry(lines[0]):
            self._extend_last(lines)
            return
        self._emit(kind, lines)

    def _continues_entry(self, first: Line) -> bool:
        """A reference entry whose spaced-out URL broke the line-end rule."""
        text = first.text.strip()
        last = self.blocks[-1] if self.blocks else None
        return last is not None and last.kind is Kind.REFERENCE and not is_reference_start(text)

    def _extend_last(self, lines: list[Line]) -> None:
        last = self.blocks.pop()
        merged = self._last_lines + lines
        self._emit(last.kind, merged)

    def _emit_notes(self, lines: list[Line]) -> None:
        """A notes 'paragraph' may hold several notes when one ends on a full line,
        or continue the previous note when a spaced-out URL broke the line-end rule."""
        current: list[Line] = []
        if (
            not NOTE_START.match(lines[0].text)
            and self.blocks
            and self.blocks[-1].kind is Kind.NOTE
        ):
            self.blocks.pop()
            current = list(self._last_lines)
        for ln in lines:
            if NOTE_START.match(ln.text) and current:
                self._emit(Kind.NOTE, current)
                current = []
            current.append(ln)
        if current:
            self._emit(Kind.NOTE, current)

    def _emit(self, kind: Kind, lines: list[Line]) -> Block:
        self._last_lines = lines
        block = self._block(kind, lines, _join_lines(lines))
        if kind is Kind.NOTE:
            m = NOTE_START.match(lines[0].text)
            block.number = int(m.group(1)) if m else None
        self.blocks.append(block)
        return block

    def _block(self, kind: Kind, lines: list[Line], span: Span) -> Block:
        block = Block(
            kind=kind,
            span=span,
            lines=(lines[0].no, lines[-1].no),
            section=self.section,
            chapter=self.ch.number,
        )
        block.pages = self._pages_for(lines, kind)
        if block.pages.first != block.pages.last:
            block.page_breaks = self._breaks(block, lines)
            block.page_certainty = {
                p.label: p.certainty
                for p in self.layout.pages
                if p.label is not None
                and self._page_of(lines[0].no).start <= p.start
                and p.start <= lines[-1].no
            }
        return block

    def _breaks(self, block: Block, lines: list[Line]) -> list[tuple[int, str]]:
        """Text offsets where the block crosses onto a new page."""
        out: list[tuple[int, str]] = []
        for page in self.layout.pages:
            if lines[0].no < page.start <= lines[-1].no and page.label is not None:
                raw_start = self.lines[page.start - 1].start
                offset = next((i for i, o in enumerate(block.span.offsets) if o >= raw_start), None)
                if offset is not None:
                    out.append((offset, page.label))
        return out

    def _pages_for(self, lines: list[Line], kind: Kind) -> Pages:
        if kind in (Kind.NOTE, Kind.REFERENCE) or self.region in ("notes", "references"):
            return self._apparatus_pages(lines)
        first = self._page_of(lines[0].no)
        last = self._page_of(lines[-1].no)
        if first.label is None or last.label is None:
            return Pages()
        certainty = (
            Certainty.EXACT
            if first.certainty is Certainty.EXACT and last.certainty is Certainty.EXACT
            else Certainty.INFERRED
        )
        return Pages(first.label, last.label, certainty)

    def _apparatus_pages(self, lines: list[Line]) -> Pages:
        """Notes and references are set in their own text blocks, whose leading space
        does not tell whether they begin a page: their page is claimed only on a page
        with a running head, with no untrusted cue between the head and the block."""
        page = self._page_of(lines[0].no)
        if page.certainty is not Certainty.EXACT or self._page_of(lines[-1].no) is not page:
            return Pages()
        if any(page.start < n <= lines[-1].no for n in self.layout.ignored):
            return Pages()
        return Pages(page.label, page.label, Certainty.EXACT)

    def _page_of(self, line_no: int) -> _Page:
        page = self.layout.pages[0]
        for p in self.layout.pages:
            if p.start > line_no:
                break
            page = p
        return page


def _continues(text: str) -> bool:
    """Does this print line continue its paragraph on the next line?"""
    return text.endswith(" ") or text.endswith("-")


def _looks_like_heading(text: str) -> bool:
    t = text.strip()
    if not t or text.endswith("-") or (text.endswith(" ") and not text.endswith("  ")):
        return False
    if len(t) > 95 or t[0].islower() or t[-1] in '.,;:!”"’)':
        return False
    if FIGURE_LINE.match(text) or SOURCE_LINE.match(text) or NOTE_START.match(text):
        return False
    words = t.split()
    return len(words) <= 14 and not (t.endswith("?") and len(words) > 12)


def _join_lines(lines: list[Line], sep: str = " ") -> Span:
    """Join print lines into one normalised text, repairing line-end hyphenation."""
    out = Span()
    for i, ln in enumerate(lines):
        text = ln.text
        body = ln.span()
        lead = len(text) - len(text.lstrip(" "))
        body = body.slice(lead, len(text))
        nxt = lines[i + 1].text.lstrip() if i + 1 < len(lines) else ""
        if i + 1 < len(lines) and sep == " ":
            if text.endswith("- ") and not text.endswith(" - "):
                body = body.slice(0, len(body) - 1)  # real compound: keep the hyphen
            elif text.endswith("-") and nxt[:1].islower():
                body = body.slice(0, len(body) - 1)  # broken word: drop the hyphen
            elif text.endswith("-"):
                pass  # a compound whose space moved to the next line (China- / US)
            elif text.endswith(" "):
                body = body.slice(0, len(body.text.rstrip(" ")) + 1)
            else:
                out.append(body)
                out.append_joiner(ln.start + len(text))
                continue
            out.append(body)
        else:
            out.append(body.strip())
            if i + 1 < len(lines):
                for ch in sep:
                    out.append_joiner(ln.start + len(text), ch)
    return repair_print_spacing(out.strip())


def _decimal(text: str, start: int, end: int) -> bool:
    """Whether the digits at ``start:end`` are the decimals of a number (``$27.3 million``).

    After ``2021.`` a digit is a note marker when a new sentence (or the paragraph's end)
    follows it; otherwise it belongs to the number.
    """
    if not re.match(r"\d\.", text[max(0, start - 2) : start]):
        return False
    return re.match(r"[\s”’)\]]*(?:[A-Z“‘(]|$)", text[end:]) is None


def _strip_note_markers(blocks: list[Block]) -> None:
    """Remove flattened footnote markers (``networks1``) from body text, in note order.

    A digit run counts as a marker only when it is the next note number
    expected in the chapter and the chapter's notes have that number, and is
    not the decimals of a number: ``in 2021.3 The`` loses the ``3``, ``$27.3 million``
    keeps it.
    """
    notes = {b.number for b in blocks if b.kind is Kind.NOTE and b.number}
    if not notes:
        return
    last = max(notes)
    expected = 1
    for b in blocks:
        if b.kind not in (Kind.PARAGRAPH, Kind.HEADING, Kind.BACK) or expected > last:
            continue
        drop: list[int] = []
        for m in NOTE_MARKER.finditer(b.text):
            if (
                int(m.group(1)) == expected
                and not FIGURE_NUMBER.search(b.text, 0, m.start(1))
                and not _decimal(b.text, m.start(1), m.end(1))
            ):
                drop.extend(range(m.start(1), m.end(1)))
                b.note_refs.append(expected)
                expected += 1
        b.span = b.span.delete(drop)


def _chapter_pages(ch: Chapter, blocks: list[Block]) -> None:
    labelled = [b.pages for b in blocks if b.kind is Kind.PARAGRAPH and b.pages.first]
    if not labelled:
        return
    certainty = (
        Certainty.EXACT
        if all(p.certainty is Certainty.EXACT for p in labelled)
        else Certainty.INFERRED
    )
    ch.pages = Pages(labelled[0].first, labelled[-1].last, certainty)
