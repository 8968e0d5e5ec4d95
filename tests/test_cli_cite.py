"""``dwkg cite``, ``dwkg bib`` and ``dwkg check`` as a writer runs them (real processes)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.cite import load_set
from ingest import build
from tests.test_cli import dwkg

INLAND = "In a process we call 'inland-sourcing', major Chinese AI firms"
WU = "wuGlobalDataEmpires2025"


def test_cite_prints_the_source_and_its_citation(built_store: tuple[Path, build.Report]) -> None:
    store = str(built_store[0])
    done = dwkg("cite", "--store", store, "--limit", "1", INLAND)
    assert done.returncode == 0, done.stderr
    assert f"[@{WU}, para." in done.stdout and "(Wu et al., 2025, para." in done.stdout
    pandoc = dwkg("cite", "--store", store, "--limit", "1", "--format", "pandoc", INLAND)
    assert pandoc.stdout.startswith(f"[@{WU}, para. ")
    data = json.loads(dwkg("cite", "--store", store, "--format", "json", INLAND).stdout)
    assert data[0]["key"] == WU and data[0]["locator"]["label"] == "paragraph"
    bad = dwkg("cite", "--store", store, "--style", "mla", INLAND)
    assert bad.returncode == 2 and "chicago-author-date" in bad.stderr


def test_bib_writes_bibtex_and_biblatex(
    built_store: tuple[Path, build.Report], tmp_path: Path
) -> None:
    for fmt in ("bibtex", "biblatex"):
        out = tmp_path / f"corpus-{fmt}.bib"
        done = dwkg("bib", "--store", str(built_store[0]), "--format", fmt, "-o", str(out))
        assert done.returncode == 0, done.stderr
        text = out.read_text(encoding="utf-8")
        assert f"@article{{{WU}," in text and "@incollection{neilsonWorkingDigitalSilk2022," in text
    assert "journaltitle" in (tmp_path / "corpus-biblatex.bib").read_text(encoding="utf-8")


def manuscript(tmp_path: Path, store: str) -> tuple[Path, dict[str, str]]:
    quotes, _ = load_set()
    paged = next(q for q in quotes if q["chapter"] == 11 and q["page"] and "–" not in q["page"])
    done = dwkg("cite", "--store", store, "--format", "json", "--limit", "1", paged["quote"])
    chapter_key = json.loads(done.stdout)[0]["key"]
    para = json.loads(dwkg("cite", "--store", store, "--format", "json", INLAND).stdout)[0]
    n = para["locator"]["value"]
    wrong_page = str(int(paged["page"]) + 3)
    text = f"""# A paper

Wu and colleagues write that “{INLAND}” [@{WU}, para. {n}].

The chapter argues that “{paged["quote"]}” [@{chapter_key}, p. {wrong_page}].

They also say that “{INLAND.replace("major", "leading")}” [@{WU}, para. {n}].

> {INLAND}
> [@zhouChinasAIBoom2023, para. 2]

Nobody wrote that “the moon is made of green cheese, say the economists” [@{WU}].

See also [@{WU}, para. 9999] and [@nosuchKey2020, p. 4] and [see @grayGhostWork2019, p. 12].
"""
    path = tmp_path / "paper.md"
    path.write_text(text, encoding="utf-8")
    return path, {"chapter_key": chapter_key, "page": paged["page"], "n": n}


def test_check_reports_every_quotation_and_locator_and_proposes_corrections(
    built_store: tuple[Path, build.Report], tmp_path: Path
) -> None:
    path, facts = manuscript(tmp_path, str(built_store[0]))
    done = dwkg("check", "--store", str(built_store[0]), "--format", "json", str(path))
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)
    by_line = {(f["line"], f["kind"]): f for f in findings}
    assert by_line[(3, "quotation")]["status"] == "ok"
    wrong = by_line[(5, "quotation")]
    assert wrong["status"] == "wrong_locator"
    assert wrong["suggestion"] == f"[@{facts['chapter_key']}, p. {facts['page']}]"
    close = by_line[(7, "quotation")]
    assert close["status"] == "close"
    assert any("'major'" in d and "'leading'" in d for d in close["differences"])
    other = by_line[(9, "quotation")]
    assert other["status"] == "other_work" and other["suggestion"].startswith(f"[@{WU}, para.")
    assert by_line[(12, "quotation")]["status"] == "not_found"
    cites = [f for f in findings if f["line"] == 14]
    assert [c["status"] for c in cites] == ["no_such_locator", "unknown_key", "ok"]
    text = dwkg("check", "--store", str(built_store[0]), str(path))
    assert text.returncode == 1 and "to correct" in text.stdout
    assert f"use [@{facts['chapter_key']}, p. {facts['page']}]" in text.stdout


def test_check_says_what_is_wrong_with_an_unreadable_manuscript(
    built_store: tuple[Path, build.Report], tmp_path: Path
) -> None:
    bad = tmp_path / "paper.md"
    bad.write_bytes(b"\xff\xfe\x00binary")
    done = dwkg("check", "--store", str(built_store[0]), str(bad))
    assert done.returncode == 2 and "cannot read" in done.stderr and "UTF-8" in done.stderr
    done = dwkg("check", "--store", str(built_store[0]), str(tmp_path / "missing.md"))
    assert done.returncode == 2 and "cannot read" in done.stderr
