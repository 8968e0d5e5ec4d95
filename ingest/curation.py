"""Curated knowledge: read the YAML records under ``ontology/curated/``, check them, anchor quotes.

The record format is documented in ``ontology/curated/README.md``. Every problem is reported
with its file and record (``003-ch10.yaml: relations[4] (amazon employs …)``) so a curator can
fix it; ``check`` collects all of them before failing instead of stopping at the first.

Quotes are matched against the normalised text of one block (paragraph, note, caption …) of
the named work and chapter, on a *skeleton* of both sides that forgives exactly what the issue
allows: whitespace and line breaks, hyphens (line-end hyphenation and the print layout's
spaced hyphens), curly vs straight quote marks and no-break spaces. Nothing else.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ingest.errors import IngestError
from ingest.model import Block, Certainty, Document

# ---------------------------------------------------------------- vocabulary

TOP_CLASSES = ("Actor", "Institution", "Regime", "Concept", "Place", "Artefact", "Event")

TYPES: dict[str, str] = {
    **dict.fromkeys(
        [
            "Person",
            "Organisation",
            "Company",
            "PlatformCompany",
            "BPO",
            "DataLabellingBase",
            "StateBody",
            "School",
            "ResearchInstitute",
            "Union",
            "NGO",
            "IntergovernmentalOrganisation",
            "MediaOrganisation",
            "Group",
        ],
        "Actor",
    ),
    **dict.fromkeys(
        ["Law", "Regulation", "Policy", "OrganisationalForm", "WorkPractice", "Institution"],
        "Institution",
    ),
    **dict.fromkeys(
        ["LabourRegime", "RegulatoryRegime", "SovereigntyArrangement", "Regime"], "Regime"
    ),
    "Concept": "Concept",
    **dict.fromkeys(["Country", "Region", "City", "Place"], "Place"),
    "Artefact": "Artefact",
    "Event": "Event",
}

ANY = frozenset(TOP_CLASSES)
A = frozenset({"Actor"})


@dataclass(frozen=True)
class Predicate:
    domain: frozenset[str]
    range: frozenset[str]
    symmetric: bool = False
    person_only: bool = False  # the subject must be a Person


def _p(domain: str, range_: str, symmetric: bool = False, person: bool = False) -> Predicate:
    return Predicate(frozenset(domain.split()), frozenset(range_.split()), symmetric, person)


PREDICATES: dict[str, Predicate] = {
    "outsourcesTo": _p("Actor", "Actor Place"),
    "suppliesDataWorkTo": _p("Actor", "Actor"),
    "partnersWith": _p("Actor", "Actor", symmetric=True),
    "employs": _p("Actor", "Actor"),
    "recruits": _p("Actor", "Actor"),
    "worksOn": _p("Actor", "Actor Artefact"),
    "founded": _p("Actor", "Actor Institution"),
    "owns": _p("Actor", "Actor Artefact"),
    "funds": _p("Actor", "Actor Institution"),
    "memberOf": _p("Actor", "Actor"),
    "subsidiaryOf": _p("Actor", "Actor"),
    "affiliatedWith": _p("Actor", "Actor", person=True),
    "clientOf": _p("Actor", "Actor"),
    "competesWith": _p("Actor", "Actor", symmetric=True),
    "develops": _p("Actor", "Artefact Institution"),
    "uses": _p("Actor", "Artefact Actor"),
    "locatedIn": _p("Actor Place Artefact", "Place"),
    "operatesIn": _p("Actor", "Place"),
    "organises": _p("Actor", "Actor"),
    "opposes": _p("Actor", "Actor Institution"),
    "supports": _p("Actor", "Actor Institution"),
    "issuedBy": _p("Institution", "Actor"),
    "regulates": _p("Institution Actor Regime", "Actor Institution Artefact"),
    "hasJurisdiction": _p("Institution Regime", "Place"),
    "governedBy": _p("Actor Place", "Institution Regime"),
    "implements": _p("Actor", "Institution"),
    "adopts": _p("Actor", "Institution"),
    "componentOf": _p("Institution Actor", "Regime"),
    "exemplifies": _p("Actor Institution Regime Place Artefact Event", "Concept"),
    "coinedBy": _p("Concept Institution Regime", "Actor"),
    "creditedTo": _p("Concept Institution Regime", "Actor"),
    "critiques": _p("Actor Concept", "Concept Actor Institution"),
    "extends": _p("Concept", "Concept"),
    "broader": _p("Concept", "Concept"),
    "related": _p("Concept", "Concept", symmetric=True),
    "contrastsWith": _p("Concept", "Concept", symmetric=True),
    "involves": _p("Event", "Actor Place"),
    "partOf": _p("Place", "Place"),
}

DEFINABLE = frozenset({"Concept", "Institution", "Regime"})

WORKS = ("000", "001", "002", "003", "004")

# ---------------------------------------------------------------- records

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
WorkId = Literal["000", "001", "002", "003", "004"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class EntityRecord(_Record):
    id: Id
    type: str
    label: Text
    alt_labels: list[Text] = Field(default_factory=list)
    description: Text | None = None
    same_as: list[Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]] = Field(
        default_factory=list
    )
    pseudonym: bool = False
    case_sensitive: bool = False
    match: bool = True
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] | None = None
    note: str | None = None


class _Quoted(_Record):
    work: WorkId
    chapter: int | None = None
    quote: Text
    note: str | None = None


class RelationRecord(_Quoted):
    subject: Id
    predicate: str
    object: Id


class DefinitionRecord(_Quoted):
    concept: Id
    credited_to: list[Id] = Field(default_factory=list)
    coined: bool = False


class CurationFile(_Record):
    entities: list[EntityRecord] = Field(default_factory=list)
    relations: list[RelationRecord] = Field(default_factory=list)
    definitions: list[DefinitionRecord] = Field(default_factory=list)


# ---------------------------------------------------------------- loaded knowledge


class CurationError(IngestError):
    """One or more curated records are wrong; ``problems`` names each record."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        head = f"{len(problems)} curated record(s) need fixing"
        super().__init__(head + ":\n  " + "\n  ".join(problems))


@dataclass
class Entity:
    id: str
    type: str
    label: str
    alt_labels: list[str]
    description: str | None
    same_as: list[str]
    pseudonym: bool
    case_sensitive: bool
    date: str | None
    sources: list[str]  # "file: entities[i]"
    match: bool = True  # find mentions by label automatically

    @property
    def top(self) -> str:
        return TYPES[self.type]

    def labels(self) -> list[str]:
        return list(dict.fromkeys([self.label, *self.alt_labels]))


@dataclass(frozen=True)
class Anchor:
    """Where a quote was found: the block, the span in its text, and how to cite it."""

    work_id: str
    block: Block
    start: int
    end: int

    @property
    def exact(self) -> str:
        return self.block.text[self.start : self.end]

    def prefix(self, n: int = 32) -> str:
        return self.block.text[max(0, self.start - n) : self.start]

    def suffix(self, n: int = 32) -> str:
        return self.block.text[self.end : self.end + n]

    def locator(self) -> tuple[str, str, str]:
        """(label, value, certainty): the page(s) the quote itself is on, where known."""
        b = self.block
        first = b.page_at(self.start)
        last = b.page_at(max(self.start, self.end - 1))
        if first is not None and last is not None and b.pages.certainty is not Certainty.UNKNOWN:
            if last == first:
                return "page", first, b.certainty_of(first).value
            return "page", f"{first}–{last}", b.certainty_of(first, last).value
        label, value = b.unpaged_locator()  # never claim a page the quote is not known to be on
        return label, value, Certainty.EXACT.value


@dataclass
class Quoted:
    """A relation or definition with its source record and, once anchored, its anchor."""

    where: str
    record: RelationRecord | DefinitionRecord
    anchor: Anchor | None = None


@dataclass
class Knowledge:
    entities: dict[str, Entity] = field(default_factory=dict)
    relations: list[Quoted] = field(default_factory=list)
    definitions: list[Quoted] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped: int = 0  # records left out because their work could not be read


# ---------------------------------------------------------------- loading


def curated_dir(root: Path | None = None) -> Path:
    return (root or Path(__file__).resolve().parent.parent) / "ontology" / "curated"


def load(paths: Iterable[Path], problems: list[str]) -> Knowledge:
    """Read and merge curated files; append every problem found to ``problems``."""
    k = Knowledge()
    for path in sorted(paths):
        parsed = _read(path, problems)
        if parsed is None:
            continue
        k.files.append(path.name)
        for i, e in enumerate(parsed.entities):
            _merge(k, e, f"{path.name}: entities[{i}] ({e.id})", problems)
        k.relations += [
            Quoted(f"{path.name}: relations[{i}] ({r.subject} {r.predicate} {r.object})", r)
            for i, r in enumerate(parsed.relations)
        ]
        k.definitions += [
            Quoted(f"{path.name}: definitions[{i}] ({d.concept})", d)
            for i, d in enumerate(parsed.definitions)
        ]
    return k


def _read(path: Path, problems: list[str]) -> CurationFile | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as e:
        problems.append(f"{path.name}: cannot read the file ({e}); check it is UTF-8 text")
        return None
    except yaml.YAMLError as e:
        problems.append(f"{path.name}: not valid YAML: {e}".replace("\n", " "))
        return None
    try:
        return CurationFile.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            loc = _loc(err["loc"])
            problems.append(f"{path.name}: {loc}: {err['msg']} (got {err.get('input')!r:.80})")
        return None


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _merge(k: Knowledge, e: EntityRecord, where: str, problems: list[str]) -> None:
    if e.type not in TYPES:
        problems.append(f"{where}: unknown type {e.type!r}; use one of {', '.join(TYPES)}")
        return
    old = k.entities.get(e.id)
    if old is None:
        k.entities[e.id] = Entity(
            e.id, e.type, e.label, list(e.alt_labels), e.description, list(e.same_as),
            e.pseudonym, e.case_sensitive, e.date, [where], e.match,
        )  # fmt: skip
        return
    if old.type != e.type:
        problems.append(
            f"{where}: type {e.type} disagrees with {old.type} in {old.sources[0]}; "
            "the same id must be the same kind of thing (use another id for a namesake)"
        )
        return
    for label in [e.label, *e.alt_labels]:
        if label not in old.labels():
            old.alt_labels.append(label)
    old.description = old.description or e.description
    old.same_as += [s for s in e.same_as if s not in old.same_as]
    old.pseudonym = old.pseudonym or e.pseudonym
    old.case_sensitive = old.case_sensitive or e.case_sensitive
    old.match = old.match and e.match
    old.date = old.date or e.date
    old.sources.append(where)


# ---------------------------------------------------------------- checking


def check_references(k: Knowledge, problems: list[str]) -> None:
    """Ids exist, predicates are known, subjects and objects have the right kinds."""
    for q in k.relations:
        r = q.record
        assert isinstance(r, RelationRecord)
        pred = PREDICATES.get(r.predicate)
        if pred is None:
            problems.append(f"{q.where}: unknown predicate {r.predicate!r}; see README.md")
            continue
        subj, obj = _known(k, q.where, r.subject, problems), _known(k, q.where, r.object, problems)
        if subj is not None and subj.top not in pred.domain:
            problems.append(
                f"{q.where}: {r.predicate} needs a subject of kind "
                f"{'/'.join(sorted(pred.domain))}, {r.subject} is a {subj.type}"
            )
        if subj is not None and pred.person_only and subj.type != "Person":
            problems.append(f"{q.where}: {r.predicate} needs a Person as subject")
        if obj is not None and obj.top not in pred.range:
            problems.append(
                f"{q.where}: {r.predicate} needs an object of kind "
                f"{'/'.join(sorted(pred.range))}, {r.object} is a {obj.type}"
            )
        if r.subject == r.object:
            problems.append(f"{q.where}: subject and object are the same entity")
    for q in k.definitions:
        d = q.record
        assert isinstance(d, DefinitionRecord)
        concept = _known(k, q.where, d.concept, problems)
        if concept is not None and concept.top not in DEFINABLE:
            problems.append(
                f"{q.where}: {d.concept} is a {concept.type}; only a Concept, Institution or "
                "Regime (a term of art) has definitions"
            )
        for who in d.credited_to:
            agent = _known(k, q.where, who, problems)
            if agent is not None and agent.top != "Actor":
                problems.append(f"{q.where}: credited_to {who} is a {agent.type}, not an Actor")


def _known(k: Knowledge, where: str, id_: str, problems: list[str]) -> Entity | None:
    e = k.entities.get(id_)
    if e is None:
        problems.append(f"{where}: no entity has the id {id_!r}; define it or fix the id")
    return e


_QUOTES = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
    }
)  # fmt: skip
_DROP = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\u00ad\-\u2010\u2011]")


def skeleton(text: str) -> tuple[str, list[int]]:
    """The matching form of ``text`` and, for each of its characters, the offset in ``text``."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if _DROP.match(ch):
            continue
        for c in unicodedata.normalize("NFKC", ch).translate(_QUOTES):
            chars.append(c)
            where.append(i)
    return "".join(chars), where


class TextIndex:
    """Every block of every work, in skeleton form, for finding quotes."""

    def __init__(self, docs: Iterable[Document]) -> None:
        self._blocks: dict[str, list[tuple[Block, str, list[int]]]] = {}
        for doc in docs:
            self._blocks[doc.work_id] = [(b, *skeleton(b.text)) for b in doc.blocks]

    def works(self) -> set[str]:
        return set(self._blocks)

    def find(self, quote: str, work_id: str, chapter: int | None = None) -> Iterator[Anchor]:
        """All places the quote occurs in the work (and chapter), in document order."""
        skel, _ = skeleton(quote)
        if not skel:
            return
        for block, text, where in self._blocks.get(work_id, []):
            if chapter is not None and block.chapter != chapter:
                continue
            at = text.find(skel)
            while at >= 0:
                start, end = where[at], where[at + len(skel) - 1] + 1
                yield Anchor(work_id, block, start, end)
                at = text.find(skel, at + 1)


def anchor_all(
    k: Knowledge, index: TextIndex, problems: list[str], unreadable: frozenset[str] = frozenset()
) -> int:
    """Anchor every relation and definition quote, or name the record that does not match.

    Records that quote a work in ``unreadable`` (listed in the manifest but not read this
    time; its error is reported already) are left unanchored and counted, not failed.
    """
    skipped = 0
    for q in [*k.relations, *k.definitions]:
        r = q.record
        if r.work in unreadable:
            skipped += 1
            continue
        if r.work not in index.works():
            problems.append(f"{q.where}: work {r.work} is not in the corpus")
            continue
        if r.work == "003" and r.chapter is None:
            problems.append(f"{q.where}: a quote from work 003 needs its chapter")
            continue
        if r.work != "003" and r.chapter is not None:
            problems.append(f"{q.where}: work {r.work} has no chapters; remove chapter")
            continue
        q.anchor = next(index.find(r.quote, r.work, r.chapter), None)
        if q.anchor is None:
            problems.append(f"{q.where}: quote not found in {_in(r)}: {_near(index, r)}")
    return skipped


def _in(r: RelationRecord | DefinitionRecord) -> str:
    return f"work {r.work}" + (f" chapter {r.chapter}" if r.chapter is not None else "")


def _near(index: TextIndex, r: RelationRecord | DefinitionRecord) -> str:
    """Help the curator: how much of the quote's start does match, and where."""
    words = r.quote.split()
    best = 0
    for n in range(len(words), 0, -1):
        if next(index.find(" ".join(words[:n]), r.work, r.chapter), None) is not None:
            best = n
            break
    if best == 0:
        return f"no part of it matches ({r.quote[:60]!r})"
    hit = next(index.find(" ".join(words[:best]), r.work, r.chapter))
    return (
        f"the first {best} of {len(words)} words match (lines {hit.block.lines[0]}–"
        f"{hit.block.lines[1]}), then it differs at {' '.join(words[best : best + 6])!r}"
    )


def load_and_check(
    paths: Iterable[Path], docs: Iterable[Document], unreadable: frozenset[str] = frozenset()
) -> Knowledge:
    """Load, check and anchor; raise ``CurationError`` naming every bad record."""
    problems: list[str] = []
    k = load(paths, problems)
    check_references(k, problems)
    k.skipped = anchor_all(k, TextIndex(docs), problems, unreadable)
    if problems:
        raise CurationError(problems)
    return k


def neighbours(k: Knowledge) -> dict[str, set[str]]:
    """Entities linked by a curated relation, in both directions."""
    out: dict[str, set[str]] = {}
    for q in k.relations:
        r = q.record
        if isinstance(r, RelationRecord):
            out.setdefault(r.subject, set()).add(r.object)
            out.setdefault(r.object, set()).add(r.subject)
    return out


def curated_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def check_files(targets: list[Path], corpus: Path) -> tuple[Knowledge, list[str]]:
    """Check ``targets`` in the context of every curated file beside them."""
    from ingest.build import read_document
    from ingest.manifest import load as load_manifest

    folder = targets[0].resolve().parent if targets else curated_dir()
    names = {t.resolve().name for t in targets}
    problems: list[str] = []
    k = load(curated_files(folder), problems)
    check_references(k, problems)
    docs = [read_document(e, corpus) for e in load_manifest(corpus) if e.id in WORKS]
    anchor_all(k, TextIndex(docs), problems)
    mine = [p for p in problems if p.split(":", 1)[0] in names]
    return k, mine


def main(argv: list[str]) -> int:
    """``python -m ingest.curation check FILE ...`` (also ``dwkg curation check``)."""
    if len(argv) < 2 or argv[0] != "check":
        sys.stderr.write("usage: python -m ingest.curation check FILE.yaml ...\n")
        return 2
    targets = [Path(a) for a in argv[1:]]
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    k, problems = check_files(targets, corpus)
    names = {t.resolve().name for t in targets}

    def ours(where: str) -> bool:
        return where.split(":", 1)[0] in names

    n_rel = sum(ours(q.where) for q in k.relations)
    n_def = sum(ours(q.where) for q in k.definitions)
    n_ent = sum(any(ours(w) for w in e.sources) for e in k.entities.values())
    verdict = "all records check" if not problems else f"{len(problems)} problem(s)"
    sys.stdout.write("".join(p + "\n" for p in problems))
    sys.stdout.write(f"{len(targets)} file(s): {n_ent} entities, {n_rel} relations, ")
    sys.stdout.write(f"{n_def} definitions: {verdict}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
