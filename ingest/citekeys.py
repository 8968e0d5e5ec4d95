"""Citation keys for every corpus work, chapter and cited work: stable and unique.

The key follows Better BibTeX's default pattern, ``[auth:lower][shorttitle3_3][year]``:
the first author's (or editor's) family name in lower case, the first three significant
words of the main title (before a colon) capitalised, and the year —
``wuGlobalDataEmpires2025``, ``sadowskiPlanetaryPotemkinAI2022``. Where two items would
share a key, the later ones (corpus works first, then chapters, then cited works, each in
IRI order) get ``a``, ``b`` … appended, so a key does not change when unrelated items come
and go unless they collide with it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from ontology import DCTERMS, DW

FUNCTION_WORDS = set(
    [
        "a",
        "an",
        "the",
        "of",
        "on",
        "in",
        "and",
        "or",
        "for",
        "to",
        "with",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "its",
        "into",
        "about",
        "how",
        "why",
        "what",
        "when",
        "where",
        "who",
        "which",
        "beyond",
        "between",
    ]
)


def _ascii(s: str) -> str:
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def base_key(family: str | None, title: str | None, year: str | None) -> str:
    name = re.sub(r"[^a-z0-9]", "", _ascii(family or "anon").lower()) or "anon"
    main = re.split(r"[:?.!]\s", (title or "").strip(), maxsplit=1)[0]
    words = [w for w in re.findall(r"[\w’'-]+", _ascii(main)) if w.lower() not in FUNCTION_WORDS]
    short = "".join(
        w if w.isupper() else w[:1].upper() + w[1:].lower()
        for w in (re.sub(r"[^A-Za-z0-9]", "", x) for x in words[:3])
    )
    return f"{name}{short}{year or 'nd'}"


def _csl_key(csl: dict[str, Any]) -> str:
    people = csl.get("author") or csl.get("editor") or [{}]
    family = people[0].get("family") or people[0].get("literal")
    parts = (csl.get("issued") or {}).get("date-parts") or [[None]]
    year = str(parts[0][0]) if parts[0] and parts[0][0] else None
    return base_key(family, csl.get("title"), year)


def key_quads(quads: list[Quad]) -> list[Quad]:
    """``dw:citationKey`` for every subject with a CSL record or a cited-work key."""
    csl: dict[NamedNode, tuple[str, Any]] = {}
    cited: dict[NamedNode, dict[str, str]] = defaultdict(dict)
    graphs: dict[NamedNode, Any] = {}
    for q in quads:
        s, p, o = q.subject, q.predicate.value, q.object
        if not isinstance(s, NamedNode) or not isinstance(o, Literal):
            continue
        if p == DW + "csl":
            csl[s] = (o.value, q.graph_name)
        elif p == DW + "citedKey":
            cited[s]["cited"] = "yes"
            graphs.setdefault(s, q.graph_name)
        elif p == DW + "authorName" and o.value.startswith("1. "):
            cited[s]["author"] = o.value[3:]
        elif p == DCTERMS + "title":
            cited[s]["title"] = o.value
        elif p == DW + "year":
            cited[s]["year"] = re.sub(r"[a-z]$", "", o.value)
    items: list[tuple[int, str, NamedNode, str, Any]] = []
    for s, (record, graph) in csl.items():
        data = json.loads(record)
        rank = 1 if data.get("type") == "chapter" else 0
        items.append((rank, s.value, s, _csl_key(data), graph))
    for s, info in cited.items():
        if "cited" in info:
            family = info.get("author", "anon").split()[-1] if info.get("author") else None
            items.append(
                (2, s.value, s, base_key(family, info.get("title"), info.get("year")), graphs[s])
            )
    used: set[str] = set()
    out: list[Quad] = []
    for _, _, subject, key, graph in sorted(items, key=lambda x: (x[0], x[1])):
        final, n = key, 0
        while final in used:
            final = key + "abcdefghijklmnopqrstuvwxyz"[n % 26] * (n // 26 + 1)
            n += 1
        used.add(final)
        out.append(Quad(subject, NamedNode(DW + "citationKey"), Literal(final), graph))
    return out
