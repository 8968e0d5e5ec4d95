"""Reader for Markdown (web articles, a user's own ``.md``) and plain ``.txt``.

Paragraphs are runs of non-empty lines separated by blank lines (soft-wrapped
lines are joined with a space, a word broken by a line-end hyphen is rejoined).
Markdown headings (``#``) give sections, the first level-one heading the
title. Web-article apparatus is kept out of the body: the standfirst, byline,
date and key-point bullets before the first body paragraph; pull quotes set
between ``---`` rules; image captions and credits; authors' bios after the last
rule. A body paragraph cut mid-sentence by an embed (a line that ends without
punctuation, followed by one that starts in lower case) is rejoined. A user's
document has no printed pages: its locators are paragraph numbers.
"""

from __future__ import annotations

import re

from ingest.model import Block, Document, Kind
from ingest.readers import Line, split_lines
from ingest.textspan import Span

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
BYLINE = re.compile(r"^(?:By|BY) [A-Z]")
DATE = re.compile(
    r"^\d{1,2} (?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]* \d{4}$", re.IGNORECASE
)
UI_NOISE = re.compile(r"[▼▲►]|^(?:Share|Subscribe|Read more)$", re.IGNORECASE)
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
BIO = re.compile(r"^\*\*[^*]+\*\* (?:is|was) ")
INLINE = re.compile(
    r"\\(?=[\\`*_{}\[\]()#+\-.!$])"  # backslash escapes
    r"|(?<!\w)\*{1,2}(?=\S)|(?<=\S)\*{1,2}(?!\w)"  # emphasis markers
    r"|^\s*#{1,6}\s+"  # heading marks
    r"|\]\([^)]*\)|\[(?=[^\]]*\]\()"  # link syntax, keeping the link text
)
TERMINAL = tuple(".?!:;)”\"’'…")


def read_markdown(doc: Document, markdown: bool = True) -> None:
    """Fill ``doc`` from a Markdown (or, with ``markdown=False``, plain text) file."""
    groups = _paragraph_groups(split_lines(doc.raw))
    section: str | None = None
    title_seen = False
    body_started = False
    in_rule_box = False
    rules_left = sum(1 for g in groups if markdown and RULE.match(g[0].text))
    byline = next((i for i, g in enumerate(groups) if BYLINE.match(g[0].text.strip())), None)
    pending: Block | None = None
    for i, group in enumerate(groups):
        first = group[0].text.strip()
        if markdown and RULE.match(first):
            rules_left -= 1
            in_rule_box = not in_rule_box and rules_left > 0 and body_started
            continue
        kind = Kind.PARAGRAPH
        m = HEADING.match(first) if markdown else None
        if m or (not markdown and _plain_heading(group)):
            level = len(m.group(1)) if m else 2
            kind = Kind.TITLE if level == 1 and not title_seen else Kind.HEADING
            if kind is Kind.TITLE:
                title_seen = True
                section = _clean(_join(group)).text
            if kind is Kind.HEADING:
                section = _clean(_join(group)).text
        elif in_rule_box:
            kind = Kind.CAPTION  # a pull quote: it repeats body text
        elif BIO.match(first) and rules_left == 0 and markdown:
            kind = Kind.BACK
        elif not body_started and _front(group, i, byline):
            kind = Kind.FRONT
        elif len(group) == 2 and group[0].text.endswith("  ") and len(group[1].text) < 80:
            kind = Kind.CAPTION  # an image caption and its credit line
        if kind is Kind.PARAGRAPH and UI_NOISE.search(first) and len(first) < 30:
            continue
        block = Block(kind, _clean(_join(group)), (group[0].no, group[-1].no), section=section)
        if kind is Kind.PARAGRAPH:
            body_started = True
            if pending is not None and block.text[:1].islower():
                _merge(pending, block, group[0])
                pending = pending if not block.text.endswith(TERMINAL) else None
                continue
            pending = block if not block.text.endswith(TERMINAL) else None
        if kind is Kind.TITLE and not markdown:
            kind = Kind.HEADING
        doc.blocks.append(block)


def _paragraph_groups(lines: list[Line]) -> list[list[Line]]:
    groups: list[list[Line]] = []
    current: list[Line] = []
    for ln in lines:
        if ln.blank:
            if current:
                groups.append(current)
            current = []
            continue
        if current and (LIST_ITEM.match(ln.text) or HEADING.match(ln.text)):
            groups.append(current)
            current = []
        current.append(ln)
    if current:
        groups.append(current)
    return groups


def _front(group: list[Line], i: int, byline: int | None) -> bool:
    """A web article's standfirst, byline, date and key points, before its first body paragraph.

    Only an article with a byline has them: the short paragraph just before the
    byline (the standfirst) and the date, interface text and bullets after it.
    """
    text = group[0].text.strip()
    if byline is None:
        return bool(DATE.match(text))
    if i == byline - 1:
        return len(" ".join(ln.text for ln in group)) < 300
    return i >= byline and bool(
        BYLINE.match(text) or DATE.match(text) or LIST_ITEM.match(text) or UI_NOISE.search(text)
    )


def _plain_heading(group: list[Line]) -> bool:
    text = group[0].text.strip()
    return len(group) == 1 and len(text.split()) <= 10 and not text.endswith(TERMINAL)


def _join(group: list[Line]) -> Span:
    out = Span()
    for i, ln in enumerate(group):
        span = ln.span().strip()
        if i + 1 < len(group):
            nxt = group[i + 1].text.lstrip()
            if span.text.endswith("-") and nxt[:1].islower() and span.text[-2:-1].isalpha():
                out.append(span.slice(0, len(span) - 1))
                continue
            out.append(span)
            out.append_joiner(ln.start + len(ln.text))
        else:
            out.append(span)
    return out


def _clean(span: Span) -> Span:
    return span.delete_matches(INLINE).strip()


def _merge(into: Block, part: Block, first: Line) -> None:
    into.span.append_joiner(first.start - 1)
    into.span.append(part.span)
    into.lines = (into.lines[0], part.lines[1])
