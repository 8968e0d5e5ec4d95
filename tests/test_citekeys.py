"""Citation keys: Better BibTeX's default pattern, unique across the corpus."""

from __future__ import annotations

from pathlib import Path

from ingest import build
from ingest.citekeys import base_key
from service.queries import run_select
from service.settings import Settings


def test_key_pattern() -> None:
    assert base_key("Wu", "Global data empires: Analysing AI data annotation", "2025") == (
        "wuGlobalDataEmpires2025"
    )
    assert (
        base_key("Sadowski", "Planetary Potemkin AI", "2022") == "sadowskiPlanetaryPotemkinAI2022"
    )
    assert base_key("Díaz", "The Ghost in the Machine", None) == "diazGhostMachinend"
    assert base_key(None, None, "2019") == "anon2019"


def test_every_work_chapter_and_cited_work_has_a_unique_key(
    built_store: tuple[Path, build.Report],
) -> None:
    rows = run_select(
        Settings(store_dir=built_store[0]),
        "SELECT ?s ?k WHERE { ?s dw:citationKey ?k }",
    )[1]
    keys = {r["s"].split("/id/", 1)[1]: r["k"] for r in rows}
    assert len(set(keys.values())) == len(keys) > 200
    assert keys["work/000"] == "wuGlobalDataEmpires2025"
    assert keys["work/003/chapter/13"] == "sadowskiPlanetaryPotemkinAI2022"
    assert keys["work/003"] == "grahamDigitalWorkPlanetary2022"
    cited = [k for s, k in keys.items() if s.startswith("cited/gray-2019-ghost-work")]
    assert cited == ["grayGhostWork2019"]
