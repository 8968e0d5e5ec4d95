"""Bad input: each problem is named with its file, and the rest of the corpus still ingests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest import build, manifest
from ingest.errors import ManifestError
from tests.conftest import CORPUS


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    c = tmp_path / "corpus"
    shutil.copytree(CORPUS, c)
    return c


FAST = build.Options(reasoning=False, validation=False)  # reading is what these test


def test_bad_files_are_reported_and_the_rest_ingests(corpus: Path, tmp_path: Path) -> None:
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    (corpus / "latin1.txt").write_bytes("Données sur le travail\n\nCafé".encode("latin-1"))
    data = json.loads((corpus / "manifest.json").read_text())
    data["works"].append(
        {"id": "lost", "file": "lost.txt", "layout": "plain", "csl": {"title": "Lost"}}
    )
    (corpus / "manifest.json").write_text(json.dumps(data))
    report = build.ingest(corpus, tmp_path / "store", options=FAST)
    errors = "\n".join(report.errors)
    assert "empty.txt: the file is empty" in errors
    assert "binary.txt: this is a binary file" in errors
    assert "latin1.txt: not UTF-8" in errors
    assert "lost.txt: the file is missing" in errors
    assert len(report.errors) == 4
    assert report.works == 5 and report.paragraphs > 850
    assert report.store_path is not None


def test_malformed_manifest_names_the_problem(corpus: Path) -> None:
    (corpus / "manifest.json").write_text('{"works": [{"id": "x", "file": "a.txt"}]}')
    with pytest.raises(ManifestError, match="has no 'layout'"):
        manifest.load(corpus)
    (corpus / "manifest.json").write_text("{not json")
    with pytest.raises(ManifestError, match="not valid JSON"):
        manifest.load(corpus)


def test_chapter_opening_not_found_names_the_chapter(corpus: Path, tmp_path: Path) -> None:
    data = json.loads((corpus / "manifest.json").read_text())
    data["works"][3]["chapters"][5]["opening"] = "No chapter starts like this"
    (corpus / "manifest.json").write_text(json.dumps(data))
    report = build.ingest(corpus, tmp_path / "store", options=FAST)
    assert any("chapter 6" in e and "opening" in e for e in report.errors)
    assert report.works == 4
    # the curated records that quote the unreadable work are left out, not failed
    assert any("quote works that could not be read (003)" in w for w in report.warnings)
    assert report.relations > 500
