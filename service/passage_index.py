"""Passage search: BM25 (bm25s) over every paragraph, note and caption, English stemming.

Chosen because researchers search with a few words of a passage or a question about it:
BM25 with stemming and stop words ranks the passage that shares the rare words first, and
is fast enough to rebuild when an ingest swaps the graph (about 1,300 passages here).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import bm25s
import Stemmer

from service.graph import Graph

PASSAGES = """
SELECT ?p ?text ?work ?work_id ?ll ?lv ?pc ?kind ?chapter ?number ?section ?n WHERE {
  ?p c4o:hasContent ?text ; dw:kind ?kind ; dw:work ?work ;
     dw:locatorLabel ?ll ; dw:locatorValue ?lv .
  ?work dw:workId ?work_id .
  FILTER (?kind IN ("paragraph", "note", "caption"))
  OPTIONAL { ?p dw:pageCertainty ?pc }
  OPTIONAL { ?p dw:chapter ?chapter . ?chapter dw:chapterNumber ?number }
  OPTIONAL { ?p dw:sectionTitle ?section }
  OPTIONAL { ?p dw:paragraphNumber|dw:noteNumber ?n }
}
"""
SPANS = """
SELECT ?p ?offset ?page ?certainty WHERE {
  ?p dw:pageSpan ?s . ?s dw:startOffset ?offset ; dw:pageLabel ?page ; dw:pageCertainty ?certainty
}
"""


@dataclass(frozen=True)
class Doc:
    passage_id: str
    work_id: str
    text: str
    label: str
    value: str
    certainty: str
    work_iri: str = ""
    chapter_iri: str | None = None
    chapter: int | None = None
    section: str | None = None
    kind: str = "paragraph"
    number: int | None = None  # paragraph or note number (per work, per chapter in 003)
    # (offset in text, printed page or "" where unknown, certainty) per page it is on
    spans: tuple[tuple[int, str, str], ...] = ()

    @property
    def record_iri(self) -> str:
        """The work or chapter this passage is cited as (its bibliographic record)."""
        return self.chapter_iri or self.work_iri

    def locator_at(self, start: int, end: int) -> tuple[str, str, str]:
        """The locator of ``text[start:end]``: the printed pages it stands on where they
        are known, else the passage's paragraph, note or section (never a guessed page)."""
        if not self.spans:
            return self.label, self.value, self.certainty
        first = last = self.spans[0]
        for span in self.spans:
            if span[0] <= start:
                first = span
            if span[0] < max(end, start + 1):
                last = span
        if any(not p or c not in ("exact", "inferred") for _, p, c in (first, last)):
            return self.unpaged
        certainty = "exact" if first[2] == last[2] == "exact" else "inferred"
        value = first[1] if first[1] == last[1] else f"{first[1]}–{last[1]}"
        return "page", value, certainty

    @property
    def unpaged(self) -> tuple[str, str, str]:
        if self.number is not None:
            return ("note" if self.kind == "note" else "paragraph"), str(self.number), "exact"
        return "section", self.section or "", "exact"


def en_dash(value: str) -> str:
    """A locator value with its range written as the passage locators write it: ``45–46``."""
    return re.sub(r"\s*[-–—]+\s*", "–", value.strip())


@dataclass
class PassageIndex:
    graph: Graph
    _build: str | None = None
    _docs: list[Doc] = field(default_factory=list)
    _bm25: bm25s.BM25 | None = None
    _stemmer: Stemmer.Stemmer = field(default_factory=lambda: Stemmer.Stemmer("english"))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _by_id: dict[str, Doc] = field(default_factory=dict)

    def docs(self) -> list[Doc]:
        """Every searchable passage of the current build."""
        self._ensure()
        return self._docs

    def get(self, passage_id: str) -> Doc | None:
        self._ensure()
        return self._by_id.get(passage_id)

    def build(self) -> str | None:
        self._ensure()
        return self._build

    def _ensure(self) -> None:
        build = self.graph.build_id()
        with self._lock:
            if build == self._build:
                return
            docs = []
            spans: dict[str, list[tuple[int, str, str]]] = {}
            for r in self.graph.rows(SPANS):
                spans.setdefault(r["p"], []).append((int(r["offset"]), r["page"], r["certainty"]))
            for r in self.graph.rows(PASSAGES):
                certainty = (
                    "inferred" if r["ll"] == "page" and r.get("pc") == "inferred" else "exact"
                )
                docs.append(
                    Doc(
                        self.graph.short(r["p"], "passage"),
                        r["work_id"],
                        r["text"],
                        r["ll"],
                        r["lv"],
                        certainty,
                        work_iri=r["work"],
                        chapter_iri=r.get("chapter"),
                        chapter=int(r["number"]) if "number" in r else None,
                        section=r.get("section"),
                        kind=r["kind"],
                        number=int(r["n"]) if "n" in r else None,
                        spans=tuple(sorted(spans.get(r["p"], []))),
                    )
                )
            docs.sort(key=lambda d: d.passage_id)
            self._by_id = {d.passage_id: d for d in docs}
            model = bm25s.BM25()
            model.index(self._tokens([d.text for d in docs]), show_progress=False)
            self._docs, self._bm25, self._build = docs, model, build

    def _tokens(self, texts: list[str]) -> object:
        return bm25s.tokenize(texts, stopwords="en", stemmer=self._stemmer, show_progress=False)

    def search(self, q: str, work: str | None = None, limit: int = 10) -> list[tuple[Doc, float]]:
        self._ensure()
        assert self._bm25 is not None
        tokens = self._tokens([q])
        k = len(self._docs)
        results, scores = self._bm25.retrieve(tokens, k=k, show_progress=False)
        out: list[tuple[Doc, float]] = []
        for i, score in zip(results[0], scores[0], strict=True):
            if score <= 0:
                break
            d = self._docs[int(i)]
            if work is None or d.work_id == work:
                out.append((d, float(score)))
                if len(out) == limit:
                    break
        return out


def snippet(text: str, q: str, width: int = 240) -> str:
    """A window of the passage around the first word of the search it contains."""
    words = [w for w in re.findall(r"\w{4,}", q.lower())]
    lower = text.lower()
    at = min((lower.find(w) for w in words if lower.find(w) >= 0), default=0)
    start = max(0, at - width // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + width)
    end = text.find(" ", end) if text.find(" ", end) > 0 else len(text)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
