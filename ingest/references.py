"""Parse reference-list entries into structured :class:`Reference` records.

Three styles occur in the corpus and are told apart by the shape of the
entry's head (the authors and the year before the title):

- Sage (``000``): ``Berg J, Furrer M, Harmon E, et al. (2018) Title. Venue 33(1): 21–38.``
- Harvard (``001``): ``Coase, R.H., 1937. The nature of the firm. Economica, 4: 386-405``
- Chicago author-date (``003``): ``Berg, Janine, Miriam Cherry, and Uma Rani. 2019. “Title.”
  Venue 16 (2): 104–128.``

Entries arrive as one string each (the reader has joined wrapped lines). URLs
and DOIs may still carry the spaces a PDF extraction inserts
(``https:// www . latimes . com / ...``, ``10.1177/ 14614448251320114``);
they are repaired here. Everything apart from the authors and the year is a
best-effort guess. The module is pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass
class Reference:
    raw: str
    authors: list[str]  # family names (or organisation names), in order
    et_al: bool
    year: str | None  # "2019" (no suffix); None for n.d. or a missing year
    year_suffix: str  # "a", "b" or ""
    title: str | None
    container: str | None  # journal / book / publisher-ish venue, best effort
    volume: str | None
    issue: str | None
    pages: str | None  # "21–38" (hyphen normalised to an en dash)
    doi: str | None  # lower-case "10.xxxx/..." without a URL prefix
    url: str | None  # repaired (spaces removed)
    kind: str  # CSL type guess


# --- character classes and shared patterns -------------------------------------------------

UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x250)) if c.isupper())
"""Upper-case letters for regex classes (ASCII plus Latin-1 and Latin Extended-A/B)."""

PARTICLES = "van|von|de|der|den|du|da|di|la|le|ter|ten|dos|das|del|della|des"
"""Lower-case particles that belong to a family name (``van Doorn``), as a regex alternation."""
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_YEAR = r"(?:1[5-9]|20)\d\d"

_SAGE_HEAD = re.compile(
    rf"^(?P<authors>[^()]+?)\s\((?P<year>{_YEAR}|n\.\s?d\.)(?P<suffix>[a-z]?)\)\s*(?P<rest>.*)$"
)
_COMMA_HEAD = re.compile(
    rf"^(?P<authors>[^“\"]{{1,300}}?)[.,]?\s(?:\({_YEAR}\)\s)?"
    rf"(?P<year>{_YEAR}|n\.\s?d)(?P<suffix>(?<=\d)[a-z])?[.,](?:\s|$)(?P<rest>.*)$"
)
_NO_YEAR_HEAD = re.compile(
    rf"^(?P<authors>[{UPPER}][^.,“\"]*, [^.“\"]*?, and [^.“\"]+?)\.\s(?P<rest>[{UPPER}“\"].*)$"
)
_NAME_TOKEN = rf"(?:(?:{PARTICLES}) )?[{UPPER}][\w.’'-]*"
_NAME_LIST_LINE = re.compile(
    rf"^[{UPPER}][\w’'-]+, {_NAME_TOKEN}(?: {_NAME_TOKEN})*"
    rf"(?:, (?:and )?{_NAME_TOKEN}(?: {_NAME_TOKEN})*){{2,}},?$"
)
"""A print line holding only an author list whose year wraps to the next line:
``Muller, Michael, Ingrid Lange, Dakuo Wang, ..., Q. Vera Liao, Casey``."""
_INITIALS = re.compile(rf"^(?:[{UPPER}]{{1,2}}\.?\s?-?)+$")
_SAGE_INITIALS = re.compile(rf"^[{UPPER}]{{1,3}}(?:-[{UPPER}]{{1,2}})?$")


# --- public API ----------------------------------------------------------------------------


def parse_reference(text: str) -> Reference:
    """Parse one reference-list entry (any of the three styles)."""
    cleaned = _clean(text)
    url, rest = _take_url(cleaned)
    doi, rest = _take_doi(rest, url)
    rest, website = _strip_access(rest)
    head = _split_head(rest)
    authors, et_al = _parse_authors(head.authors, head.style)
    body = _parse_body(_tidy(head.rest), url is not None or website, doi is not None)
    return Reference(
        raw=text,
        authors=authors,
        et_al=et_al,
        year=head.year,
        year_suffix=head.suffix,
        title=body.title,
        container=body.container,
        volume=body.volume,
        issue=body.issue,
        pages=body.pages,
        doi=doi,
        url=url,
        kind=body.kind,
    )


def is_reference_start(text: str) -> bool:
    """Does this line begin a reference entry (authors, then a year or n.d., then the title)?

    Rejects continuation fragments that wrongly received a bullet, such as
    ``- Conference on Web Search and Data Mining, ...`` or ``- market, Cambridge, MA: ...``.
    Two year-less forms of a Chicago list of several authors are accepted too:
    an entry that prints no year (``Shoham, Yoav, ..., and Calvin LeGassick. The
    AI Index 2017 ...``) and a print line of names whose year wraps to the next
    line (``Muller, Michael, Ingrid Lange, ..., Casey``).
    """
    cleaned = _clean(text)
    for pattern, style in ((_SAGE_HEAD, "sage"), (_COMMA_HEAD, "comma"), (_NO_YEAR_HEAD, "comma")):
        m = pattern.match(cleaned)
        if m and _plausible_authors(m.group("authors"), style):
            return True
    return bool(_NAME_LIST_LINE.match(cleaned))


def repair_url(s: str) -> str:
    """Remove the spaces a PDF extraction inserts into URLs and DOIs.

    ``https:// www . x . com / a - b`` -> ``https://www.x.com/a-b``. A trailing
    full stop (sentence punctuation) is dropped.
    """
    return re.sub(r"\s+", "", s).rstrip(".,;")


def work_key(authors: list[str], year: str | None, suffix: str, title: str | None) -> str:
    """A normalised key shared by every citation of the same work.

    ``gray-2019-ghost-work``: the ASCII-folded first author, the year, and the
    first three significant words of the main title (before any colon). The
    year suffix (``2024a``) is kept only when the title is unknown: it is a
    per-bibliography disambiguator, and keeping it would split a work that one
    list calls ``2024a`` and another ``2024`` into two nodes.
    """
    first = slug(authors[0]) if authors else "anon"
    words = _title_words(title)
    stamp = (year or "nd") + ("" if words else suffix)
    return "-".join([first or "anon", stamp, *words])


def fold(s: str) -> str:
    """Lower-case ASCII folding for comparisons: ``Díaz`` -> ``diaz``, ``O’Mara`` -> ``o'mara``."""
    s = s.translate(_FOLD_EXTRA).replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", s)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.encode("ascii", "ignore").decode().lower().split())


def slug(s: str) -> str:
    """``Le Ludec`` -> ``le-ludec``; ``O'Mara`` -> ``omara``."""
    return re.sub(r"[^a-z0-9]+", "-", fold(s).replace("'", "")).strip("-")


_FOLD_EXTRA = str.maketrans(
    dict(zip("øØłŁđĐı", "oOlLdDi", strict=True))
    | {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th"}
)
"""Letters NFKD does not decompose."""


# --- cleaning, URLs, DOIs, access notes ----------------------------------------------------


def _clean(text: str) -> str:
    s = text.replace("\u00a0", " ").strip()
    s = re.sub(r"^[-•]\s+", "", s)  # the bullet of the one-line-per-entry lists
    s = s.replace("*", "").replace("\\$", "$")  # Markdown italics and escapes
    s = re.sub(r"(?<=\w)- (?=\w)", "-", s)  # King- Dejardin -> King-Dejardin
    s = re.sub(r"(?<=\d)– (?=\w)", "–", s)  # 1279– 1333 -> 1279–1333
    return " ".join(s.split())


_URL_START = re.compile(r"https?:/\s?/|(?<![\w.])www\s?\.\s?(?=\w)")


def _take_url(s: str) -> tuple[str | None, str]:
    """The entry's URL (repaired) and the entry without it.

    In a reference the URL is the last element apart from an access note in
    parentheses or brackets, so it runs from its start to `` (``, `` [`` or the end.
    """
    m = _URL_START.search(s)
    if not m:
        return None, s
    stop = re.search(r"\s[(\[]", s[m.start() :])
    end = m.start() + stop.start() if stop else len(s)
    url = repair_url(s[m.start() : end])
    return url, s[: m.start()] + s[end:]


_DOI = re.compile(r"(?:\bDOI:?\s*)?\b(10\.\s?\d{4,9}\s?/\s?\S+)", re.IGNORECASE)


def _take_doi(s: str, url: str | None) -> tuple[str | None, str]:
    m = _DOI.search(s)
    if m:
        doi = repair_url(m.group(1)).lower()
        return doi, s[: m.start()] + s[m.end() :]
    if url:
        found = re.search(r"doi\.org/(10\..+)$", url, re.IGNORECASE)
        if found:
            return found.group(1).lower(), s
    return None, s


_ACCESS = re.compile(
    r"\((?:last\s)?accessed[^)]*\)|\[(?:last\s)?accessed[^\]]*\]"
    rf"|\bAccessed (?:(?:{MONTHS}) \d{{1,2}}, \d{{4}}|\d{{1,2}} (?:{MONTHS}) \d{{4}})\.?"
    r"|\bAvailable at:?|\bURL:?",
    re.IGNORECASE,
)


def _strip_access(s: str) -> tuple[str, bool]:
    """Drop access dates and URL labels; report whether the entry calls itself a website."""
    website = bool(re.search(r"\bWebsite,", s))
    s = re.sub(r"\bWebsite,", "", s)
    return _tidy(_ACCESS.sub("", s)), website


def _tidy(s: str) -> str:
    """Close up the punctuation left behind by removals: ``impact. .`` -> ``impact.``."""
    s = " ".join(s.split())
    s = re.sub(r"\s+([.,;:])", r"\1", s)
    s = re.sub(r"([.,;:])\.+", r"\1", s)  # "impact.." / ",." but not the "G.," of initials
    s = re.sub(r"([,;:])\1+", r"\1", s)
    return s.strip(" ,;:")


# --- the head: authors and year ------------------------------------------------------------


@dataclass
class _Head:
    authors: str
    year: str | None
    suffix: str
    rest: str
    style: str  # "sage", "comma" or "none"


def _split_head(s: str) -> _Head:
    m = _SAGE_HEAD.match(s)
    if m and _plausible_authors(m.group("authors"), "sage"):
        return _head_from(m, "sage")
    m = _COMMA_HEAD.match(s)
    if m and _plausible_authors(m.group("authors"), "comma"):
        return _head_from(m, "comma")
    m = _NO_YEAR_HEAD.match(s)
    if m:
        return _Head(m.group("authors"), None, "", m.group("rest"), "comma")
    return _Head("", None, "", s, "none")


def _head_from(m: re.Match[str], style: str) -> _Head:
    year = m.group("year")
    undated = year.startswith("n")
    return _Head(
        m.group("authors").strip(),
        None if undated else year,
        m.group("suffix") or "",
        m.group("rest"),
        style,
    )


def _plausible_authors(authors: str, style: str) -> bool:
    """Authors start with a capital, carry no digits and, in Sage, no full stop but et al."""
    a = authors.strip()
    if not a or not re.match(rf"[{UPPER}’']", a) or re.search(r"\d", a):
        return False
    if style == "sage":
        return not a.endswith(".") or a.endswith("et al.")
    return len(a) <= 300


def _parse_authors(s: str, style: str) -> tuple[list[str], bool]:
    s = re.sub(r"\s*\([^)]*\)", "", s)  # ILO (International Labour Organization), (with ...)
    et_al = bool(re.search(r"\bet al\b", s))
    s = re.sub(r",?\s*et al\.?", "", s)
    s = re.sub(r",?\s+eds?\.?$", "", s.strip()).strip(" ,.")
    if not s:
        return [], et_al
    if style == "sage":
        return _sage_authors(s), et_al
    return _comma_authors(s), et_al


def _sage_authors(s: str) -> list[str]:
    """``Berg J, Furrer M, Harmon E`` / ``Gray M and Suri S`` / ``European Commission``."""
    out: list[str] = []
    for part in s.split(", "):
        pieces = re.split(r"\s+(?:and|&)\s+", part)
        if len(pieces) > 1 and not all(_SAGE_INITIALS.match(p.split()[-1]) for p in pieces):
            pieces = [part]  # an organisation with "and" in its name
        for piece in pieces:
            tokens = piece.split()
            if len(tokens) > 1 and _SAGE_INITIALS.match(tokens[-1]):
                tokens = tokens[:-1]
            out.append(" ".join(tokens))
    return out


def _comma_authors(s: str) -> list[str]:
    """Harvard ``Anwar, A.M., and Graham, M.`` or Chicago ``Berg, Janine, and Uma Rani``.

    The first part is the first author's family name and the second its given
    names or initials. After that, a part followed by initials is a family name
    (Harvard); any other part is a full ``Given Family`` name (Chicago).
    """
    parts = [p.strip() for p in re.split(r",?\s+(?:and|&)\s+|,\s*", s) if p.strip()]
    parts = [p for p in parts if p not in ("and", "&")]
    out = [parts[0]]
    given = parts[1].split() if len(parts) > 2 else []
    if len(given) >= 3 and not _INITIALS.match(parts[1]):
        # "Aleksynska, Mariya Anastasia Bastrakova, and ...": the comma after the first
        # author's given name is lost, so the second author hides in it
        out.append(family_of_full_name(" ".join(given[1:])))
    i = 2
    while i < len(parts):
        part = parts[i]
        following = parts[i + 1] if i + 1 < len(parts) else None
        if following is not None and _INITIALS.match(following):
            out.append(part)
            i += 2
            continue
        if not _INITIALS.match(part):
            out.append(family_of_full_name(part))
        i += 1
    return out


def family_of_full_name(name: str) -> str:
    """``Miriam Cherry`` -> ``Cherry``; ``Eric de Sturler`` -> ``de Sturler``."""
    tokens = name.split()
    j = len(tokens) - 1
    while j > 0 and re.fullmatch(PARTICLES, tokens[j - 1].lower()):
        j -= 1
    return " ".join(tokens[j:])


# --- the body: title, venue, volume, pages, kind -------------------------------------------


@dataclass
class _Body:
    title: str | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    kind: str = "book"


_QUOTED = re.compile(r"^[“\"](?P<title>.+?)[”\"]\s*(?P<after>.*)$")
_CHAPTER = re.compile(r"^(?P<title>.+)[.?!]\s+In:?\s+(?P<inner>.+)$")
_JOURNAL_SAGE = re.compile(
    r"(?:^|(?<=[.?!]\s))(?P<c>[^.?!]+?)\s(?P<vol>\d{1,3})?\s?\((?P<issue>[^)]+)\):\s?(?P<pages>\S+?)\.?$"
)
_JOURNAL_CHICAGO = re.compile(
    r"(?:^|(?<=[.?!]\s))(?P<c>[^.?!]+?)\s(?P<vol>\d{1,3})(?:\s\((?P<issue>[^)]+)\))?"
    r":\s(?P<pages>[\w–-]+)\.?$"
)
_JOURNAL_HARVARD = re.compile(
    r"(?:^|(?<=[.?!]\s))(?P<c>[^.?!]+?),\s(?P<vol>\d{1,3})(?:\s?\((?P<issue>[^)]+)\))?"
    r"(?:[,:]\s(?P<pages>\d+[–-]\d+))?\.?$"
)
_PLACE = (
    rf"[{UPPER}][\w.-]*(?:\s[{UPPER}][\w.-]*){{0,2}}(?:\sand\s[{UPPER}]\w+)?"
    rf"(?:\s\([A-Z]{{2}}\))?(?:,\s(?:[A-Z]{{2}}|[{UPPER}][a-z]+))?"
)
_PUBLISHER = re.compile(
    rf"^(?P<title>.+?)[.?!]\s+(?:(?P<report>Report)[.,]\s*)?(?P<place>{_PLACE}):\s*"
    r"(?P<pub>[^:]+?)(?:,\s*(?:pp\.\s?)?(?P<pages>\d+[–-]\d+))?\.?$"
)
_REPORT_TAIL = re.compile(r"^(?P<title>.+?)\.\s+Report[.,]\s*(?P<pub>[^.]+)\.?$")
_DATED = re.compile(
    rf"^(?P<title>.+?)[.?!]\s+(?:(?P<c>[^.]+?)[.,]\s)?(?:\d{{1,2}}\s)?(?:{MONTHS})\b.*$"
)
_NEWS = re.compile(
    r"Times|Post|Reuters|Guardian|Forbes|News|Magazine|Wired|Review|TechCrunch|Inc\b"
    r"|Beat|BBC|Bloomberg|Journal\b|Week\b|Essay|Polo|Bulletin|Reporter"
)
_REPORTISH = re.compile(r"\b(?:Report|Working Papers?|Brief|White ?[Pp]aper|Index)\b")


def _parse_body(rest: str, web: bool, doi: bool) -> _Body:
    rest = rest.strip()
    if not rest:
        return _Body(kind="webpage" if web else "book")
    quoted = _QUOTED.match(rest)
    if quoted:
        return _quoted_body(quoted.group("title"), _tidy(quoted.group("after")), web)
    for parse in (_chapter, _journal, _publisher, _report, _dated):
        body = parse(rest)
        if body is not None:
            return body
    return _plain(rest, web, doi)


def _quoted_body(title: str, after: str, web: bool) -> _Body:
    """Chicago: ``“Title.” Venue 16 (2): 104–128.`` and its variants."""
    title = _strip_title(title)
    if not after:
        return _Body(title=title, kind="webpage" if web else "article-journal")
    body = _chapter("x. " + after) or _journal(after)
    if body is not None:
        body.title = title
        return body
    news = re.match(rf"^(?P<c>[^,]+),\s(?:{MONTHS})\b", after)
    if news:
        c = news.group("c").strip()
        kind = "webpage" if re.search(r"blog|website", c, re.IGNORECASE) else "article-newspaper"
        return _Body(title=title, container=_strip_brackets(c), kind=kind)
    pub = re.match(rf"^(?:(?P<series>.+?)\.\s+)?(?P<place>{_PLACE}):\s*(?P<pub>[^:]+?)\.?$", after)
    if pub:
        container = pub.group("series") or pub.group("pub")
        return _Body(title=title, container=container, kind="report")
    kind = "report" if _REPORTISH.search(after) else ("webpage" if web else "article-journal")
    return _Body(title=title, container=_first_sentence(after), kind=kind)


def _chapter(rest: str) -> _Body | None:
    m = _CHAPTER.match(rest)
    if not m:
        return None
    inner = m.group("inner")
    pages = re.findall(r"(?<![\d:])(\d+(?::\d+)?[–-]\d+(?::\d+)?)", inner)
    inner = re.sub(r"^.*?\(eds?\.?\)\s*|^.*?,\s*eds?\.\s*", "", inner)
    container = re.split(
        rf"\.\s|,\s(?:pp\.\s?)?\d|\s\d+\s?\(|:\s\d|;\s|\s\(|,\s(?:{_PLACE}):\s|\.$", inner
    )[0]
    kind = "paper-conference" if re.search(r"Proceedings|Conference", inner) else "chapter"
    return _Body(
        title=_strip_title(m.group("title")),
        container=container.strip(" ,.") or None,
        pages=_dash(pages[-1]) if pages else None,
        kind=kind,
    )


def _journal(rest: str) -> _Body | None:
    for pattern in (_JOURNAL_SAGE, _JOURNAL_CHICAGO, _JOURNAL_HARVARD):
        m = pattern.search(rest)
        if m:
            return _journal_body(rest, m)
    return None


def _journal_body(rest: str, m: re.Match[str]) -> _Body:
    title = rest[: m.start("c")].strip()
    container = m.group("c").strip()
    if not title and ", " in container:  # "Title, Journal, 37(10)": the comma stands for a stop
        title, container = container.rsplit(", ", 1)
    return _Body(
        title=_strip_title(title) or None,
        container=_strip_brackets(container),
        volume=m.group("vol"),
        issue=m.group("issue"),
        pages=_dash(m.group("pages")) if m.group("pages") else None,
        kind="article-journal",
    )


def _publisher(rest: str) -> _Body | None:
    m = _PUBLISHER.match(rest)
    if not m:
        return None
    title = re.sub(r"\.\s\d+(?:st|nd|rd|th) ed$", "", m.group("title"))
    report = bool(m.group("report")) or bool(_REPORTISH.search(title))
    return _Body(
        title=_strip_title(title),
        container=m.group("pub").strip(),
        pages=_dash(m.group("pages")) if m.group("pages") else None,
        kind="report" if report else "book",
    )


def _report(rest: str) -> _Body | None:
    m = _REPORT_TAIL.match(rest)
    if not m:
        return None
    return _Body(title=_strip_title(m.group("title")), container=m.group("pub"), kind="report")


def _dated(rest: str) -> _Body | None:
    """``Title. South China Morning Post, 24 April 2023.`` and ``Title. 26 July 2022.``"""
    m = _DATED.match(rest)
    if not m:
        return None
    container = (m.group("c") or "").strip() or None
    news = container is not None and bool(_NEWS.search(container))
    return _Body(
        title=_strip_title(m.group("title")),
        container=container,
        kind="article-newspaper" if news else "webpage",
    )


def _plain(rest: str, web: bool, doi: bool) -> _Body:
    """``Title. Venue.`` or just ``Title.``; a venue with a DOI is taken for a journal."""
    title, _, tail = _split_sentence(rest)
    container = _strip_title(_tidy(re.sub(r"\barXiv:\S+", "", tail))) or None
    if re.search(r"\barXiv\b", tail):
        kind = "article"
    elif container and _NEWS.search(container):
        kind = "article-newspaper"
    elif _REPORTISH.search(rest):
        kind = "report"
    elif container and doi:
        kind = "article-journal"
    else:
        kind = "webpage" if web else "book"
    return _Body(title=_strip_title(title), container=container, kind=kind)


_SENTENCE_END = re.compile(
    rf"(?<![{UPPER}])(?<!\bno)(?<!\bvs)(?<!\bDec)(?<!\bed)(?<!\bpp)[.?!]\s+(?=[{UPPER}a-z])"
)


def _split_sentence(s: str) -> tuple[str, str, str]:
    m = _SENTENCE_END.search(s)
    if not m:
        return s, "", ""
    return s[: m.start()], s[m.start()], s[m.end() :]


def _first_sentence(s: str) -> str | None:
    return _strip_title(_split_sentence(s)[0]) or None


def _strip_title(s: str) -> str:
    return s.strip().strip('“”"').strip().rstrip(".,").strip()


def _strip_brackets(s: str) -> str:
    """``Revista de Economía Laboral [Spanish Journal of Labor Economics]`` -> the first part."""
    return re.sub(r"\s*\[[^\]]*\]", "", s).strip(" ,.")


def _dash(pages: str) -> str:
    return pages.replace("-", "–").rstrip(".,")


_TITLE_STOP = re.compile(
    r"a|an|the|of|and|or|in|on|for|to|at|by|with|from|as|is|are|how|why|what|its|their|our"
)


def _title_words(title: str | None) -> list[str]:
    if not title:
        return []
    title = re.sub(r"\b([A-Za-z])\.(?=[A-Za-z]\.)", r"\1", title.strip())  # A.I. -> AI.
    main = re.split(r"(?<![A-Z])\.\s|[:?!—]\s", title + " ", maxsplit=1)[0]
    words = _significant(main) or _significant(title)
    return words[:3]


def _significant(s: str) -> list[str]:
    return [
        w
        for w in re.findall(r"[a-z0-9]+", fold(s).replace("'", ""))
        if not _TITLE_STOP.fullmatch(w)
    ]
