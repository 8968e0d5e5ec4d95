"""Running SPARQL on the store: ad-hoc SELECTs and the named queries in ``queries/``.

pyoxigraph results are consumed inside the function that ran the query and
returned as plain Python data (they must not cross threads).
"""

from __future__ import annotations

from pyoxigraph import (
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    parse_query_results,
)

from ingest.endpoint import SPARQL_JSON, EndpointRejected
from ingest.store import open_read_only
from ontology import sparql_prefixes
from service import catalogue
from service import sparql as sparql_worker
from service.settings import Settings


class QueryError(Exception):
    """A query that cannot run: malformed, forbidden or not a SELECT/ASK."""


def run_select(settings: Settings, sparql: str) -> tuple[list[str], list[dict[str, str]]]:
    """Run a SELECT (or ASK) on the current store; values as strings."""
    try:
        sparql_worker.check_allowed(sparql)
    except sparql_worker.Forbidden as e:
        raise QueryError(f"SERVICE and LOAD are not allowed in queries on this service: {e}") from e
    text = sparql if "PREFIX" in sparql.upper() else sparql_prefixes() + sparql
    endpoint = settings.endpoint()
    result: object
    try:
        if endpoint is None:
            store = open_read_only(settings.store_dir)
            result = store.query(text, use_default_graph_as_union=True)
        else:
            response = endpoint.query(text, SPARQL_JSON)
            result = parse_query_results(response.content, QueryResultsFormat.JSON)
    except (SyntaxError, EndpointRejected) as e:
        raise QueryError(f"malformed query: {e}") from e
    finally:
        if endpoint is not None:
            endpoint.close()
    if isinstance(result, QueryBoolean):
        return ["ask"], [{"ask": str(bool(result)).lower()}]
    if not isinstance(result, QuerySolutions):
        raise QueryError("only SELECT and ASK queries print as a table; use the HTTP endpoint")
    head = [v.value for v in result.variables]
    rows: list[dict[str, str]] = []
    for sol in result:
        row: dict[str, str] = {}
        for h in head:
            term = sol[h]
            if term is not None:
                row[h] = _value(term)
        rows.append(row)
    return head, rows


def run_named(
    settings: Settings, name: str, params: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """Run a named query of ``queries/`` with its parameters bound as RDF terms."""
    return run_named_table(settings, name, params)[1]


def run_named_table(
    settings: Settings, name: str, params: dict[str, str] | None = None
) -> tuple[list[str], list[dict[str, str]]]:
    """Like ``run_named``, with the result's column names."""
    named = catalogue.load(settings.queries_dir)
    query = named.get(name)
    if query is None:
        raise QueryError(
            f"no named query {name!r}; the named queries are: {', '.join(sorted(named))}"
        )
    try:
        text = query.bind(params or {}, settings.base_iri)
    except catalogue.CatalogueError as e:
        raise QueryError(str(e)) from e
    head, rows = run_select(settings, text)
    return head, query.tidy(rows)


def _value(term: object) -> str:
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)
