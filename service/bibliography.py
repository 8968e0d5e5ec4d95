"""The corpus bibliography as CSL-JSON items, keyed by citation key.

Corpus works and chapters come from their stored CSL records; works cited in the
reference lists are rebuilt from what the reference parser read (family names, year,
title, container, volume, issue, pages, DOI, URL), so their records are as complete as
the printed entries, no more.
"""

from __future__ import annotations

import json
import re
from typing import Any

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


def csl_items(graph: Graph) -> list[dict[str, Any]]:
    """Corpus works, then chapters, then cited works; each item's ``id`` is its key."""
    items: list[dict[str, Any]] = []
    for r in sorted(graph.rows(RECORDS), key=lambda r: r["s"]):
        record = json.loads(r["csl"])
        record["id"] = r["key"]
        items.append(record)
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
            entry.setdefault(FIELDS[local], r["o"])
    for key in sorted(cited):
        items.append(_cited_item(key, cited[key]))
    return items


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
    for field in ("volume", "issue", "page", "DOI", "URL"):
        if field in e:
            item[field] = e[field]
    return item
