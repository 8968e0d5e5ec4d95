"""Readers: one per layout, each turning a raw file into a :class:`~ingest.model.Document`.

- ``lines``: one paragraph per line, blank lines between (journal PDF extractions).
- ``printed``: hard-wrapped print lines, double-spaced, with page-start cues and
  sporadic running heads (the edited volume).
- ``markdown``: Markdown (web articles, a user's own ``.md``); ``plain`` is the
  same reader without Markdown syntax, for a user's ``.txt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.textspan import Span


@dataclass(frozen=True)
class Line:
    no: int  # 1-based
    text: str  # without the newline
    start: int  # raw offset of the first character

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    def span(self) -> Span:
        return Span.raw(self.text, self.start)


def split_lines(raw: str) -> list[Line]:
    out: list[Line] = []
    pos = 0
    for i, text in enumerate(raw.split("\n"), start=1):
        out.append(Line(i, text, pos))
        pos += len(text) + 1
    return out


# In-line repairs shared by the readers; each deletes raw characters only.
COMPOUND_SPACE = re.compile(r"(?<=\w-) (?=\w)")  # foreign- owned -> foreign-owned
SUSPENDED_SPACE = re.compile(r"(?<=\w-) (?= \w)")  # low-  and -> low- and
EN_DASH_SPACE = re.compile(r"(?<=\S–) (?=\S)")  # 137– 138 -> 137–138
EM_DASH_SPACE = re.compile(r"(?<=\S—) (?=\S)")  # anywhere— in -> anywhere—in
PAREN_SPACE = re.compile(r"(?<=\() (?=J)")  # ( Jones 2011) -> (Jones 2011)
_TLD = r"(?:com|co|ph|me|ai|io|org|net|it|id|uk|ac|ox|de|fr|cn|gov|edu|info)\b"
DOMAIN_SPACE_BEFORE = re.compile(r"(?<=\w) (?=\. " + _TLD + ")")  # Taobao . com
DOMAIN_SPACE_AFTER = re.compile(r"(?<=\w\.) (?=" + _TLD + ")")


def repair_print_spacing(span: Span) -> Span:
    """Undo the typesetting spaces a PDF extraction leaves after hyphens and dashes."""
    for pattern in (
        COMPOUND_SPACE,
        SUSPENDED_SPACE,
        EN_DASH_SPACE,
        EM_DASH_SPACE,
        PAREN_SPACE,
        DOMAIN_SPACE_BEFORE,
        DOMAIN_SPACE_AFTER,
    ):
        span = span.delete_matches(pattern)
    return span


URL_LINE = re.compile(r"^\s?(?:https?://|www\.)\S+\s*$")
