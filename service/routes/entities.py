"""``/api/v1/entities``: find entities by label; one entity with its facts and evidence."""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from service.deps import GraphDep, IndexDep
from service.errors import Problem
from service.models import Evidence, Locator

router = APIRouter(prefix="/api/v1", tags=["entities"])

TopType = Literal["Actor", "Institution", "Regime", "Concept", "Place", "Artefact", "Event", "Work"]


class EntityHit(BaseModel):
    id: str
    iri: str
    type: str = Field(description="Actor, Institution, Regime, Concept, Place, Artefact or Event")
    types: list[str] = Field(description="Every class, finest included (Company, Person …)")
    label: str
    score: float = Field(description="How well a label matches the search, 0–100")


class EntityPage(BaseModel):
    items: list[EntityHit]
    next_cursor: str | None = Field(None, description="Pass as cursor= for the next page")


class Target(BaseModel):
    id: str
    label: str
    type: str


class Relation(BaseModel):
    predicate: str
    predicate_label: str
    direction: Literal["out", "in"]
    target: Target
    evidence: list[Evidence]


class Mentioned(BaseModel):
    work_id: str
    count: int


class Definition(BaseModel):
    text: str
    passage_id: str
    work_id: str
    chapter: int | None = None
    locator: Locator
    credited_to: list[str]
    method: str


class EntityDetail(BaseModel):
    id: str
    iri: str
    type: str
    types: list[str]
    label: str
    alt_labels: list[str]
    description: str | None
    same_as: list[str]
    pseudonym: bool
    relations: list[Relation]
    mentioned_in: list[Mentioned]
    definitions: list[Definition]


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        if raw.startswith("o") and raw[1:].isdigit():
            return int(raw[1:])
    except (ValueError, UnicodeDecodeError):
        pass
    raise Problem(
        400,
        "Bad cursor",
        f"{cursor!r} is not a cursor this service gave out",
        hint="Start again without cursor=, then follow next_cursor.",
    )


@router.get("/entities", response_model=EntityPage, summary="Find entities by label")
def find_entities(
    index: IndexDep,
    q: Annotated[str | None, Query(description="Name or term, typos and variants forgiven")] = None,
    type: Annotated[TopType | None, Query(description="Only this kind")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    cursor: Annotated[str | None, Query(description="From next_cursor")] = None,
) -> EntityPage:
    start = _offset(cursor)
    if q:
        ranked = index.search(q, type)
    else:
        entries = sorted(index.entries().values(), key=lambda e: e.label.casefold())
        ranked = [(e, 100.0) for e in entries if type is None or type in e.types]
    page = ranked[start : start + limit]
    items = [
        EntityHit(
            id=e.id, iri=e.iri, type=e.top, types=sorted(e.types), label=e.label, score=round(s, 1)
        )
        for e, s in page
    ]
    more = start + limit < len(ranked)
    return EntityPage(items=items, next_cursor=_cursor(start + limit) if more else None)


DETAIL = """
SELECT ?description ?same ?pseudonym WHERE {
  OPTIONAL { ?e dcterms:description ?description }
  OPTIONAL { { ?e owl:sameAs ?same } UNION { ?e skos:exactMatch ?same } }
  OPTIONAL { ?e dw:pseudonym ?pseudonym }
}
"""
RELATIONS = """
SELECT ?dir ?p ?other ?olabel ?ev ?exact ?passage ?work_id ?ll ?lv ?lc ?plabel ?ch WHERE {
  { ?a rdf:subject ?e ; rdf:predicate ?p ; rdf:object ?other . BIND ("out" AS ?dir) }
  UNION
  { ?a rdf:object ?e ; rdf:predicate ?p ; rdf:subject ?other . BIND ("in" AS ?dir) }
  ?a dw:hasEvidence ?ev .
  ?other skos:prefLabel ?olabel .
  ?ev dw:work/dw:workId ?work_id ; dw:locatorLabel ?ll ; dw:locatorValue ?lv ;
      dw:locatorCertainty ?lc ; prov:wasDerivedFrom ?passage ; oa:hasTarget/oa:hasSelector ?sel .
  ?sel a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?ev dw:chapter/dw:chapterNumber ?ch }
  OPTIONAL { ?p rdfs:label ?plabel }
}
"""
MENTIONS = """
SELECT ?work_id (SUM(?n) AS ?count) WHERE {
  ?m dw:mentionOf ?e ; dw:work/dw:workId ?work_id ; dw:mentionCount ?n .
} GROUP BY ?work_id ORDER BY ?work_id
"""
DEFINITIONS = """
SELECT ?d ?text ?method ?work_id ?ll ?lv ?lc ?passage ?credited ?ch WHERE {
  ?d dw:defines ?e ; dw:definitionText ?text ; dw:method ?method ; dw:hasEvidence ?ev .
  ?ev dw:work/dw:workId ?work_id ; dw:locatorLabel ?ll ; dw:locatorValue ?lv ;
      dw:locatorCertainty ?lc ; prov:wasDerivedFrom ?passage .
  OPTIONAL { ?ev dw:chapter/dw:chapterNumber ?ch }
  OPTIONAL { ?d dw:credits/skos:prefLabel ?credited }
}
"""


@router.get("/entities/{entity_id}", response_model=EntityDetail, summary="One entity")
def entity(entity_id: str, graph: GraphDep, index: IndexDep) -> EntityDetail:
    entries = index.entries()
    e = entries.get(entity_id)
    if e is None:
        near = [x.id for x, _ in index.search(entity_id.replace("-", " "), limit=5)]
        raise Problem(
            404,
            "Unknown entity",
            f"no entity has the id {entity_id!r}",
            hint="Search by name at /api/v1/entities?q=…",
            closest=near,
        )
    iri = graph.entity_iri(entity_id)
    facts = graph.rows(DETAIL, e=iri)
    relations: dict[tuple[str, str, str], Relation] = {}
    for r in graph.rows(RELATIONS, e=iri):
        other = entries.get(graph.short(r["other"], "entity"))
        key = (r["dir"], r["p"], r["other"])
        rel = relations.get(key)
        if rel is None:
            rel = relations[key] = Relation(
                predicate=r["p"],
                predicate_label=r.get("plabel", r["p"].rsplit("#", 1)[-1]),
                direction="out" if r["dir"] == "out" else "in",
                target=Target(
                    id=graph.short(r["other"], "entity"),
                    label=r["olabel"],
                    type=other.top if other else "Actor",
                ),
                evidence=[],
            )
        ev = Evidence(
            passage_id=graph.short(r["passage"], "passage"),
            work_id=r["work_id"],
            chapter=int(r["ch"]) if "ch" in r else None,
            locator=Locator(label=r["ll"], value=r["lv"], certainty=r["lc"]),
            quote=r["exact"],
        )
        if ev not in rel.evidence:
            rel.evidence.append(ev)
    definitions: dict[str, Definition] = {}
    for r in graph.rows(DEFINITIONS, e=iri):
        d = definitions.get(r["d"])
        if d is None:
            d = definitions[r["d"]] = Definition(
                text=r["text"],
                passage_id=graph.short(r["passage"], "passage"),
                work_id=r["work_id"],
                chapter=int(r["ch"]) if "ch" in r else None,
                method=r["method"],
                credited_to=[],
                locator=Locator(label=r["ll"], value=r["lv"], certainty=r["lc"]),
            )
        if "credited" in r and r["credited"] not in d.credited_to:
            d.credited_to.append(r["credited"])
    return EntityDetail(
        id=e.id,
        iri=e.iri,
        type=e.top,
        types=sorted(e.types),
        label=e.label,
        alt_labels=sorted(e.labels - {e.label}),
        description=next((f["description"] for f in facts if "description" in f), None),
        same_as=sorted({f["same"] for f in facts if "same" in f}),
        pseudonym=any(f.get("pseudonym") == "true" for f in facts),
        relations=sorted(
            relations.values(), key=lambda r: (r.direction, r.predicate_label, r.target.label)
        ),
        mentioned_in=[
            Mentioned(work_id=r["work_id"], count=int(r["count"]))
            for r in graph.rows(MENTIONS, e=iri)
        ],
        definitions=sorted(definitions.values(), key=lambda d: (d.work_id, d.method)),
    )


def _relation_order(r: Relation) -> tuple[str, str, str]:
    return (r.direction, r.predicate_label, r.target.label)
