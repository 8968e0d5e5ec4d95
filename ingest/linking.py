"""References, in-text citations and footnotes, linked across the corpus.

- Each reference-list entry (a ``biro:BibliographicReference`` passage) is
  parsed and ``biro:references`` one cited-work node. Cited-work nodes are keyed
  by first author, year and title words (the year's suffix only when there is
  no title: 000's Muldoon et al. 2024a is 001's 2024), so a work cited by
  several sources is one node (``id:cited/...``).
- Each author-year citation in a paragraph or note becomes a
  ``c4o:InTextReferencePointer`` with its text, position, cited page, and,
  where the work (or chapter) has a reference list, ``c4o:denotes`` its entry.
  Citations that cannot be resolved are kept, flagged ``dw:resolved false``.
- Footnotes (Chicago notes) cite works directly; short forms are resolved to
  the full note they abbreviate. A paragraph's note markers link to its notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, Quad

from ingest.citations import find_citations, match_reference, parse_note_citation
from ingest.model import Block, Document, Kind
from ingest.rdf import Emitter, Iris
from ingest.references import Reference, parse_reference, work_key
from ontology import BIRO, C4O, CITO, DCTERMS, DW, FABIO, PRISM, RDFS

if TYPE_CHECKING:
    from ingest.build import Report
    from ingest.manifest import WorkEntry

FALSE = Literal("false", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
TRUE = Literal("true", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


def citation_quads(
    docs: list[tuple[WorkEntry, Document]], iris: Iris, report: Report
) -> Iterator[Quad]:
    cited_seen: set[str] = set()
    for _entry, doc in docs:
        em = Emitter(iris.graph(doc.work_id))
        lists = _reference_lists(doc, iris, em, cited_seen)
        _in_text(doc, iris, em, lists, report)
        _footnotes(doc, iris, em, cited_seen)
        _note_links(doc, iris, em)
        yield from em.quads
    report.cited_works = len(cited_seen)


def _scope(doc: Document, b: Block, iris: Iris) -> NamedNode:
    """The citing unit: the chapter in an edited volume, else the work."""
    if b.chapter is not None:
        return iris.chapter(doc.work_id, b.chapter)
    return iris.work(doc.work_id)


def _reference_lists(
    doc: Document, iris: Iris, em: Emitter, cited_seen: set[str]
) -> dict[int | None, list[tuple[Reference, NamedNode, NamedNode]]]:
    """Parse each reference list; return, per chapter, (entry, entry node, cited node)."""
    lists: dict[int | None, list[tuple[Reference, NamedNode, NamedNode]]] = {}
    for b in doc.blocks:
        if b.kind is not Kind.REFERENCE:
            continue
        ref = parse_reference(b.text)
        entry = iris.passage(doc.work_id, b.iri_key)
        key = work_key(ref.authors, ref.year, ref.year_suffix, ref.title)
        cited = iris.cited(key)
        scope = _scope(doc, b, iris)
        list_node = NamedNode(f"{scope.value}/references")
        em.typed(list_node, BIRO + "ReferenceList")
        em.add(scope, DW + "referenceList", list_node)
        em.add(entry, DCTERMS + "isPartOf", list_node)
        em.add(entry, BIRO + "references", cited)
        em.add(scope, CITO + "cites", cited)
        _cited_work(em, cited, ref, key, cited_seen)
        lists.setdefault(b.chapter, []).append((ref, entry, cited))
    return lists


def _cited_work(
    em: Emitter, cited: NamedNode, ref: Reference, key: str, cited_seen: set[str]
) -> None:
    cited_seen.add(key)
    em.typed(cited, FABIO + "Expression")
    em.add(cited, DW + "citedKey", key)
    label = ", ".join(ref.authors[:2]) + (" et al." if len(ref.authors) > 2 or ref.et_al else "")
    em.add(cited, RDFS + "label", f"{label} ({ref.year or 'n.d.'}{ref.year_suffix})")
    if ref.title:
        em.add(cited, DCTERMS + "title", ref.title)
    for k, a in enumerate(ref.authors, start=1):
        em.add(cited, DW + "authorName", f"{k}. {a}")
    if ref.year:
        em.add(cited, DW + "year", ref.year + ref.year_suffix)
    if ref.container:
        em.add(cited, DW + "containerTitle", ref.container)
    for value, prop in (
        (ref.volume, PRISM + "volume"),
        (ref.issue, PRISM + "issueIdentifier"),
        (ref.pages, PRISM + "pageRange"),
        (ref.doi, PRISM + "doi"),
        (ref.url, DW + "url"),
        (ref.kind, DW + "cslType"),
    ):
        if value:
            em.add(cited, prop, value)


def _in_text(
    doc: Document,
    iris: Iris,
    em: Emitter,
    lists: dict[int | None, list[tuple[Reference, NamedNode, NamedNode]]],
    report: Report,
) -> None:
    # Chicago footnotes ("Publisher, 2019") are read by _footnotes, not as author-year
    kinds = (Kind.PARAGRAPH, Kind.NOTE) if doc.layout == "printed" else (Kind.PARAGRAPH,)
    for b in doc.blocks:
        if b.kind not in kinds:
            continue
        passage = iris.passage(doc.work_id, b.iri_key)
        entries = lists.get(b.chapter, [])
        for k, c in enumerate(find_citations(b.text), start=1):
            ptr = iris.citation(doc.work_id, b.iri_key, k)
            em.typed(ptr, C4O + "InTextReferencePointer")
            em.add(ptr, C4O + "hasContent", c.text)
            em.add(ptr, C4O + "hasContext", passage)
            em.add(ptr, DW + "charStart", c.start)
            em.add(ptr, DW + "charEnd", c.end)
            em.add(ptr, DW + "citedAuthors", ", ".join(c.authors) + (" et al." if c.et_al else ""))
            em.add(ptr, DW + "citedYear", c.year + c.year_suffix)
            if c.locator:
                em.add(ptr, DW + "citedLocator", c.locator)
            idx = match_reference(c, [r for r, _, _ in entries]) if entries else None
            if idx is None:
                em.add(ptr, DW + "resolved", FALSE)
                if entries:
                    report.citations_unresolved += 1
                else:
                    report.citations_without_list += 1
                continue
            _, entry, cited = entries[idx]
            em.add(ptr, C4O + "denotes", entry)
            em.add(ptr, DW + "citesWork", cited)
            em.add(ptr, DW + "resolved", TRUE)
            report.citations_linked += 1


def _footnotes(doc: Document, iris: Iris, em: Emitter, cited_seen: set[str]) -> None:
    """Works cited in footnotes (only where the work has no reference list)."""
    if any(b.kind is Kind.REFERENCE for b in doc.blocks):
        return
    full: dict[tuple[str, str], NamedNode] = {}
    for b in doc.blocks:
        if b.kind is not Kind.NOTE:
            continue
        note = iris.passage(doc.work_id, b.iri_key)
        for nc in parse_note_citation(b.text):
            first = nc.authors[0] if nc.authors else ""
            title_key = " ".join((nc.title or "").lower().split()[:4])
            cited = full.get((first.lower(), title_key)) if nc.short_form else None
            if cited is None:
                ref = Reference(
                    raw=b.text,
                    authors=nc.authors,
                    et_al=False,
                    year=nc.year,
                    year_suffix="",
                    title=nc.title,
                    container=None,
                    volume=None,
                    issue=None,
                    pages=None,
                    doi=None,
                    url=None,
                    kind="article-journal",
                )
                key = work_key(nc.authors, nc.year, "", nc.title)
                cited = iris.cited(key)
                _cited_work(em, cited, ref, key, cited_seen)
                full[(first.lower(), title_key)] = cited
            em.add(note, DW + "citesWork", cited)
            em.add(_scope(doc, b, iris), CITO + "cites", cited)
            if nc.pages:
                em.add(note, DW + "citedLocator", nc.pages)


def _note_links(doc: Document, iris: Iris, em: Emitter) -> None:
    notes = {(b.chapter, b.number): b for b in doc.blocks if b.kind is Kind.NOTE and b.number}
    for b in doc.blocks:
        for n in b.note_refs:
            note = notes.get((b.chapter, n))
            if note is not None:
                em.add(
                    iris.passage(doc.work_id, b.iri_key),
                    DW + "hasNote",
                    iris.passage(doc.work_id, note.iri_key),
                )
