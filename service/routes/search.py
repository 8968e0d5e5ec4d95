"""``/api/v1/search``: passages ranked for a few words of them or a question about them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from service.deps import PassagesDep
from service.models import Locator
from service.passage_index import snippet

router = APIRouter(prefix="/api/v1", tags=["search"])


class Hit(BaseModel):
    passage_id: str
    work_id: str
    locator: Locator
    snippet: str = Field(description="Part of the passage around the words searched for")
    score: float = Field(
        description="BM25 score (higher is better; not comparable across searches)"
    )


class Hits(BaseModel):
    items: list[Hit]


@router.get("/search", response_model=Hits, summary="Search passages")
def search(
    passages: PassagesDep,
    q: Annotated[str, Query(min_length=1, description="Words of a passage, or a question")],
    work: Annotated[str | None, Query(description="Only in this work (e.g. 003)")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Hits:
    items = [
        Hit(
            passage_id=d.passage_id,
            work_id=d.work_id,
            locator=Locator(label=d.label, value=d.value, certainty=d.certainty),
            snippet=snippet(d.text, q),
            score=round(score, 3),
        )
        for d, score in passages.search(q, work, limit)
    ]
    return Hits(items=items)
