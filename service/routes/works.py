"""``/api/v1/works``: the corpus works, their chapters and reference lists."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from pyoxigraph import NamedNode

from service.deps import GraphDep
from service.errors import Problem

router = APIRouter(prefix="/api/v1", tags=["works"])


class WorkSummary(BaseModel):
    id: str
    iri: str
    type: str = Field(description="CSL type (article-journal, book, article-newspaper …)")
    title: str
    issued: Any = None


class WorkList(BaseModel):
    items: list[WorkSummary]


class Chapter(BaseModel):
    number: int
    iri: str
    title: str | None
    csl: dict[str, Any]
    pages: str | None
    page_certainty: str | None


class Reference(BaseModel):
    passage_id: str
    text: str
    chapter: int | None
    cited: str | None = Field(description="IRI of the cited work, one node per real work")


class WorkDetail(BaseModel):
    id: str
    iri: str
    csl: dict[str, Any] = Field(description="The bibliographic record as a CSL-JSON item")
    chapters: list[Chapter]
    references: list[Reference]


WORKS = "SELECT ?w ?id ?csl WHERE { ?w dw:workId ?id ; dw:csl ?csl } ORDER BY ?id"
CHAPTERS = """
SELECT ?c ?n ?title ?csl ?first ?last ?certainty WHERE {
  ?c dcterms:isPartOf ?w ; dw:chapterNumber ?n ; dw:csl ?csl .
  OPTIONAL { ?c dcterms:title ?title }
  OPTIONAL { ?c prism:startingPage ?first ; prism:endingPage ?last ; dw:pageCertainty ?certainty }
} ORDER BY ?n
"""
REFERENCES = """
SELECT ?entry ?text ?n ?cited ?order WHERE {
  ?entry a biro:BibliographicReference ; c4o:hasContent ?text ; dw:work ?w ; dw:order ?order .
  OPTIONAL { ?entry dw:chapter/dw:chapterNumber ?n }
  OPTIONAL { ?entry biro:references ?cited }
} ORDER BY ?order
"""


@router.get("/works", response_model=WorkList, summary="The corpus works")
def works(graph: GraphDep) -> WorkList:
    items = []
    for r in graph.rows(WORKS):
        csl = json.loads(r["csl"])
        items.append(
            WorkSummary(
                id=r["id"],
                iri=r["w"],
                type=csl.get("type", ""),
                title=csl.get("title", ""),
                issued=csl.get("issued"),
            )
        )
    return WorkList(items=items)


@router.get("/works/{work_id}", response_model=WorkDetail, summary="One work")
def work(work_id: str, graph: GraphDep) -> WorkDetail:
    rows = [r for r in graph.rows(WORKS) if r["id"] == work_id]
    if not rows:
        known = [r["id"] for r in graph.rows(WORKS)]
        raise Problem(
            404,
            "Unknown work",
            f"no work has the id {work_id!r}",
            hint="See the works at /api/v1/works.",
            available=known,
        )
    w = rows[0]["w"]
    node = NamedNode(w)
    chapters = [
        Chapter(
            number=int(r["n"]),
            iri=r["c"],
            title=r.get("title"),
            csl=json.loads(r["csl"]),
            pages=f"{r['first']}–{r['last']}" if "first" in r else None,
            page_certainty=r.get("certainty"),
        )
        for r in graph.rows(CHAPTERS, w=node)
    ]
    references = [
        Reference(
            passage_id=graph.short(r["entry"], "passage"),
            text=r["text"],
            chapter=int(r["n"]) if "n" in r else None,
            cited=r.get("cited"),
        )
        for r in graph.rows(REFERENCES, w=node)
    ]
    return WorkDetail(
        id=work_id, iri=w, csl=json.loads(rows[0]["csl"]), chapters=chapters, references=references
    )
