"""Shared fixtures: the corpus read once per session, a store built once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest import build, manifest
from ingest.model import Document

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def docs() -> dict[str, Document]:
    """Every corpus work read into the document model (no store)."""
    return {e.id: build.read_document(e, CORPUS) for e in manifest.load(CORPUS)}


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, build.Report]]:
    """The whole corpus ingested into a real store on disk."""
    store = tmp_path_factory.mktemp("store")
    report = build.ingest(CORPUS, store)
    yield store, report
    shutil.rmtree(store, ignore_errors=True)


def squash(text: str) -> str:
    """Whitespace-normalised text for containment checks."""
    return " ".join(text.replace("\u00a0", " ").split())
