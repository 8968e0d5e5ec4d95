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
SELECT ?p ?text ?work_id ?ll ?lv ?pc ?kind WHERE {
  ?p c4o:hasContent ?text ; dw:kind ?kind ; dw:work/dw:workId ?work_id ;
     dw:locatorLabel ?ll ; dw:locatorValue ?lv .
  FILTER (?kind IN ("paragraph", "note", "caption"))
  OPTIONAL { ?p dw:pageCertainty ?pc }
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


@dataclass
class PassageIndex:
    graph: Graph
    _build: str | None = None
    _docs: list[Doc] = field(default_factory=list)
    _bm25: bm25s.BM25 | None = None
    _stemmer: Stemmer.Stemmer = field(default_factory=lambda: Stemmer.Stemmer("english"))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _ensure(self) -> None:
        build = self.graph.build_id()
        with self._lock:
            if build == self._build:
                return
            docs = []
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
                    )
                )
            docs.sort(key=lambda d: d.passage_id)
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
