"""``/api/v1/passages/{id}``: one passage, its text, locator and place in the source file."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from service.deps import GraphDep
from service.errors import Problem
from service.models import Locator

router = APIRouter(prefix="/api/v1", tags=["passages"])


class Raw(BaseModel):
    file: str
    line_start: int
    line_end: int
    char_start: int
    char_end: int


class Passage(BaseModel):
    id: str
    iri: str
    text: str
    kind: str
    work_id: str
    chapter: int | None
    section: str | None
    locator: Locator
    page_certainty: str
    raw: Raw


PASSAGE = """
SELECT ?text ?kind ?work_id ?chapter ?section ?ll ?lv ?pc ?file ?l1 ?l2 ?c1 ?c2 WHERE {
  ?p c4o:hasContent ?text ; dw:kind ?kind ; dw:work/dw:workId ?work_id ;
     dw:locatorLabel ?ll ; dw:locatorValue ?lv ; dw:rawFile ?file ;
     dw:rawLineStart ?l1 ; dw:rawLineEnd ?l2 ; dw:rawCharStart ?c1 ; dw:rawCharEnd ?c2 .
  OPTIONAL { ?p dw:pageCertainty ?pc }
  OPTIONAL { ?p dw:chapter/dw:chapterNumber ?chapter }
  OPTIONAL { ?p dw:sectionTitle ?section }
}
"""


@router.get("/passages/{passage_id}", response_model=Passage, summary="One passage")
def passage(passage_id: str, graph: GraphDep) -> Passage:
    iri = graph.passage_iri(passage_id)
    rows = graph.rows(PASSAGE, p=iri) if iri is not None else []
    if iri is None or not rows:
        raise Problem(
            404,
            "Unknown passage",
            f"no passage has the id {passage_id!r}",
            hint="Passage ids look like 003-1a2b3c4d5e6f; find passages with /api/v1/search "
            "or in the evidence of /api/v1/entities/{id}.",
        )
    r = rows[0]
    page_certainty = r.get("pc", "unknown")
    certainty = "inferred" if r["ll"] == "page" and page_certainty == "inferred" else "exact"
    return Passage(
        id=passage_id,
        iri=iri.value,
        text=r["text"],
        kind=r["kind"],
        work_id=r["work_id"],
        chapter=int(r["chapter"]) if "chapter" in r else None,
        section=r.get("section"),
        locator=Locator(label=r["ll"], value=r["lv"], certainty=certainty),
        page_certainty=page_certainty,
        raw=Raw(
            file=r["file"],
            line_start=int(r["l1"]),
            line_end=int(r["l2"]),
            char_start=int(r["c1"]),
            char_end=int(r["c2"]),
        ),
    )
