"""Automatic population: entity mentions, co-mentions, definitions by pattern, candidates.

Mentions are found by one regular expression per entity label, built to forgive what
spelling does between the texts (labour / labor, -isation / -ization, a hyphen or a space
between words, a plural ending) and nothing that changes the name. Proper names match with
their case: a label with a capital letter (or an entity flagged ``case_sensitive``) only
matches as written, so the company "Humans in the Loop" is not found in the phrase "humans in
the loop", and the acronym "DLB" not in a word. Concept terms match in any case. Where two
labels overlap, the longest wins ("Amazon Mechanical Turk" over "Amazon"). A label shared by
two entities counts only where one of them is also named unambiguously in the same passage.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations

from ingest.curation import Entity
from ingest.model import Block, Document, Kind

SCANNED = {Kind.PARAGRAPH, Kind.NOTE, Kind.HEADING, Kind.CAPTION, Kind.TABLE, Kind.TITLE}
_APOS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


def _word(token: str) -> str:
    """The regex for one word of a label, with its spelling variants."""
    t = re.escape(token)
    t = re.sub(r"(?i)(lab)ou?r", lambda m: m.group(1) + "ou?r", t)
    t = re.sub(r"i[sz](ation|ing|ed|e)\b", r"i[sz]\1", t)
    t = re.sub(r"centre\b|center\b", "cent(?:re|er)", t)
    return t


def label_pattern(label: str, plural: bool) -> str:
    """Regex source for a label: words joined by space or hyphen, an optional plural."""
    words = [w for w in re.split(r"[\s\-‐]+", label.translate(_APOS)) if w]
    body = r"[\s\-‐]?".join(_word(w) for w in words) if len(words) > 1 else _word(words[0])
    if plural and re.search(r"[a-z]$", words[-1]):
        if words[-1].endswith("y"):
            body = body[:-1] + "(?:y|ies)"
        else:
            body += "(?:e?s)?"
    return rf"(?<![\w\-]){body}(?![\w])"


def _case_sensitive(entity: Entity, label: str) -> bool:
    if entity.case_sensitive or label.isupper():
        return True
    return entity.top != "Concept" and any(c.isupper() for c in label)


@dataclass
class Matcher:
    """Two alternations (case-sensitive and not), longest label first."""

    entities: dict[str, Entity]
    owners: dict[tuple[bool, str], set[str]] = field(default_factory=dict)
    _regexes: list[tuple[bool, re.Pattern[str], list[tuple[str, bool]]]] = field(
        default_factory=list
    )

    def __post_init__(self) -> None:
        by_mode: dict[bool, dict[str, set[str]]] = {True: defaultdict(set), False: defaultdict(set)}
        for e in self.entities.values():
            for label in e.labels():
                if len(label.strip()) < 2:
                    continue
                cs = _case_sensitive(e, label)
                key = label.translate(_APOS) if cs else label.translate(_APOS).lower()
                by_mode[cs][key].add(e.id)
        for cs, table in by_mode.items():
            labels = sorted(table, key=len, reverse=True)
            plural = [not (cs and lab[:1].isupper()) for lab in labels]
            src = "|".join(
                f"(?P<g{i}>{label_pattern(lab, pl)})"
                for i, (lab, pl) in enumerate(zip(labels, plural, strict=True))
            )
            if not src:
                continue
            flags = 0 if cs else re.IGNORECASE
            self._regexes.append(
                (cs, re.compile(src, flags), list(zip(labels, plural, strict=True)))
            )
            for lab in labels:
                self.owners[(cs, lab)] = table[lab]

    def find(self, text: str) -> list[tuple[int, int, str, set[str]]]:
        """Non-overlapping (start, end, label, entity ids) in ``text``, longest first."""
        text = text.translate(_APOS)
        hits: list[tuple[int, int, str, set[str]]] = []
        for cs, rx, labels in self._regexes:
            for m in rx.finditer(text):
                assert m.lastgroup is not None
                label = labels[int(m.lastgroup[1:])][0]
                hits.append((m.start(), m.end(), label, self.owners[(cs, label)]))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        kept: list[tuple[int, int, str, set[str]]] = []
        end = -1
        for h in hits:
            if h[0] >= end:
                kept.append(h)
                end = h[1]
        return kept


@dataclass
class Mention:
    entity: str
    work_id: str
    block: Block
    count: int
    labels: list[str]


def find_mentions(docs: Iterable[Document], matcher: Matcher) -> Iterator[Mention]:
    for doc in docs:
        for b in doc.blocks:
            if b.kind not in SCANNED:
                continue
            hits = matcher.find(b.text)
            sure = {next(iter(ids)) for *_, ids in hits if len(ids) == 1}
            counts: Counter[str] = Counter()
            labels: dict[str, list[str]] = defaultdict(list)
            for _, _, label, ids in hits:
                chosen = ids if len(ids) == 1 else ids & sure
                if len(chosen) != 1:
                    continue
                eid = next(iter(chosen))
                counts[eid] += 1
                if label not in labels[eid]:
                    labels[eid].append(label)
            for eid, n in counts.items():
                yield Mention(eid, doc.work_id, b, n, labels[eid])


def co_mentions(mentions: Iterable[Mention]) -> Counter[tuple[str, str]]:
    """Pairs of entities mentioned in the same passage, with in how many passages."""
    per_block: dict[int, set[str]] = defaultdict(set)
    for m in mentions:
        per_block[id(m.block)].add(m.entity)
    pairs: Counter[tuple[str, str]] = Counter()
    for ids in per_block.values():
        for a, b in combinations(sorted(ids), 2):
            pairs[(a, b)] += 1
    return pairs


# ---------------------------------------------------------------- definitions by pattern

_TERM = r"[‘'“\"]?(?P<term>[A-Za-z][\w\-‐ ]{2,60}?)[’'”\"]?"
DEFINITION_PATTERNS: dict[str, re.Pattern[str]] = {
    "what we call X": re.compile(
        r"\b(?:what|which|a process) (?:we|I|they|scholars|others) (?:have )?"
        r"(?:call|term|refer to as|describe as|label|name)(?:ed)? "
        + _TERM
        + r"(?=[\s,.;:)’'”\"]|$)"
    ),
    "the concept of X": re.compile(
        r"\b(?:the |a )?(?:concept|notion|term|idea|framework|lens) of "
        + _TERM
        + r"(?=[,.;:)’'”\"]|\s)"
    ),
    "X refers to": re.compile(
        r"[‘'“\"](?P<term>[A-Za-z][\w\-‐ ]{2,60}?)[’'”\"],? "
        r"(?:refers to|is defined as|means|describes|denotes)\b"
    ),
    "we define X as": re.compile(
        r"\b(?:we|I) (?:define|understand|conceptuali[sz]e) " + _TERM + r" as\b"
    ),
    "so-called X": re.compile(r"\bso[\-‐ ]called [‘'“\"](?P<term>[^’'”\"]{3,60})[’'”\"]"),
}


@dataclass
class PatternDefinition:
    term: str
    pattern: str
    work_id: str
    block: Block
    start: int  # the sentence that holds the match, in the block's text
    end: int


def _sentence(text: str, at: int) -> tuple[int, int]:
    starts = [m.end() for m in re.finditer(r"[.!?][’”\"]?\s+(?=[A-Z‘“\"'])", text[:at])]
    start = starts[-1] if starts else 0
    m = re.search(r"[.!?](?=[’”\"]?(?:\s|$))", text[at:])
    end = at + m.end() if m else len(text)
    return start, end


def find_definitions(docs: Iterable[Document]) -> Iterator[PatternDefinition]:
    for doc in docs:
        for b in doc.blocks:
            if b.kind not in (Kind.PARAGRAPH, Kind.NOTE):
                continue
            for name, rx in DEFINITION_PATTERNS.items():
                for m in rx.finditer(b.text):
                    term = m.group("term").strip(" -‐")
                    start, end = _sentence(b.text, m.start())
                    yield PatternDefinition(term, name, doc.work_id, b, start, end)


# ---------------------------------------------------------------- candidates

_NAME = re.compile(
    r"\b(?:[A-Z][\w’'&\-]+|[A-Z]{2,})(?:\s+(?:of|the|and|for|de|du|la)?\s*[A-Z][\w’'&\-]+)*"
)
_SCARE = re.compile(r"[‘“](?P<term>[a-z][a-z\-‐ ]{3,50}[a-z])[’”]")
_STOP = set(
    [
        "The",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Their",
        "They",
        "We",
        "Our",
        "It",
        "Its",
        "In",
        "On",
        "At",
        "For",
        "And",
        "But",
        "Or",
        "If",
        "As",
        "When",
        "While",
        "With",
        "From",
        "By",
        "To",
        "Of",
        "A",
        "An",
        "Figure",
        "Table",
        "Chapter",
        "Notes",
        "References",
        "See",
        "Although",
        "However",
        "Since",
        "After",
        "Before",
        "During",
        "Because",
        "Yet",
        "So",
        "Such",
        "Most",
        "Many",
        "Some",
        "Other",
        "Another",
        "One",
        "Two",
        "Three",
        "First",
        "Second",
        "Third",
        "Finally",
        "Moreover",
        "Furthermore",
        "Also",
        "Here",
        "What",
        "Which",
        "Who",
        "How",
        "Why",
        "Where",
        "Even",
        "Not",
        "No",
        "Yes",
        "I",
        "He",
        "She",
        "You",
        "Its",
        "Ibid",
        "Interview",
    ]
)


@dataclass(frozen=True)
class Candidate:
    text: str
    kind: str  # "name", "term", "defined term"
    count: int
    works: tuple[str, ...]


def candidates(docs: Iterable[Document], matcher: Matcher, min_count: int = 3) -> list[Candidate]:
    """Frequent names and terms of the texts that no curated entity covers yet."""
    seen: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    docs = list(docs)
    for doc in docs:
        for b in doc.blocks:
            if b.kind not in (Kind.PARAGRAPH, Kind.NOTE, Kind.CAPTION):
                continue
            for m in _NAME.finditer(b.text):
                name = m.group(0).strip()
                first = name.split()[0]
                if first in _STOP and len(name.split()) == 1:
                    continue
                if first in _STOP:
                    name = name.split(" ", 1)[1]
                seen[(name, "name")][doc.work_id] += 1
            for m in _SCARE.finditer(b.text):
                seen[(m.group("term"), "term")][doc.work_id] += 1
    for d in find_definitions(docs):
        seen[(d.term, "defined term")][d.work_id] += min_count  # always worth a look
    out = []
    for (text, kind), per_work in seen.items():
        total = sum(per_work.values())
        if total < min_count or matcher.find(text):
            continue
        out.append(Candidate(text, kind, total, tuple(sorted(per_work))))
    out.sort(key=lambda c: (-c.count, c.text))
    return out
