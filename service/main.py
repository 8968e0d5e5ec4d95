"""The HTTP app. This first version serves the SPARQL endpoint (GET/POST, JSON
results) and passages; the full service (typed API, pages, limits) builds on it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pyoxigraph import QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat

from ingest.store import open_read_only
from ontology import ONTOLOGY_FILE, sparql_prefixes
from service import ontology_docs
from service.queries import FORBIDDEN, _strip_literals
from service.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()
    app = FastAPI(title="datawork-kg", version="0.1.0")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    def run(query: str) -> Response:
        if FORBIDDEN.search(_strip_literals(query)):
            raise HTTPException(400, "SERVICE and LOAD are not allowed in queries")
        store = open_read_only(s.store_dir)
        text = query if "PREFIX" in query.upper() else sparql_prefixes() + query
        try:
            result = store.query(text, use_default_graph_as_union=True)
        except SyntaxError as e:
            raise HTTPException(400, f"malformed query: {e}") from e
        if isinstance(result, QueryTriples):
            body = result.serialize(format=RdfFormat.N_TRIPLES)
            return Response(body, media_type="application/n-triples")
        if isinstance(result, QuerySolutions):
            body = result.serialize(format=QueryResultsFormat.JSON)
            return Response(body, media_type="application/sparql-results+json")
        return JSONResponse({"head": {}, "boolean": bool(result)})

    @app.get("/ontology", response_model=None)
    def ontology_doc(request: Request, format: Annotated[str | None, Query()] = None) -> Response:
        """The ontology: HTML documentation, or Turtle (``?format=ttl`` or ``Accept``)."""
        accept = request.headers.get("accept", "")
        if format == "ttl" or (format is None and "text/turtle" in accept):
            return Response(ONTOLOGY_FILE.read_bytes(), media_type="text/turtle")
        return HTMLResponse(ontology_docs.render_html())

    @app.get("/sparql")
    def sparql_get(query: Annotated[str, Query()]) -> Response:
        return run(query)

    @app.post("/sparql")
    def sparql_post(query: Annotated[str, Form()]) -> Response:
        return run(query)

    return app
