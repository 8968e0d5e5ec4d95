"""Untrusted SPARQL against a remote endpoint: the same limits and answers as the pool.

``RemotePool`` stands where ``sparql.Pool`` stands when the graph lives on a remote
SPARQL 1.1 endpoint. It bounds the queries in flight (503 beyond), stops waiting at the
time limit (and drops the connection, which Oxigraph and Virtuoso take as a cancel;
their own limits, ``--timeout-s`` and ``MaxQueryExecutionTime``, should be set too),
keeps the engine's message for a query it refuses, and re-serialises every answer
with the embedded path's serialisers: the row cap, the ``truncated`` flag and the
result formats are the same whichever engine runs the query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, Triple, parse
from pyoxigraph import parse_query_results as parse_results

from ingest.endpoint import (
    Endpoint,
    EndpointError,
    EndpointRejected,
    EndpointTimeout,
    capped,
    marker_update,
)
from service import sparql
from service.graph import GRAPH_FORMATS, with_prefixes

ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, */*;q=0.1"
)
RESULT_FORMATS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
}


@dataclass
class RemotePool:
    """At most ``size`` queries in flight on ``endpoint``, each stopped at ``timeout_s``."""

    endpoint: Endpoint
    size: int
    timeout_s: float
    slots: threading.BoundedSemaphore = field(init=False)

    observer: Callable[[sparql.Result], None] | None = None  # told of every answer (logs)
    _closing: bool = False

    def __post_init__(self) -> None:
        self.slots = threading.BoundedSemaphore(self.size)

    def run(self, req: sparql.Request, timeout_s: float | None = None) -> sparql.Result:
        if self._closing:
            raise sparql.ShuttingDown(sparql.SHUTTING_DOWN)
        if not self.slots.acquire(blocking=False):
            raise sparql.Busy(f"all {self.size} query slots are busy")
        limit = self.timeout_s if timeout_s is None else timeout_s
        try:
            with self._errors("query", limit):
                r = self.endpoint.query(
                    with_prefixes(req.query, dict(req.prefixes)),
                    ACCEPT,
                    req.default_graphs,
                    req.named_graphs,
                    timeout_s=limit,
                )
        finally:
            self.slots.release()
        media = r.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            result = _reserialise(r.content, media, req)
        except (SyntaxError, ValueError) as e:
            raise sparql.Failed(f"the endpoint's answer ({media}) does not parse: {e}") from e
        if capped(r) is not None and not result.truncated:  # the engine cut it, not us
            result = replace(result, truncated=True)
        if self.observer is not None:
            self.observer(result)
        return result

    def update(self, text: str, prefixes: dict[str, str], base: str, build_id: str) -> None:
        """Apply an update on the endpoint, then move its build marker (new ETags)."""
        sparql.check_allowed(text)
        change = with_prefixes(text, prefixes).rstrip().rstrip(";")
        with self._errors("update", self.timeout_s):
            self.endpoint.update(
                f"{change} ;\n{marker_update(base, build_id)}", timeout_s=self.timeout_s
            )

    @contextmanager
    def _errors(self, kind: str, limit: float) -> Iterator[None]:
        """The endpoint's failures as the errors the SPARQL routes answer."""
        try:
            yield
        except EndpointTimeout as e:
            if kind == "query":
                raise sparql.query_timeout(limit) from e
            raise sparql.Timeout(
                f"the update ran for more than {limit:g} s; the endpoint may still apply it"
            ) from e
        except EndpointRejected as e:
            raise sparql.Malformed(f"the SPARQL endpoint refused the {kind}: {e}") from e
        except EndpointError as e:
            if self._closing:
                raise sparql.ShuttingDown(sparql.SHUTTING_DOWN) from e
            raise sparql.Upstream(str(e)) from e

    def shutdown(self) -> None:
        """Refuse new queries and drop the connections of running ones (their ``run``
        raises ``ShuttingDown``). Safe in a signal handler: the closing happens in a
        thread, since the connection pool's lock may be held by a request."""
        self._closing = True
        threading.Thread(target=self.endpoint.close, daemon=True).start()

    def close(self) -> None:
        self.endpoint.close()


def _reserialise(body: bytes, media: str, req: sparql.Request) -> sparql.Result:
    fmt = RESULT_FORMATS.get(media)
    if fmt is not None:
        result = parse_results(body, fmt)
        if isinstance(result, QueryBoolean):
            return sparql.boolean(bool(result), req.result_format)
        assert isinstance(result, QuerySolutions)
        return sparql.solutions(result, req)
    graph_format = GRAPH_FORMATS.get(media)
    if graph_format is None:
        raise ValueError(f"not a SPARQL result or RDF format this service reads: {media!r}")
    triples: Iterator[Any] = (q.triple for q in parse(body, format=graph_format))
    return sparql.graph(_unique(triples), req)


def _unique(triples: Iterator[Triple]) -> Iterator[Triple]:
    seen: set[Triple] = set()
    for t in triples:
        if t not in seen:
            seen.add(t)
            yield t
