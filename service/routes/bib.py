"""``/api/v1/bib``: the whole bibliography for citation tools."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service.bibliography import EXPORTS, export
from service.deps import BibDep
from service.errors import Problem
from service.routes.sparql import negotiate

router = APIRouter(prefix="/api/v1", tags=["bibliography"])

BY_MEDIA = {
    "application/vnd.citationstyles.csl+json": "csljson",
    "application/json": "csljson",
    "application/x-bibtex": "bibtex",
    "text/x-bibtex": "bibtex",
    "application/x-biblatex": "biblatex",
}


@router.get(
    "/bib",
    summary="The whole bibliography as CSL-JSON, BibTeX or BibLaTeX, keyed by citation key",
    response_class=Response,
)
def bibliography(
    request: Request,
    bib: BibDep,
    format: Annotated[
        str | None, Query(description="csljson, bibtex or biblatex (or ask by Accept)")
    ] = None,
) -> Response:
    fmt = format
    if fmt is None:
        media = negotiate(request.headers.get("accept", ""), list(BY_MEDIA))
        fmt = BY_MEDIA[media] if media else "csljson"
    if fmt not in EXPORTS:
        raise Problem(
            400,
            "Unsupported format",
            f"the bibliography is not offered as {fmt!r}",
            hint="Ask for format=csljson (pandoc --citeproc reads it), bibtex or biblatex.",
        )
    return Response(export(bib.items(), fmt), media_type=EXPORTS[fmt])
