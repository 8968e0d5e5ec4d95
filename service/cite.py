"""Citation lookup: the passages that support a quote, a claim or an entity, ranked.

Three readings of the same text are scored and fused (each passage keeps its best score,
plus a little for every other reading that also finds it):

- **quote**: the text occurs in a passage (``service.quotes``): found scores 1.0, a close
  match its alignment score × 0.95. The cited span is the quotation itself, so its
  locator is the page (or pages) the quoted words stand on.
- **entity**: the text (not in quotation marks) names an entity or concept
  (``EntityIndex``, a strong label match on a short text): the passages that define it
  first (0.9), then those that state its relations (0.8), then those that mention it
  most (0.7); each decays with its rank.
- **claim**: passages ranked by BM25 for the text (``PassageIndex``), scaled to 0.6 for the
  best, so that a verbatim quote or a named concept beats a loose word overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from service.entity_index import EntityIndex, normalise
from service.graph import Graph
from service.passage_index import Doc, PassageIndex
from service.quotes import QUOTE_MARKS, Match, QuoteMatcher

ENTITY_PASSAGES = """
SELECT ?passage ?start ?end ?why WHERE {
  { ?d dw:defines ?e ; dw:hasEvidence ?ev . BIND ("definition" AS ?why) }
  UNION { ?a rdf:subject ?e ; dw:hasEvidence ?ev . BIND ("relation" AS ?why) }
  UNION { ?a rdf:object ?e ; dw:hasEvidence ?ev . BIND ("relation" AS ?why) }
  ?ev prov:wasDerivedFrom ?passage ; oa:hasTarget/oa:hasSelector ?sel .
  ?sel oa:start ?start ; oa:end ?end .
}
"""
MENTION_PASSAGES = """
SELECT ?passage ?n WHERE { ?m dw:mentionOf ?e ; dw:inPassage ?passage ; dw:mentionCount ?n }
"""
ENTITY_SCORE = 90.0  # label match (0-100) from which a short text is read as a name
NAME_WORDS = 6


@dataclass(frozen=True)
class Candidate:
    doc: Doc
    start: int  # the cited span in doc.text (the whole passage, or the quoted words)
    end: int
    score: float
    reason: str
    match: Match | None = None

    @property
    def locator(self) -> tuple[str, str, str]:
        return self.doc.locator_at(self.start, self.end)


@dataclass
class Citer:
    graph: Graph
    passages: PassageIndex
    entities: EntityIndex
    quotes: QuoteMatcher

    @classmethod
    def on(cls, graph: Graph) -> Citer:
        """A citer with its own passage, entity and quotation indexes on ``graph``."""
        passages = PassageIndex(graph)
        return cls(graph, passages, EntityIndex(graph), QuoteMatcher(passages))

    def rank(self, q: str, work: str | None = None, limit: int = 5) -> list[Candidate]:
        found: dict[str, list[Candidate]] = {}
        named = self._entity(q, work)
        # a name is found verbatim in every passage that mentions it: read it as a quote
        # only when the writer put it in quotation marks
        quoted = q.strip()[:1] in QUOTE_MARKS and q.strip()[-1:] in QUOTE_MARKS
        for c in self._quote(q, work) if quoted or not named else []:
            found.setdefault(c.doc.passage_id, []).append(c)
        for c in named:
            found.setdefault(c.doc.passage_id, []).append(c)
        for c in self._claim(q, work):
            found.setdefault(c.doc.passage_id, []).append(c)
        fused = []
        for readings in found.values():
            readings.sort(key=lambda c: -c.score)
            best = readings[0]
            bonus = 0.05 * sum(c.score for c in readings[1:])
            fused.append(replace(best, score=round(best.score + bonus, 4)))
        fused.sort(key=lambda c: (-c.score, c.doc.passage_id))
        return fused[:limit]

    def _quote(self, q: str, work: str | None) -> list[Candidate]:
        out = []
        for m in self.quotes.find(q, work, limit=5):
            if m.status == "found":
                out.append(Candidate(m.doc, m.start, m.end, 1.0, "quotation found", m))
            elif m.status == "close":
                score = 0.95 * m.score / 100
                out.append(Candidate(m.doc, m.start, m.end, score, "quotation, close", m))
        return out

    def _entity(self, q: str, work: str | None) -> list[Candidate]:
        if len(normalise(q).split()) > NAME_WORDS:
            return []
        hits = [(e, s) for e, s in self.entities.search(q, limit=3) if s >= ENTITY_SCORE]
        if not hits:
            return []
        entry = hits[0][0]
        iri = self.graph.entity_iri(entry.id)
        out: list[Candidate] = []
        seen: set[tuple[str, str]] = set()
        rows = self.graph.rows(ENTITY_PASSAGES, e=iri)
        rows.sort(key=lambda r: (r["why"] != "definition", r["passage"], int(r["start"])))
        ranks = {"definition": 0, "relation": 0}
        for r in rows:
            doc = self.passages.get(self.graph.short(r["passage"], "passage"))
            if doc is None or (work and doc.work_id != work):
                continue
            key = (doc.passage_id, r["why"])
            if key in seen:
                continue
            seen.add(key)
            base = 0.9 if r["why"] == "definition" else 0.8
            score = base * 0.97 ** ranks[r["why"]]
            ranks[r["why"]] += 1
            why = f"defines {entry.label}" if r["why"] == "definition" else f"on {entry.label}"
            out.append(Candidate(doc, int(r["start"]), int(r["end"]), score, why))
        mentions = sorted(self.graph.rows(MENTION_PASSAGES, e=iri), key=lambda r: -int(r["n"]))
        for rank, r in enumerate(mentions[:20]):
            doc = self.passages.get(self.graph.short(r["passage"], "passage"))
            if doc is None or (work and doc.work_id != work):
                continue
            score = 0.7 * 0.97**rank
            out.append(Candidate(doc, 0, len(doc.text), score, f"mentions {entry.label}"))
        return out

    def _claim(self, q: str, work: str | None) -> list[Candidate]:
        hits = self.passages.search(q, work, limit=20)
        if not hits:
            return []
        top = hits[0][1]
        return [
            Candidate(doc, 0, len(doc.text), 0.6 * score / top, "search") for doc, score in hits
        ]
