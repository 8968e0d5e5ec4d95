"""``/api/v1/queries``: the named queries of ``queries/``, run with typed parameters."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from service import catalogue
from service.deps import GraphDep, SettingsDep
from service.errors import Problem

router = APIRouter(prefix="/api/v1", tags=["queries"])


class Param(BaseModel):
    name: str
    type: str
    required: bool
    description: str


class QueryInfo(BaseModel):
    name: str
    title: str
    description: str
    params: list[Param]
    columns: list[str]
    examples: list[dict[str, str]]


class QueryList(BaseModel):
    items: list[QueryInfo]


class QueryResult(BaseModel):
    name: str
    params: dict[str, str]
    columns: list[str]
    rows: list[dict[str, str]]


def _info(q: catalogue.NamedQuery) -> QueryInfo:
    return QueryInfo(
        name=q.name,
        title=q.title,
        description=q.description,
        params=[
            Param(name=p.name, type=p.type, required=p.required, description=p.description)
            for p in q.params
        ],
        columns=list(q.columns),
        examples=list(q.examples),
    )


@router.get("/queries", response_model=QueryList, summary="The named queries")
def list_queries(settings: SettingsDep) -> QueryList:
    named = catalogue.load(settings.queries_dir)
    return QueryList(items=[_info(q) for q in named.values()])


@router.get("/queries/{name}", response_model=QueryResult, summary="Run a named query")
def run_query(name: str, request: Request, settings: SettingsDep, graph: GraphDep) -> QueryResult:
    named = catalogue.load(settings.queries_dir)
    q = named.get(name)
    if q is None:
        raise Problem(
            404,
            "Unknown query",
            f"no named query {name!r}",
            hint="See the named queries at /api/v1/queries.",
            available=sorted(named),
        )
    params = {k: v for k, v in request.query_params.items()}
    try:
        text = q.bind(params, settings.base_iri)
    except catalogue.CatalogueError as e:
        raise Problem(
            400,
            "Bad parameters",
            str(e),
            kind="bad-parameters",
            parameters=[p.name for p in q.params],
        ) from e
    rows = q.tidy(graph.rows(text))
    return QueryResult(name=name, params=params, columns=list(q.columns), rows=rows)
