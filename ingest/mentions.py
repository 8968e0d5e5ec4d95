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

SCANNED = {
    Kind.PARAGRAPH,
    Kind.NOTE,
    Kind.HEADING,
    Kind.CAPTION,
    Kind.TABLE,
    Kind.TITLE,
    Kind.FRONT,
    Kind.BACK,
}


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


def _matchable(entity: Entity, label: str, proper: bool) -> bool:
    """Labels that name the entity, not everyday words that also describe it.

    An actor, place or institution is not found by a single lower-case word ("blocks",
    "sanctions"), and an entity with a proper name ("Chinese tech giants") is not found by
    a lower-case description of it ("tech giants").
    """
    if entity.top == "Concept":
        return True
    words = [w for *_, w in tokens(label)]
    if len(words) == 1 and label.islower():
        return False
    return not (proper and not any(w[:1].isupper() or w.isdigit() for w in words))


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\n‘“'\"(")
    return not before or before[-1] in ".!?:"


def common_words(docs: Iterable[Document], min_count: int = 3) -> frozenset[str]:
    """Everyday words: written in lower case at least ``min_count`` times, and at least as
    often as they are capitalised inside a sentence ("indeed", not "china")."""
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for doc in docs:
        for b in doc.blocks:
            for start, _, w in tokens(b.text):
                if w.islower():
                    lower[w] += 1
                elif w[:1].isupper() and not _sentence_initial(b.text, start):
                    capital[w.lower()] += 1
    return frozenset(w for w, n in lower.items() if n >= min_count and n >= capital[w])


@dataclass
class Matcher:
    """Finds labels as whole token sequences, longest first, in a dictionary of token keys.

    Labels and text are split into word tokens (so a hyphen and a space are the same and an
    apostrophe splits like the text does), each token put in one spelling; case-insensitive
    labels are looked up lower-cased. A match may not be glued by a hyphen to a neighbouring
    word: "sourcing" is not found in "inland-sourcing".
    """

    entities: dict[str, Entity]
    common_words: frozenset[str] = frozenset()  # words the texts write in lower case
    not_initial: set[str] = field(default_factory=set)
    exact: dict[Key, tuple[str, set[str]]] = field(default_factory=dict)
    folded: dict[Key, tuple[str, set[str]]] = field(default_factory=dict)
    longest: int = 1

    def __post_init__(self) -> None:
        for e in self.entities.values():
            if not e.match:
                continue
            proper = any(w[:1].isupper() for *_, w in tokens(e.label))
            for label in e.labels():
                words = [canon(t) for *_, t in tokens(label)]
                if not words or len("".join(words)) < 2 or not _matchable(e, label, proper):
                    continue
                cs = _case_sensitive(e, label)
                if cs and len(words) == 1 and words[0].lower() in self.common_words:
                    self.not_initial.add(words[0])
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
                if n == 1 and words[i] in self.not_initial and _sentence_initial(text, toks[i][0]):
                    continue  # "Indeed," opening a sentence is not the company
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


def find_mentions(
    docs: Iterable[Document],
    matcher: Matcher,
    neighbours: dict[str, set[str]] | None = None,
) -> Iterator[Mention]:
    """Mentions of curated entities in every scanned block.

    A label two entities share ("Mechanical Turk": Amazon's platform, Kempelen's automaton)
    is given to the one the context names: named unambiguously in the same passage, else
    a curated neighbour of it named there ("Kempelen"), else the only one of them named
    unambiguously elsewhere in the same chapter or work. Otherwise it is left out.
    """
    near = neighbours or {}
    for doc in docs:
        blocks = [b for b in doc.blocks if b.kind in SCANNED]
        hits = {id(b): matcher.find(b.text) for b in blocks}
        sure = {
            id(b): {next(iter(ids)) for *_, ids in hits[id(b)] if len(ids) == 1} for b in blocks
        }
        context: dict[int | None, set[str]] = defaultdict(set)
        for b in blocks:
            context[b.chapter] |= sure[id(b)]
        for b in blocks:
            counts: Counter[str] = Counter()
            labels: dict[str, list[str]] = defaultdict(list)
            here = sure[id(b)]
            for _, _, label, ids in hits[id(b)]:
                chosen = ids if len(ids) == 1 else ids & here
                if len(ids) > 1 and len(chosen) != 1:
                    chosen = {i for i in ids if near.get(i, set()) & here}
                if len(ids) > 1 and len(chosen) != 1:
                    chosen = ids & context[b.chapter]
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
    r"\b(?:[A-Z][\w&\-]+|[A-Z]{2,})(?:’s|'s)?"
    r"(?:\s+(?:(?:of|the|and|for|in|on|de|van|von|du|la)\s+)*(?:[A-Z][\w&\-]+|[A-Z]{2,}))*"
)
_SCARE = re.compile(r"[‘“](?P<term>[a-z][a-z\-‐ ]{3,50}[a-z])[’”]")
_STOP_WORDS = """
January February March April May June July August September October November December
The This That These Those There Their They We Our It Its In On At For And But Or If As
When While With From By To Of A An No Not Yes So Such Yet Also Here What Which Who How
"""
_STOP = set(_STOP_WORDS.split())


def _people(matcher: Matcher) -> list[str]:
    return [label for e in matcher.entities.values() if e.type == "Person" for label in e.labels()]


def _is_person(name: str, people: list[str]) -> bool:
    """ "Schmidt", "Le Ludec", "Gray and Suri": surnames of curated people."""
    parts = [p.strip() for p in re.split(r"\band\b|&", name) if p.strip()]
    return all(any(label.endswith(" " + p) or label == p for label in people) for p in parts)


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
    people = _people(matcher)
    for doc in docs:
        for b in doc.blocks:
            if b.kind not in (Kind.PARAGRAPH, Kind.NOTE, Kind.CAPTION):
                continue
            for m in _NAME.finditer(b.text):
                name = re.sub(r"(’s|'s)$", "", m.group(0).strip())
                single = " " not in name
                if name in _STOP or _is_person(name, people):
                    continue
                if single and _sentence_initial(b.text, m.start()):
                    continue
                seen[(name, "name")][doc.work_id] += 1
            for m in _SCARE.finditer(b.text):
                seen[(m.group("term"), "term")][doc.work_id] += 1
    for d in find_definitions(docs):
        if d.quoted:
            seen[(d.term, "defined term")][d.work_id] += min_count  # always worth a look
    out = []
    for (text, kind), per_work in seen.items():
        total = sum(per_work.values())
        if total < min_count or matcher.find(f"of {text}"):  # not at a sentence start
            continue
        out.append(Candidate(text, kind, total, tuple(sorted(per_work))))
    out.sort(key=lambda c: (-c.count, c.text))
    return out
