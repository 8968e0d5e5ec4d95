"""Benchmark: whole-corpus ingest time and peak memory, at 1x, 10x and 50x the corpus.

Each size runs in its own process (so peak RSS is that run's), on a corpus of
N copies of every work under new ids. It prints seconds, paragraphs per
second and peak memory, and the ratio of each size to the 1x run beside the
ratio a linear cost would give. Baseline: the 1x run of the same build.

    python bench/ingest.py [--sizes 1,10,50]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def replicate(n: int, dest: Path) -> None:
    """A corpus of ``n`` copies of every work (distinct ids and files)."""
    dest.mkdir(parents=True)
    data = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    works = []
    for k in range(n):
        for w in data["works"]:
            copy = dict(w, id=f"{w['id']}-{k}", file=f"{k}-{w['file']}")
            shutil.copy(CORPUS / w["file"], dest / copy["file"])
            works.append(copy)
    (dest / "manifest.json").write_text(json.dumps({"works": works}), encoding="utf-8")


def one_run(corpus: str, store: str) -> None:
    sys.path.insert(0, str(ROOT))
    from ingest import build

    started = time.perf_counter()
    report = build.ingest(Path(corpus), Path(store))
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak_mib,
                "paragraphs": report.paragraphs,
                "quads": report.quads,
                "errors": len(report.errors),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,10,50")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        one_run(*args.child)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            corpus, store = Path(tmp) / f"c{n}", Path(tmp) / f"s{n}"
            replicate(n, corpus)
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(corpus), str(store)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            rows.append((n, json.loads(out.stdout.strip().splitlines()[-1])))
            shutil.rmtree(corpus)
            shutil.rmtree(store)
    base = rows[0][1]
    print(
        f"{'size':>5} {'seconds':>8} {'para/s':>8} {'peak MiB':>9} {'quads':>9} "
        f"{'time/1x':>8} {'linear':>7} {'mem/1x':>7}"
    )
    for n, r in rows:
        print(
            f"{n:>4}x {r['seconds']:8.2f} {r['paragraphs'] / r['seconds']:8.0f} "
            f"{r['peak_mib']:9.0f} {r['quads']:9d} {r['seconds'] / base['seconds']:8.1f} "
            f"{n / rows[0][0]:7.0f} {r['peak_mib'] / base['peak_mib']:7.1f}"
        )


if __name__ == "__main__":
    main()
