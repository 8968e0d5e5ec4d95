"""A remote SPARQL 1.1 endpoint as the store, instead of the embedded one.

The service reads through the SPARQL 1.1 Protocol (``query_url``); ``dwkg ingest``
writes through the Graph Store Protocol (``store_url``: one ``PUT`` per named graph)
or, where an engine has none, through SPARQL 1.1 Update (``update_url``: ``CLEAR`` then
``INSERT DATA`` in batches of 1000 triples). Nothing here is specific to one engine; what an engine
must do is stated once, in docs/backends.md: treat the default graph as the union of
the named graphs (Oxigraph: ``--union-default-graph``; Virtuoso, GraphDB and QLever
do by default) and accept N-Triples.

A load replaces our named graphs one by one and writes the build marker last
(``id:graph/build``, the same triples the embedded store carries): the service takes
its ETags and index rebuilds from that marker, so it moves to the new graph only
when the load is complete. Between the first and the last graph a reader of the
endpoint itself can see a mix of the two builds; the embedded store never can (it
swaps a whole build). docs/backends.md says so.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal as Lit

import httpx
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse_query_results,
    serialize,
)

from ingest.errors import StoreError
from ontology import DW

SPARQL_JSON = "application/sparql-results+json"
BATCH = 1000  # triples per INSERT DATA (Virtuoso refuses ~1500 and more in one)
GRAPH_NAME = "graph/build"
BUILD = "build"


class EndpointError(StoreError):
    """The endpoint could not be reached or failed (a 5xx, a timeout, a refused write)."""


class EndpointRejected(EndpointError):
    """The endpoint refused a request as malformed (a 4xx): its message is kept."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class EndpointTimeout(EndpointError):
    """The endpoint did not answer within the time limit."""


@dataclass
class Endpoint:
    """Where a remote graph is read and written, and how to authenticate writes."""

    query_url: str
    update_url: str | None = None
    store_url: str | None = None  # Graph Store Protocol
    user: str | None = None
    password: str | None = None
    auth: Lit["basic", "digest"] = "basic"
    timeout_s: float = 30.0
    _client: httpx.Client | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                auth: httpx.Auth | None = None
                if self.user is not None:
                    password = self.password or ""
                    auth = (
                        httpx.DigestAuth(self.user, password)
                        if self.auth == "digest"
                        else httpx.BasicAuth(self.user, password)
                    )
                limits = httpx.Limits(max_connections=64, max_keepalive_connections=16)
                self._client = httpx.Client(auth=auth, timeout=self.timeout_s, limits=limits)
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    # ------------------------------------------------------------ reading

    def query(
        self,
        text: str,
        accept: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
        timeout_s: float | None = None,
    ) -> httpx.Response:
        """POST a query (form-encoded, as every engine accepts); the response, status 2xx."""
        form: dict[str, str | list[str]] = {"query": text}
        if default_graphs:
            form["default-graph-uri"] = list(default_graphs)
        if named_graphs:
            form["named-graph-uri"] = list(named_graphs)
        return self._send(
            "POST",
            self.query_url,
            data=form,
            headers={"Accept": accept},
            timeout_s=timeout_s,
        )

    def select(self, text: str, timeout_s: float | None = None) -> QuerySolutions:
        """A SELECT's solutions, parsed from SPARQL JSON results into pyoxigraph terms."""
        r = self.query(text, SPARQL_JSON, timeout_s=timeout_s)
        cap = capped(r)
        if cap is not None:
            raise EndpointError(
                f"{self.query_url} cut a result at {cap} rows (Virtuoso: [SPARQL] "
                "ResultSetMaxRows in virtuoso.ini); raise that limit above the graph's "
                "largest listing (e.g. 1000000)"
            )
        result = parse_query_results(r.content, QueryResultsFormat.JSON)
        if not isinstance(result, QuerySolutions):
            raise EndpointError(f"{self.query_url} answered a SELECT with a boolean")
        return result

    # ------------------------------------------------------------ writing

    def update(self, text: str, timeout_s: float | None = None) -> None:
        if self.update_url is None:
            raise EndpointError(
                "no update endpoint configured: set DWKG_SPARQL_UPDATE_ENDPOINT (or "
                "DWKG_GRAPH_STORE_ENDPOINT for loading)"
            )
        self._send(
            "POST",
            self.update_url,
            content=text.encode(),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            timeout_s=timeout_s,
        )

    def put_graph(self, graph: str, triples: list[Triple]) -> None:
        """Replace one named graph (Graph Store Protocol PUT, or CLEAR + INSERT DATA)."""
        if self.store_url is not None:
            body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
            self._send(
                "PUT",
                self.store_url,
                params={"graph": graph},
                content=body,
                headers={"Content-Type": "application/n-triples"},
            )
            return
        self.update(f"CLEAR SILENT GRAPH <{graph}>")
        for batch in _batches(triples):
            lines = (serialize(batch, format=RdfFormat.N_TRIPLES) or b"").decode()
            if _has_blank_nodes(batch):
                # a template, not INSERT DATA: Virtuoso refuses blank nodes in data, and a
                # template's blank nodes are new ones, the same throughout the request
                self.update(f"INSERT {{ GRAPH <{graph}> {{\n{lines}}} }} WHERE {{}}")
            else:
                self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{lines}}} }}")

    def drop_graph(self, graph: str) -> None:
        if self.store_url is not None:
            try:
                self._send("DELETE", self.store_url, params={"graph": graph})
            except EndpointRejected as e:
                if e.status != 404:
                    raise
            return
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def graphs(self, under: str) -> set[str]:
        """The named graphs whose IRI starts with ``under`` (ours, not the engine's)."""
        rows = self.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{under}")) }}'
        )
        return {sol["g"].value for sol in rows if sol["g"] is not None}

    # ------------------------------------------------------------ transport

    def _send(
        self, method: str, url: str, timeout_s: float | None = None, **kwargs: object
    ) -> httpx.Response:
        timeout = self.timeout_s if timeout_s is None else timeout_s
        try:
            r = self.client().request(method, url, timeout=timeout, **kwargs)  # type: ignore[arg-type]
        except httpx.TimeoutException as e:
            raise EndpointTimeout(f"{url} did not answer within {timeout:g} s") from e
        except httpx.HTTPError as e:
            raise EndpointError(
                f"cannot reach the SPARQL endpoint {url} ({e}); check that it runs and "
                "that DWKG_SPARQL_ENDPOINT points at it"
            ) from e
        if r.status_code in (401, 403):
            raise EndpointError(
                f"{url} refused the request ({r.status_code}): set DWKG_ENDPOINT_USER and "
                "DWKG_ENDPOINT_PASSWORD (and DWKG_ENDPOINT_AUTH=digest for Virtuoso)"
            )
        if 400 <= r.status_code < 500:
            raise EndpointRejected(_message(r), r.status_code)
        if r.status_code >= 300:
            raise EndpointError(f"{url} failed ({r.status_code}): {_message(r)}")
        return r


def load(endpoint: Endpoint, quads: Iterable[Quad], base: str, build_id: str) -> int:
    """Replace our graphs on ``endpoint`` with ``quads``; the build marker goes last.

    Returns the number of named graphs written. Quads in the default graph are refused:
    every quad we make names its graph, and the endpoint's default graph is the union.
    """
    by_graph: dict[str, list[Triple]] = defaultdict(list)
    for q in quads:
        if isinstance(q.graph_name, DefaultGraph):
            raise EndpointError(f"a quad without a named graph cannot be loaded: {q}")
        by_graph[q.graph_name.value].append(Triple(q.subject, q.predicate, q.object))
    marker = f"{base}{GRAPH_NAME}"
    by_graph.pop(marker, None)
    old = endpoint.graphs(base)
    for graph, triples in by_graph.items():
        endpoint.put_graph(graph, triples)
    for graph in sorted(old - set(by_graph) - {marker}):
        endpoint.drop_graph(graph)
    endpoint.put_graph(marker, [q.triple for q in marker_quads(base, build_id)])
    return len(by_graph) + 1


def marker_quads(base: str, build_id: str) -> list[Quad]:
    """The build marker: which build a store holds (read for ETags and index rebuilds)."""
    return [
        Quad(
            NamedNode(f"{base}{BUILD}"),
            NamedNode(f"{DW}buildId"),
            Literal(build_id),
            NamedNode(f"{base}{GRAPH_NAME}"),
        )
    ]


def marker_update(base: str, build_id: str) -> str:
    """SPARQL Update moving the build marker to ``build_id`` (after a remote update)."""
    g, b = f"{base}{GRAPH_NAME}", f"{base}{BUILD}"
    return (
        f"DELETE WHERE {{ GRAPH <{g}> {{ <{b}> <{DW}buildId> ?b }} }} ;\n"
        f'INSERT DATA {{ GRAPH <{g}> {{ <{b}> <{DW}buildId> "{build_id}" }} }}'
    )


def read_build_id(endpoint: Endpoint, base: str, timeout_s: float | None = None) -> str | None:
    """The build id the endpoint holds, or None when it holds no datawork-kg graph."""
    rows = endpoint.select(
        f"SELECT ?b WHERE {{ GRAPH <{base}{GRAPH_NAME}> {{ <{base}{BUILD}> <{DW}buildId> ?b }} }}",
        timeout_s=timeout_s,
    )
    for sol in rows:
        term = sol["b"]
        if term is not None:
            return str(term.value)
    return None


def capped(r: httpx.Response) -> int | None:
    """The row cap an endpoint says it applied to this answer (Virtuoso does it silently)."""
    value = r.headers.get("x-sparql-maxrows")
    return int(value) if value and value.isdigit() else None


def _batches(triples: list[Triple], size: int = BATCH) -> Iterable[list[Triple]]:
    """INSERT DATA batches; a graph with blank nodes goes whole (they must stay one)."""
    if _has_blank_nodes(triples):
        yield triples
        return
    for i in range(0, len(triples), size):
        yield triples[i : i + size]


def _has_blank_nodes(triples: list[Triple]) -> bool:
    return any(isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in triples)


def _message(r: httpx.Response) -> str:
    text = r.text.strip()
    return text[:2000] if text else f"HTTP {r.status_code}"
