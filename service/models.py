"""Models several routes share: how a passage is cited, and a piece of evidence."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Locator(BaseModel):
    label: Literal["page", "paragraph", "note", "section"] = Field(
        description="page where the source prints pages and we know it; else paragraph, "
        "note or section"
    )
    value: str = Field(description="The page (range), paragraph or note number, or heading")
    certainty: Literal["exact", "inferred"] = Field(
        description="exact: a running head or masthead on that page, or a counted paragraph; "
        "inferred: a page counted from page-start cues between anchors"
    )


class Evidence(BaseModel):
    passage_id: str
    work_id: str
    chapter: int | None = Field(None, description="The chapter, in the edited volume")
    locator: Locator
    quote: str = Field(description="The verbatim words of the passage that state the fact")
