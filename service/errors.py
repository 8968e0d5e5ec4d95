"""Every error the service answers with, as ``application/problem+json`` (RFC 9457).

One exception, ``Problem``, carries the status, a short title, a detail a person can act
on, and optionally what to do next and extra members; the handlers in ``install`` turn it
(and the SPARQL, store and validation errors) into one JSON body shape:
``{"type", "title", "status", "detail", "hint"?, "request_id"?, ...}`` (the request id
is the one ``service.operations`` echoes in ``X-Request-ID`` and logs).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.errors import StoreError
from service import sparql

PROBLEM = "application/problem+json"
TYPES = "https://w3id.org/datawork-kg/problems/"
request_id: ContextVar[str | None] = ContextVar("dwkg_request_id", default=None)


class Problem(Exception):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        hint: str | None = None,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.hint = status, title, detail, hint
        self.kind = kind or title.lower().replace(" ", "-")
        self.headers = headers or {}
        self.extra = extra


def response(p: Problem) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPES + p.kind,
        "title": p.title,
        "status": p.status,
        "detail": p.detail,
    }
    if p.hint:
        body["hint"] = p.hint
    body.update(p.extra)
    rid = request_id.get()
    if rid is not None:
        body["request_id"] = rid
    return JSONResponse(body, status_code=p.status, media_type=PROBLEM, headers=p.headers)


def from_sparql(e: sparql.SparqlError, timeout_s: float) -> Problem:
    if isinstance(e, sparql.Malformed):
        return Problem(
            400,
            "Malformed query",
            str(e),
            kind="malformed-query",
            hint="Fix the query at the position the parser names.",
        )
    if isinstance(e, sparql.Forbidden):
        return Problem(400, "Forbidden in queries", str(e), kind="forbidden-operation")
    if isinstance(e, sparql.ShuttingDown):
        return Problem(
            503,
            "Shutting down",
            str(e),
            kind="shutting-down",
            hint="Send the request again: another instance (or this one, restarted) answers it.",
            headers={"Retry-After": "5"},
        )
    if isinstance(e, sparql.Timeout):
        return Problem(
            503,
            "Query time limit",
            str(e),
            kind="query-timeout",
            hint=f"Queries may run {timeout_s:g} s here.",
            limit_s=timeout_s,
        )
    if isinstance(e, sparql.Busy):
        return Problem(
            503,
            "Too many queries",
            f"{e}; try again in a moment.",
            kind="busy",
            headers={"Retry-After": "2"},
        )
    if isinstance(e, sparql.Upstream):
        return Problem(
            502, "SPARQL endpoint failed", str(e), kind="endpoint-failed",
            hint="The graph is served from a remote SPARQL endpoint; check that it runs.",
            headers={"Retry-After": "5"},
        )  # fmt: skip
    return Problem(500, "Query failed", str(e), kind="query-failed")


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, e: Problem) -> JSONResponse:
        return response(e)

    @app.exception_handler(StoreError)
    async def _store(_: Request, e: StoreError) -> JSONResponse:
        return response(Problem(503, "No graph", str(e), kind="no-graph"))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors()]
        return response(
            Problem(
                422,
                "Invalid request",
                "; ".join(problems),
                kind="invalid-request",
                hint="See the parameters of this endpoint at /docs.",
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException) -> JSONResponse:
        titles = {
            404: "Not found",
            405: "Method not allowed",
            406: "Not acceptable",
            415: "Unsupported media type",
        }
        title = titles.get(e.status_code, "Error")
        return response(Problem(e.status_code, title, str(e.detail), headers=dict(e.headers or {})))
