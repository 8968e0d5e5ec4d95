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
from functools import partial
from operator import itemgetter
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


Hit = tuple[Doc, tuple[str, str, str]]  # a passage and the locator it is cited with
System = Callable[[str], list[Hit]]
Check = Callable[[Hit, dict[str, Any]], bool]


def served(citer: Citer) -> System:
    """``/cite``'s ranking: each candidate with the locator of the words it cites."""
    return lambda q: [(c.doc, c.locator) for c in citer.rank(q, limit=5)]


def bm25(index: PassageIndex) -> System:
    """The baseline: passage search, citing each passage by its own locator."""
    return lambda q: [(d, (d.label, d.value, d.certainty)) for d, _ in index.search(q, limit=5)]


def ranks(system: System, cases: list[dict[str, Any]], q: Callable[[Any], str], ok: Check) -> list:
    """The rank (from 1) of the first right hit for each case, or None."""
    out: list[int | None] = []
    for case in cases:
        hits = system(q(case))
        out.append(next((i + 1 for i, h in enumerate(hits) if ok(h, case)), None))
    return out


def _asked(variant: Callable[[str], str], case: dict[str, Any]) -> str:
    return variant(case["quote"])


def quote_ok(hit: Hit, case: dict[str, Any]) -> bool:
    return right_passage(hit[0], case, "quote") and right_locator(hit[1], case)


def claim_ok(hit: Hit, case: dict[str, Any]) -> bool:
    return right_passage(hit[0], case, "expect")


def defines(hit: Hit, case: dict[str, Any]) -> bool:
    return any(d in skeleton(hit[0].text)[0] for d in case["definitions"])


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
    from service.graph import Graph

    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=ROOT / "var" / "store")
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    graph = Graph(args.store, base_iri())
    citer = Citer.on(graph)
    ours, base = served(citer), bm25(citer.passages)
    quotes, claims = load_set()
    rows: list[tuple[str, list[Any], list[Any]]] = []
    for name, variant in VARIANTS.items():
        ask = partial(_asked, variant)
        rows.append((f"quote, {name}", ranks(ours, quotes, ask, quote_ok),
                     ranks(base, quotes, ask, quote_ok)))  # fmt: skip
    rows.append(("claim (own words)", ranks(ours, claims, itemgetter("claim"), claim_ok),
                 ranks(base, claims, itemgetter("claim"), claim_ok)))  # fmt: skip
    names = name_cases(graph)
    rows.append(("concept name (definition)", ranks(ours, names, itemgetter("name"), defines),
                 ranks(base, names, itemgetter("name"), defines)))  # fmt: skip
    print(f"{'input':28} {'n':>4} {'top-1':>6} {'top-5':>6}   {'BM25 top-1':>10} {'top-5':>6}")
    for label, r, b in rows:
        print(f"{label:28} {len(r):4} {top(r, 1):6.2f} {top(r, 5):6.2f}"
              f"   {top(b, 1):10.2f} {top(b, 5):6.2f}")  # fmt: skip
    print("(quotes: right passage and locator; BM25 cites the passage's own locator)")
    if args.requests:
        texts = [c["quote"] for c in quotes] + [c["claim"] for c in claims]
        texts += ["deep labour", "graduated sovereignty", "inland-sourcing", "Appen"]
        p50, p99 = _latency(args.store, args.requests, texts)
        print(f"GET /api/v1/cite, {args.requests} requests, 1 client: p50 {p50:.1f} ms, "
              f"p99 {p99:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
