"""Reading the graph for the typed API: trusted, fixed queries, embedded or remote.

Embedded: the current build opened read-only once per build and reopened when an
ingest swaps in a new one; a pyoxigraph result is consumed inside the function that
ran the query and returned as plain Python data (never handed to another thread or to
async code). Remote: the same queries over the SPARQL 1.1 Protocol (``ingest.endpoint``)
with the default prefixes written into the query text, the build taken from the
endpoint's build marker (looked at every ``refresh_s``). Either way a caller gets
the same rows and triples.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import (
    Literal,
    NamedNode,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    parse,
)

from ingest.endpoint import Endpoint, read_build_id
from ingest.errors import StoreError
from ingest.store import current_path
from ontology import PREFIXES
from service import catalogue

Row = dict[str, str]
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
GRAPH_FORMATS = {
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "text/turtle": RdfFormat.TURTLE,
}
ORDERED = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
DECLARED = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9._~-]+)*")


@dataclass
class Graph:
    """The graph the service reads, with the id of its build for ETags and indexes."""

    store_dir: Path
    base_iri: str
    endpoint: Endpoint | None = None
    refresh_s: float = 2.0
    _store: Store | None = None
    _path: Path | None = None
    _build: tuple[str, float] | None = None  # remote: (build id, when it was read)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def store(self) -> Store:
        """The embedded store (only when no remote endpoint is configured)."""
        assert self.endpoint is None, "a remote graph has no embedded store"
        path = current_path(self.store_dir)
        if path is None:
            raise StoreError(
                f"no graph in {self.store_dir}: run 'dwkg ingest --store {self.store_dir}' first"
            )
        with self._lock:
            if self._store is None or path != self._path:
                self._store, self._path = Store.read_only(str(path)), path
            return self._store

    def build_id(self) -> str:
        if self.endpoint is None:
            self.store()
            return hashlib.sha256(str(self._path).encode()).hexdigest()[:16]
        now = time.monotonic()
        with self._lock:
            if self._build is not None and now - self._build[1] < self.refresh_s:
                return self._build[0]
        build = read_build_id(self.endpoint, self.base_iri)
        if build is None:
            raise StoreError(
                f"the SPARQL endpoint {self.endpoint.query_url} holds no datawork-kg graph "
                "(no build marker): run 'dwkg ingest' with DWKG_SPARQL_ENDPOINT set, or "
                "bulk-load the output of 'dwkg export'"
            )
        with self._lock:
            self._build = (build, now)
        return build

    def rows(self, query: str, **bindings: str | NamedNode | Literal) -> list[Row]:
        """Run a SELECT with ``VALUES`` bindings; every value as a string.

        Rows of a query without ORDER BY come sorted by their values, so that every
        backend gives them in the same order.
        """
        terms = {
            k: str(v if isinstance(v, NamedNode | Literal) else Literal(v))
            for k, v in bindings.items()
        }
        text = catalogue.bind_values(query, terms) if terms else query
        result: Any
        if self.endpoint is None:
            result = self.store().query(
                text, use_default_graph_as_union=True, prefixes=self.prefixes()
            )
        else:
            result = self.endpoint.select(with_prefixes(text, self.prefixes()))
        assert isinstance(result, QuerySolutions)
        names = [v.value for v in result.variables]
        out: list[Row] = []
        for sol in result:
            row: Row = {}
            for n in names:
                term: Any = sol[n]
                if term is not None:
                    row[n] = _canonical(term)
            out.append(row)
        if not ORDERED.search(text):  # engines return unordered rows in their own order
            out.sort(key=lambda r: tuple(r.get(n, "") for n in names))
        return out

    def about(self, iri: NamedNode) -> list[Triple]:
        """Every triple with ``iri`` as its subject, in any graph."""
        text = f"CONSTRUCT {{ <{iri.value}> ?p ?o }} WHERE {{ <{iri.value}> ?p ?o }}"
        if self.endpoint is None:
            result = self.store().query(text, use_default_graph_as_union=True)
            assert isinstance(result, QueryTriples)
            return list(dict.fromkeys(result))
        r = self.endpoint.query(text, GRAPH_ACCEPT)
        fmt = GRAPH_FORMATS.get(r.headers.get("content-type", "").split(";")[0].strip())
        if fmt is None:
            raise StoreError(
                f"{self.endpoint.query_url} answered a CONSTRUCT as "
                f"{r.headers.get('content-type')!r}; it must offer N-Triples or Turtle"
            )
        return list(dict.fromkeys(q.triple for q in parse(r.content, format=fmt)))

    def prefixes(self) -> dict[str, str]:
        return {**PREFIXES, "id": self.base_iri}

    def iri(self, local: str) -> NamedNode | None:
        """The IRI of ``local`` under the base, or None when it cannot name anything here."""
        if not LOCAL.fullmatch(local):
            return None
        return NamedNode(f"{self.base_iri}{local}")

    def entity_iri(self, entity_id: str) -> NamedNode:
        return NamedNode(f"{self.base_iri}entity/{entity_id}")

    def passage_iri(self, passage_id: str) -> NamedNode | None:
        return self.iri(f"passage/{passage_id}")

    def short(self, iri: str, kind: str) -> str:
        prefix = f"{self.base_iri}{kind}/"
        return iri[len(prefix) :] if iri.startswith(prefix) else iri


def with_prefixes(query: str, prefixes: dict[str, str]) -> str:
    """``query`` with PREFIX declarations for the default prefixes it does not declare."""
    declared = {m.group(1) or "" for m in DECLARED.finditer(query)}
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items() if p not in declared)
    return head + query


def _canonical(term: Any) -> str:
    """A term's value; booleans in their canonical form (Virtuoso answers "1" and "0")."""
    if isinstance(term, Literal) and term.datatype.value == XSD_BOOLEAN:
        return {"1": "true", "0": "false"}.get(term.value, term.value)
    return str(term.value)
