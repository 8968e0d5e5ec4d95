"""Citation lookup quality and latency on the hand-checked set in tests/data/cite_set_*.json.

    python bench/cite.py [--store var/store] [--requests 200]

The set: 116 quotes sampled across every work and every chapter (each with its work,
chapter, and the printed page read off the text by hand, or none where the text does not
anchor pages) and 30 claims in our own words (each with a fragment of the passage that
supports it). Every quote is also asked in the ways writers mistype quotes: curly quotation
marks, a line-end hyphen left in, an ellipsis for the middle words, a word left out, a word
changed. For each kind the bench prints top-1 and top-5 accuracy — the right passage in
the right work and chapter, and for quotes also the right locator: the expected page, or a
paragraph or note locator where no page is expected; a wrong page is a miss — against the
baseline of plain BM25 passage search (what ``/api/v1/search`` ranks). Then p50/p99
latency of ``GET /api/v1/cite`` on a real server on loopback.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.cite import Citer  # noqa: E402
from service.passage_index import Doc, PassageIndex  # noqa: E402
from service.quotes import skeleton  # noqa: E402

SETS = ("cite_set_003a", "cite_set_003b", "cite_set_articles")


def load_set() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    quotes: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for name in SETS:
        data = json.loads((ROOT / "tests" / "data" / f"{name}.json").read_text())
        quotes += data["quotes"]
        claims += data["claims"]
    return quotes, claims


def _words(q: str) -> list[str]:
    return q.split()


def curly(q: str) -> str:
    q = re.sub(r"'", "’", q)
    q = re.sub(r'"(\w)', r"“\1", q)
    q = q.replace('"', "”")
    return f"“{q}”"


def hyphen_left_in(q: str) -> str:
    words = _words(q)
    long = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    w = words[long]
    if len(w) >= 6 and w.isalpha():
        words[long] = w[: len(w) // 2] + "- " + w[len(w) // 2 :]
    return " ".join(words)


def ellipsis(q: str) -> str:
    words = _words(q)
    if len(words) < 12:
        return q
    a, b = len(words) // 3, 2 * len(words) // 3
    return " ".join([*words[:a], "…", *words[b:]])


def word_left_out(q: str) -> str:
    words = _words(q)
    i = len(words) // 2
    return " ".join(words[:i] + words[i + 1 :])


def word_changed(q: str) -> str:
    words = _words(q)
    i = max(range(len(words) // 4, 3 * len(words) // 4 + 1), key=lambda j: len(words[j]))
    words[i] = "substantial" if words[i].lower() != "substantial" else "considerable"
    return " ".join(words)


VARIANTS: dict[str, Callable[[str], str]] = {
    "exact": lambda q: q,
    "curly quotes": curly,
    "hyphen left in": hyphen_left_in,
    "ellipsis": ellipsis,
    "word left out": word_left_out,
    "word changed": word_changed,
}


def right_passage(doc: Doc, case: dict[str, Any], text_key: str) -> bool:
    if doc.work_id != case["work"] or (case.get("chapter") and doc.chapter != case["chapter"]):
        return False
    return skeleton(case[text_key])[0] in skeleton(doc.text)[0]


def right_locator(locator: tuple[str, str, str], case: dict[str, Any]) -> bool:
    label, value, _ = locator
    if case["page"] is None:
        return label in ("paragraph", "note")
    return label == "page" and value == case["page"]


def quote_ranks(
    citer: Citer, quotes: list[dict[str, Any]], variant: Callable[[str], str]
) -> list[int | None]:
    ranks: list[int | None] = []
    for case in quotes:
        found = citer.rank(variant(case["quote"]), limit=5)
        ranks.append(
            next(
                (
                    i + 1
                    for i, c in enumerate(found)
                    if right_passage(c.doc, case, "quote") and right_locator(c.locator, case)
                ),
                None,
            )
        )
    return ranks


def claim_ranks(citer: Citer, claims: list[dict[str, Any]]) -> list[int | None]:
    ranks: list[int | None] = []
    for case in claims:
        found = citer.rank(case["claim"], limit=5)
        ranks.append(
            next((i + 1 for i, c in enumerate(found) if right_passage(c.doc, case, "expect")), None)
        )
    return ranks


def bm25_ranks(index: PassageIndex, cases: list[dict[str, Any]], q: str, key: str) -> list[Any]:
    """The baseline: passage search, citing each passage by its own locator."""
    ranks: list[int | None] = []
    for case in cases:
        hits = index.search(case[q], limit=5)
        ranks.append(
            next(
                (
                    i + 1
                    for i, (d, _) in enumerate(hits)
                    if right_passage(d, case, key)
                    and ("page" not in case or right_locator((d.label, d.value, ""), case))
                ),
                None,
            )
        )
    return ranks


DEFINED = """
SELECT ?id ?label ?text WHERE {
  ?e a dw:Concept ; dw:entityId ?id ; skos:prefLabel ?label .
  ?d dw:defines ?e ; dw:definitionText ?text ; dw:method "curated" .
}
"""


def name_cases(graph: Any, n: int = 60) -> list[dict[str, Any]]:
    """Concept names, each expecting a passage that holds one of its curated definitions."""
    by_id: dict[str, dict[str, Any]] = {}
    for r in graph.rows(DEFINED):
        case = by_id.setdefault(r["id"], {"name": r["label"], "definitions": []})
        case["definitions"].append(skeleton(r["text"])[0])
    rng = random.Random(11)
    ids = sorted(by_id)
    return [by_id[i] for i in rng.sample(ids, min(n, len(ids)))]


def name_ranks(citer: Citer, cases: list[dict[str, Any]]) -> list[int | None]:
    ranks: list[int | None] = []
    for case in cases:
        found = citer.rank(case["name"], limit=5)
        ranks.append(
            next(
                (
                    i + 1
                    for i, c in enumerate(found)
                    if any(d in skeleton(c.doc.text)[0] for d in case["definitions"])
                ),
                None,
            )
        )
    return ranks


def name_bm25(index: PassageIndex, cases: list[dict[str, Any]]) -> list[int | None]:
    ranks: list[int | None] = []
    for case in cases:
        hits = index.search(case["name"], limit=5)
        ranks.append(
            next(
                (
                    i + 1
                    for i, (d, _) in enumerate(hits)
                    if any(x in skeleton(d.text)[0] for x in case["definitions"])
                ),
                None,
            )
        )
    return ranks


def top(ranks: list[int | None], k: int) -> float:
    return sum(r is not None and r <= k for r in ranks) / len(ranks)


def _latency(store: Path, n: int, cases: list[str]) -> tuple[float, float]:
    import httpx

    from tests.conftest import running_server

    times: list[float] = []
    with running_server(store) as url, httpx.Client(timeout=60) as client:
        client.get(f"{url}/api/v1/cite", params={"q": "warm up"})
        rng = random.Random(7)
        for _ in range(n):
            t = time.perf_counter()
            r = client.get(f"{url}/api/v1/cite", params={"q": rng.choice(cases), "limit": 5})
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.text
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def main() -> None:
    from ontology import base_iri
    from service.entity_index import EntityIndex
    from service.graph import Graph
    from service.quotes import QuoteMatcher

    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=ROOT / "var" / "store")
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    graph = Graph(args.store, base_iri())
    passages = PassageIndex(graph)
    citer = Citer(graph, passages, EntityIndex(graph), QuoteMatcher(passages))
    quotes, claims = load_set()
    print(f"{'input':28} {'n':>4} {'top-1':>6} {'top-5':>6}   {'BM25 top-1':>10} {'top-5':>6}")
    for name, variant in VARIANTS.items():
        ranks = quote_ranks(citer, quotes, variant)
        varied = [{**c, "quote_v": variant(c["quote"])} for c in quotes]
        base = bm25_ranks(passages, varied, "quote_v", "quote")
        print(
            f"{'quote, ' + name:28} {len(ranks):4} {top(ranks, 1):6.2f} {top(ranks, 5):6.2f}"
            f"   {top(base, 1):10.2f} {top(base, 5):6.2f}"
        )
    ranks = claim_ranks(citer, claims)
    base = bm25_ranks(passages, claims, "claim", "expect")
    print(
        f"{'claim (own words)':28} {len(ranks):4} {top(ranks, 1):6.2f} {top(ranks, 5):6.2f}"
        f"   {top(base, 1):10.2f} {top(base, 5):6.2f}"
    )
    names = name_cases(graph)
    ranks, base = name_ranks(citer, names), name_bm25(passages, names)
    print(
        f"{'concept name (definition)':28} {len(ranks):4} {top(ranks, 1):6.2f} "
        f"{top(ranks, 5):6.2f}   {top(base, 1):10.2f} {top(base, 5):6.2f}"
    )
    print("(quotes: right passage and locator; BM25 cites the passage's own locator)")
    if args.requests:
        texts = [c["quote"] for c in quotes] + [c["claim"] for c in claims]
        texts += ["deep labour", "graduated sovereignty", "inland-sourcing", "Appen"]
        p50, p99 = _latency(args.store, args.requests, texts)
        print(f"GET /api/v1/cite, {args.requests} requests, 1 client: p50 {p50:.1f} ms, "
              f"p99 {p99:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
