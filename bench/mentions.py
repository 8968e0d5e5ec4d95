"""Mention precision and recall against the hand-checked samples in tests/data.

    python bench/mentions.py

For each sample: precision, recall, and recall without the authors that the gold counts
when a passage cites them by surname only (the matcher links names, not citations).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest import build, curation, mentions  # noqa: E402

SAMPLES = ("mention_gold_1.json", "mention_gold_2.json")


def main() -> None:
    docs = [d for _, d in build.read_corpus(ROOT / "corpus", build.Report(), lambda _: None)]
    problems: list[str] = []
    k = curation.load(curation.curated_files(ROOT / "ontology" / "curated"), problems)
    matcher = mentions.Matcher(k.entities, mentions.common_words(docs))
    found_all = list(mentions.find_mentions(docs, matcher, curation.neighbours(k)))
    print(
        f"{'sample':22} {'passages':>8} {'gold':>5} {'found':>5} {'P':>6} {'R':>6} {'R-names':>8}"
    )
    for name in SAMPLES:
        data = json.loads((ROOT / "tests" / "data" / name).read_text(encoding="utf-8"))
        gold = {p["passage"]: set(p["entities"]) for p in data["passages"]}
        texts = {p["passage"]: p["text"] for p in data["passages"]}
        surname = _surname_cases(gold, texts, k)
        found: dict[str, set[str]] = {p: set() for p in gold}
        for m in found_all:
            key = f"{m.work_id}-{m.block.iri_key}"
            if key in found:
                found[key].add(m.entity)
        tp = sum(len(found[p] & g) for p, g in gold.items())
        n_gold = sum(len(g) for g in gold.values())
        n_found = sum(len(f) for f in found.values())
        named = n_gold - len(surname)
        tp_named = tp - sum(1 for p, e in surname if e in found[p])
        print(
            f"{name:22} {len(gold):8} {n_gold:5} {n_found:5} {tp / n_found:6.3f} "
            f"{tp / n_gold:6.3f} {tp_named / named:8.3f}"
        )


def _surname_cases(
    gold: dict[str, set[str]], texts: dict[str, str], k: curation.Knowledge
) -> set[tuple[str, str]]:
    """Gold people whose passage names them by none of their labels (a surname citation)."""
    out: set[tuple[str, str]] = set()
    for passage, entities in gold.items():
        text = " ".join(texts[passage].split()).lower()
        for e in entities:
            person = k.entities[e]
            if person.type == "Person" and not any(lab.lower() in text for lab in person.labels()):
                out.add((passage, e))
    return out


if __name__ == "__main__":
    main()
