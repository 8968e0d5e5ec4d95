"""Reading the graph for the typed API: trusted, fixed queries run in this process.

A pyoxigraph result is consumed inside the function that ran the query and returned as
plain Python data (never handed to another thread or to async code). The store is opened
read-only once per build and reopened when an ingest swaps in a new build.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

from ingest.errors import StoreError
from ingest.store import current_path
from ontology import PREFIXES
from service import catalogue

Row = dict[str, str]
LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9._~-]+)*")


@dataclass
class Graph:
    """The current build, opened read-only, with the id of the build for ETags."""

    store_dir: Path
    base_iri: str
    _store: Store | None = None
    _path: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def store(self) -> Store:
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
        self.store()
        return hashlib.sha256(str(self._path).encode()).hexdigest()[:16]

    def rows(self, query: str, **bindings: str | NamedNode | Literal) -> list[Row]:
        """Run a SELECT with ``VALUES`` bindings; every value as a string."""
        terms = {
            k: str(v if isinstance(v, NamedNode | Literal) else Literal(v))
            for k, v in bindings.items()
        }
        text = catalogue.bind_values(query, terms) if terms else query
        prefixes = {**PREFIXES, "id": self.base_iri}
        result = self.store().query(text, use_default_graph_as_union=True, prefixes=prefixes)
        assert isinstance(result, QuerySolutions)
        names = [v.value for v in result.variables]
        out: list[Row] = []
        for sol in result:
            row: Row = {}
            for n in names:
                term: Any = sol[n]
                if term is not None:
                    row[n] = term.value
            out.append(row)
        return out

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
