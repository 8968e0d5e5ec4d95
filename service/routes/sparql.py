"""``/sparql``: the SPARQL 1.1 Protocol, read-only unless updates are turned on.

Query by GET (``?query=``), POST form (``query=``) or POST ``application/sparql-query``;
``default-graph-uri`` / ``named-graph-uri`` set the dataset. Results by ``Accept`` (or
``?format=``): SPARQL JSON, XML, CSV, TSV; CONSTRUCT and DESCRIBE as Turtle, N-Triples,
JSON-LD, RDF/XML. GET without a query answers the Service Description.

SPARQL Update (POST ``update=`` or ``application/sparql-update``) is refused with 403
unless the service runs with ``allow_update`` and an ``update_token``; then a request
that carries ``Authorization: Bearer <token>`` is applied as a new build of the graph
(``sparql.run_update``) and every other update answers 401.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pyoxigraph import BlankNode, NamedNode, Quad, serialize

from ontology import PREFIXES
from service import sparql
from service.deps import PoolDep, SettingsDep
from service.errors import Problem, from_sparql
from service.remote import RemotePool
from service.sparql import Pool

router = APIRouter(tags=["sparql"])

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
SHORT = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "xml-rdf": "application/rdf+xml",
}


def negotiate(accept: str, offered: list[str]) -> str | None:
    """The offered media type the ``Accept`` header prefers (q-values honoured)."""
    if not accept.strip():
        return offered[0]
    best: tuple[tuple[float, int, int, int], str] | None = None
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        for rank, o in enumerate(offered):
            if media in (o, "*/*") or (media.endswith("/*") and o.startswith(media[:-1])):
                exact = 1 if media == o else 0
                choice = (q, exact, -i, -rank)
                if best is None or choice > best[0]:
                    best = (choice, o)
    return best[1] if best else None


def _formats(request: Request) -> tuple[str, str]:
    fmt = request.query_params.get("format")
    accept = SHORT.get(fmt.lower(), fmt) if fmt else request.headers.get("accept", "")
    results = negotiate(accept, list(sparql.RESULT_TYPES))
    graphs = negotiate(accept, list(sparql.GRAPH_TYPES))
    if results is None and graphs is None:
        raise Problem(
            406, "Not acceptable", f"none of the asked media types ({accept}) is served here",
            hint="Ask for one of: " + ", ".join([*sparql.RESULT_TYPES, *sparql.GRAPH_TYPES]),
        )  # fmt: skip
    return (
        sparql.RESULT_TYPES[results or "application/sparql-results+json"],
        graphs or "text/turtle",
    )


async def _params(request: Request) -> dict[str, list[str]]:
    params = {k: request.query_params.getlist(k) for k in request.query_params}
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = (await request.body()).decode("utf-8", errors="replace")
        if ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-query":
            params.setdefault("query", []).append(body)
        elif ctype == "application/sparql-update":
            params.setdefault("update", []).append(body)
        else:
            raise Problem(
                415, "Unsupported media type", f"a POST to /sparql cannot be {ctype or 'untyped'}",
                hint="Send application/x-www-form-urlencoded (query=...) or "
                "application/sparql-query.",
            )  # fmt: skip
    return params


ParamsDep = Annotated[dict[str, list[str]], Depends(_params)]


def _answer(
    request: Request, params: dict[str, list[str]], settings: SettingsDep, pool: PoolDep
) -> Response:
    if params.get("update"):
        if request.method == "GET":  # GET is safe: the protocol sends updates by POST only
            raise Problem(
                405, "Update by GET", "SPARQL Update is not accepted by GET",
                hint="POST the update (form field update=, or application/sparql-update).",
                headers={"Allow": "POST"},
            )  # fmt: skip
        return _update(request, params["update"], settings, pool)
    queries = params.get("query", [])
    if not queries:
        return service_description(request)
    if len(queries) > 1:
        raise Problem(400, "Malformed request", "give exactly one query parameter")
    query = queries[0]
    _check_size("query", query, settings)
    _check_graphs(params)
    result_format, graph_format = _formats(request)
    req = sparql.Request(
        query=query,
        store_path="" if settings.sparql_endpoint else sparql.store_path(settings.store_dir),
        result_format=result_format,
        graph_format=graph_format,
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        max_rows=settings.max_result_rows,
        prefixes=(*PREFIXES.items(), ("id", settings.base_iri)),
    )
    try:
        sparql.check_allowed(query)
        result = pool.run(req)
    except sparql.Unacceptable as e:
        raise Problem(
            406, "Not acceptable", str(e),
            hint="Ask for text/turtle or application/n-triples: they write every RDF 1.2 term.",
        ) from e  # fmt: skip
    except sparql.SparqlError as e:
        raise from_sparql(e, settings.query_timeout_s) from e
    headers = {"DWKG-Rows": str(result.rows)}
    if result.truncated:
        headers["DWKG-Truncated"] = f"true; the answer stops at {settings.max_result_rows} rows"
    return Response(result.body, media_type=result.media_type, headers=headers)


def _check_graphs(params: dict[str, list[str]]) -> None:
    """Every default-graph-uri and named-graph-uri is an absolute IRI (400 otherwise)."""
    for name in ("default-graph-uri", "named-graph-uri"):
        for iri in params.get(name, []):
            try:
                NamedNode(iri)
            except ValueError as e:
                raise Problem(
                    400, "Malformed request", f"{name} {iri!r} is not an IRI: {e}",
                    hint="Give graphs by absolute IRI, e.g. "
                    "https://w3id.org/datawork-kg/id/graph/work/004.",
                ) from e  # fmt: skip


def _check_size(kind: str, text: str, settings: SettingsDep) -> None:
    size = len(text.encode())
    if size > settings.max_query_bytes:
        raise Problem(
            413, f"{kind.capitalize()} too long",
            f"the {kind} has {size} bytes; at most {settings.max_query_bytes} are accepted",
        )  # fmt: skip


def _update(
    request: Request, updates: list[str], settings: SettingsDep, pool: Pool | RemotePool
) -> Response:
    if not settings.allow_update or not settings.update_token:
        raise Problem(
            403, "Read-only endpoint", "SPARQL Update is not accepted on this service",
            hint="Updates are off; the graph changes only by `dwkg ingest` (or run the "
            "service with DWKG_ALLOW_UPDATE and DWKG_UPDATE_TOKEN).",
        )  # fmt: skip
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.update_token.encode()
    ):
        raise Problem(
            401, "Update token required", "this update does not carry the service's token",
            hint="Send the header 'Authorization: Bearer <token>' with the token the "
            "service was started with (DWKG_UPDATE_TOKEN).",
            headers={"WWW-Authenticate": 'Bearer realm="sparql-update"'},
        )  # fmt: skip
    if len(updates) > 1:
        raise Problem(400, "Malformed request", "give exactly one update parameter")
    _check_size("update", updates[0], settings)
    prefixes = {**PREFIXES, "id": settings.base_iri}
    try:
        if isinstance(pool, RemotePool):
            before = request.app.state.graph.build_id()
            build = hashlib.sha256(f"{before} {updates[0]}".encode()).hexdigest()
            pool.update(updates[0], prefixes, settings.base_iri, build[:16])
        else:
            sparql.run_update(settings.store_dir, updates[0], settings.query_timeout_s, prefixes)
    except sparql.SparqlError as e:
        raise from_sparql(e, settings.query_timeout_s) from e
    return Response(status_code=204)


@router.get("/sparql", summary="SPARQL query (GET), or the Service Description without one")
def sparql_get(
    request: Request, params: ParamsDep, settings: SettingsDep, pool: PoolDep
) -> Response:
    return _answer(request, params, settings, pool)


@router.post("/sparql", summary="SPARQL query (POST form or application/sparql-query)")
def sparql_post(
    request: Request, params: ParamsDep, settings: SettingsDep, pool: PoolDep
) -> Response:
    return _answer(request, params, settings, pool)


def service_description(request: Request) -> Response:
    endpoint = NamedNode(str(request.url.replace(query="")))
    svc = BlankNode()
    dataset, default = BlankNode(), BlankNode()
    a = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples: list[tuple[Any, NamedNode, Any]] = [
        (svc, a, NamedNode(SD + "Service")),
        (svc, NamedNode(SD + "endpoint"), endpoint),
        (svc, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Query")),
        (svc, NamedNode(SD + "feature"), NamedNode(SD + "UnionDefaultGraph")),
        *(
            [(svc, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Update"))]
            if request.app.state.settings.allow_update
            else []
        ),
        (svc, NamedNode(SD + "defaultDataset"), dataset),
        (dataset, a, NamedNode(SD + "Dataset")),
        (dataset, NamedNode(SD + "defaultGraph"), default),
        (default, a, NamedNode(SD + "Graph")),
    ]
    for f in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
              "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):  # fmt: skip
        triples.append((svc, NamedNode(SD + "resultFormat"), NamedNode(FORMATS + f)))
    media = (
        negotiate(
            request.headers.get("accept", ""),
            ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"],
        )
        or "text/turtle"
    )
    body = serialize([Quad(*t).triple for t in triples], format=sparql.GRAPH_TYPES[media])
    return Response(body, media_type=media)
