"""``/api/v1/bib``: the whole bibliography for citation tools."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from service.bibliography import csl_items
from service.deps import GraphDep
from service.errors import Problem

router = APIRouter(prefix="/api/v1", tags=["bibliography"])

FORMATS = ("csljson",)


@router.get("/bib", summary="The whole bibliography (CSL-JSON), keyed by citation key")
def bibliography(
    graph: GraphDep,
    format: Annotated[str, Query(description="csljson")] = "csljson",
) -> JSONResponse:
    if format not in FORMATS:
        raise Problem(
            400,
            "Unsupported format",
            f"the bibliography is not offered as {format!r} yet",
            hint="Ask for format=csljson (pandoc --citeproc reads it).",
        )
    return JSONResponse(csl_items(graph), media_type="application/vnd.citationstyles.csl+json")
