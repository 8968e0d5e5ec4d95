"""The dwkg command line, run as a user runs it (a real process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from ingest import build
from ingest.store import current_path
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
    for line in ("entities", "relations", "evidence records", "mentions", "reasoning (HermiT)"):
        assert line in done.stdout
    assert "consistent" in done.stdout and "conforms" in done.stdout

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

    named = dwkg(
        "query", "--store", str(store), "--format", "tsv",
        "--named", "concept-credits", "-p", "concept=deep-labour",
    )  # fmt: skip
    assert named.returncode == 0, named.stderr
    head, *lines = [line.split("\t") for line in named.stdout.splitlines()]
    rows = [dict(zip(head, line, strict=True)) for line in lines]
    assert any(
        r["agent_label"] == "Antonio A. Casilli" and r["chapter"] == "10"
        and "Casilli et al. (2019) call “deep labor”" in r["quote"]
        for r in rows
    )  # fmt: skip
    out = tmp_path / "corpus.json"
    bib = dwkg("bib", "--store", str(store), "--format", "csljson", "--output", str(out))
    assert bib.returncode == 0, bib.stderr
    items = {i["id"]: i for i in json.loads(out.read_text(encoding="utf-8"))}
    assert items["wuGlobalDataEmpires2025"]["type"] == "article-journal"
    assert dwkg("bib", "--store", str(store), "--format", "endnote").returncode == 2
    bad = dwkg("query", "--store", str(store), "--named", "concept-credits")
    assert bad.returncode == 2 and "needs the parameter 'concept'" in bad.stderr


def test_candidates_lists_uncurated_names() -> None:
    done = dwkg("candidates", "--corpus", str(CORPUS), "--limit", "15")
    assert done.returncode == 0, done.stderr
    assert "candidate" in done.stdout and "15 row(s)" in done.stdout
    assert " China " not in done.stdout  # curated, so not a candidate


def test_query_errors_are_clear(tmp_path: Path) -> None:
    done = dwkg("query", "--store", str(tmp_path / "none"), "SELECT * WHERE { ?s ?p ?o }")
    assert done.returncode == 2
    assert "run 'dwkg ingest --store" in " ".join(done.stderr.split())


def test_export_writes_nquads(tmp_path: Path) -> None:
    out = tmp_path / "g.nq"
    done = dwkg("export", "--corpus", str(CORPUS), "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 1_000_000


def test_export_dumps_the_graph_in_use(
    built_store: tuple[Path, build.Report], tmp_path: Path
) -> None:
    """Without --corpus, the export is the store's current build, as served."""
    current = current_path(built_store[0])
    assert current is not None
    for fmt in ("nquads", "trig"):
        out = tmp_path / f"g.{fmt}"
        done = dwkg("export", "--store", str(built_store[0]), "--format", fmt, "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert current.name in done.stdout
        loaded = Store()
        loaded.load(path=str(out), format=RdfFormat.N_QUADS if fmt == "nquads" else RdfFormat.TRIG)
        assert len(loaded) == len(Store.read_only(str(current))) == built_store[1].quads


def test_oxigraph_bulk_loads_the_nquads_and_trig_exports(tmp_path: Path) -> None:
    """What `dwkg export` writes, Oxigraph's own bulk loader (the `oxigraph` CLI) loads."""
    import shutil

    from pyoxigraph import Store

    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(oxigraph).exists():
        pytest.skip("NOT RUN: the oxigraph CLI is missing (pip install 'oxigraph>=0.5,<0.6')")
    counts = {}
    for fmt, name in (("nquads", "g.nq"), ("trig", "g.trig")):
        out = tmp_path / name
        done = dwkg("export", "--corpus", str(CORPUS), "--format", fmt, "--output", str(out))
        assert done.returncode == 0, done.stderr
        quads = int(done.stdout.split()[1])
        loaded = subprocess.run(
            [oxigraph, "load", "--location", str(tmp_path / fmt), "--file", str(out)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert loaded.returncode == 0, loaded.stderr
        store = Store.read_only(str(tmp_path / fmt))
        assert len(store) == quads
        counts[fmt] = quads
        hit = store.query(
            "ASK { GRAPH ?g { ?p <http://purl.org/spar/c4o/hasContent> ?t "
            'FILTER(CONTAINS(?t, "inland-sourcing")) } }'
        )
        assert bool(hit)
    assert counts["nquads"] == counts["trig"]
    bad = dwkg("export", "--corpus", str(CORPUS), "--format", "rdfxml", "-o", str(tmp_path / "x"))
    assert bad.returncode == 2 and "nquads or trig" in bad.stderr
