"""The corpus manifest: which files make up the corpus, their bibliographic
records (CSL-JSON terms) and the reader each needs.

A folder without a manifest, or files in it the manifest does not list, are
read as a user's own documents: ``.md`` with the Markdown reader, ``.txt``
with the plain reader, pages ``unknown``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import ManifestError
from ingest.model import Chapter

MANIFEST = "manifest.json"
LAYOUTS = {"lines", "printed", "markdown", "plain"}
IGNORED = {"README.md", MANIFEST}


@dataclass
class WorkEntry:
    id: str
    file: str
    layout: str
    csl: dict[str, Any]
    external: dict[str, str] = field(default_factory=dict)
    chapters: list[Chapter] = field(default_factory=list)
    first_page_lines: tuple[int, int] | None = None  # masthead-anchored page 1
    first_page: str | None = None

    def path(self, corpus: Path) -> Path:
        return corpus / self.file


def load(corpus: Path) -> list[WorkEntry]:
    """The works of ``corpus``: the manifest's, then any other .txt/.md files found."""
    entries: list[WorkEntry] = []
    mpath = corpus / MANIFEST
    if mpath.exists():
        try:
            data = json.loads(mpath.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ManifestError(f"{mpath.name}: not valid JSON ({e}); fix the file") from e
        for i, rec in enumerate(data.get("works", [])):
            entries.append(_entry(rec, i, mpath.name))
    listed = {e.file for e in entries}
    for p in sorted(corpus.iterdir()):
        if p.name in listed or p.name in IGNORED or p.name.startswith("."):
            continue
        if p.suffix.lower() in (".txt", ".md") and p.is_file():
            layout = "markdown" if p.suffix.lower() == ".md" else "plain"
            entries.append(WorkEntry(_slug(p.stem), p.name, layout, {"title": p.stem}))
    ids = [e.id for e in entries]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ManifestError(f"work ids used twice: {sorted(dupes)}; give each work its own id")
    return entries


def _entry(rec: dict[str, Any], i: int, name: str) -> WorkEntry:
    for key in ("id", "file", "layout", "csl"):
        if key not in rec:
            raise ManifestError(f"{name}: work #{i + 1} has no {key!r}; add it")
    if rec["layout"] not in LAYOUTS:
        raise ManifestError(
            f"{name}: work {rec['id']!r} has layout {rec['layout']!r}; use one of {sorted(LAYOUTS)}"
        )
    pages = rec.get("pages") or {}
    fpl = pages.get("first_page_lines")
    return WorkEntry(
        id=str(rec["id"]),
        file=rec["file"],
        layout=rec["layout"],
        csl=rec["csl"],
        external=rec.get("external", {}),
        chapters=[_chapter(c) for c in rec.get("chapters", [])],
        first_page_lines=(int(fpl[0]), int(fpl[1])) if fpl else None,
        first_page=pages.get("first_page"),
    )


def _chapter(c: dict[str, Any]) -> Chapter:
    return Chapter(
        number=int(c["number"]),
        title=c.get("title"),
        title_source=c.get("title_source"),
        authors=list(c.get("author", [])),
        opening=c.get("opening", ""),
        part=c.get("part"),
        title_note=c.get("title_note"),
    )


def _slug(stem: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "document"
