"""The dwkg command line, run as a user runs it (a real process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import CORPUS


def dwkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ingest_stats_and_query(tmp_path: Path) -> None:
    store = tmp_path / "store"
    done = dwkg("ingest", "--corpus", str(CORPUS), "--store", str(store))
    assert done.returncode == 0, done.stderr
    for line in ("works", "chapters", "paragraphs", "page exact", "page inferred", "quads"):
        assert line in done.stdout
    assert "in-text citations linked" in done.stdout

    stats = dwkg("stats", "--store", str(store))
    assert stats.returncode == 0, stats.stderr
    assert "paragraphs, page exact" in stats.stdout

    q = dwkg(
        "query",
        "--store",
        str(store),
        "SELECT ?v WHERE { ?p dw:pageLabel ?v ; c4o:hasContent ?t "
        'FILTER(CONTAINS(?t, "The Special Commodity")) }',
    )
    assert q.returncode == 0, q.stderr
    assert "1 row(s)" in q.stdout


def test_query_errors_are_clear(tmp_path: Path) -> None:
    done = dwkg("query", "--store", str(tmp_path / "none"), "SELECT * WHERE { ?s ?p ?o }")
    assert done.returncode == 2
    assert "run 'dwkg ingest --store" in " ".join(done.stderr.split())


def test_export_writes_nquads(tmp_path: Path) -> None:
    out = tmp_path / "g.nq"
    done = dwkg("export", "--corpus", str(CORPUS), "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 1_000_000
