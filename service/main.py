"""The HTTP app: the SPARQL 1.1 endpoint, the ontology documentation, health."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from ingest.errors import StoreError
from ontology import ONTOLOGY_FILE
from service import errors, ontology_docs, operations
from service.bibliography import Bibliography
from service.cite import Citer
from service.graph import Graph
from service.remote import RemotePool
from service.routes import (
    better_bibtex,
    bib,
    cite,
    entities,
    pages,
    passages,
    queries,
    search,
    void,
    works,
)
from service.routes import sparql as sparql_routes
from service.settings import Settings
from service.sparql import Pool


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()
    endpoint = s.endpoint()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if endpoint is None:
            app.state.pool = Pool(s.sparql_concurrency, s.query_timeout_s)
        else:
            app.state.pool = RemotePool(endpoint, s.sparql_concurrency, s.query_timeout_s)
        stop = operations.start(app)  # signals chained, indexes warmed in a thread
        try:
            yield
        finally:
            stop()
            app.state.pool.close()

    app = FastAPI(
        docs_url=None,  # served below from the package, not from a CDN
        title="datawork-kg",
        version="0.1.0",
        description="A knowledge graph of the AI data-work literature: every fact traceable "
        "to its verbatim passage and page.",
        lifespan=lifespan,
    )
    app.state.settings = s
    app.state.graph = Graph(s.store_dir, s.base_iri, endpoint, s.endpoint_refresh_s)
    app.state.citer = citer = Citer.on(app.state.graph)
    app.state.index, app.state.passages = citer.entities, citer.passages
    app.state.quotes = citer.quotes
    app.state.bib = Bibliography(app.state.graph)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=s.cors_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["DWKG-Truncated", "DWKG-Rows", "Retry-After", "ETag", "X-Request-ID"],
    )
    errors.install(app)
    app.include_router(sparql_routes.router)
    for module in (entities, passages, queries, search, works, void, pages, bib, cite):
        app.include_router(module.router)
    app.include_router(better_bibtex.router)

    @app.middleware("http")
    async def etag(request: Request, call_next: Any) -> Response:
        """The graph changes only on ingest: the build and the URL make the ETag."""
        if request.method != "GET" or not request.url.path.startswith("/api/"):
            response: Response = await call_next(request)
            return response
        try:
            build = app.state.graph.build_id()
        except StoreError:
            response = await call_next(request)
            return response
        tag = '"' + hashlib.sha256(f"{build} {request.url}".encode()).hexdigest()[:20] + '"'
        if tag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers={"ETag": tag})
        response = await call_next(request)
        if response.status_code == 200:
            response.headers["ETag"] = tag
            response.headers["Cache-Control"] = "public, max-age=300"
        return response

    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="datawork-kg API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )

    @app.get("/health", tags=["ops"])
    def health() -> dict[str, str | int]:
        """Liveness: the process answers (``/ready`` says whether it answers at speed)."""
        return {"status": "ok", "pid": os.getpid()}

    @app.get("/ontology", response_model=None, tags=["ontology"])
    def ontology_doc(request: Request, format: Annotated[str | None, Query()] = None) -> Response:
        """The ontology: HTML documentation, or Turtle (``?format=ttl`` or ``Accept``)."""
        accept = request.headers.get("accept", "")
        if format == "ttl" or (format is None and "text/turtle" in accept):
            return Response(ONTOLOGY_FILE.read_bytes(), media_type="text/turtle")
        return HTMLResponse(ontology_docs.render_html())

    operations.install(app)  # /ready and the request log (the outermost middleware)
    return app


def app_from_env() -> FastAPI:
    """The app for ``uvicorn --factory service.main:app_from_env`` (what ``dwkg serve``
    runs): settings from the environment (``DWKG_*``), read again in every worker."""
    return create_app(Settings())
