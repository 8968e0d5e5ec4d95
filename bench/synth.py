"""A synthetic corpus: the real corpus plus k−1 remixed copies of every work.

    python bench/synth.py --factor 10 --out DIR [--seed 1] [--verify]

``DIR`` gets the five real texts (byte-identical) and their manifest records
unchanged, ``(k−1) × 5`` remixed works with their own manifest records, and
``DIR/curated/``: the real curated files (byte-identical) plus one
``synth-<id>.yaml`` per copy. Ingest it with the curated folder pointed there::

    DWKG_CURATED_DIR=DIR/curated dwkg ingest --corpus DIR --store STORE

Factor 1 is the real corpus unchanged. A copy of a work keeps the *skeleton* of
its template (the real work it remixes): the raw line structure each reader
keys on (the print layout's continuation spaces, page-start cues and running
heads; the journal layout's footers between the halves of a cut paragraph; the
Markdown groups), and refills it:

- the body paragraphs are paragraphs of the works with the same layout, shuffled
  and, where one is too short for its slot, recombined with the next; the
  print layout is re-wrapped into lines of print width, page by page, so every
  page cue stays where it was and each chapter keeps its page count;
- every name the curated entities give (companies, places, people, concepts,
  institutions …) is replaced by a generated name, one per entity and copy, so
  the copy has new entities; ``curated/synth-<id>.yaml`` declares them (type,
  label, acronym variants) together with the copy's authors as Persons, so
  ingest's mention finder (which only knows curated labels) finds them;
- every in-text citation (author–year group) is rewritten to cite other works
  and chapters of the generated manifest by their authors and years, in the
  template's style (Sage, Harvard, Chicago author-date); the reference lists
  (000, 001 and the two chapters of 003 that keep one) are regenerated, as long
  as the template's: the works cited, then works outside the corpus (uncited
  entries, as real lists have), so every citation resolves; the Chicago
  footnotes of 002 cite generated works; a chapter without a list keeps its
  citations unresolvable, as in the template;
- the title, authors, container, year, DOI, masthead and byline are new; the
  edited volume's chapters are shuffled and renumbered, their title blocks and
  running heads rewritten and their page numbers shifted to the new order.

Left as in the template (counted in the summary): a heading the new names would make too
long to read as a heading; a name followed by a year (``Indeed (2020)``), which with a
new name would read as a citation; captions and tables are renamed but not rewired.

What copies do not get: curated relations and definitions. ``ingest.curation``
accepts quotes only from the five real works (``WorkId`` is the literal
"000"…"004", and work 003 is special-cased for chapters), so the copies' knowledge
is entities, mentions, co-mentions and pattern-found definitions only.

Deterministic for a seed: the same seed and factor give the same bytes.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import random
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ingest import curation, manifest, mentions  # noqa: E402
from ingest.build import read_document  # noqa: E402
from ingest.citations import find_citations  # noqa: E402
from ingest.manifest import WorkEntry  # noqa: E402
from ingest.model import Block, Document, Kind  # noqa: E402
from ingest.readers import URL_LINE  # noqa: E402
from ingest.readers.printed import (  # noqa: E402
    NOTES_HEADING,
    PART_TITLE,
    RUNNING_HEAD_RECTO,
    RUNNING_HEAD_VERSO,
)
from ontology import CURATED_DIR  # noqa: E402

CORPUS = ROOT / "corpus"
MANIFEST = "manifest.json"
CURATED = "curated"

# the citation style each real work prints (its copies keep it)
STYLES = {"000": "sage", "001": "harvard", "002": "notes", "003": "chicago", "004": "chicago"}
TERMINAL = tuple(".?!:;)”\"’'…")
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# a name followed by a year ("Indeed (2020)", "(Amazon 2017)"): a generated name there would
# read as an author-year citation, so the name is kept
YEAR_AFTER = re.compile(r"(?:’s|'s)?,?\s?\(?(?:\[\d{4}\]\s)?(?:1[5-9]|20)\d\d(?!\d)")
PRINT_WIDTH = 84
LINES_MIN_PART = 220  # a cut journal paragraph's first half must not look like a heading


def wordlist(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


SYLLABLES = wordlist(
    "ka lo mer vin tal del ro quin sa bel tor ni vel mar ok ra len dor fi gal zu pe tri an "
    "bo cor du el har ju ke lin mo nor ol pra ren sil ta ul ver wen ya zel"
)
GIVEN = wordlist(
    "Ada Bram Chiara Dalia Emeka Farah Goran Hana Ines Jonas Kofi Lena Mateo Nadia Oskar "
    "Priya Quentin Rosa Samir Tara Umar Vera Xenia Yara Zane Amara Bruno Clara Dmitri Elif "
    "Femi Greta Hugo Ivo Jun Kira Luis Mina Noor Otto Pilar Rafael Sana Tomas Ulla Wanjiru"
)
GERUNDS = wordlist(
    "Mapping Tracing Governing Organising Contesting Assembling Valuing Measuring "
    "Outsourcing Automating Labelling Moderating Sorting Platforming"
)
TOPICS = wordlist(
    "data work|platform labour|annotation work|supply chains|digital piecework|crowdwork|"
    "machine learning|content moderation|data production|algorithmic management|"
    "labour regimes|training data|AI infrastructures|microwork",
    sep="|",
)
ADJECTIVES = wordlist("global planetary hidden invisible precarious networked regional informal")
MONTHS = wordlist(
    "JANUARY FEBRUARY MARCH APRIL MAY JUNE JULY AUGUST SEPTEMBER OCTOBER NOVEMBER DECEMBER"
)
ORG_SUFFIX = {
    "Company": "Labs",
    "PlatformCompany": "Works",
    "BPO": "Services",
    "DataLabellingBase": "Base",
    "StateBody": "Bureau",
    "School": "College",
    "ResearchInstitute": "Institute",
    "Union": "Union",
    "NGO": "Foundation",
    "IntergovernmentalOrganisation": "Council",
    "MediaOrganisation": "Times",
    "Law": "Act",
    "Regulation": "Measures",
    "Policy": "Plan",
}


# ---------------------------------------------------------------- names


class Names:
    """Generated words and people, unique across the whole synthetic corpus."""

    def __init__(self, rng: random.Random, reserved: set[str]) -> None:
        self.rng = rng
        self.used = set(reserved)  # lower-case words the real corpus uses, and ours

    def word(self, low: int = 2, high: int = 3) -> str:
        """A new lower-case word (no English word, no plural-looking ending)."""
        for attempt in range(10_000):
            n = self.rng.randint(low, high + attempt // 2000)
            w = "".join(self.rng.choice(SYLLABLES) for _ in range(n))
            if len(w) >= 4 and w not in self.used and not w.endswith(("s", "x", "y", "h")):
                self.used.add(w)
                return w
        raise RuntimeError("the name space is exhausted")

    def proper(self) -> str:
        return self.word().capitalize()

    def person(self) -> Person:
        return Person(self.rng.choice(GIVEN), self.proper())

    def acronym(self, length: int) -> str:
        """A new upper-case acronym, three letters or more (longer once those run out)."""
        letters = "BCDFGHJKLMNPRSTVWZ"
        for attempt in range(20_000):
            n = max(3, length) + attempt // 500
            a = self.rng.choice("QXZJKV") + "".join(self.rng.choice(letters) for _ in range(n - 1))
            if a.lower() not in self.used:
                self.used.add(a.lower())
                return a
        raise RuntimeError("the acronym space is exhausted")


@dataclass(frozen=True)
class Person:
    given: str
    family: str

    @property
    def full(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def initial(self) -> str:
        return self.given[0]

    def csl(self) -> dict[str, str]:
        return {"given": self.given, "family": self.family}


# ---------------------------------------------------------------- citable units


@dataclass
class Unit:
    """A work or chapter of the generated manifest that others can cite."""

    work_id: str
    chapter: int | None
    authors: list[Person]
    year: int
    title: str
    kind: str  # article-journal | article | article-newspaper | chapter
    container: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    editors: list[Person] = field(default_factory=list)
    publisher: str = ""
    place: str = ""
    date: tuple[int, int] = (1, 1)  # month, day (news)

    def names(self) -> str:
        fam = [p.family for p in self.authors]
        if len(fam) == 1:
            return fam[0]
        if len(fam) == 2:
            return f"{fam[0]} and {fam[1]}"
        return f"{fam[0]} et al."


def _and(items: list[str], serial: bool = False) -> str:
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]}{',' if serial else ''} and {items[1]}"
    return ", ".join(items[:-1]) + f"{',' if serial else ''} and {items[-1]}"


def in_text(units: list[Unit], style: str, narrative: bool) -> str:
    """An author–year citation group in the style of the citing work."""
    sep = ", " if style == "sage" else " "
    if narrative:
        return f"{units[0].names()} ({units[0].year})"
    return "(" + "; ".join(f"{u.names()}{sep}{u.year}" for u in units) + ")"


def reference_entry(u: Unit, style: str) -> str:
    """A reference-list entry for ``u`` in ``style`` (what ingest.references parses)."""
    if style == "sage":
        names = _and([f"{p.family} {p.initial}" for p in u.authors])
        head = f"- {names} ({u.year}) {u.title}."
        if u.kind == "chapter":
            eds = _and([f"{p.family} {p.initial}" for p in u.editors])
            return (
                f"{head} In: {eds} (eds) *{u.container}*. {u.place}: {u.publisher}, pp. {u.pages}."
            )
        if u.kind == "article-newspaper":
            return f"{head} *{u.container}*, {u.date[1]} {MONTHS[u.date[0] - 1].title()} {u.year}."
        return f"{head} *{u.container}* {u.volume}({u.issue}): {u.pages}. DOI: {u.doi}."
    if style == "harvard":
        names = _and([f"{p.family}, {p.initial}." for p in u.authors], serial=True)
        head = f"- {names}, {u.year}. {u.title}."
        pages = u.pages.replace("–", "-")
        if u.kind == "chapter":
            eds = _and([f"{p.initial}. {p.family}" for p in u.editors])
            return f"{head} In {eds}, eds. {u.container}. {u.place}: {u.publisher}, pp.{pages}."
        if u.kind == "article-newspaper":
            return f"{head} {u.container}, {u.date[1]} {MONTHS[u.date[0] - 1].title()}."
        return f"{head} {u.container}, {u.volume} ({u.issue}), {pages}, DOI: {u.doi}."
    # chicago (author-date)
    first, rest = u.authors[0], u.authors[1:]
    names = _and([f"{first.family}, {first.given}"] + [p.full for p in rest], serial=True)
    title = f"“{u.title}.”"
    if u.kind == "chapter":
        eds = _and([p.full for p in u.editors])
        return (
            f"{names}. {u.year}. {title} In {u.container}, edited by {eds}, {u.pages}. "
            f"{u.place}: {u.publisher}."
        )
    if u.kind == "article-newspaper":
        month = MONTHS[u.date[0] - 1].title()
        return f"{names}. {u.year}. {title} {u.container}, {month} {u.date[1]}."
    return f"{names}. {u.year}. {title} {u.container} {u.volume} ({u.issue}): {u.pages}."


def note_citation(u: Unit) -> str:
    """A full Chicago footnote citing ``u`` (the form of 002's notes)."""
    names = _and([p.full for p in u.authors], serial=True)
    if u.kind == "chapter":
        eds = _and([p.full for p in u.editors])
        return (
            f"{names}, “{u.title},” in {u.container}, ed. {eds} ({u.place}: {u.publisher}, "
            f"{u.year}), {u.pages}."
        )
    if u.kind == "article-newspaper":
        month = MONTHS[u.date[0] - 1].title()
        return f"{names}, “{u.title},” {u.container}, {month} {u.date[1]}, {u.year}."
    return f"{names}, “{u.title},” {u.container} {u.volume}, no. {u.issue} ({u.year}): {u.pages}."


# ---------------------------------------------------------------- entities


@dataclass
class GenEntity:
    id: str
    source: curation.Entity
    label: str
    variants: dict[str, str]  # original label -> generated label

    def record(self, copy_id: str) -> dict[str, Any]:
        rec: dict[str, Any] = {"id": self.id, "type": self.source.type, "label": self.label}
        alts = sorted({v for v in self.variants.values() if v != self.label})
        if alts:
            rec["alt_labels"] = alts
        rec["description"] = (
            f"Synthetic stand-in for {self.source.label} ({self.source.id}) in work {copy_id}."
        )
        for flag in ("pseudonym", "case_sensitive"):
            if getattr(self.source, flag):
                rec[flag] = True
        if not self.source.match:
            rec["match"] = False
        if self.source.date:
            rec["date"] = self.source.date
        return rec


def entity_id(prefix: str, source_id: str) -> str:
    eid = f"{prefix}-{source_id}"
    if len(eid) > 80:
        digest = hashlib.sha1(source_id.encode()).hexdigest()[:8]
        eid = f"{prefix}-{source_id[:50].rstrip('-')}-{digest}"
    return eid


class EntityMap:
    """The generated entity that stands for each real one in one copy."""

    def __init__(self, copy_id: str, names: Names, entities: dict[str, curation.Entity]) -> None:
        self.copy_id = copy_id
        self.prefix = "s" + re.sub(r"[^a-z0-9]+", "-", copy_id.lower()).strip("-")
        self.names = names
        self.entities = entities
        self.made: dict[str, GenEntity] = {}

    def get(self, eid: str) -> GenEntity:
        g = self.made.get(eid)
        if g is None:
            src = self.entities[eid]
            base = self._base(src)
            g = GenEntity(entity_id(self.prefix, eid), src, base, {})
            for lab in src.labels():
                g.variants[lab] = self._variant(src, lab, base)
            self.made[eid] = g
        return g

    def label(self, eid: str, orig_label: str) -> str:
        g = self.get(eid)
        return g.variants.get(orig_label, g.label)

    def _base(self, e: curation.Entity) -> str:
        words = [w for *_, w in mentions.tokens(e.label)]
        if e.type == "Person":
            if len(words) == 1:
                return self.names.proper()
            return self.names.person().full
        if e.label.isupper() and len(e.label) <= 6:
            return self.names.acronym(len(e.label))
        last = words[-1] if len(words) > 1 else ""
        if not any(c.isupper() for c in e.label):
            return self.names.word() + (f" {last.lower()}" if last else "")
        head = self.names.proper()
        if len(words) == 1:
            return head
        return f"{head} {last if last[:1].isupper() else ORG_SUFFIX.get(e.type, last.title())}"

    def _variant(self, e: curation.Entity, lab: str, base: str) -> str:
        if lab.isupper() and len(lab) > 1 and not base.isupper():
            return self.names.acronym(min(6, len(lab)))
        return base

    def records(self) -> list[dict[str, Any]]:
        return [g.record(self.copy_id) for g in self.made.values()]


def adapt(generated: str, orig_label: str, surface: str) -> str:
    """The generated name as the text printed the original: plural, capitalised."""
    out = generated
    orig_last = [w for *_, w in mentions.tokens(orig_label)][-1:]
    surf_last = [w for *_, w in mentions.tokens(surface)][-1:]
    if orig_last and surf_last:
        a, b = mentions.canon(orig_last[0]).lower(), mentions.canon(surf_last[0]).lower()
        if a != b and b.endswith("s") and not out.endswith("s"):
            out += "s"
    if surface[:1].isupper() and out[:1].islower():
        out = out[0].upper() + out[1:]
    if len(surface) > 3 and surface.isupper() and not orig_label.isupper():
        out = out.upper()
    return out


# ---------------------------------------------------------------- texts to remix


@dataclass
class Piece:
    """A block text of a real work, with what a copy rewrites in it."""

    work: str
    text: str
    # (start, end, "cite", (count, narrative)) or (start, end, "entity", (label, entity id))
    edits: list[tuple[int, int, str, tuple[Any, ...]]]

    @property
    def words(self) -> int:
        return len(self.text.split())


def citation_groups(text: str) -> list[tuple[int, int, int, bool]]:
    """(start, end, number of citations, narrative) of each author–year citation group."""
    cites = find_citations(text)
    if not cites:
        return []
    out: list[tuple[int, int, int, bool]] = []
    for m in re.finditer(r"\(([^()]*)\)", text):
        inside = [c for c in cites if m.start() < c.end <= m.end()]
        if not inside:
            continue
        narrative = any(c.narrative for c in inside)
        start = min(c.start for c in inside) if narrative else m.start()
        if out and start < out[-1][1]:
            continue
        out.append((start, m.end(), 1 if narrative else min(4, len(inside)), narrative))
    return out


def piece(work: str, text: str, matcher: mentions.Matcher, cites: bool = True) -> Piece:
    edits: list[tuple[int, int, str, tuple[Any, ...]]] = []
    groups = citation_groups(text) if cites else []
    for start, end, n, narrative in groups:
        edits.append((start, end, "cite", (n, narrative)))
    for start, end, label, ids in matcher.find(text):
        if any(s < end and start < e for s, e, *_ in groups):
            continue
        if YEAR_AFTER.match(text, end):
            continue  # "Indeed (2020)": a new name there would read as a citation
        edits.append((start, end, "entity", (label, min(ids))))
    edits.sort(key=lambda e: e[0])
    return Piece(work, text, edits)


# ---------------------------------------------------------------- sources (templates)


@dataclass
class Source:
    """A real work read by its reader, as the template of its copies."""

    entry: WorkEntry
    doc: Document
    raw_lines: list[str]
    starts: list[int]
    hits: Counter[str] = field(default_factory=Counter)  # entity id -> mentions

    @classmethod
    def read(cls, entry: WorkEntry, corpus: Path) -> Source:
        doc = read_document(entry, corpus)
        raw_lines = doc.raw.split("\n")
        starts, pos = [], 0
        for ln in raw_lines:
            starts.append(pos)
            pos += len(ln) + 1
        return cls(entry, doc, raw_lines, starts)

    def line(self, no: int) -> str:
        return self.raw_lines[no - 1]

    def content_lines(self, b: Block) -> list[int]:
        """The raw lines (1-based) the block's characters come from."""
        raw = self.doc.raw
        found = {bisect.bisect_right(self.starts, o) for o in b.span.offsets if raw[o] != "\n"}
        return sorted(found)

    def blocks(self, *kinds: Kind) -> list[Block]:
        return [b for b in self.doc.blocks if b.kind in kinds]


# ---------------------------------------------------------------- one copy


@dataclass
class Copy:
    id: str
    index: int
    source: Source
    style: str
    file: str = ""
    csl: dict[str, Any] = field(default_factory=dict)
    units: list[Unit] = field(default_factory=list)  # the work, or its chapters
    authors: list[Person] = field(default_factory=list)
    chapter_meta: list[dict[str, Any]] = field(default_factory=list)  # in the new order
    order: list[int] = field(default_factory=list)  # template chapter numbers, new order
    entities: EntityMap | None = None
    replace: dict[str, str] = field(default_factory=dict)  # front/back matter strings
    text: str = ""
    rng: random.Random = field(default_factory=random.Random)
    skipped: Counter[str] = field(default_factory=Counter)  # edits left out, by reason


@dataclass
class Summary:
    factor: int
    seed: int
    works: int = 0
    copies: int = 0
    units: int = 0
    generated_entities: int = 0
    bytes: int = 0
    seconds: float = 0.0
    skipped: Counter[str] = field(default_factory=Counter)


class Analysis:
    """The real corpus read once: documents, curated entities, what copies rewrite."""

    def __init__(self, corpus: Path, curated_dir: Path) -> None:
        self.corpus = corpus
        self.curated_dir = curated_dir
        self.entries = manifest.load(corpus)
        self.sources = {e.id: Source.read(e, corpus) for e in self.entries}
        problems: list[str] = []
        self.knowledge = curation.load(curation.curated_files(curated_dir), problems)
        if problems:
            raise SystemExit("curated files do not load:\n  " + "\n  ".join(problems))
        docs = [s.doc for s in self.sources.values()]
        self.matcher = mentions.Matcher(self.knowledge.entities, mentions.common_words(docs))
        self.vocab = frozenset({w.lower() for d in docs for *_, w in mentions.tokens(d.raw)})
        self.pools: dict[str, list[Piece]] = {}
        self.own: dict[tuple[str, int], Piece] = {}  # (work, block order) -> its own piece
        for s in self.sources.values():
            self._analyse(s)

    def _analyse(self, s: Source) -> None:
        pool = self.pools.setdefault(s.entry.layout, [])
        for b in s.doc.blocks:
            if b.kind is Kind.PARAGRAPH:
                p = piece(s.entry.id, b.text, self.matcher)
                s.hits.update(e[3][1] for e in p.edits if e[2] == "entity")
                self.own[(s.entry.id, b.order)] = p
                if p.words >= 12 and b.text.rstrip().endswith(TERMINAL) and _free_start(b.text):
                    pool.append(p)
            elif b.kind is Kind.NOTE:
                cites = s.entry.layout == "printed"
                self.own[(s.entry.id, b.order)] = piece(s.entry.id, b.text, self.matcher, cites)


_ANALYSES: dict[tuple[Path, Path], Analysis] = {}


def analysis(corpus: Path, curated_dir: Path) -> Analysis:
    """The analysis of ``corpus`` (kept for the process: generating again reuses it)."""
    key = (corpus.resolve(), curated_dir.resolve())
    if key not in _ANALYSES:
        _ANALYSES[key] = Analysis(corpus, curated_dir)
    return _ANALYSES[key]


class Generator:
    def __init__(self, corpus: Path, curated_dir: Path, seed: int) -> None:
        a = analysis(corpus, curated_dir)
        self.corpus, self.curated_dir, self.seed = corpus, curated_dir, seed
        self.entries, self.sources, self.knowledge = a.entries, a.sources, a.knowledge
        self.matcher, self.pools, self.own = a.matcher, a.pools, a.own
        self.rng = random.Random(f"datawork-kg synth {seed}")
        self.names = Names(self.rng, set(a.vocab) | {"https", "http", "www"})

    # -- the plan: ids, metadata, citable units ------------------------------------------
    def plan(self, factor: int) -> list[Copy]:
        copies: list[Copy] = []
        for k in range(1, factor):
            for e in self.entries:
                cid = f"{e.id}-s{k:03d}"
                c = Copy(cid, k, self.sources[e.id], STYLES.get(e.id, "chicago"))
                c.rng = random.Random(f"{self.seed}:{cid}")
                c.entities = EntityMap(cid, self.names, self.knowledge.entities)
                self._metadata(c)
                copies.append(c)
        return copies

    def phantom(self, rng: random.Random) -> Unit:
        """A work outside the corpus (an uncited reference-list entry)."""
        year = rng.randint(1990, 2039)
        authors = [self.names.person() for _ in range(rng.choice((1, 1, 2, 3)))]
        topic = rng.choice(TOPICS)
        title = f"{rng.choice(GERUNDS)} {topic} in {self.names.proper()}"
        journal = f"Journal of {self.names.proper()} Studies"
        pages = f"{rng.randint(1, 200)}–{rng.randint(201, 400)}"
        doi = f"10.5555/phantom.{year}.{rng.randint(0, 99999):05d}"
        v, i = str(rng.randint(1, 40)), str(rng.randint(1, 4))
        return Unit("", None, authors, year, title, "article-journal", journal, v, i, pages, doi)

    def references(
        self, c: Copy, others: list[Unit], slots: int, fallback: int
    ) -> tuple[list[Unit], list[Unit]]:
        """What a copy (or chapter) cites, and its reference list: as many entries as
        the template's list (``slots``; ``fallback`` citable works where it has none),
        the corpus works it cites first, works outside the corpus for the rest."""
        cited = c.rng.sample(others, min(slots or fallback, len(others)))
        listed = cited + [self.phantom(c.rng) for _ in range(slots - len(cited))]
        return cited, sorted(listed, key=lambda u: (u.authors[0].family, u.year))

    def _title(self, c: Copy, rng: random.Random) -> str:
        s = c.source
        assert c.entities is not None
        top = [eid for eid, _ in s.hits.most_common(60)]
        rng.shuffle(top)
        concept = next((e for e in top if self.knowledge.entities[e].top == "Concept"), None)
        place = next((e for e in top if self.knowledge.entities[e].top == "Place"), None)
        cname = c.entities.get(concept).label if concept else self.names.word()
        pname = c.entities.get(place).label if place else self.names.proper()
        topic = rng.choice(TOPICS)
        frame = rng.randrange(4)
        if frame == 0:
            return f"{cname[0].upper() + cname[1:]}: {rng.choice(GERUNDS)} {topic} in {pname}"
        if frame == 1:
            return (
                f"{rng.choice(GERUNDS)} {topic}: {cname} and the {rng.choice(ADJECTIVES)} economy"
            )
        if frame == 2:
            return f"The {cname} of {topic}: Evidence from {pname}"
        return f"{cname[0].upper() + cname[1:]} and {topic} in {pname}"

    def _metadata(self, c: Copy) -> None:
        rng, e = c.rng, c.source.entry
        csl = e.csl
        year = rng.randint(2001, 2039)
        n_auth = max(1, len(csl.get("author", [])) or len(csl.get("editor", [])))
        c.authors = [self.names.person() for _ in range(n_auth)]
        title = self._title(c, rng)
        journal = rng.choice(
            ["Journal of {} Studies", "{} Review", "New {} Economy", "{} & Society", "{} Forum"]
        ).format(self.names.proper())
        doi = f"10.5555/synth.{year}.{c.index:03d}{e.id}"
        new: dict[str, Any] = {"type": csl.get("type", "article"), "title": title}
        if csl.get("type") == "book":
            new["editor"] = [p.csl() for p in c.authors]
            new["publisher"] = f"{self.names.proper()} University Press"
            new["publisher-place"] = self.names.proper()
            new["issued"] = {"date-parts": [[year]]}
            self._chapters(c, new, year)
        else:
            new["author"] = [p.csl() for p in c.authors]
            new["container-title"] = (
                journal if e.layout != "markdown" else f"The {self.names.proper()} Post"
            )
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            parts = [year, month, day] if e.layout == "markdown" else [year]
            new["issued"] = {"date-parts": [parts]}
            if "genre" in csl:
                new["genre"] = csl["genre"]
            if e.layout != "markdown":
                new["DOI"] = doi
                new["volume"], new["issue"] = str(rng.randint(1, 40)), str(rng.randint(1, 4))
                new["page"] = f"1–{rng.randint(12, 30)}"
            kind = new["type"]
            c.units = [
                Unit(
                    c.id, None, c.authors, year, title, kind, new["container-title"],
                    new.get("volume", ""), new.get("issue", ""), new.get("page", ""), doi,
                    date=(month, day),
                )
            ]  # fmt: skip
            for old, repl in (
                (csl.get("title", ""), title),
                (csl.get("container-title", ""), new["container-title"]),
                (csl.get("DOI", ""), doi),
            ):
                if old:
                    c.replace[old] = repl
            for old_p, new_p in zip(csl.get("author", []), c.authors, strict=False):
                full = f"{old_p.get('given', '')} {old_p.get('family', '')}".strip()
                c.replace[full] = new_p.full
                c.replace[full.upper()] = new_p.full.upper()
        c.csl = new

    def _chapters(self, c: Copy, book: dict[str, Any], year: int) -> None:
        rng = c.rng
        chapters = list(c.source.doc.chapters)
        order = [ch.number for ch in chapters]
        rng.shuffle(order)
        c.order = order
        by_no = {ch.number: ch for ch in chapters}
        page = 1
        for new_no, old_no in enumerate(order, start=1):
            ch = by_no[old_no]
            authors = [self.names.person() for _ in range(max(1, len(ch.authors)))]
            title = self._title(c, rng) if ch.title else None
            meta: dict[str, Any] = {
                "number": new_no,
                "title": title,
                "title_source": ch.title_source,
                "author": [p.csl() for p in authors],
                "opening": "",  # set once the text is written
            }
            if ch.title_note and ch.title_source == "running-head":
                meta["title_note"] = "Short title from the chapter's running heads."
            c.chapter_meta.append(meta)
            pages = self._page_count(c.source, ch)
            shift = page - int(ch.pages.first) if ch.pages.first else 0
            meta["_shift"], meta["_authors"], meta["_template"] = shift, authors, old_no
            meta["_short"] = (title or self._title(c, rng)).split(":")[0]
            unit_pages = f"{page}–{page + pages - 1}"
            c.units.append(
                Unit(
                    c.id, new_no, authors, year, title or f"Chapter {new_no}", "chapter",
                    book["title"], pages=unit_pages, editors=c.authors,
                    publisher=book["publisher"], place=book["publisher-place"],
                )
            )  # fmt: skip
            page += pages + rng.randint(2, 6)
            page += 1 - page % 2  # chapters open on a recto (odd) page

    @staticmethod
    def _page_count(s: Source, ch: Any) -> int:
        """Pages of a chapter, counted like the print reader does (cues, running heads)."""
        n, notes = 1, False
        for no in range(ch.first_line + 1, ch.last_line + 1):
            text = s.line(no)
            if NOTES_HEADING.match(text):
                notes = True
            cue = (
                text.startswith(" ")
                and bool(text.strip())
                and not URL_LINE.match(text)
                and bool(s.line(no - 1).strip())
                and not notes
            )
            if _running_head(s, no) is not None or cue:
                n += 1
        return n

    # -- writing ---------------------------------------------------------------------------
    def write(self, factor: int, out: Path) -> Summary:
        started = time.perf_counter()
        summary = Summary(factor, self.seed)
        if out.exists() and any(out.iterdir()):
            raise SystemExit(f"{out} is not empty; give a new or empty folder")
        out.mkdir(parents=True, exist_ok=True)
        cur = out / CURATED
        cur.mkdir()
        for p in curation.curated_files(self.curated_dir):
            shutil.copyfile(p, cur / p.name)
        for e in self.entries:
            shutil.copyfile(e.path(self.corpus), out / e.file)
        if factor == 1:
            shutil.copyfile(self.corpus / MANIFEST, out / MANIFEST)
            summary.works = len(self.entries)
            summary.seconds = time.perf_counter() - started
            return summary
        copies = self.plan(factor)
        units = [u for c in copies for u in c.units]
        summary.units = len(units)
        for c in copies:
            self._remix(c, [u for u in units if u.work_id != c.id])
            digest = hashlib.sha256(c.text.encode()).hexdigest()[:16]
            c.file = f"{c.id}_{digest}.txt"
            (out / c.file).write_text(c.text, encoding="utf-8")
            summary.bytes += len(c.text.encode())
            summary.skipped.update(c.skipped)
            assert c.entities is not None
            records = c.entities.records() + self._author_records(c)
            summary.generated_entities += len(records)
            with (cur / f"synth-{c.id}.yaml").open("w", encoding="utf-8") as f:
                yaml.safe_dump({"entities": records}, f, allow_unicode=True, sort_keys=False)
        data = json.loads((self.corpus / MANIFEST).read_text(encoding="utf-8"))
        data["works"] = list(data["works"]) + [self._record(c) for c in copies]
        data["about"] = str(data.get("about", "")) + (
            f" Synthetic corpus ×{factor} (bench/synth.py, seed {self.seed}): the records "
            "after the real works are remixed copies."
        )
        (out / MANIFEST).write_text(
            json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        summary.works = len(data["works"])
        summary.copies = len(copies)
        summary.seconds = time.perf_counter() - started
        return summary

    def _author_records(self, c: Copy) -> list[dict[str, Any]]:
        people = list(c.authors) + [p for m in c.chapter_meta for p in m["_authors"]]
        assert c.entities is not None
        out, seen = [], set()
        for p in people:
            pid = f"{c.entities.prefix}-author-{p.given.lower()}-{p.family.lower()}"
            if pid in seen:
                continue
            seen.add(pid)
            out.append(
                {
                    "id": pid,
                    "type": "Person",
                    "label": p.full,
                    "description": f"An author of the synthetic work {c.id}.",
                }
            )
        return out

    def _record(self, c: Copy) -> dict[str, Any]:
        e = c.source.entry
        rec: dict[str, Any] = {"id": c.id, "file": c.file, "layout": e.layout, "csl": c.csl}
        rec["external"] = {}
        if e.first_page_lines:
            rec["pages"] = {
                "scheme": "masthead",
                "first_page": e.first_page or "1",
                "first_page_lines": list(e.first_page_lines),
            }
        if c.chapter_meta:
            rec["chapters"] = [
                {k: v for k, v in m.items() if not k.startswith("_")} for m in c.chapter_meta
            ]
        rec["synthetic"] = {"template": e.id, "copy": c.index, "seed": self.seed}
        if c.chapter_meta:  # new chapter number -> the template chapter it remixes
            rec["synthetic"]["chapters"] = {
                str(m["number"]): m["_template"] for m in c.chapter_meta
            }
        return rec

    # -- remixing --------------------------------------------------------------------------
    def _remix(self, c: Copy, others: list[Unit]) -> None:
        layout = c.source.entry.layout
        if layout == "printed":
            PrintedRemix(self, c, others).run()
        else:
            FlatRemix(self, c, others).run()

    def render(self, p: Piece, c: Copy, targets: list[Unit], style: str) -> str:
        """``p``'s text with the copy's citations and names.

        A narrative citation whose new names run into the words before it (``Likewise,
        Selwyn (2016)`` becoming ``Likewise, A and B (2031)``, which reads as three
        authors) is written in parentheses instead.
        """
        state = c.rng.getstate()
        text = self._render(p, c, targets, style, narrative=True)
        if any(e[2] == "cite" and e[3][1] for e in p.edits):
            valid = {u.authors[0].family for u in targets}
            if any(x.authors[:1] and x.authors[0] not in valid for x in find_citations(text)):
                c.rng.setstate(state)
                text = self._render(p, c, targets, style, narrative=False)
        return text

    def _render(self, p: Piece, c: Copy, targets: list[Unit], style: str, narrative: bool) -> str:
        assert c.entities is not None
        out, pos = [], 0
        for start, end, kind, data in p.edits:
            out.append(p.text[pos:start])
            if kind == "cite" and targets:
                n, is_narrative = data
                pick = c.rng.sample(targets, min(n, len(targets)))
                out.append(in_text(pick, style, is_narrative and narrative))
            elif kind == "entity":
                label, eid = data
                out.append(adapt(c.entities.label(eid, label), label, p.text[start:end]))
            else:
                out.append(p.text[start:end])
            pos = end
        out.append(p.text[pos:])
        return "".join(out)

    def substitute_line(self, c: Copy, line: str) -> str:
        """A line of front or back matter, a heading or a caption, with the copy's names."""
        assert c.entities is not None
        for old, new in sorted(c.replace.items(), key=lambda kv: -len(kv[0])):
            if old and old in line:
                line = line.replace(old, new)
        hits = self.matcher.find(line)
        if not hits:
            return line
        out, pos = [], 0
        for start, end, label, ids in hits:
            out.append(line[pos:start])
            out.append(adapt(c.entities.label(min(ids), label), label, line[start:end]))
            pos = end
        out.append(line[pos:])
        return "".join(out)


def _running_head(s: Source, no: int) -> str | None:
    """The page label if line ``no`` is a running head (the print reader's rule)."""
    text = s.line(no)
    if not text.strip() or text != text.strip():
        return None
    if no < 3 or s.line(no - 1).strip() or s.line(no - 2).strip():
        return None
    m = RUNNING_HEAD_VERSO.match(text)
    if m:
        return m.group(1)
    m = RUNNING_HEAD_RECTO.match(text)
    return m.group(2) if m else None


# ---------------------------------------------------------------- text assembly helpers


def insert_markers(text: str, numbers: list[int], superscript: bool) -> str:
    """Put note markers back after sentence ends (the readers strip them from the text)."""
    if not numbers:
        return text
    ends = [m.end() for m in re.finditer(r"[a-z)”’]\.(?=\s+[A-Z])", text)]
    if len(ends) >= len(numbers):  # spread over the sentence ends inside the text
        step = len(ends) / len(numbers)
        ends = [ends[int(step * i + step / 2)] for i in range(len(numbers))]
    else:  # the rest at the end, as the texts print a paragraph's last note
        ends += [len(text)] * (len(numbers) - len(ends))
    out, pos, last = [], 0, -1
    for at, n in zip(ends, numbers, strict=False):
        out.append(text[pos:at] + (" " if at == last else ""))
        last = at
        out.append(
            str(n).translate(str.maketrans("0123456789", SUPERSCRIPTS)) if superscript else str(n)
        )
        pos = at
    out.append(text[pos:])
    return "".join(out)


def split_words(text: str, weights: list[int], ok: Callable[[str, str], bool]) -> list[str] | None:
    """Cut ``text`` into ``len(weights)`` runs of words, near the weights' proportions,
    only between two words ``ok`` accepts; None when it cannot."""
    words = text.split()
    n = len(weights)
    if n == 1:
        return [text]
    if len(words) < 2 * n:
        return None
    total = sum(weights) or n
    cuts: list[int] = []
    acc = 0
    for w in weights[:-1]:
        acc += w
        target = round(len(words) * acc / total)
        lo = (cuts[-1] if cuts else 0) + 1
        cands = [
            i for i in range(lo, len(words) - (n - len(cuts) - 1)) if ok(words[i - 1], words[i])
        ]
        if not cands:
            return None
        cuts.append(min(cands, key=lambda i: abs(i - target)))
    bounds = [0, *cuts, len(words)]
    return [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds)]


def wrap(text: str, width: int = PRINT_WIDTH, min_first: int = 0) -> list[str]:
    """Print lines of about ``width`` characters; no line starts with a digit or a URL
    (the print reader would take it for a chapter title block, a note or a link)."""
    lines: list[str] = []
    cur = ""
    for w in text.split():
        breakable = not (w[0].isdigit() or w.startswith(("http", "www.", "(")) or w in ("-", "–"))
        if cur and len(cur) + 1 + len(w) > width and len(cur) >= min_first and breakable:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return lines


# ---------------------------------------------------------------- journal and web layouts


class FlatRemix:
    """Copies of one-paragraph-per-line works (``lines``) and Markdown (``markdown``)."""

    def __init__(self, g: Generator, c: Copy, others: list[Unit]) -> None:
        self.g, self.c, self.s = g, c, c.source
        self.layout = self.s.entry.layout
        self.pool = list(g.pools[self.layout])
        c.rng.shuffle(self.pool)
        self.next = 0
        refs = self.s.blocks(Kind.REFERENCE)
        self.targets, self.listed = g.references(c, others, len(refs), c.rng.randint(12, 24))
        self.lines: dict[int, str | list[str]] = {}  # new text of a raw line (a list: several)

    def draw(self) -> Piece:
        p = self.pool[self.next % len(self.pool)]
        self.next += 1
        return p

    def run(self) -> None:
        s, c = self.s, self.c
        done: set[int] = set()
        for b in s.doc.blocks:
            if b.kind is Kind.PARAGRAPH:
                done.update(self._paragraph(b))
            elif b.kind is Kind.TITLE:
                done.update(self._title(b))
        refs = s.blocks(Kind.REFERENCE)
        if refs:
            first, last = refs[0].lines[0], refs[-1].lines[1]
            entries = [reference_entry(u, c.style) for u in self.listed]
            out: list[str] = []
            for k, entry in enumerate(entries):
                out += ([""] if k else []) + [entry]
            self.lines[first] = out
            done.update(range(first, last + 1))
        if c.style == "notes":
            done.update(self._notes())
        for no in range(1, len(s.raw_lines) + 1):
            if no in done or not s.line(no).strip():
                continue
            self.lines[no] = self._matter(s.line(no))
        c.text = self._assemble(done)

    def _assemble(self, done: set[int]) -> str:
        s = self.s
        out: list[str] = []
        skip_to = 0
        refs = s.blocks(Kind.REFERENCE)
        region = (refs[0].lines[0], refs[-1].lines[1]) if refs else (0, -1)
        for no in range(1, len(s.raw_lines) + 1):
            if no <= skip_to:
                continue
            new = self.lines.get(no)
            if no == region[0]:
                assert isinstance(new, list)
                out += new
                skip_to = region[1]
                continue
            if new is None:
                out.append(s.line(no))
            elif isinstance(new, list):
                out += new
            else:
                out.append(new)
        return "\n".join(out)

    def _matter(self, line: str) -> str:
        c = self.c
        new = self.g.substitute_line(c, line)
        if "©" in new:
            new = re.sub(r"(© The Author\(s\)) \d{4}", rf"\1 {c.units[0].year}", new)
        if self.layout == "markdown" and re.match(r"^\d{1,2} [A-Z]+ \d{4}$", line.strip()):
            u = c.units[0]
            new = f"{u.date[1]} {MONTHS[u.date[0] - 1]} {u.year}"
        return new

    def _title(self, b: Block) -> list[int]:
        """The title line(s): the copy's title, cut over as many lines."""
        title = self.c.csl["title"]
        nos = self.s.content_lines(b)
        titles = [x for x in self.s.doc.blocks if x.kind is Kind.TITLE]
        k = titles.index(b)
        parts = split_words(title, [1] * len(titles), lambda a, z: True) or [title] * len(titles)
        text = parts[k]
        for no in nos:
            old = self.s.line(no)
            heading = re.match(r"^\s*#+\s+", old) if self.layout == "markdown" else None
            if heading:
                self.lines[no] = heading.group(0) + text
            else:
                lead = old[: len(old) - len(old.lstrip())]
                self.lines[no] = lead + text
            text = ""
        return nos

    def _paragraph(self, b: Block) -> list[int]:
        s, c = self.s, self.c
        nos = s.content_lines(b)
        n = len(nos)
        superscript = self.layout == "lines"
        for _attempt in range(20):
            text = insert_markers(self._text(b, n), b.note_refs, superscript)
            if self.layout == "markdown":

                def ok(a: str, z: str) -> bool:
                    return not a.endswith(TERMINAL) and z[:1].islower()
            else:

                def ok(a: str, z: str) -> bool:
                    return not a.rstrip(SUPERSCRIPTS).endswith(TERMINAL) and _free_start(z)

            weights = [max(len(s.line(no)), 2 * LINES_MIN_PART) for no in nos]
            parts = split_words(text, weights, ok)
            if parts is None:
                continue
            if (
                self.layout == "lines"
                and n > 1
                and min(len(p) for p in parts[:-1]) < LINES_MIN_PART
            ):
                continue
            break
        else:
            c.skipped["journal paragraph kept (no cut fits its lines)"] += 1
            return []  # the template's paragraph stays (names substituted as matter)
        for no, part in zip(nos, parts, strict=True):
            old = s.line(no)
            lead = old[: len(old) - len(old.lstrip())] if self.layout == "lines" else ""
            self.lines[no] = lead + part
        return nos

    def _text(self, b: Block, n: int) -> str:
        """Pool text long enough for the slot: one paragraph, or several recombined."""
        c = self.c
        need_chars = LINES_MIN_PART * n + 40 if self.layout == "lines" else 0
        need_words = 14 * n
        texts: list[str] = []
        while True:
            p = self.draw()
            texts.append(self.g.render(p, c, self.targets, c.style))
            joined = " ".join(texts)
            if (
                len(joined) >= max(need_chars, len(b.text) // 2)
                and len(joined.split()) >= need_words
            ):
                return joined

    def _notes(self) -> list[int]:
        """002's footnotes: each note a Chicago citation of a generated work."""
        s, c = self.s, self.c
        per_line: dict[int, list[Block]] = {}
        for b in s.blocks(Kind.NOTE):
            nos = s.content_lines(b)
            if len(nos) != 1:
                continue
            per_line.setdefault(nos[0], []).append(b)
        for no, notes in per_line.items():
            parts = []
            for b in notes:
                sup = str(b.number or 0).translate(str.maketrans("0123456789", SUPERSCRIPTS))
                cited = c.rng.sample(self.targets, min(len(self.targets), c.rng.randint(1, 2)))
                parts.append(f"{sup} " + "; ".join(note_citation(u) for u in cited))
            self.lines[no] = " ".join(parts)
        return list(per_line)


def _free_start(word: str) -> bool:
    """May a journal line start with this word (no caption, list, note or number)?"""
    return not (
        word[:1].isdigit()
        or word[:1] in SUPERSCRIPTS + "-–•("
        or word in ("Table", "Figure", "Source:", "Corresponding")
    )


# ---------------------------------------------------------------- print layout


class PrintedRemix:
    """Copies of the edited volume: chapters shuffled, pages re-wrapped in place."""

    def __init__(self, g: Generator, c: Copy, others: list[Unit]) -> None:
        self.g, self.c, self.s = g, c, c.source
        self.pool = list(g.pools["printed"])
        c.rng.shuffle(self.pool)
        # each chapter opens with a paragraph used nowhere else in the copy, so the
        # manifest's opening words find it (the reader looks for them after the
        # previous chapter's start)
        firsts = {ch.first_line for ch in c.source.doc.chapters}
        self.openers = {
            b.order
            for b in c.source.blocks(Kind.PARAGRAPH)
            if firsts & set(c.source.content_lines(b))
        }
        self.reserved = self.pool[: len(self.openers)]
        self.pool = self.pool[len(self.openers) :]
        self.next = 0
        self.others = others
        self.edits: dict[int, tuple[int, list[str]]] = {}  # first line -> (last line, new lines)
        self.meta = {m["_template"]: m for m in c.chapter_meta}

    def draw(self) -> Piece:
        p = self.pool[self.next % len(self.pool)]
        self.next += 1
        return p

    def run(self) -> None:
        s, c = self.s, self.c
        chapters = {ch.number: ch for ch in s.doc.chapters}
        done: set[int] = set()
        targets: dict[int, list[Unit]] = {}
        listed: dict[int, list[Unit]] = {}
        refs_by_ch: dict[int, list[Block]] = {}
        for b in s.blocks(Kind.REFERENCE):
            assert b.chapter is not None
            refs_by_ch.setdefault(b.chapter, []).append(b)
        for no in chapters:
            slots = len(refs_by_ch.get(no, []))
            targets[no], listed[no] = self.g.references(c, self.others, slots, c.rng.randint(8, 20))
        for b in s.doc.blocks:
            assert b.chapter is not None
            ch_targets = targets[b.chapter]
            if b.kind is Kind.PARAGRAPH:
                done.update(self._refill(b, self._body_text(b, ch_targets)))
            elif b.kind is Kind.NOTE:
                p = self.g.own[(s.entry.id, b.order)]
                done.update(self._refill(b, self.g.render(p, c, ch_targets, "chicago")))
            elif b.kind is Kind.TITLE:
                done.update(self._title_block(b))
        for no, blocks in refs_by_ch.items():
            for b, u in zip(blocks, listed[no], strict=True):
                entry = reference_entry(u, "chicago")
                done.update(self._refill(b, entry, min_first=entry.index(f" {u.year}.") + 6))
        for ch in chapters.values():
            meta = self.meta[ch.number]
            for no in range(ch.first_line, ch.last_line + 1):
                if no in done:
                    continue
                label = _running_head(s, no)
                if label is not None:
                    self.edits[no] = (no, [self._head(s.line(no), label, meta)])
                    done.add(no)
                elif s.line(no).strip() and not (
                    URL_LINE.match(s.line(no)) or PART_TITLE.match(s.line(no))
                ):
                    self.edits[no] = (no, [self._matter(s.line(no))])
        self._assemble(chapters)

    def _matter(self, line: str) -> str:
        new = self.g.substitute_line(self.c, line)
        if len(new.strip()) > 90 and len(line.strip()) <= 95:
            self.c.skipped["heading kept (the new names make it too long)"] += 1
            return line  # a heading must stay a heading
        return new

    def _head(self, line: str, label: str, meta: dict[str, Any]) -> str:
        page = str(int(label) + int(meta["_shift"]))
        if RUNNING_HEAD_VERSO.match(line):
            people: list[Person] = meta["_authors"]
            if re.search(r"\b[A-Z]\. ", line):
                names = _and([f"{p.initial}. {p.family}" for p in people])
            else:
                names = _and([p.full for p in people])
            return f"{page} {names}"
        return f"{meta['_short']} {page}"

    def _title_block(self, b: Block) -> list[int]:
        s = self.s
        assert b.chapter is not None
        meta = self.meta[b.chapter]
        nos = [no for no in range(b.lines[0], b.lines[1] + 1) if s.line(no).strip()]
        people: list[Person] = meta["_authors"]
        fams = {a.get("family", "") for a in self._template_chapter(b.chapter).authors}
        has_authors = any(f and f in s.line(nos[-1]) for f in fams) and len(nos) > 1
        n_title = len(nos) - (1 if has_authors else 0)
        title = f"{meta['number']} {meta['title'] or self.g._title(self.c, self.c.rng)}"
        parts = split_words(title, [1] * n_title, lambda a, z: not z[:1].isdigit()) or [title]
        parts += [""] * (n_title - len(parts))
        texts = [p + ("  " if k + 1 < n_title else "") for k, p in enumerate(parts)]
        if has_authors:
            texts.append(_and([p.full for p in people]))
        for no, text in zip(nos, texts, strict=True):
            self.edits[no] = (no, [text])
        return nos

    def _template_chapter(self, number: int) -> Any:
        return next(ch for ch in self.s.doc.chapters if ch.number == number)

    def _body_text(self, b: Block, targets: list[Unit]) -> str:
        c = self.c
        nos = self.s.content_lines(b)
        need = max(8 * len(_segments(nos, self.s)), len(b.text.split()) // 2)
        texts: list[str] = []
        if b.order in self.openers:
            texts.append(self.g.render(self.reserved.pop(), c, targets, "chicago"))
        while len(" ".join(texts).split()) < need:
            texts.append(self.g.render(self.draw(), c, targets, "chicago"))
        return insert_markers(" ".join(texts), b.note_refs, superscript=False)

    def _refill(self, b: Block, text: str, min_first: int = 0) -> list[int]:
        """Write ``text`` into the block's lines, page by page, keeping every page cue."""
        s = self.s
        nos = s.content_lines(b)
        segs = _segments(nos, s)
        weights = [sum(len(s.line(n)) for n in seg) for seg in segs]
        parts = (
            split_words(text, weights, lambda a, z: not z[:1].isdigit())
            if len(segs) > 1
            else [text]
        )
        if parts is None:
            self.c.skipped["print block kept (too short for its pages)"] += 1
            for no in nos:
                self.edits[no] = (no, [self._matter(s.line(no))])
            return nos
        for seg, part in zip(segs, parts, strict=True):
            first, last = s.line(seg[0]), s.line(seg[-1])
            lead = first[: len(first) - len(first.lstrip(" "))]
            trail = " " if last.endswith((" ", "-")) else ""
            lines = wrap(part, min_first=min_first if seg is segs[0] else 0)
            out: list[str] = []
            for k, ln in enumerate(lines):
                text_ = (lead if k == 0 else "") + ln + (" " if k + 1 < len(lines) else trail)
                out += ([""] if k else []) + [text_]
            self.edits[seg[0]] = (seg[-1], out)
        return nos

    def _assemble(self, chapters: dict[int, Any]) -> None:
        s, c = self.s, self.c
        out: list[str] = []
        starts: dict[int, int] = {}
        for old_no in c.order:
            ch = chapters[old_no]
            starts[old_no] = len(out)
            no = ch.first_line
            while no <= ch.last_line:
                if no in self.edits:
                    last, new = self.edits[no]
                    out += new
                    no = last + 1
                else:
                    out.append(s.line(no))
                    no += 1
        for old_no in c.order:
            meta = self.meta[old_no]
            line = out[starts[old_no]].strip()
            words = line.split()
            opening = " ".join(words[:6])
            prev = starts[c.order[c.order.index(old_no) - 1]] if c.order.index(old_no) else 0
            clash = any(x.lstrip().startswith(opening) for x in out[prev + 1 : starts[old_no]])
            meta["opening"] = line if clash else opening
        c.text = "\n".join(out)


def _segments(nos: list[int], s: Source) -> list[list[int]]:
    """Runs of a block's lines with one blank line between them (a page cue, a running
    head, a figure or a title block breaks a run)."""
    segs: list[list[int]] = []
    for no in nos:
        if segs and no == segs[-1][-1] + 2 and not s.line(no - 1).strip():
            segs[-1].append(no)
        else:
            segs.append([no])
    return segs


# ---------------------------------------------------------------- entry points


def generate(
    factor: int,
    out: Path,
    seed: int = 1,
    corpus: Path = CORPUS,
    curated_dir: Path = CURATED_DIR,
) -> Summary:
    """Write the corpus ×``factor`` into ``out`` (texts, manifest.json, curated/)."""
    if factor < 1:
        raise ValueError("factor must be at least 1")
    return Generator(corpus, curated_dir, seed).write(factor, out)


def verify(out: Path) -> list[str]:
    """Read every synthetic work with its reader; the problems found (empty: all parse)."""
    problems: list[str] = []
    entries = {e.id: e for e in manifest.load(out)}
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    templates: dict[str, Document] = {}
    for rec in data["works"]:
        syn = rec.get("synthetic")
        if not syn:
            continue
        entry = entries[rec["id"]]
        try:
            doc = read_document(entry, out)
        except Exception as e:  # report every unreadable copy
            problems.append(f"{rec['id']}: {e}")
            continue
        tid = syn["template"]
        if tid not in templates:
            templates[tid] = read_document(entries[tid], out)
        problems += compare(doc, templates[tid], rec)
    return problems


def compare(doc: Document, template: Document, rec: dict[str, Any]) -> list[str]:
    """How a copy's reading differs in structure from its template's: the blocks of each
    kind (per chapter), and each chapter's page count."""
    out: list[str] = []

    def kinds(d: Document, ch: int | None) -> Counter[str]:
        return Counter(b.kind.value for b in d.blocks if b.chapter == ch)

    if not doc.chapters:
        if kinds(doc, None) != kinds(template, None):
            out.append(
                f"{rec['id']}: blocks {dict(kinds(doc, None))} != {dict(kinds(template, None))}"
            )
        return out
    tch = {ch.number: ch for ch in template.chapters}
    chapter_map = {int(k): v for k, v in rec["synthetic"]["chapters"].items()}
    for ch in doc.chapters:
        t = tch[chapter_map[ch.number]]
        if kinds(doc, ch.number) != kinds(template, t.number):
            out.append(
                f"{rec['id']} ch {ch.number} (template {t.number}): blocks "
                f"{dict(kinds(doc, ch.number))} != {dict(kinds(template, t.number))}"
            )
        if (ch.pages.first is None) != (t.pages.first is None):
            out.append(f"{rec['id']} ch {ch.number}: pages {ch.pages} vs template {t.pages}")
        elif ch.pages.first and t.pages.first and ch.pages.last and t.pages.last:
            a = int(ch.pages.last) - int(ch.pages.first)
            b = int(t.pages.last) - int(t.pages.first)
            if a != b:
                out.append(f"{rec['id']} ch {ch.number}: {a + 1} pages, template {b + 1}")
    return out


def main(argv: Iterable[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--factor", type=int, required=True, help="1, 10, 100 … times the corpus")
    ap.add_argument("--out", type=Path, required=True, help="a new (or empty) folder")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verify", action="store_true", help="read every copy back and compare")
    args = ap.parse_args(list(argv) if argv is not None else None)
    s = generate(args.factor, args.out, args.seed)
    print(
        f"×{s.factor} (seed {s.seed}): {s.works} works ({s.copies} synthetic), "
        f"{s.units} citable units, {s.generated_entities} generated entities, "
        f"{s.bytes / 1e6:.1f} MB of synthetic text, {s.seconds:.1f} s -> {args.out}"
    )
    for reason, n in sorted(s.skipped.items()):
        print(f"  left as in the template: {n} × {reason}")
    print(f"ingest with: DWKG_CURATED_DIR={args.out / CURATED} dwkg ingest --corpus {args.out}")
    if args.verify:
        problems = verify(args.out)
        print("\n".join(problems) if problems else "every copy reads like its template")
        if problems:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
