"""Find in-text citations and footnote citations, and link them to reference entries.

Author–year citations (:func:`find_citations`) come in the forms the corpus
prints: parenthetical ``(Gray and Suri, 2019)``, ``(Foucault 1977, 216)``,
groups ``(Miceli et al., 2020; Murgia, 2024)``, one author with several years
``(Schmidt 2016, 2019)``, prefixed ``(see also Tubaro and Casilli 2019)``, and
narrative ``Ong (1999, 217)`` / ``Casilli et al. (2019)``. The text is a
paragraph's normalised text (hyphenation repaired, ``( J`` closed up, en dashes
closed up). Years in brackets (``Haraway [1985]``) are not taken for citations.
:func:`match_reference` resolves a citation against a parsed reference list.

Footnote citations (Chicago notes, ``002``) are parsed by
:func:`parse_note_citation`; :func:`resolve_short_notes` links each short note
(``Kevin Lin, "Tech Worker Organizing in China," 58.``) to the earlier full
note it abbreviates. :func:`split_notes` cuts a notes line into numbered notes.
The module is pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.references import (
    MONTHS,
    PARTICLES,
    UPPER,
    Reference,
    family_of_full_name,
    fold,
    repair_url,
)


@dataclass
class Citation:
    start: int  # character span of this one citation in the paragraph text
    end: int
    text: str  # the cited text as printed, e.g. "Gray and Suri, 2019"
    authors: list[str]  # family names as printed
    et_al: bool
    year: str  # "2019" or "n.d."
    year_suffix: str  # "a"/"b"/""
    locator: str | None  # cited page(s) etc.: "217", "69–80", "art. 427"
    narrative: bool  # Ong (1999, 217) rather than (Ong 1999, 217)


@dataclass
class NoteCitation:
    text: str  # the citation as printed (one ';'-separated item of a note)
    authors: list[str]  # family names (or an organisation)
    et_al: bool
    title: str | None
    year: str | None
    pages: str | None  # pages cited, as printed: "6-7", "58", "1193, 1197, 1202"
    short_form: bool  # a short note repeating an earlier full citation
    container: str | None = None  # journal, newspaper, book or publisher, best effort
    url: str | None = None
    antecedent: tuple[int, int] | None = None  # set by resolve_short_notes


# --- in-text citation grammar --------------------------------------------------------------

_STOP = (
    r"See|Also|For|In|As|According|Figure|Table|Chapter|Source|Notes?|The|This|These|That|"
    r"Those|Is|Are|Was|Were|Both|While|When|Unlike|Like|But|And|Yet|Thus|Then|Here|Since|"
    r"After|Before|Although|Though|If|Because|Where|Whereas|Moreover|Similarly|Indeed|"
    r"However|Following|Building|Drawing|Per|Via|Between|Among|From|To|By|With|On|At|Of|"
    r"Quoted|Cited|Compare|Ibid|Spring|Summer|Autumn|Fall|Winter|"
    rf"{MONTHS}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
)
_TOKEN = (
    rf"(?:[{UPPER}]\.(?=\s)"  # an initial: J.
    rf"|(?!(?:{_STOP})(?![\w’'.-]))[{UPPER}][\w’'&-]*(?:\.\w[\w’'&-]*)*"  # Díaz, Fact.MR
    r"|\d+[a-z][\w-]*)"  # 996icu
)
_NAME = rf"(?:(?:{PARTICLES})\s)*{_TOKEN}(?:\s(?:(?:{PARTICLES}|of|for)\s)*{_TOKEN}){{0,4}}"
_LIST = rf"{_NAME}(?:(?:,\s{_NAME})*,?\s(?:and|&)\s{_NAME})?(?:,?\set\sal\b\.?)?"
_YEAR = r"(?:(?:1[5-9]|20)\d\d[a-z]?|n\.\s?d\.)(?![\w–-]|\.\d)"
_MORE = r",\s?(?:19|20)\d\d[a-z]?(?![\w–-])(?=\s*(?:[;,)\]]|$))"
_LOC = (
    r"(?:(?:pp?|paras?|arts?|ch|chap|sec|n|nn|fig)\.\s?)?(?:\d+|[ivxlc]+)"
    r"(?:\s?(?:[–-]|,|and)\s?(?:\d+|[ivxlc]+))*"
)
_TAIL = (
    rf"(?:\[\d{{4}}\]\s)?(?P<year>{_YEAR})(?P<more>(?:{_MORE})*)"
    rf"(?:[,:]\s?(?P<loc>{_LOC}))?(?=\s*(?:[;,)\]]|$))"
)
_ITEM = re.compile(rf"(?<![\w’'.-])(?P<names>{_LIST})(?:’s|'s)?,?\s{_TAIL}")
_NARRATIVE_NAMES = re.compile(rf"(?<![\w’'.-])(?P<names>{_LIST})(?:’s|'s)?\s$")
_NARRATIVE_ITEM = re.compile(rf"^\s?{_TAIL}")
_PARENS = re.compile(r"\(([^()]*)\)")
_MORE_YEAR = re.compile(r"(?:19|20)\d\d[a-z]?")


# --- public API: in-text citations ---------------------------------------------------------


def find_citations(text: str) -> list[Citation]:
    """Every author–year citation in a paragraph, in text order."""
    found: list[Citation] = []
    for group in _PARENS.finditer(text):
        names = _narrative_names(text, group.start())
        narrative = _narrative(text, group, names) if names else []
        found.extend(narrative or _parenthetical(text, group))
    return sorted(found, key=lambda c: c.start)


def match_reference(c: Citation, refs: list[Reference]) -> int | None:
    """Index of the reference entry the citation points to, or None when unresolved.

    First author (accent- and case-insensitive) and year must agree; a second
    author, when cited ("Wu and Xia"), must agree with a multi-author entry.
    The year suffix decides between candidates; without a suffix match a single
    candidate is taken. Remaining ties are broken by the number of authors
    (``et al.`` against ``Muldoon and Wu``). Nothing is guessed beyond that.
    """
    if not c.authors:
        return None
    pool = [
        i
        for i, r in enumerate(refs)
        if r.authors and _year_matches(c, r) and same_name(c.authors[0], r.authors[0])
    ]
    pool = [i for i in pool if _second_author_matches(c, refs[i])]
    exact = [i for i in pool if refs[i].year_suffix == c.year_suffix]
    pool = exact or (pool if len(pool) == 1 else [])
    if len(pool) > 1:
        pool = [i for i in pool if _author_count_fits(c, refs[i])]
    return pool[0] if len(pool) == 1 else None


def same_name(cited: str, listed: str) -> bool:
    """Same family name? ``Diaz`` ~ ``Díaz``, ``Dhir`` ~ ``Kumar Dhir``,
    ``UNCTAD`` ~ ``UNCTAD Statistical Service``."""
    a, b = _name_key(cited), _name_key(listed)
    if not a or not b:
        return False
    return a == b or b.startswith(a + " ") or a.endswith(" " + b) or b.endswith(" " + a)


# --- in-text helpers -----------------------------------------------------------------------


def _narrative_names(text: str, paren: int) -> re.Match[str] | None:
    """The author names printed just before ``(``, as in ``Casilli et al. (2019)``."""
    lo = max(0, paren - 160)
    if lo:
        space = text.find(" ", lo, paren)
        lo = space + 1 if space >= 0 else paren
    return _NARRATIVE_NAMES.search(text, lo, paren)


def _narrative(text: str, group: re.Match[str], names: re.Match[str]) -> list[Citation]:
    """``Ong (1999, 217)``, ``Schmidt (2019, 2022)``, ``X (1991; 2005)``."""
    inner_start = group.start(1)
    out: list[Citation] = []
    offset = 0
    for chunk in group.group(1).split(";"):
        m = _NARRATIVE_ITEM.match(chunk)
        if not m:
            break
        out.extend(_citations(text, names.group("names"), m, inner_start + offset, True))
        offset += len(chunk) + 1
    if out:
        first = out[0]
        first.start = names.start()
        if len(out) == 1:
            first.end = group.end()
        first.text = text[first.start : first.end]
    return out


def _parenthetical(text: str, group: re.Match[str]) -> list[Citation]:
    out: list[Citation] = []
    base = group.start(1)
    for m in _ITEM.finditer(group.group(1)):
        items = _citations(text, m.group("names"), m, base, False)
        items[0].start = base + m.start("names")
        items[0].text = text[items[0].start : items[0].end]
        out.extend(items)
    return out


def _citations(
    text: str, names: str, m: re.Match[str], base: int, narrative: bool
) -> list[Citation]:
    """One citation per year in ``m``; the locator goes with the last year."""
    authors, et_al = _split_names(names)
    years = [(m.start("year"), m.group("year"))]
    more_at = m.start("more")
    years += [(more_at + y.start(), y.group()) for y in _MORE_YEAR.finditer(m.group("more"))]
    out: list[Citation] = []
    for k, (at, printed) in enumerate(years):
        last = k == len(years) - 1
        end = m.end("loc") if last and m.group("loc") else at + len(printed)
        year, suffix = _year_parts(printed)
        out.append(
            Citation(
                start=base + at,
                end=base + end,
                text=text[base + at : base + end],
                authors=list(authors),
                et_al=et_al,
                year=year,
                year_suffix=suffix,
                locator=m.group("loc") if last else None,
                narrative=narrative,
            )
        )
    return out


def _split_names(names: str) -> tuple[list[str], bool]:
    et_al = bool(re.search(r"\bet al\b", names))
    names = re.sub(r",?\set\sal\b\.?", "", names)
    parts = re.split(r",?\s(?:and|&)\s|,\s", names)
    initials = re.compile(rf"^(?:[{UPPER}]\.\s?)+(?=\S)")
    parts = [re.sub(r"[’']s$", "", initials.sub("", p).strip()) for p in parts]
    return [p for p in parts if p], et_al


def _year_parts(printed: str) -> tuple[str, str]:
    if printed.startswith("n"):
        return "n.d.", ""
    return printed[:4], printed[4:]


def _year_matches(c: Citation, r: Reference) -> bool:
    if c.year == "n.d.":
        return r.year is None and bool(re.search(r"\bn\.\s?d\b", r.raw))
    return r.year == c.year


def _second_author_matches(c: Citation, r: Reference) -> bool:
    if len(c.authors) < 2 or c.et_al or len(r.authors) < 2:
        return True
    return same_name(c.authors[1], r.authors[1])


def _author_count_fits(c: Citation, r: Reference) -> bool:
    if c.et_al:
        return r.et_al or len(r.authors) >= 3
    return len(r.authors) == len(c.authors) and not r.et_al


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9' ]+", " ", fold(name).replace("-", " ")).strip()


# --- footnotes -----------------------------------------------------------------------------

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_DIGITS = str.maketrans(_SUPERSCRIPTS, "0123456789")
_NOTE_MARK = re.compile(
    r"(?:^|(?<=[.;)\"”]\s))\s*(?:\$\^\{\^\{(?P<latex>\d+)\}\}\$|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]+))\s+"
)


def split_notes(line: str) -> list[tuple[int, str]]:
    """Cut a notes line into ``(number, text)`` pairs.

    Handles superscript numbers (``¹² Mary L. Gray``), the LaTeX form
    (`` $^{^{21}}$ Mary L. Gray``) and several notes merged on one line
    (``... 2019-data-policyInitiatives-25016. ² Mohamed Kande ...``). Give it note
    lines only: body text carries the same superscript markers (``stakeholders. ¹⁰``).
    """
    marks = list(_NOTE_MARK.finditer(line))
    out: list[tuple[int, str]] = []
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(line)
        number = m.group("latex") or (m.group("sup") or "").translate(_SUP_DIGITS)
        out.append((int(number), line[m.end() : end].strip()))
    return out


def parse_note_citation(text: str) -> list[NoteCitation]:
    """Each work cited in one footnote, in order (prose notes yield only what they cite)."""
    body = _NOTE_MARK.sub("", text, count=1).strip() if _NOTE_MARK.match(text) else text.strip()
    found = [c for seg in _segments(body) if (c := _note_item(seg)) is not None]
    return found or _parenthetical_titles(body)


def resolve_short_notes(notes: list[list[NoteCitation]]) -> list[list[NoteCitation]]:
    """Copies of ``notes`` (one list per footnote, in note order) with each short form's
    ``antecedent`` set to ``(note index, item index)`` of the nearest earlier full
    citation with the same first author whose title starts like the short title."""
    seen: list[tuple[int, int, NoteCitation]] = []
    out: list[list[NoteCitation]] = []
    for i, items in enumerate(notes):
        row: list[NoteCitation] = []
        for j, c in enumerate(items):
            if c.short_form:
                c = replace(c, antecedent=_antecedent(c, seen))
            else:
                seen.append((i, j, c))
            row.append(c)
        out.append(row)
    return out


# --- footnote helpers ----------------------------------------------------------------------

_PN_TOKEN = rf"[{UPPER}][\w’'-]*\.?"
_PERSON = rf"{_PN_TOKEN}(?:\s(?:(?:{PARTICLES})\s)*{_PN_TOKEN}){{0,3}}"
_PERSONS = re.compile(
    rf"^(?P<names>{_PERSON}(?:(?:,\s{_PERSON})*,?\s(?:and|&)\s{_PERSON})?)"
    r"(?P<etal>\set\sal\.)?,?(?<=[,.])\s+(?=\S)"
)
_ORG = re.compile(
    rf"^(?P<names>[{UPPER}][\w’'&.-]*(?:\s(?:of|on|and|for|the|in|[{UPPER}][\w’'&.-]*)){{0,9}}),\s+"
)
_ORG_WORD = re.compile(
    r"\b(?:Team|Department|Ministry|Council|Office|Center|Centre|Institute|University|"
    r"Organi[sz]ation|Association|Committee|Commission|Bureau|Agency|Group|Foundation)\b"
)
_PREFIX = re.compile(r"^(?:See also|See|Cf\.|Compare|For example,|E\.g\.,)\s+", re.IGNORECASE)
_PAGES = r"\d+(?:[-–]\d+)?(?:,\s?\d+(?:[-–]\d+)?)*"


def _segments(body: str) -> list[str]:
    """Split a note at the ``;`` that separate works (not inside parentheses)."""
    parts: list[str] = []
    depth = start = 0
    for k, ch in enumerate(body):
        depth += (ch == "(") - (ch == ")") if ch in "()" else 0
        if ch == ";" and depth <= 0 and body[k + 1 : k + 2] == " ":
            parts.append(body[start:k])
            start = k + 1
    parts.append(body[start:])
    return [p.strip() for p in parts if p.strip()]


def _note_item(seg: str) -> NoteCitation | None:
    s = _PREFIX.sub("", seg)
    if s[:1] in '"“':
        authors: list[str] = []
        et_al = False
        pos = 0
        full_names = True
    else:
        who = _note_authors(s)
        if who is None:
            return None
        authors, et_al, pos, full_names = who
    title, end = _note_title(s, pos, full_names)
    if title is None:
        return None
    return _note_citation(seg, authors, et_al, title, s[end:])


def _note_authors(s: str) -> tuple[list[str], bool, int, bool] | None:
    """Family names, et al., where the title starts, and whether all names are full names."""
    m = _PERSONS.match(s)
    if m and not _ORG_WORD.search(m.group("names")):
        names = [n.rstrip(".") for n in re.split(r",?\s(?:and|&)\s|,\s", m.group("names"))]
        full = all(len(n.split()) >= 2 for n in names)
        families = [family_of_full_name(n) for n in names]
        return families, bool(m.group("etal")), m.end(), full
    m = _ORG.match(s)
    if m:
        return [m.group("names")], False, m.end(), True
    return None


def _note_title(s: str, pos: int, full_names: bool) -> tuple[str | None, int]:
    """A quoted title, or (after full names or an organisation) an unquoted book title."""
    if s[pos : pos + 1] in ('"', "“"):
        close = _closing_quote(s, pos + 1)
        if close is None:
            return None, pos
        return s[pos + 1 : close].strip().rstrip(",.").strip(), close + 1
    if not full_names or not re.match(rf"[{UPPER}]", s[pos : pos + 1]):
        return None, pos
    m = re.compile(r"\s\(|,\s|\.$").search(s, pos)
    end = m.start() if m else len(s)
    return s[pos:end].strip(), end


def _closing_quote(s: str, start: int) -> int | None:
    """The quote that closes a title; a quote after a space opens a nested one."""
    for k in range(start, len(s)):
        if s[k] not in '"”':
            continue
        before = s[k - 1]
        after = s[k + 1 : k + 2]
        if not before.isspace() and not after.isalnum():
            return k
    return None


def _note_citation(
    seg: str, authors: list[str], et_al: bool, title: str, rest: str
) -> NoteCitation:
    url = _note_url(rest)
    plain = re.sub(r"https?://\S+(?:\s\S+)*", "", rest) if url else rest
    short = re.fullmatch(rf"[\s,.]*(?:({_PAGES})[\s.]*)?", plain)
    if short and not url:
        return NoteCitation(seg, authors, et_al, title, None, short.group(1), True)
    return NoteCitation(
        text=seg,
        authors=authors,
        et_al=et_al,
        title=title,
        year=_note_year(plain),
        pages=_note_pages(plain),
        short_form=False,
        container=_note_container(plain),
        url=url,
    )


def _note_year(rest: str) -> str | None:
    """The year in the first parenthesis that has one, else the last year given."""
    year = re.compile(r"\b(?:1[5-9]|20)\d\d\b")
    for inner in re.findall(r"\(([^()]*)\)", rest):
        found = [m.group() for m in year.finditer(inner)]
        if found:
            return found[-1]
    found = [m.group() for m in year.finditer(rest)]
    return found[-1] if found else None


def _note_pages(rest: str) -> str | None:
    m = re.search(rf"\)\s*[:,]\s*({_PAGES})(?![\d/])", rest) or re.search(
        rf",\s({_PAGES})\s\(", rest
    )
    return m.group(1) if m else None


def _note_container(rest: str) -> str | None:
    """The first comma-separated chunk of Latin text after the title, without volume."""
    rest = re.sub(r"\[[^\]]*\]", "", rest)
    book = re.match(r"\s*\((?:[^():]+):\s*([^,()]+),", rest)  # (Boston: Publisher, 2019)
    chunks = [book.group(1)] if book else re.split(r",\s", rest)
    for chunk in chunks:
        c = re.sub(r"^\s*(?:in|eds?\.)\s+", "", chunk.strip(' .,"”'))
        if re.match(r"[A-Za-z]", c) and not re.match(rf"(?:{MONTHS})\b", c):
            return re.split(r"\s\d+(?=,|\s\(|$)|\s\(|,?\sno\.", c)[0].strip() or None
    return None


def _note_url(s: str) -> str | None:
    """The first URL, rejoined across the spaces an extraction put after ``/`` or ``.``."""
    m = re.search(r"https?://\S+", s)
    if not m:
        return None
    url = m.group()
    for token in s[m.end() :].split():
        if not url.endswith(("/", ".")) or token[:1] in "([" or token[:1].isupper():
            break
        url += token
    return repair_url(url).rstrip(");")


def _parenthetical_titles(body: str) -> list[NoteCitation]:
    """Sources named inside a prose note: ``("What is Computer Vision?," IBM, https://...)``."""
    out: list[NoteCitation] = []
    for m in re.finditer(r"\(([\"“][^()]*)\)", body):
        item = _note_item(m.group(1))
        if item is not None:
            out.append(item)
    return out


def _antecedent(
    short: NoteCitation, seen: list[tuple[int, int, NoteCitation]]
) -> tuple[int, int] | None:
    key = _title_key(short.title)
    for i, j, full in reversed(seen):
        if short.authors and not (full.authors and same_name(short.authors[0], full.authors[0])):
            continue
        full_key = _title_key(full.title)
        if key and (full_key == key or full_key.startswith(key + " ")):
            return i, j
    return None


def _title_key(title: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(title or "").replace("'", " ")))
