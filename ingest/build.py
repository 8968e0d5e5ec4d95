"""Whole-corpus ingest: read every work, link citations, emit RDF, build the store.

A work that cannot be read (empty, binary, not UTF-8, missing) is reported
with its file named and skipped; the rest of the corpus still ingests.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, parse, serialize

from ingest import (
    PIPELINE_VERSION,
    citekeys,
    curation,
    endpoint,
    knowledge,
    linking,
    manifest,
    mentions,
    rdf,
    reasoning,
    store,
    validation,
)
from ingest.errors import IngestError, ReaderError
from ingest.manifest import WorkEntry
from ingest.model import Document, Kind
from ingest.readers.lines import read_lines
from ingest.readers.markdown import read_markdown
from ingest.readers.printed import read_printed
from ontology import CURATED_DIR, DW, ONTOLOGY_FILE, PROV, RDF, SHAPES_FILE, base_iri

Progress = Callable[[str], None]


@dataclass
class Report:
    """What an ingest did, for the CLI's closing summary and for tests."""

    works: int = 0
    chapters: int = 0
    paragraphs: int = 0
    pages: Counter[str] = field(default_factory=Counter)
    notes: int = 0
    references: int = 0
    citations_linked: int = 0
    citations_unresolved: int = 0  # the work has a reference list, but no entry matches
    citations_without_list: int = 0  # the work (chapter) has no reference list in the file
    cited_works: int = 0
    quads: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    store_path: Path | None = None
    endpoint: str | None = None  # the SPARQL endpoint loaded instead of a store
    build_id: str = ""  # content hash of the graph (the build marker)
    # the knowledge layer
    entities: Counter[str] = field(default_factory=Counter)  # by top class
    relations: int = 0
    evidence: int = 0
    definitions: int = 0
    definitions_extracted: int = 0
    concepts_defined: int = 0
    mentions: int = 0
    mentioned_entities: int = 0
    co_mention_pairs: int = 0
    inferred: int = 0
    reasoned: bool = False
    shacl_violations: list[str] = field(default_factory=list)
    shacl_warnings: list[str] = field(default_factory=list)


def read_document(entry: WorkEntry, corpus: Path) -> Document:
    """Read one work with the reader its layout needs."""
    path = entry.path(corpus)
    raw = _read_text(path)
    doc = Document(entry.id, entry.file, entry.layout, raw)
    title = str(entry.csl.get("title", ""))
    if entry.layout == "printed":
        read_printed(doc, entry.chapters)
    elif entry.layout == "lines":
        read_lines(doc, title, entry.first_page_lines)
    else:
        read_markdown(doc, markdown=entry.layout == "markdown")
    if not any(b.kind is Kind.PARAGRAPH for b in doc.blocks):
        raise ReaderError(f"{entry.file}: no paragraph of text was found; is it the right file?")
    doc.finish()
    return doc


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise ReaderError(
            f"{path.name}: the file is missing; add it or remove it from the manifest"
        )
    data = path.read_bytes()
    if not data.strip():
        raise ReaderError(f"{path.name}: the file is empty; nothing to ingest")
    if b"\x00" in data[:8192]:
        raise ReaderError(f"{path.name}: this is a binary file, not text; convert it to UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ReaderError(
            f"{path.name}: not UTF-8 (byte {e.start} is 0x{data[e.start]:02x}); re-save it as UTF-8"
        ) from e
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def read_corpus(
    corpus: Path, report: Report, progress: Progress
) -> list[tuple[WorkEntry, Document]]:
    docs: list[tuple[WorkEntry, Document]] = []
    for entry in manifest.load(corpus):
        progress(entry.file)
        try:
            docs.append((entry, read_document(entry, corpus)))
        except IngestError as e:
            report.errors.append(str(e))
    return docs


@dataclass(frozen=True)
class Options:
    """What an ingest does beyond reading the texts."""

    curated: Path | None = CURATED_DIR  # None: no curated knowledge
    reasoning: bool = True
    validation: bool = True


def corpus_quads(
    docs: list[tuple[WorkEntry, Document]], report: Report, base: str, options: Options
) -> Iterator[Quad]:
    iris = rdf.Iris(base)
    for entry, doc in docs:
        yield from rdf.document_quads(doc, entry.csl, iris)
        _count(doc, report)
    yield from linking.citation_quads(docs, iris, report)
    if options.curated is not None:
        yield from knowledge_layer(docs, iris, report, options)
    act = iris.activity()
    yield Quad(act, NamedNode(RDF + "type"), NamedNode(PROV + "Activity"), iris.graph("_meta"))
    yield Quad(
        act, NamedNode(DW + "pipelineVersion"), Literal(PIPELINE_VERSION), iris.graph("_meta")
    )


def _count(doc: Document, report: Report) -> None:
    report.works += 1
    report.chapters += len(doc.chapters)
    report.warnings.extend(f"{doc.path}: {w}" for w in doc.warnings)
    for b in doc.blocks:
        if b.kind is Kind.PARAGRAPH:
            report.paragraphs += 1
            report.pages[b.pages.certainty.value] += 1
        elif b.kind is Kind.NOTE:
            report.notes += 1
        elif b.kind is Kind.REFERENCE:
            report.references += 1


def knowledge_layer(
    docs: list[tuple[WorkEntry, Document]], iris: rdf.Iris, report: Report, options: Options
) -> list[Quad]:
    """Curated knowledge, mentions, reasoning and validation (raises on any failure)."""
    assert options.curated is not None
    documents = [d for _, d in docs]
    unreadable = frozenset(curation.WORKS) - {d.work_id for d in documents}
    k = curation.load_and_check(curation.curated_files(options.curated), documents, unreadable)
    if k.skipped:
        report.warnings.append(
            f"{k.skipped} curated records quote works that could not be read "
            f"({', '.join(sorted(unreadable))}); they are left out of this graph"
        )
    quads = list(knowledge.knowledge_quads(k, iris))
    quads += knowledge.author_quads(docs, k, iris, report)
    matcher = mentions.Matcher(k.entities, mentions.common_words(documents))
    found = list(mentions.find_mentions(documents, matcher, curation.neighbours(k)))
    pairs = mentions.co_mentions(found)
    extracted = knowledge.pattern_definitions(documents, matcher, k)
    quads += knowledge.extracted_quads(found, pairs, extracted, iris)
    quads += ontology_quads(iris)
    _count_knowledge(k, found, pairs, extracted, report)
    # HermiT runs in Java while pySHACL runs here: the two checks take turns on no data
    with ThreadPoolExecutor(max_workers=1) as pool:
        hermit = None
        if options.reasoning:
            layer = reasoning.entity_layer(quads, f"{iris.base}entity/")
            graph = NamedNode(f"{iris.base}graph/inferred")
            hermit = pool.submit(reasoning.infer, layer, graph)
        if options.validation:
            skip = {NamedNode(f"{iris.base}graph/ontology"), NamedNode(f"{iris.base}graph/shapes")}
            shacl = validation.validate(q for q in quads if q.graph_name not in skip)
            report.shacl_violations, report.shacl_warnings = shacl.violations, shacl.warnings
            if shacl.violations:
                if hermit is not None:
                    hermit.cancel()
                raise validation.ValidationFailed(
                    f"SHACL found {len(shacl.violations)} violation(s) in the knowledge "
                    "graph:\n  " + "\n  ".join(shacl.violations[:20])
                )
        if hermit is not None:
            inferred = hermit.result()
            report.inferred, report.reasoned = len(inferred), True
            quads += inferred
    return quads


def ontology_quads(iris: rdf.Iris) -> list[Quad]:
    """The ontology and the SHACL shapes, each in its own named graph."""
    out: list[Quad] = []
    for path, name in ((ONTOLOGY_FILE, "ontology"), (SHAPES_FILE, "shapes")):
        graph = NamedNode(f"{iris.base}graph/{name}")
        with path.open("rb") as f:
            out += [
                Quad(t.subject, t.predicate, t.object, graph) for t in parse(f, RdfFormat.TURTLE)
            ]
    return out


def _count_knowledge(
    k: curation.Knowledge,
    found: list[mentions.Mention],
    pairs: Counter[tuple[str, str]],
    extracted: list[tuple[str, mentions.PatternDefinition]],
    report: Report,
) -> None:
    report.entities = Counter(e.top for e in k.entities.values())
    relations = [q.record for q in k.relations if q.anchor is not None]
    definitions = [q.record for q in k.definitions if q.anchor is not None]
    report.relations = len(
        {
            (r.subject, r.predicate, r.object)
            for r in relations
            if isinstance(r, curation.RelationRecord)
        }
    )
    report.evidence = len(relations) + len(definitions) + len(extracted)
    report.definitions = len(definitions)
    report.definitions_extracted = len(extracted)
    report.concepts_defined = len(
        {d.concept for d in definitions if isinstance(d, curation.DefinitionRecord)}
        | {c for c, _ in extracted}
    )
    report.mentions = sum(m.count for m in found)
    report.mentioned_entities = len({m.entity for m in found})
    report.co_mention_pairs = len(pairs)


def graph_quads(
    docs: list[tuple[WorkEntry, Document]], report: Report, base: str, options: Options
) -> list[Quad]:
    """Every quad of the graph, with citation keys and the build marker (a content hash)."""
    quads = list(dict.fromkeys(corpus_quads(docs, report, base, options)))
    quads += citekeys.key_quads(quads)
    report.build_id = content_hash(quads)
    quads += endpoint.marker_quads(base, report.build_id)
    report.quads = len(quads)
    return quads


def content_hash(quads: list[Quad]) -> str:
    """A hash of a set of quads, whatever their order: the sum of each quad's own hash.

    Order-free without sorting, so it holds one quad's text at a time (a sorted copy of
    the graph's text would cost gigabytes at 30x the corpus). Blank nodes count without
    their labels, which are new at every parse of the ontology: the same corpus gives
    the same id."""
    total = 0
    for q in quads:
        terms = (q.subject, q.predicate, q.object, q.graph_name)
        text = " ".join("_:" if isinstance(t, BlankNode) else str(t) for t in terms)
        total += int.from_bytes(hashlib.blake2b(text.encode(), digest_size=16).digest())
    return f"{total % (1 << 128):032x}"[:16]


def ingest(
    corpus: Path,
    store_dir: Path,
    progress: Progress = lambda _: None,
    base: str | None = None,
    options: Options | None = None,
    target: endpoint.Endpoint | None = None,
) -> Report:
    """Build the graph of ``corpus`` into ``store_dir`` (beside the store in use).

    With ``target``, the graph goes to that SPARQL endpoint instead (``ingest.endpoint``).
    """
    started = time.perf_counter()
    report = Report()
    docs = read_corpus(corpus, report, progress)
    quads = graph_quads(docs, report, base or base_iri(), options or Options())
    progress("store")
    if target is None:
        report.store_path = store.build(store_dir, quads)
    else:
        endpoint.load(target, quads, base or base_iri(), report.build_id)
        report.endpoint = target.query_url
    report.seconds = time.perf_counter() - started
    return report


EXPORT_FORMATS = {"nquads": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG}


def dump(build_dir: Path, out: Path, fmt: str = "nquads") -> int:
    """Write a finished build as N-Quads or TriG; the number of quads written."""
    graph = Store.read_only(str(build_dir))
    with out.open("wb") as f:
        graph.dump(f, EXPORT_FORMATS[fmt])
    return len(graph)


def export_nquads(
    corpus: Path,
    out: Path,
    base: str | None = None,
    options: Options | None = None,
    fmt: str = "nquads",
) -> Report:
    """Write the corpus graph as N-Quads or TriG (for other engines' bulk loaders)."""
    report = Report()
    docs = read_corpus(corpus, report, lambda _: None)
    quads = graph_quads(docs, report, base or base_iri(), options or Options())
    with out.open("wb") as f:
        serialize(quads, f, EXPORT_FORMATS[fmt])
    return report
