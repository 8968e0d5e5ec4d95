"""The document graph: works, chapters, passages, notes, references and citations as RDF.

Each work's triples go in its own named graph (``id:graph/work/{id}``), so a
work can be replaced on its own and SPARQL can ask where a fact came from.
Terms: FaBiO for works, DoCO/DEO for document parts, BiRO for reference
lists, C4O for in-text citation pointers and passage text, CiTO for citing,
PRISM for page ranges, PROV for where each passage was read from. Locator
terms with no standard equivalent are in the project's ``dw:`` namespace.

Modelling choices (all queryable with one plain triple pattern each):

- a passage carries ``c4o:hasContent`` (normalised text), ``dw:locatorLabel``
  (``page`` | ``paragraph`` | ``note``), ``dw:locatorValue``,
  ``dw:pageCertainty``, and ``prism:startingPage`` / ``prism:endingPage``
  only where a printed page is known;
- ``dw:rawFile``, ``dw:rawLineStart/End``, ``dw:rawCharStart/End`` point back
  into the source file as stored in ``corpus/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from ingest import PIPELINE_VERSION
from ingest.model import Block, Certainty, Chapter, Document, Kind
from ontology import BIRO, C4O, CITO, DCTERMS, DEO, DOCO, DW, FABIO, PRISM, PROV, RDF, RDFS, XSD

A = NamedNode(RDF + "type")
INT = NamedNode(XSD + "integer")
JSON = NamedNode(RDF + "JSON")

WORK_TYPES = {
    "article-journal": FABIO + "JournalArticle",
    "article": FABIO + "Article",
    "book": FABIO + "Book",
    "chapter": FABIO + "BookChapter",
    "article-newspaper": FABIO + "NewsItem",
    "article-magazine": FABIO + "MagazineArticle",
    "report": FABIO + "ReportDocument",
    "webpage": FABIO + "WebPage",
}
BLOCK_TYPES = {
    Kind.PARAGRAPH: DOCO + "Paragraph",
    Kind.HEADING: DOCO + "SectionTitle",
    Kind.TITLE: DOCO + "Title",
    Kind.NOTE: DOCO + "Footnote",
    Kind.REFERENCE: BIRO + "BibliographicReference",
    Kind.CAPTION: DEO + "Caption",
    Kind.TABLE: DOCO + "Table",
    Kind.FRONT: DOCO + "FrontMatter",
    Kind.BACK: DOCO + "BackMatter",
}


class Iris:
    """Every IRI the document graph mints, from one base."""

    def __init__(self, base: str) -> None:
        self.base = base

    def work(self, work_id: str) -> NamedNode:
        return NamedNode(f"{self.base}work/{work_id}")

    def chapter(self, work_id: str, number: int) -> NamedNode:
        return NamedNode(f"{self.base}work/{work_id}/chapter/{number}")

    def passage(self, work_id: str, key: str) -> NamedNode:
        return NamedNode(f"{self.base}passage/{work_id}-{key}")

    def graph(self, work_id: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/work/{work_id}")

    def source(self, path: str) -> NamedNode:
        return NamedNode(f"{self.base}source/{path}")

    def activity(self) -> NamedNode:
        return NamedNode(f"{self.base}activity/ingest/{PIPELINE_VERSION}")

    def cited(self, key: str) -> NamedNode:
        return NamedNode(f"{self.base}cited/{key}")

    def citation(self, work_id: str, key: str, k: int) -> NamedNode:
        return NamedNode(f"{self.base}citation/{work_id}-{key}-{k}")


def lit(value: str | int) -> Literal:
    if isinstance(value, int):
        return Literal(str(value), datatype=INT)
    return Literal(value)


def node(iri: str) -> NamedNode:
    return NamedNode(iri)


class Emitter:
    """Collects the quads of one work's named graph."""

    def __init__(self, graph: NamedNode) -> None:
        self.graph = graph
        self.quads: list[Quad] = []

    def add(self, s: NamedNode, p: str, o: NamedNode | Literal | str | int) -> None:
        obj = o if isinstance(o, NamedNode | Literal) else lit(o)
        self.quads.append(Quad(s, NamedNode(p), obj, self.graph))

    def typed(self, s: NamedNode, *classes: str) -> None:
        for c in classes:
            self.quads.append(Quad(s, A, NamedNode(c), self.graph))


def document_quads(doc: Document, csl: dict[str, Any], iris: Iris) -> Iterator[Quad]:
    """All quads for one document: the work, its chapters and its blocks."""
    em = Emitter(iris.graph(doc.work_id))
    work = iris.work(doc.work_id)
    _work(em, work, csl, doc, iris)
    for ch in doc.chapters:
        _chapter(em, work, iris.chapter(doc.work_id, ch.number), ch, csl)
    for block in doc.blocks:
        _block(em, doc, block, iris)
    yield from em.quads


def _work(em: Emitter, work: NamedNode, csl: dict[str, Any], doc: Document, iris: Iris) -> None:
    em.typed(work, WORK_TYPES.get(csl.get("type", ""), FABIO + "Expression"), DW + "Work")
    em.add(work, DW + "workId", doc.work_id)
    if csl.get("title"):
        em.add(work, DCTERMS + "title", str(csl["title"]))
        em.add(work, RDFS + "label", str(csl["title"]))
    for k, person in enumerate(csl.get("author", []), start=1):
        em.add(work, DW + "authorName", f"{k}. {_name(person)}")
    year = _year(csl)
    if year:
        em.add(work, FABIO + "hasPublicationYear", year)
    for key, prop in (
        ("container-title", DW + "containerTitle"),
        ("DOI", PRISM + "doi"),
        ("publisher", DCTERMS + "publisher"),
        ("volume", PRISM + "volume"),
        ("issue", PRISM + "issueIdentifier"),
        ("page", PRISM + "pageRange"),
    ):
        if csl.get(key):
            em.add(work, prop, str(csl[key]))
    em.add(work, PROV + "wasDerivedFrom", iris.source(doc.path))
    em.add(work, DW + "layout", doc.layout)
    record = {"id": doc.work_id, **{k: v for k, v in csl.items() if k != "id"}}
    em.add(work, DW + "csl", Literal(json.dumps(record, ensure_ascii=False), datatype=JSON))
    for k, person in enumerate(csl.get("editor", []), start=1):
        em.add(work, DW + "editorName", f"{k}. {_name(person)}")


def _chapter(
    em: Emitter, work: NamedNode, ch_node: NamedNode, ch: Chapter, csl: dict[str, Any]
) -> None:
    em.typed(ch_node, FABIO + "BookChapter", DOCO + "Chapter", DW + "Work")
    em.add(
        ch_node,
        DW + "csl",
        Literal(json.dumps(chapter_csl(ch, csl), ensure_ascii=False), datatype=JSON),
    )
    em.add(ch_node, FABIO + "hasSequenceIdentifier", ch.number)
    em.add(ch_node, DW + "chapterNumber", ch.number)
    em.add(ch_node, DCTERMS + "isPartOf", work)
    em.add(work, DCTERMS + "hasPart", ch_node)
    label = f"Chapter {ch.number}" + (f": {ch.title}" if ch.title else "")
    em.add(ch_node, RDFS + "label", label)
    if ch.title:
        em.add(ch_node, DCTERMS + "title", ch.title)
        em.add(ch_node, DW + "titleSource", ch.title_source or "file")
    for k, person in enumerate(ch.authors, start=1):
        em.add(ch_node, DW + "authorName", f"{k}. {_name(person)}")
    if ch.part:
        em.add(ch_node, DW + "part", ch.part)
    em.add(ch_node, DW + "rawLineStart", ch.first_line)
    em.add(ch_node, DW + "rawLineEnd", ch.last_line)
    if ch.pages.first:
        em.add(ch_node, PRISM + "startingPage", ch.pages.first)
        em.add(ch_node, PRISM + "endingPage", ch.pages.last or ch.pages.first)
        em.add(ch_node, DW + "pageCertainty", ch.pages.certainty.value)
    year = _year(csl)
    if year:
        em.add(ch_node, FABIO + "hasPublicationYear", year)


def chapter_csl(ch: Chapter, book: dict[str, Any]) -> dict[str, Any]:
    """A chapter of the edited volume as a CSL-JSON item (a chapter in its container)."""
    record: dict[str, Any] = {
        "id": f"{book.get('id', 'book')}-ch{ch.number:02d}",
        "type": "chapter",
        "title": ch.title or f"Chapter {ch.number}",
        "author": ch.authors,
        "container-title": book.get("title"),
        "editor": book.get("editor", []),
        "chapter-number": str(ch.number),
    }
    for key in ("publisher", "publisher-place", "issued", "ISBN", "license"):
        if book.get(key):
            record[key] = book[key]
    if ch.pages.first and ch.pages.certainty.value != "unknown":
        record["page"] = f"{ch.pages.first}-{ch.pages.last or ch.pages.first}"
    return record


def _block(em: Emitter, doc: Document, b: Block, iris: Iris) -> None:
    p = iris.passage(doc.work_id, b.iri_key)
    em.typed(p, BLOCK_TYPES[b.kind])
    if b.kind is Kind.PARAGRAPH:
        em.typed(p, DW + "Passage")
    em.add(p, DW + "kind", b.kind.value)
    em.add(p, C4O + "hasContent", b.text)
    em.add(p, DW + "work", iris.work(doc.work_id))
    container = (
        iris.chapter(doc.work_id, b.chapter) if b.chapter is not None else iris.work(doc.work_id)
    )
    em.add(p, DCTERMS + "isPartOf", container)
    if b.chapter is not None:
        em.add(p, DW + "chapter", container)
    if b.section:
        em.add(p, DW + "sectionTitle", b.section)
    em.add(p, DW + "order", b.order)
    _locator(em, p, b)
    start, end = b.raw_chars
    em.add(p, DW + "rawFile", doc.path)
    em.add(p, DW + "rawLineStart", b.lines[0])
    em.add(p, DW + "rawLineEnd", b.lines[1])
    em.add(p, DW + "rawCharStart", start)
    em.add(p, DW + "rawCharEnd", end)
    em.add(p, PROV + "wasDerivedFrom", iris.source(doc.path))
    em.add(p, PROV + "wasGeneratedBy", iris.activity())
    for n in b.note_refs:
        em.add(p, DW + "noteMarker", n)


def _locator(em: Emitter, p: NamedNode, b: Block) -> None:
    pages = b.pages
    if pages.first is not None and pages.certainty is not Certainty.UNKNOWN:
        em.add(p, PRISM + "startingPage", pages.first)
        em.add(p, PRISM + "endingPage", pages.last or pages.first)
        em.add(p, DW + "pageLabel", pages.label or pages.first)
    em.add(p, DW + "pageCertainty", pages.certainty.value)
    if pages.first is not None and pages.certainty is not Certainty.UNKNOWN:
        # where each printed page of the passage begins in its text, so that a quote from
        # the second page of a paragraph cites that page (and that page's certainty)
        spans = [(0, pages.first), *b.page_breaks]
        for i, (offset, page) in enumerate(spans):
            node = NamedNode(f"{p.value}#page-{i}")
            em.add(p, DW + "pageSpan", node)
            em.add(node, DW + "startOffset", offset)
            em.add(node, DW + "pageLabel", page)
            certainty = b.certainty_of(page).value if page else Certainty.UNKNOWN.value
            em.add(node, DW + "pageCertainty", certainty)
    label, value = b.locator()
    em.add(p, DW + "locatorLabel", label)
    em.add(p, DW + "locatorValue", value)
    if b.number is not None:
        em.add(p, DW + ("noteNumber" if b.kind is Kind.NOTE else "paragraphNumber"), b.number)


def _name(person: dict[str, str]) -> str:
    if "literal" in person:
        return person["literal"]
    return " ".join(x for x in (person.get("given"), person.get("family")) if x)


def _year(csl: dict[str, Any]) -> int | None:
    try:
        return int(csl["issued"]["date-parts"][0][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def cites_quads(em: Emitter, citing: NamedNode, cited: NamedNode, label: str, kind: str) -> None:
    """A cited work node (one per real work across the corpus) and the cito link."""
    em.typed(cited, FABIO + "Expression")
    em.add(cited, RDFS + "label", label)
    em.add(cited, DW + "citedKind", kind)
    em.add(citing, CITO + "cites", cited)
