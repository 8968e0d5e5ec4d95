"""Text that remembers where each character came from in the raw file.

Every normalisation the readers apply is a *deletion* of raw characters (a
soft hyphen, the artificial space in ``foreign- owned``, a glued note marker,
a Markdown escape) or the insertion of a single joining space where the raw
file has none. So a normalised paragraph is (almost) a subsequence of the raw
file, and ``offsets[i]`` is the raw character offset of ``text[i]``; an
inserted joiner points at the raw newline it stands for. Any quote found in
the normalised text can therefore be shown exactly as the source prints it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Span:
    """A piece of normalised text with one raw offset per character."""

    text: str = ""
    offsets: list[int] = field(default_factory=list)

    @classmethod
    def raw(cls, text: str, start: int) -> Span:
        """The raw slice ``text`` that begins at raw offset ``start``."""
        return cls(text, list(range(start, start + len(text))))

    def __len__(self) -> int:
        return len(self.text)

    def append(self, other: Span) -> None:
        self.text += other.text
        self.offsets.extend(other.offsets)

    def append_joiner(self, raw_offset: int, char: str = " ") -> None:
        """Insert a character the raw file does not have (a joining space)."""
        self.text += char
        self.offsets.append(raw_offset)

    def slice(self, start: int, end: int) -> Span:
        return Span(self.text[start:end], self.offsets[start:end])

    def strip(self) -> Span:
        left = len(self.text) - len(self.text.lstrip())
        right = len(self.text.rstrip())
        return self.slice(left, max(left, right))

    def delete(self, positions: Iterable[int]) -> Span:
        """A copy without the characters at ``positions``."""
        drop = set(positions)
        if not drop:
            return self
        keep = [i for i in range(len(self.text)) if i not in drop]
        return Span("".join(self.text[i] for i in keep), [self.offsets[i] for i in keep])

    def delete_matches(self, pattern: re.Pattern[str], group: int = 0) -> Span:
        """Delete what ``group`` of every match of ``pattern`` covers."""
        drop: list[int] = []
        for m in pattern.finditer(self.text):
            if m.start(group) >= 0:
                drop.extend(range(m.start(group), m.end(group)))
        return self.delete(drop)

    def raw_range(self, start: int = 0, end: int | None = None) -> tuple[int, int]:
        """The raw character range [a, b) that text[start:end] was read from."""
        end = len(self.text) if end is None else end
        if start >= end:
            raise ValueError("empty range")
        return self.offsets[start], self.offsets[end - 1] + 1


def join(spans: Iterable[Span]) -> Span:
    out = Span()
    for s in spans:
        out.append(s)
    return out
