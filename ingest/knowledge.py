"""RDF for the curated knowledge: entities, assertions with evidence, definitions.

The pattern (docs/graph.md, "Knowledge"): every relation is a plain triple
``entity dw:predicate entity`` in ``id:graph/curated``, so simple SPARQL stays simple, and an
``dw:Assertion`` node (``rdf:subject`` / ``rdf:predicate`` / ``rdf:object``) carries one
``dw:hasEvidence`` per passage that states it. Evidence is a Web Annotation whose target is the
passage with a ``TextQuoteSelector`` (exact, prefix, suffix) and a ``TextPositionSelector``,
plus the locator to cite. One SPARQL pattern reaches a fact's evidence::

    ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; dw:hasEvidence ?ev .
    ?ev oa:hasTarget/oa:hasSource ?passage ; dw:locatorValue ?page .
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from ingest.curation import Anchor, DefinitionRecord, Entity, Knowledge, Quoted, RelationRecord
from ingest.manifest import WorkEntry
from ingest.mentions import Matcher, Mention, PatternDefinition, find_definitions
from ingest.model import Document
from ingest.rdf import Emitter, Iris
from ontology import DCTERMS, DW, OA, OWL, PROV, RDF, RDFS, SKOS, XSD

TRUE = Literal("true", datatype=NamedNode(XSD + "boolean"))

# predicates that are SKOS's own
SKOS_PREDICATES = {"broader": SKOS + "broader", "related": SKOS + "related"}


def predicate_iri(name: str) -> str:
    return SKOS_PREDICATES.get(name, DW + name)


def entity_iri(iris: Iris, entity_id: str) -> NamedNode:
    return NamedNode(f"{iris.base}entity/{entity_id}")


def _h(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


def knowledge_quads(k: Knowledge, iris: Iris) -> Iterator[Quad]:
    em = Emitter(NamedNode(f"{iris.base}graph/curated"))
    for e in k.entities.values():
        _entity(em, e, iris)
    for q in k.relations:
        if q.anchor is not None:
            _relation(em, q, iris)
    for q in k.definitions:
        if q.anchor is not None:
            _definition(em, q, iris)
    yield from em.quads


def _entity(em: Emitter, e: Entity, iris: Iris) -> None:
    s = entity_iri(iris, e.id)
    em.typed(s, DW + e.type, DW + e.top)
    em.add(s, DW + "entityId", e.id)
    em.add(s, RDFS + "label", Literal(e.label, language="en"))
    em.add(s, SKOS + "prefLabel", Literal(e.label, language="en"))
    for alt in e.alt_labels:
        em.add(s, SKOS + "altLabel", Literal(alt, language="en"))
    if e.description:
        em.add(s, DCTERMS + "description", Literal(e.description, language="en"))
    for iri in e.same_as:
        em.add(s, SKOS + "exactMatch" if e.top == "Concept" else OWL + "sameAs", NamedNode(iri))
    if e.pseudonym:
        em.add(s, DW + "pseudonym", TRUE)
    if e.date:
        em.add(s, DCTERMS + "date", e.date)
    if e.top == "Concept":
        em.add(s, SKOS + "inScheme", NamedNode(DW + "concepts"))
    for where in e.sources:
        em.add(s, DW + "curationRecord", where)


def _assertion(em: Emitter, iris: Iris, subject: str, predicate: str, obj: str) -> NamedNode:
    """The plain triple and the statement node that carries its evidence (one per triple)."""
    s, o, p = entity_iri(iris, subject), entity_iri(iris, obj), predicate_iri(predicate)
    em.add(s, p, o)
    a = NamedNode(f"{iris.base}assertion/{_h(subject, predicate, obj)}")
    em.typed(a, DW + "Assertion", RDF + "Statement")
    em.add(a, RDF + "subject", s)
    em.add(a, RDF + "predicate", NamedNode(p))
    em.add(a, RDF + "object", o)
    return a


def _relation(em: Emitter, q: Quoted, iris: Iris) -> None:
    r = q.record
    assert isinstance(r, RelationRecord) and q.anchor is not None
    a = _assertion(em, iris, r.subject, r.predicate, r.object)
    em.add(a, DW + "hasEvidence", evidence(em, q.anchor, iris, body=a, record=q.where))


def _definition(em: Emitter, q: Quoted, iris: Iris) -> None:
    d = q.record
    assert isinstance(d, DefinitionRecord) and q.anchor is not None
    concept = entity_iri(iris, d.concept)
    key = _h(d.concept, d.work, q.anchor.block.iri_key, str(q.anchor.start))
    node = NamedNode(f"{iris.base}definition/{d.concept}-{key}")
    em.typed(node, DW + "Definition")
    em.add(node, DW + "defines", concept)
    em.add(concept, DW + "hasDefinition", node)
    em.add(concept, SKOS + "definition", Literal(q.anchor.exact, language="en"))
    em.add(node, DW + "definitionText", q.anchor.exact)
    em.add(node, DW + "method", "curated")
    if d.coined:
        em.add(node, DW + "presentedAsCoined", TRUE)
    ev = evidence(em, q.anchor, iris, body=node, record=q.where)
    em.add(node, DW + "hasEvidence", ev)
    em.add(node, DW + "work", iris.work(d.work))
    for who in d.credited_to:
        em.add(node, DW + "credits", entity_iri(iris, who))
        a = _assertion(em, iris, d.concept, "coinedBy" if d.coined else "creditedTo", who)
        em.add(a, DW + "hasEvidence", ev)


def evidence(
    em: Emitter,
    anchor: Anchor,
    iris: Iris,
    body: NamedNode,
    method: str = "curated",
    record: str | None = None,
) -> NamedNode:
    """The Web Annotation that anchors a quote in its passage, with the locator to cite."""
    b = anchor.block
    key = _h(body.value, b.iri_key, str(anchor.start), str(anchor.end))
    ev = NamedNode(f"{iris.base}evidence/{key}")
    passage = iris.passage(anchor.work_id, b.iri_key)
    em.typed(ev, DW + "Evidence", OA + "Annotation")
    em.add(ev, OA + "motivatedBy", NamedNode(OA + "describing"))
    em.add(ev, OA + "hasBody", body)
    em.add(ev, OA + "hasTarget", _target(em, ev, passage, anchor))
    em.add(ev, PROV + "wasDerivedFrom", passage)
    em.add(ev, PROV + "wasGeneratedBy", iris.activity())
    em.add(ev, DW + "method", method)
    if record is not None:
        em.add(ev, DW + "curationRecord", record)
    em.add(ev, DW + "work", iris.work(anchor.work_id))
    if b.chapter is not None:
        em.add(ev, DW + "chapter", iris.chapter(anchor.work_id, b.chapter))
    label, value, certainty = anchor.locator()
    em.add(ev, DW + "locatorLabel", label)
    em.add(ev, DW + "locatorValue", value)
    em.add(ev, DW + "locatorCertainty", certainty)
    em.add(ev, DW + "pageCertainty", certainty if label == "page" else "unknown")
    return ev


def _target(em: Emitter, ev: NamedNode, passage: NamedNode, anchor: Anchor) -> NamedNode:
    target = NamedNode(ev.value + "-target")
    quote = NamedNode(ev.value + "-quote")
    position = NamedNode(ev.value + "-position")
    em.typed(target, OA + "SpecificResource")
    em.add(target, OA + "hasSource", passage)
    em.add(target, OA + "hasSelector", quote)
    em.add(target, OA + "hasSelector", position)
    em.typed(quote, OA + "TextQuoteSelector")
    em.add(quote, OA + "exact", anchor.exact)
    em.add(quote, OA + "prefix", anchor.prefix())
    em.add(quote, OA + "suffix", anchor.suffix())
    em.typed(position, OA + "TextPositionSelector")
    em.add(position, OA + "start", anchor.start)
    em.add(position, OA + "end", anchor.end)
    return target


# ---------------------------------------------------------------- extracted


def extracted_quads(
    mentions: list[Mention],
    pairs: Counter[tuple[str, str]],
    definitions: list[tuple[str, PatternDefinition]],
    iris: Iris,
) -> Iterator[Quad]:
    """Mentions, co-mention counts and pattern-found definitions of known concepts."""
    em = Emitter(NamedNode(f"{iris.base}graph/extracted"))
    for m in mentions:
        passage = iris.passage(m.work_id, m.block.iri_key)
        entity = entity_iri(iris, m.entity)
        node = NamedNode(f"{iris.base}mention/{m.work_id}-{m.block.iri_key}-{m.entity}")
        em.add(passage, DW + "mentions", entity)
        em.typed(node, DW + "Mention")
        em.add(node, DW + "mentionOf", entity)
        em.add(node, DW + "inPassage", passage)
        em.add(node, DW + "work", iris.work(m.work_id))
        em.add(node, DW + "mentionCount", m.count)
        for label in m.labels:
            em.add(node, DW + "matchedLabel", label)
        em.add(node, PROV + "wasGeneratedBy", iris.activity())
    for (a, b), n in pairs.items():
        node = NamedNode(f"{iris.base}comention/{a}--{b}")
        em.typed(node, DW + "CoMention")
        em.add(node, DW + "coMentioned", entity_iri(iris, a))
        em.add(node, DW + "coMentioned", entity_iri(iris, b))
        em.add(node, DW + "passageCount", n)
    for concept, d in definitions:
        anchor = Anchor(d.work_id, d.block, d.start, d.end)
        key = _h(concept, d.work_id, d.block.iri_key, str(d.start), d.pattern)
        node = NamedNode(f"{iris.base}definition/{concept}-{key}")
        em.typed(node, DW + "Definition")
        em.add(node, DW + "defines", entity_iri(iris, concept))
        em.add(entity_iri(iris, concept), DW + "hasDefinition", node)
        em.add(node, DW + "definitionText", anchor.exact)
        em.add(node, DW + "method", "extracted")
        em.add(node, DW + "pattern", d.pattern)
        em.add(node, DW + "work", iris.work(d.work_id))
        em.add(node, DW + "hasEvidence", evidence(em, anchor, iris, node, method="extracted"))
    yield from em.quads


def pattern_definitions(
    docs: list[Document], matcher: Matcher, k: Knowledge
) -> list[tuple[str, PatternDefinition]]:
    """Definitions found by pattern whose term is a known concept, not already curated there."""
    curated = {
        (q.record.concept, q.anchor.block.iri_key)
        for q in k.definitions
        if isinstance(q.record, DefinitionRecord) and q.anchor is not None
    }
    out: list[tuple[str, PatternDefinition]] = []
    seen: set[tuple[str, str, int]] = set()
    for d in find_definitions(docs):
        hits = matcher.find(d.term)
        if not hits or hits[0][0] != 0 or (d.quoted and hits[0][1] != len(d.term)):
            continue  # a quoted term must be a whole label; else the label starts the words
        ids = [i for i in hits[0][3] if k.entities[i].top == "Concept"]
        if len(ids) != 1 or (ids[0], d.block.iri_key) in curated:
            continue
        key = (ids[0], d.block.iri_key, d.start)
        if key not in seen:
            seen.add(key)
            out.append((ids[0], d))
    return out


def author_quads(
    docs: list[tuple[WorkEntry, Document]], k: Knowledge, iris: Iris, report: Any
) -> list[Quad]:
    """``dcterms:creator`` from each work and chapter to the curated Person of its author."""
    people: dict[str, str] = {}
    for e in k.entities.values():
        if e.type == "Person":
            for label in e.labels():
                people[" ".join(label.split()).lower()] = e.id
    em = Emitter(NamedNode(f"{iris.base}graph/curated"))
    for entry, doc in docs:
        targets = [(iris.work(entry.id), entry.csl.get("author", []))]
        targets += [(iris.chapter(entry.id, ch.number), ch.authors) for ch in doc.chapters]
        for node, authors in targets:
            for person in authors:
                name = " ".join(f"{person.get('given', '')} {person.get('family', '')}".split())
                pid = people.get(name.lower())
                if pid is None:
                    report.warnings.append(f"{entry.file}: author {name!r} is not a curated Person")
                    continue
                em.add(node, DCTERMS + "creator", entity_iri(iris, pid))
    return em.quads
