"""The corpus bibliography as CSL-JSON items, keyed by citation key.

Corpus works and chapters come from their stored CSL records; works cited in the
reference lists are rebuilt from what the reference parser read (family names, year,
title, container, volume, issue, pages, DOI, URL), so their records are as complete as
the printed entries, no more.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from service import citeformat
from service.graph import Graph

RECORDS = """
SELECT ?s ?key ?csl WHERE { ?s dw:citationKey ?key ; dw:csl ?csl }
"""
CITED = """
SELECT ?s ?key ?p ?o WHERE {
  ?s dw:citedKey ?ck ; dw:citationKey ?key ; ?p ?o .
  FILTER (?p IN (dw:authorName, dw:year, dcterms:title, dw:containerTitle, prism:volume,
                 prism:issueIdentifier, prism:pageRange, prism:doi, dw:url, dw:cslType))
}
"""
FIELDS = {
    "year": "year", "title": "title", "containerTitle": "container", "volume": "volume",
    "issueIdentifier": "issue", "pageRange": "page", "doi": "DOI", "url": "URL",
    "cslType": "type",
}  # fmt: skip


@dataclass
class Bibliography:
    """The bibliography of the current build, read once per build."""

    graph: Graph
    _build: str | None = None
    _items: list[dict[str, Any]] = field(default_factory=list)
    _by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    _by_subject: dict[str, dict[str, Any]] = field(default_factory=dict)
    _subject_of: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _ensure(self) -> None:
        build = self.graph.build_id()
        with self._lock:
            if build != self._build:
                subjects: dict[str, str] = {}
                self._items = csl_items(self.graph, subjects)
                self._by_key = {i["id"]: i for i in self._items}
                self._by_subject = {s: self._by_key[k] for s, k in subjects.items()}
                self._subject_of = {k: s for s, k in subjects.items()}
                self._build = build

    def items(self) -> list[dict[str, Any]]:
        self._ensure()
        return self._items

    def by_key(self, key: str) -> dict[str, Any] | None:
        self._ensure()
        return self._by_key.get(key)

    def subject_of(self, key: str) -> str | None:
        """The IRI of the corpus work or chapter with this key (None for cited works)."""
        self._ensure()
        return self._subject_of.get(key)

    def for_subject(self, iri: str) -> dict[str, Any] | None:
        """The record of a corpus work or chapter (by IRI)."""
        self._ensure()
        return self._by_subject.get(iri)


def csl_items(graph: Graph, subjects: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Corpus works, then chapters, then cited works; each item's ``id`` is its key.

    ``subjects``, when given, is filled with the key of each work's and chapter's IRI.
    """
    items: list[dict[str, Any]] = []
    for r in sorted(graph.rows(RECORDS), key=lambda r: r["s"]):
        record = json.loads(r["csl"])
        record["id"] = r["key"]
        items.append(record)
        if subjects is not None:
            subjects[r["s"]] = r["key"]
    items.sort(key=lambda i: (i.get("type") == "chapter", i["id"]))
    cited: dict[str, dict[str, Any]] = {}
    for r in graph.rows(CITED):
        entry = cited.setdefault(r["key"], {"authors": {}})
        local = re.split(r"[#/]", r["p"])[-1]
        if local == "authorName":
            n, _, name = r["o"].partition(". ")
            entry["authors"][int(n)] = name
        elif local == "cslType":
            entry.setdefault("types", set()).add(r["o"])
        else:
            entry.setdefault("values", {}).setdefault(FIELDS[local], set()).add(r["o"])
    for key in sorted(cited):
        entry = cited[key]
        entry |= {f: _choose(f, vs) for f, vs in entry.pop("values", {}).items()}
        items.append(_cited_item(key, entry))
    return items


def _choose(field: str, values: set[str]) -> str:
    """One value where reference lists disagree (a work cited in several chapters).

    Titles: the sentence-case spelling (fewest capitals), which CSL styles and BibTeX's
    case protection expect; container titles: the title-case one (a journal's name);
    anything else: the first in order, so that every backend picks the same.
    """

    def capitals(v: str) -> int:
        return sum(c.isupper() for c in v)

    if field == "title":
        return min(values, key=lambda v: (capitals(v), v))
    if field == "container":
        return min(values, key=lambda v: (-capitals(v), v))
    return min(values)


PUBLISHER = re.compile(
    r"\b(Press|Publish\w*|Books|Harcourt|Routledge|Wiley|Springer|Verso|Penguin|Palgrave|"
    r"Elsevier|Polity|Sage|MIT|Norton|Basic|Random House|HarperCollins)\b"
)


def _kind(e: dict[str, Any]) -> str:
    """The reference lists' guesses, corrected where the entry itself says otherwise."""
    types: set[str] = e.get("types", set())
    journal_like = any(f in e for f in ("volume", "issue", "page"))
    if "book" in types and not journal_like:
        return "book"
    if not journal_like and PUBLISHER.search(e.get("container", "")):
        return "book"  # the "container" of a book entry is its publisher
    return sorted(types)[0] if types else "book"


def _cited_item(key: str, e: dict[str, Any]) -> dict[str, Any]:
    kind = _kind(e)
    item: dict[str, Any] = {"id": key, "type": kind}
    if e["authors"]:
        item["author"] = [{"family": e["authors"][n]} for n in sorted(e["authors"])]
    if "title" in e:
        item["title"] = e["title"]
    year = re.match(r"\d{4}", e.get("year", ""))
    if year:
        item["issued"] = {"date-parts": [[int(year.group(0))]]}
    if "container" in e:
        item["publisher" if kind in ("book", "report") else "container-title"] = e["container"]
    for name in ("volume", "issue", "page", "DOI", "URL"):
        if name in e:
            item[name] = e[name]
    return item


EXPORTS = {
    "csljson": "application/vnd.citationstyles.csl+json",
    "bibtex": "application/x-bibtex; charset=utf-8",
    "biblatex": "application/x-biblatex; charset=utf-8",
}


def export(items: list[dict[str, Any]], fmt: str) -> str:
    """The bibliography as CSL-JSON, BibTeX or BibLaTeX text."""
    if fmt == "csljson":
        return json.dumps(items, ensure_ascii=False, indent=1) + "\n"
    if fmt == "bibtex":
        return citeformat.bibtex_all(items)
    if fmt == "biblatex":
        return citeformat.biblatex_all(items)
    raise ValueError(f"no export format {fmt!r}; use one of {', '.join(EXPORTS)}")
