"""Passage search quality on the questions of tests/data/search_questions.json.

    python bench/search.py [--store var/store]

Prints top-1, top-5 and mean reciprocal rank by kind of search (a few words of the
passage, or a question in our own words) for BM25 with English stemming (what the service
runs) against the baseline of BM25 on unstemmed words.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ontology import base_iri  # noqa: E402
from service.graph import Graph  # noqa: E402
from service.passage_index import PassageIndex  # noqa: E402


class Unstemmed:
    def stemWords(self, words: list[str]) -> list[str]:
        return words


def norm(s: str) -> str:
    return " ".join(s.replace("’", "'").split())


def evaluate(index: PassageIndex, cases: list[dict[str, str]]) -> dict[str, list[int | None]]:
    ranks: dict[str, list[int | None]] = {}
    for c in cases:
        hits = index.search(c["q"], limit=10)
        rank = next(
            (i + 1 for i, (d, _) in enumerate(hits) if norm(c["expect"]) in norm(d.text)), None
        )
        ranks.setdefault(c["kind"], []).append(rank)
    return ranks


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=ROOT / "var" / "store")
    args = ap.parse_args()
    cases = json.loads((ROOT / "tests/data/search_questions.json").read_text())["cases"]
    graph = Graph(args.store, base_iri())
    systems = {"bm25+stem (served)": PassageIndex(graph), "bm25 (baseline)": PassageIndex(graph)}
    systems["bm25 (baseline)"]._stemmer = Unstemmed()  # type: ignore[assignment]
    print(f"{'system':20} {'kind':9} {'n':>3} {'top1':>6} {'top5':>6} {'MRR':>6}")
    for name, index in systems.items():
        for kind, ranks in sorted(evaluate(index, cases).items()):
            n = len(ranks)
            top1 = sum(r == 1 for r in ranks) / n
            top5 = sum(r is not None and r <= 5 for r in ranks) / n
            mrr = sum(1 / r for r in ranks if r) / n
            print(f"{name:20} {kind:9} {n:3} {top1:6.2f} {top5:6.2f} {mrr:6.2f}")


if __name__ == "__main__":
    main()
