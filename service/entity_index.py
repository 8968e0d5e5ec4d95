"""Finding entities by label, tolerant of typos and spelling variants (rapidfuzz)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from service.graph import Graph

TOP = ("Actor", "Institution", "Regime", "Concept", "Place", "Artefact", "Event", "Work")

ENTITIES = """
SELECT ?e ?id ?label ?alt ?type WHERE {
  ?e dw:entityId ?id ; skos:prefLabel ?label ; a ?t .
  FILTER (STRSTARTS(STR(?t), STR(dw:)))
  BIND (STRAFTER(STR(?t), "#") AS ?type)
  OPTIONAL { ?e skos:altLabel ?alt }
}
"""


def normalise(text: str) -> str:
    t = text.casefold().replace("’", "'")
    t = re.sub(r"[\-‐_/]+", " ", t)
    t = re.sub(r"labour", "labor", t)
    t = re.sub(r"is(ation|ing|ed|e)\b", r"iz\1", t)
    return " ".join(t.split())


@dataclass
class Entry:
    id: str
    iri: str
    label: str
    labels: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)

    @property
    def top(self) -> str:
        return next((t for t in TOP if t in self.types), "Actor")


@dataclass
class EntityIndex:
    graph: Graph
    _build: str | None = None
    _entries: dict[str, Entry] = field(default_factory=dict)
    _choices: list[str] = field(default_factory=list)
    _owners: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def entries(self) -> dict[str, Entry]:
        build = self.graph.build_id()
        with self._lock:
            if build != self._build:
                self._load()
                self._build = build
            return self._entries

    def _load(self) -> None:
        entries: dict[str, Entry] = {}
        for r in self.graph.rows(ENTITIES):
            e = entries.setdefault(r["id"], Entry(r["id"], r["e"], r["label"]))
            e.labels.add(r["label"])
            if "alt" in r:
                e.labels.add(r["alt"])
            e.types.add(r["type"])
        self._entries = entries
        self._choices, self._owners = [], []
        for e in entries.values():
            for label in e.labels:
                self._choices.append(normalise(label))
                self._owners.append(e.id)

    def search(
        self, q: str, type_: str | None = None, limit: int = 1000
    ) -> list[tuple[Entry, float]]:
        """Entities by how well one of their labels matches ``q`` (0–100), best first."""
        entries = self.entries()
        query = normalise(q)
        if not query:
            return []
        best: dict[str, float] = {}
        words = set(query.split())
        hits = process.extract(query, self._choices, scorer=fuzz.ratio, limit=None, score_cutoff=72)
        for choice, score, i in hits:
            owner = self._owners[i]
            best[owner] = max(best.get(owner, 0.0), float(score) + (1 if choice == query else 0))
        for i, choice in enumerate(self._choices):
            # every word of the search in the label: "labor platforms" finds "deep labor platforms"
            if words <= set(choice.split()):
                owner = self._owners[i]
                best[owner] = max(best.get(owner, 0.0), 90.0 if choice != query else 101.0)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], entries[kv[0]].label.casefold()))
        out = [(entries[i], min(score, 100.0)) for i, score in ranked]
        if type_:
            out = [(e, s) for e, s in out if type_ in e.types]
        return out[:limit]
