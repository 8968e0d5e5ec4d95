"""Named queries: ``queries/*.rq`` with a header that names them and types their parameters.

A header is a block of ``#`` comment lines at the top of the file::

    # name: concept-definitions
    # title: Where a concept is defined, with work and page
    # description: Every definition of the concept ...
    # param: concept entity  The concept's id (e.g. deep-labour)
    # param: work work?  Only definitions in this work (e.g. 003)
    # columns: work_id, locator, certainty, definition
    # example: concept=deep-labour
    # sets: credited

``sets`` names columns made with ``GROUP_CONCAT(...; SEPARATOR="; ")``: the service sorts
their items (``NamedQuery.tidy``), since the order inside a group is the engine's.
Parameter types: ``entity`` (an entity id), ``work`` (a corpus work id), ``type`` (a class
of the ontology, e.g. ``Company``), ``string``, ``integer``. A trailing ``?`` makes one
optional. Values are never pasted into the query text: each is turned into an RDF term by
the RDF library and bound with a ``VALUES`` block placed first in the outer ``WHERE``,
which every SPARQL 1.1 engine runs (and which binds before any aggregation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from ontology import DW, XSD, base_iri

SET_SEPARATOR = "; "
PARAM_TYPES = ("entity", "work", "type", "string", "integer")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_WORK = re.compile(r"^[A-Za-z0-9][\w.-]*$")
_TYPE = re.compile(r"^[A-Z][A-Za-z]+$")


class CatalogueError(Exception):
    """A named query file is malformed, or a call gives bad parameters."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    examples: tuple[dict[str, str], ...]
    sparql: str
    path: Path = field(compare=False)
    sets: tuple[str, ...] = ()  # columns that join a set with "; " (GROUP_CONCAT)

    def tidy(self, rows: list[dict[str, str]]) -> list[dict[str, str]]:
        """Rows with each set column sorted and an empty set left out.

        SPARQL leaves the order inside GROUP_CONCAT to the engine, and engines differ on
        an empty group ("" or unbound): a set column reads the same on every backend.
        """
        if not self.sets:
            return rows
        out = []
        for row in rows:
            tidy = dict(row)
            for col in self.sets:
                items = [v for v in tidy.pop(col, "").split(SET_SEPARATOR) if v]
                if items:
                    tidy[col] = SET_SEPARATOR.join(sorted(items, key=lambda v: (v.casefold(), v)))
            out.append(tidy)
        return out

    def bind(self, values: dict[str, str], base: str | None = None) -> str:
        """The query text with ``values`` bound as RDF terms (raises on bad values)."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise CatalogueError(
                f"query {self.name!r} has no parameter {', '.join(unknown)}; "
                f"its parameters are: {', '.join(known) or 'none'}"
            )
        rows: dict[str, str] = {}
        for p in self.params:
            raw = values.get(p.name)
            if raw is None or raw == "":
                if p.required:
                    raise CatalogueError(
                        f"query {self.name!r} needs the parameter {p.name!r} ({p.description})"
                    )
                continue
            rows[p.name] = str(term(p, raw, base or base_iri()))
        if not rows:
            return self.sparql
        return bind_values(self.sparql, rows)


def term(p: Param, raw: str, base: str) -> NamedNode | Literal:
    """One parameter value as an RDF term, checked against its type."""
    raw = raw.strip()
    if p.type == "entity":
        if not _ID.match(raw):
            raise CatalogueError(
                f"{p.name}={raw!r} is not an entity id (lower-case words joined by hyphens, "
                "e.g. deep-labour); find ids with /api/v1/entities?q=..."
            )
        return NamedNode(f"{base}entity/{raw}")
    if p.type == "work":
        if not _WORK.match(raw):
            raise CatalogueError(f"{p.name}={raw!r} is not a work id (e.g. 003)")
        return NamedNode(f"{base}work/{raw}")
    if p.type == "type":
        if not _TYPE.match(raw):
            raise CatalogueError(f"{p.name}={raw!r} is not a class name (e.g. Company)")
        return NamedNode(DW + raw)
    if p.type == "integer":
        if not re.fullmatch(r"-?\d{1,9}", raw):
            raise CatalogueError(f"{p.name}={raw!r} is not an integer")
        return Literal(raw, datatype=NamedNode(XSD + "integer"))
    return Literal(raw)


def bind_values(sparql: str, terms: dict[str, str]) -> str:
    """``sparql`` with ``VALUES (?k ...) { (term ...) }`` first in its outer WHERE."""
    block = (
        "VALUES (" + " ".join(f"?{n}" for n in terms) + ") { (" + " ".join(terms.values()) + ") }"
    )
    return insert_first_in_where(sparql, block)


def insert_first_in_where(sparql: str, block: str) -> str:
    masked = _mask(sparql)
    m = re.search(r"\bWHERE\s*\{", masked, re.IGNORECASE) or re.search(r"\{", masked)
    if m is None:
        raise CatalogueError("the query has no WHERE clause to bind parameters in")
    return sparql[: m.end()] + "\n  " + block + "\n" + sparql[m.end() :]


def _mask(sparql: str) -> str:
    """The query with comments and string literals blanked out (same length)."""

    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0))

    return re.sub(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|#[^\n]*", blank, sparql)


def parse(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header: dict[str, list[str]] = {}
    key = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        m = re.match(r"^([a-z]+):\s*(.*)$", body)
        if m:
            key = m.group(1)
            header.setdefault(key, []).append(m.group(2))
        elif key is not None and body:
            header[key][-1] += " " + body
    name = (header.get("name") or [""])[0]
    if name != path.stem:
        raise CatalogueError(f"{path.name}: the header must say '# name: {path.stem}'")
    params = tuple(_param(path, p) for p in header.get("param", []))
    examples = tuple(_example(path, e) for e in header.get("example", []))
    columns = tuple(c.strip() for c in ",".join(header.get("columns", [])).split(",") if c.strip())
    sets = tuple(c.strip() for c in ",".join(header.get("sets", [])).split(",") if c.strip())
    if set(sets) - set(columns):
        raise CatalogueError(f"{path.name}: '# sets:' names columns not in '# columns:'")
    return NamedQuery(
        name=name,
        title=(header.get("title") or [name])[0],
        description=" ".join(header.get("description", [])),
        params=params,
        columns=columns,
        examples=examples,
        sparql=text,
        path=path,
        sets=sets,
    )


def _param(path: Path, spec: str) -> Param:
    m = re.match(r"^(\w+)\s+(\w+)(\??)\s*(.*)$", spec)
    if m is None or m.group(2) not in PARAM_TYPES:
        raise CatalogueError(
            f"{path.name}: bad parameter line {spec!r}; write 'name type[?] description' "
            f"with a type from {', '.join(PARAM_TYPES)}"
        )
    return Param(m.group(1), m.group(2), m.group(3) != "?", m.group(4))


def _example(path: Path, spec: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in spec.split("&"):
        if not part.strip():
            continue
        if "=" not in part:
            raise CatalogueError(f"{path.name}: bad example {spec!r}; write a=1&b=2")
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def load(folder: Path) -> dict[str, NamedQuery]:
    """Every named query in ``folder``, by name."""
    return {q.name: q for q in (parse(p) for p in sorted(folder.glob("*.rq")))}
