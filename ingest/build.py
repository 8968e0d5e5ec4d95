"""Whole-corpus ingest: read every work, link citations, emit RDF, build the store.

A work that cannot be read (empty, binary, not UTF-8, missing) is reported
with its file named and skipped; the rest of the corpus still ingests.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from ingest import PIPELINE_VERSION, linking, manifest, rdf, store
from ingest.errors import IngestError, ReaderError
from ingest.manifest import WorkEntry
from ingest.model import Document, Kind
from ingest.readers.lines import read_lines
from ingest.readers.markdown import read_markdown
from ingest.readers.printed import read_printed
from ontology import DW, PROV, RDF, base_iri

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


def corpus_quads(
    docs: list[tuple[WorkEntry, Document]], report: Report, base: str
) -> Iterator[Quad]:
    iris = rdf.Iris(base)
    for entry, doc in docs:
        yield from rdf.document_quads(doc, entry.csl, iris)
        _count(doc, report)
    yield from linking.citation_quads(docs, iris, report)
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


def ingest(
    corpus: Path, store_dir: Path, progress: Progress = lambda _: None, base: str | None = None
) -> Report:
    """Build the graph of ``corpus`` into ``store_dir`` (beside the store in use)."""
    started = time.perf_counter()
    report = Report()
    docs = read_corpus(corpus, report, progress)
    quads = list(dict.fromkeys(corpus_quads(docs, report, base or base_iri())))
    report.quads = len(quads)
    progress("store")
    report.store_path = store.build(store_dir, quads)
    report.seconds = time.perf_counter() - started
    return report


def export_nquads(corpus: Path, out: Path, base: str | None = None) -> Report:
    """Write the corpus graph as N-Quads (for other engines' bulk loaders)."""
    from pyoxigraph import RdfFormat, serialize

    report = Report()
    docs = read_corpus(corpus, report, lambda _: None)
    quads = list(dict.fromkeys(corpus_quads(docs, report, base or base_iri())))
    report.quads = len(quads)
    with out.open("wb") as f:
        serialize(quads, f, RdfFormat.N_QUADS)
    return report
