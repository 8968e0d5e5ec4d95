"""Reader for one-paragraph-per-line files (journal articles extracted from PDF).

Each non-empty line is a paragraph, a heading or an apparatus line. The
extraction cuts paragraphs where the printed page or column broke, and puts
page footers (affiliations, licences) or a page's footnotes in the gap; this
reader rejoins a body line that does not end a sentence to the next body line
after such a gap. Headings are short title-like lines that follow a finished
paragraph. Footnote lines (``¹² Mary L. Gray, ...``), notes sections, reference
lists, tables (tab-separated rows) and captions are kept apart from the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.model import Block, Certainty, Document, Kind, Pages
from ingest.readers import Line, split_lines
from ingest.references import is_reference_start
from ingest.textspan import Span

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_VALUE = {c: str(i) for i, c in enumerate(SUPERSCRIPTS)}
SUP_RUN = re.compile(f"[{SUPERSCRIPTS}]+")
FOOTNOTE_LINE = re.compile(rf"^\s*(?:([{SUPERSCRIPTS}]+)|\$\^\{{\^\{{(\d+)\}}\}}\$)\s*(?=\S)")
AFFILIATION = re.compile(
    r"^\s*(?:\^\{?[a-z*]\}?\s*\S"  # caret-notation affiliation markers (^a, ^{*})
    rf"|[{SUPERSCRIPTS}]+\s*(?:Accepted for publication|Corresponding author)"
    rf"|[{SUPERSCRIPTS}]+\s*(?:Department|School|Faculty|Centre|Center|Institut|Universit)"
    r"(?!.*\b(?:19|20)\d\d\b))"
)
FRONT_LINE = re.compile(
    r"^(?:Corresponding author|Creative Commons|Article reuse guidelines|.*© The Author)"
)
CAPTION_LINE = re.compile(
    r"^\s*(?:Table|Figure) \d+[.:]|^\s*\[INSERT (?:FIGURE|TABLE) [^\]]*\]\s*$"
)
NOTES_HEADING = re.compile(r"^\s*(?:Notes|Endnotes)\s*$")
REFERENCES_HEADING = re.compile(r"^\s*(?:References|Bibliography|Works Cited)\s*$")
BIO = re.compile(
    r"^(?:\*\*)?[A-Z][\w.-]+(?: [A-Z][\w.-]+){1,3}(?:\*\*)? is an? (?:[A-Z][a-z]+ )?"
    r"(?:Professor|Lecturer|reporter|researcher|journalist|writer|PhD|Systems Scientist|Scientist)"
)
BACK_HEADINGS = {
    "ORCID iDs",
    "Funding",
    "Funding details",
    "Declaration of conflicting interests",
    "Disclosure statement",
    "Acknowledgements",
    "Acknowledgments",
}
TERMINAL = tuple(".?!:;)”\"’'…")
FUNCTION_WORDS = {"and", "or", "the", "of", "to", "in", "for", "a", "an", "with", "as", "by", "on"}
ESCAPES = re.compile(r"\\(?=[$*_#])|\*+(?=\S)|(?<=\S)\*+|^- (?=\S)")
PLAIN_MARKER = re.compile(r"(?<=[.,;:”\"’)])\s?(\d{1,2})(?=\s+[A-Z“\"]|\s*$)")


@dataclass
class _Item:
    line: Line
    kind: Kind
    note_no: int | None = None


def read_lines(doc: Document, title: str, first_page: tuple[int, int] | None) -> None:
    """Fill ``doc`` from a one-paragraph-per-line file."""
    items = _classify(split_lines(doc.raw), title)
    doc.blocks.extend(_assemble(items))
    _strip_markers(doc.blocks)
    if first_page:
        _first_page(doc, first_page)


def _first_page(doc: Document, lines: tuple[int, int]) -> None:
    """Blocks on the masthead-anchored first page; a paragraph that leaves it
    keeps page 1 for its opening and an unknown page for the rest."""
    first, last = lines
    raw_lines = split_lines(doc.raw)
    end_raw = raw_lines[last - 1].start + len(raw_lines[last - 1].text)  # end of the last line
    for b in doc.blocks:
        if not first <= b.lines[0] <= last:
            continue
        b.pages = Pages("1", "1", Certainty.EXACT)
        beyond = next((i for i, o in enumerate(b.span.offsets) if o > end_raw), None)
        if b.lines[1] > last and beyond is not None:
            b.page_breaks = [(beyond, "")]


def _classify(lines: list[Line], title: str) -> list[_Item]:
    items: list[_Item] = []
    region = "front"
    title_norm = _fold(title)
    texts = [ln for ln in lines if ln.text.strip()]
    for k, ln in enumerate(texts):
        text = ln.text.strip()
        nxt = texts[k + 1].text.strip() if k + 1 < len(texts) else ""
        if region == "front" and not any(i.kind is Kind.TITLE for i in items):
            is_title = _is_title(text, title_norm) or not title_norm
            items.append(_Item(ln, Kind.TITLE if is_title else Kind.FRONT))
            continue
        if region == "front" and _is_title(text, title_norm):
            items.append(_Item(ln, Kind.TITLE))
            continue
        if region == "front" and not (_is_heading(text, items) and len(nxt) > 200):
            items.append(_Item(ln, Kind.FRONT))
            continue
        kind, region = _kind(ln, text, region, items)
        if kind is Kind.NOTE and FOOTNOTE_LINE.match(ln.text):
            items.extend(_split_footnotes(ln))
            continue
        items.append(_Item(ln, kind))
    return items


def _is_title(text: str, title_norm: str) -> bool:
    folded = SUP_RUN.sub("", _fold(text))
    return bool(folded) and bool(title_norm) and folded in title_norm


def _kind(ln: Line, text: str, region: str, items: list[_Item]) -> tuple[Kind, str]:
    if AFFILIATION.match(ln.text) or FRONT_LINE.match(text) or _after_corresponding(items):
        return Kind.FRONT, region
    if NOTES_HEADING.match(text):
        return Kind.HEADING, "notes"
    if REFERENCES_HEADING.match(text):
        return Kind.HEADING, "references"
    if FOOTNOTE_LINE.match(ln.text):
        return Kind.NOTE, region
    if CAPTION_LINE.match(ln.text):
        return Kind.CAPTION, region
    if region == "references":
        return Kind.REFERENCE, region
    if region == "notes":
        return Kind.NOTE, region
    if "\t" in ln.text:
        return Kind.TABLE, region
    if BIO.match(text):
        return Kind.BACK, region
    if region == "keywords" and "," in text:
        return Kind.FRONT, region
    if _is_heading(text, items):
        if text == "Keywords":
            return Kind.HEADING, "keywords"
        if text in BACK_HEADINGS:
            return Kind.HEADING, "back"
        return Kind.HEADING, "body"
    if region in ("front", "keywords"):
        return Kind.FRONT, region
    if region == "back":
        return Kind.BACK, region
    return Kind.PARAGRAPH, region


def _after_corresponding(items: list[_Item]) -> bool:
    return bool(items) and items[-1].line.text.strip().startswith("Corresponding author")


def _is_heading(text: str, items: list[_Item]) -> bool:
    words = text.split()
    if not words or len(words) > 15 or len(text) > 130 or text.startswith("- "):
        return False
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "'‘“\""):
        return False
    if text[-1] in '.,;:!”"' or words[-1].lower() in FUNCTION_WORDS or ". " in text:
        return False
    prev = next((i for i in reversed(items) if i.kind in (Kind.PARAGRAPH, Kind.FRONT)), None)
    return prev is None or _ends(prev.line.text) or prev.kind is Kind.FRONT


def _split_footnotes(ln: Line) -> list[_Item]:
    """A footnote line; two notes merged on one line are split at the second number."""
    out: list[_Item] = []
    m = FOOTNOTE_LINE.match(ln.text)
    assert m is not None
    starts = [(m.start(), _note_number(m))]
    for sm in re.finditer(rf"(?<=\. )([{SUPERSCRIPTS}]+) (?=[A-Z])", ln.text):
        starts.append((sm.start(), int("".join(_SUP_VALUE[c] for c in sm.group(1)))))
    for k, (start, no) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(ln.text)
        part = Line(ln.no, ln.text[start:end], ln.start + start)
        out.append(_Item(part, Kind.NOTE, no))
    return out


def _note_number(m: re.Match[str]) -> int:
    if m.group(1):
        return int("".join(_SUP_VALUE[c] for c in m.group(1)))
    return int(m.group(2))


def _assemble(items: list[_Item]) -> list[Block]:
    blocks: list[Block] = []
    section: str | None = None
    pending: list[Line] = []  # a paragraph cut by a page break, waiting for its rest
    notes_seen = 0
    refs: list[list[Line]] = []
    for it in items:
        text = it.line.text.strip()
        if it.kind is Kind.PARAGRAPH:
            if pending and not _ends(pending[-1].text):
                pending.append(it.line)
            else:
                _flush(blocks, pending, section)
                pending = [it.line]
            if _ends(it.line.text):
                _flush(blocks, pending, section)
                pending = []
            continue
        if it.kind is Kind.HEADING:
            _flush(blocks, pending, section)
            pending = []
            section = text
        if it.kind is Kind.REFERENCE:
            if refs and not is_reference_start(text.removeprefix("- ").strip()):
                refs[-1].append(it.line)
            else:
                refs.append([it.line])
            continue
        if refs:
            blocks.extend(_block(Kind.REFERENCE, r, section) for r in refs)
            refs = []
        block = _block(it.kind, [it.line], section)
        if it.kind is Kind.NOTE:
            notes_seen += 1
            block.number = it.note_no or _listed_note_number(text) or notes_seen
            block.span = _strip_note_label(block.span)
        blocks.append(block)
    _flush(blocks, pending, section)
    blocks.extend(_block(Kind.REFERENCE, r, section) for r in refs)
    return blocks


def _listed_note_number(text: str) -> int | None:
    m = re.match(r"^-?\s*(\d{1,2})\.\s", text)
    return int(m.group(1)) if m else None


def _strip_note_label(span: Span) -> Span:
    """Drop the note's own number or bullet (``¹²``, ``- 2.``, ``$^{^{21}}$``)."""
    m = re.match(
        rf"^\s*(?:[{SUPERSCRIPTS}]+|\$\^\{{\^\{{\d+\}}\}}\$|-\s*(?:\d{{1,2}}\.)?)\s*", span.text
    )
    return span.slice(m.end(), len(span)) if m else span


def _flush(blocks: list[Block], lines: list[Line], section: str | None) -> None:
    if lines:
        blocks.append(_block(Kind.PARAGRAPH, lines, section))


def _block(kind: Kind, lines: list[Line], section: str | None) -> Block:
    return Block(kind, _join(lines), (lines[0].no, lines[-1].no), section=section)


def _join(lines: list[Line]) -> Span:
    out = Span()
    for i, ln in enumerate(lines):
        span = ln.span().strip()
        if i + 1 < len(lines):
            nxt = lines[i + 1].text.lstrip()
            if span.text.endswith("-") and nxt[:1].islower() and not span.text.endswith(" -"):
                out.append(span.slice(0, len(span) - 1))  # with- / out -> without
                continue
            out.append(span)
            out.append_joiner(ln.start + len(ln.text))
        else:
            out.append(span)
    return out.delete_matches(ESCAPES)


def _ends(text: str) -> bool:
    t = text.rstrip()
    t = SUP_RUN.sub("", t).rstrip()
    t = re.sub(r"(?<=[.,;:”\"’)])\s?\d{1,2}$", "", t)  # a trailing plain note marker
    return t.endswith(TERMINAL)


def _strip_markers(blocks: list[Block]) -> None:
    """Remove footnote markers from body text, remembering which notes each cites.

    Superscript digits are always markers. Plain digits count only after
    punctuation, when a note with that number exists and follows the last
    marker seen (``power. 11 The``, ``surveilled.40``).
    """
    notes = {b.number for b in blocks if b.kind is Kind.NOTE and b.number}
    last = 0
    for b in blocks:
        if b.kind not in (Kind.PARAGRAPH, Kind.HEADING, Kind.TITLE):
            continue
        drop: list[int] = []
        for m in SUP_RUN.finditer(b.text):
            value = int("".join(_SUP_VALUE[c] for c in m.group()))
            drop.extend(range(m.start() - (b.text[m.start() - 1 : m.start()] == " "), m.end()))
            b.note_refs.append(value)
            last = max(last, value)
        for m in PLAIN_MARKER.finditer(b.text):
            value = int(m.group(1))
            if value in notes and last < value <= last + 10:
                drop.extend(range(m.start(), m.end(1)))
                b.note_refs.append(value)
                last = value
        b.span = b.span.delete(drop)


def _fold(text: str) -> str:
    return " ".join(text.replace("*", "").split()).casefold()
