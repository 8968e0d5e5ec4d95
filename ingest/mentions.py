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


_TOKEN = re.compile(r"\w+")
_SPELLING = (
    (re.compile(r"(?i)^(.*lab)our(s|ers?|ed|ing)?$"), r"\1or\2"),
    (re.compile(r"(?i)^(.*i)s(ation|ations|ing|ed|e|es)$"), r"\1z\2"),
    (re.compile(r"(?i)^(.*)centre(s?)$"), r"\1center\2"),
)


def canon(token: str) -> str:
    """One spelling for the variants the texts use (labour/labor, -ise/-ize, centre/center)."""
    for rx, repl in _SPELLING:
        token = rx.sub(repl, token)
    return token


def tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]


def _plurals(word: str) -> list[str]:
    if word.isupper() and len(word) > 1:
        return [word + "s"]  # acronyms: BPOs, DLBs
    if not re.search(r"[a-z]$", word):
        return []
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return [word[:-1] + "ies"]
    if word.endswith(("s", "x", "ch", "sh")):
        return [word + "es"]
    return [word + "s"]


def _case_sensitive(entity: Entity, label: str) -> bool:
    if entity.case_sensitive or label.isupper():
        return True
    return entity.top != "Concept" and any(c.isupper() for c in label)


Key = tuple[str, ...]


@dataclass
class Matcher:
    """Finds labels as whole token sequences, longest first, in a dictionary of token keys.

    Labels and text are split into word tokens (so a hyphen and a space are the same and an
    apostrophe splits like the text does), each token put in one spelling; case-insensitive
    labels are looked up lower-cased. A match may not be glued by a hyphen to a neighbouring
    word: "sourcing" is not found in "inland-sourcing".
    """

    entities: dict[str, Entity]
    exact: dict[Key, tuple[str, set[str]]] = field(default_factory=dict)
    folded: dict[Key, tuple[str, set[str]]] = field(default_factory=dict)
    longest: int = 1

    def __post_init__(self) -> None:
        for e in self.entities.values():
            for label in e.labels():
                words = [canon(t) for *_, t in tokens(label)]
                if not words or len("".join(words)) < 2:
                    continue
                cs = _case_sensitive(e, label)
                plural = not (cs and label[:1].isupper()) or label.isupper()
                variants = [words] + [
                    [*words[:-1], p] for p in (_plurals(words[-1]) if plural else [])
                ]
                table = self.exact if cs else self.folded
                for v in variants:
                    key = tuple(v) if cs else tuple(w.lower() for w in v)
                    table.setdefault(key, (label, set()))[1].add(e.id)
                    self.longest = max(self.longest, len(key))

    def find(self, text: str) -> list[tuple[int, int, str, set[str]]]:
        """Non-overlapping (start, end, label, entity ids) in ``text``, longest first."""
        toks = tokens(text)
        words = [canon(t) for *_, t in toks]
        lower = [w.lower() for w in words]
        hits: list[tuple[int, int, str, set[str]]] = []
        i = 0
        while i < len(toks):
            for n in range(min(self.longest, len(toks) - i), 0, -1):
                found = self.exact.get(tuple(words[i : i + n])) or self.folded.get(
                    tuple(lower[i : i + n])
                )
                if found is None or not self._free(text, toks, i, i + n):
                    continue
                hits.append((toks[i][0], toks[i + n - 1][1], found[0], found[1]))
                i += n - 1
                break
            i += 1
        return hits

    @staticmethod
    def _free(text: str, toks: list[tuple[int, int, str]], i: int, j: int) -> bool:
        """The tokens i..j-1 are not glued by a hyphen to the words around them."""
        start, end = toks[i][0], toks[j - 1][1]
        before = text[start - 1 : start] if start else ""
        after = text[end : end + 1]
        if before in "-‐" and before and start >= 2 and text[start - 2].isalnum():
            return False
        return not (after in "-‐" and after and text[end + 1 : end + 2].isalnum())


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

_Q = "[‘'“\"]"
_UNQ = "[’'”\"]"
_TERM = (
    rf"(?:{_Q}(?P<qterm>[A-Za-z][^’'”\"]{{2,60}}){_UNQ}"
    r"|(?P<term>[A-Za-z][\w\-‐]*(?: [\w\-‐]+){0,3}))"
)
DEFINITION_PATTERNS: dict[str, re.Pattern[str]] = {
    "what we call X": re.compile(
        r"\b(?:what|which|a process) (?:we|I|they|scholars|others) (?:have )?"
        r"(?:call|term|refer to as|describe as|label|name)(?:ed)? " + _TERM
    ),
    "the concept of X": re.compile(
        r"\b(?:concept|notion|term|idea|framework|lens) of (?:the )?" + _TERM
    ),
    "X refers to": re.compile(
        rf"{_Q}(?P<qterm>[A-Za-z][^’'”\"]{{2,60}}){_UNQ},? "
        r"(?:refers to|is defined as|means|describes|denotes)\b"
    ),
    "we define X as": re.compile(r"\b(?:we|I) (?:define|understand|conceptuali[sz]e) " + _TERM),
    "so-called X": re.compile(r"\bso[\-‐ ]called " + _TERM),
}


@dataclass
class PatternDefinition:
    term: str
    quoted: bool  # the text puts the term in quotation marks (else: up to four words)
    pattern: str
    work_id: str
    block: Block
    start: int  # the sentence that holds the match, in the block's text
    end: int


def _sentence(text: str, at: int) -> tuple[int, int]:
    splits = re.finditer(r"[.!?][’”\"]?\s+(?=[A-Z‘“\"'])", text)
    starts = [m.end() for m in splits if m.end() <= at]
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
                    groups = m.groupdict()
                    quoted = groups.get("qterm") is not None
                    term = (groups["qterm"] if quoted else groups["term"]).strip(" -‐,")
                    start, end = _sentence(b.text, m.start())
                    yield PatternDefinition(term, quoted, name, doc.work_id, b, start, end)


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
        if d.quoted:
            seen[(d.term, "defined term")][d.work_id] += min_count  # always worth a look
    out = []
    for (text, kind), per_work in seen.items():
        total = sum(per_work.values())
        if total < min_count or matcher.find(text):
            continue
        out.append(Candidate(text, kind, total, tuple(sorted(per_work))))
    out.sort(key=lambda c: (-c.count, c.text))
    return out
