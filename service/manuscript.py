"""Checking a manuscript's citations and quotations against the corpus.

A manuscript is Markdown with pandoc citations (``[@key, p. 217]``, ``[see @a; @b, pp.
3-4]``, ``@key [p. 12]``). Every quotation ("…", “…”, or a ``>`` block quote) is tied to
the citation that follows it in the same paragraph (for a block quote: the citation at
its end, or right after it). For each quotation the check says whether it occurs in the
cited work, at the cited locator, and proposes the correction; every other citation with
a locator is checked for a key the corpus knows and a locator the work has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service import citeformat
from service.bibliography import Bibliography
from service.passage_index import PassageIndex, en_dash
from service.quotes import Match, QuoteMatcher

CITATION = re.compile(r"\[([^\[\]]*@[^\[\]]+)\]|(?<![\w@])@([\w:.#$%&+?<>~/-]+)\s*\[([^\[\]]+)\]")
KEY = re.compile(r"-?@([\w:.#$%&+?<>~/-]*\w)(?:\s*,\s*([^;]*))?")
QUOTATION = re.compile(r"“([^”]{12,})”|\"([^\"]{12,})\"")
LABELS = {
    "p": "page",
    "pp": "page",
    "page": "page",
    "pages": "page",
    "para": "paragraph",
    "paras": "paragraph",
    "paragraph": "paragraph",
    "¶": "paragraph",
    "n": "note",
    "nn": "note",
    "note": "note",
    "notes": "note",
    "sec": "section",
    "secs": "section",
    "section": "section",
    "§": "section",
}


@dataclass(frozen=True)
class Cite:
    key: str
    label: str | None
    value: str | None
    line: int

    def pandoc(self) -> str:
        return citeformat.pandoc_citation(self.key, self.label, self.value)


@dataclass
class Finding:
    line: int
    kind: str  # quotation | citation
    status: str  # ok | wrong_locator | close | other_work | not_found | unknown_key | ...
    text: str
    cite: Cite | None
    message: str
    suggestion: str | None = None
    differences: list[str] = field(default_factory=list)


def parse_locator(text: str) -> tuple[str | None, str | None]:
    """``p. 217`` → ("page", "217"); ``para. 12`` → ("paragraph", "12")."""
    text = text.strip().strip(",").strip().strip("{}")  # pandoc's form: {sec. A heading}
    if not text:
        return None, None
    m = re.match(r"(¶|§|[A-Za-z]+)\.?\s*(.+)", text)
    if m and m.group(1).lower() in LABELS:
        return LABELS[m.group(1).lower()], en_dash(m.group(2).strip("{} "))
    if re.fullmatch(r"\d+(\s*[-–]\s*\d+)?", text):
        return "page", en_dash(text)
    return None, None


def citations(line: str, number: int) -> list[tuple[int, Cite]]:
    """The pandoc citations of a line, with their character positions."""
    out: list[tuple[int, Cite]] = []
    for m in CITATION.finditer(line):
        if m.group(1) is not None:
            for part in m.group(1).split(";"):
                k = KEY.search(part)
                if k:
                    label, value = parse_locator(k.group(2) or "")
                    out.append((m.start(), Cite(k.group(1), label, value, number)))
        else:
            label, value = parse_locator(m.group(3))
            out.append((m.start(), Cite(m.group(2), label, value, number)))
    return out


@dataclass
class Checker:
    bib: Bibliography
    passages: PassageIndex
    quotes: QuoteMatcher
    _where: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    def check(self, text: str) -> list[Finding]:
        findings: list[Finding] = []
        for para in _paragraphs(text):
            cites = [(n, pos, c) for n, line in para for pos, c in citations(line, n)]
            for n, pos, quote in _quotations(para):
                after = [c for (cn, cp, c) in cites if (cn, cp) > (n, pos)]
                cite = after[0] if after else (cites[-1][2] if cites else None)
                findings.append(self._quotation(n, quote, cite))
            quoted = {id(f.cite) for f in findings if f.cite is not None}
            for n, _, c in cites:
                if id(c) not in quoted:
                    findings.append(self._citation(n, c))
        return findings

    def _record(self, key: str) -> tuple[str | None, int | None, str | None]:
        """(work id, chapter, subject IRI) of a corpus key; (None, None, None) otherwise."""
        subject = self.bib.subject_of(key)
        if subject is None:
            return None, None, None
        if not self._where:
            for d in self.passages.docs():
                if d.chapter_iri:
                    self._where[d.chapter_iri] = (d.work_id, d.chapter)
                self._where.setdefault(d.work_iri, (d.work_id, None))
        work, chapter = self._where.get(subject, (None, None))
        return work, chapter, subject

    def _quotation(self, line: int, quote: str, cite: Cite | None) -> Finding:
        if cite is None:
            best = self.quotes.find(quote, limit=1)
            if best and best[0].status != "not_found":
                return Finding(
                    line,
                    "quotation",
                    "uncited",
                    quote,
                    None,
                    f"not cited; it is in {_where(best[0])}",
                    _suggest(self, best[0]),
                )
            return Finding(line, "quotation", "uncited", quote, None, "not cited")
        work, chapter, subject = self._record(cite.key)
        if subject is None and self.bib.by_key(cite.key) is None:
            return Finding(
                line,
                "quotation",
                "unknown_key",
                quote,
                cite,
                f"@{cite.key} is not a key of this corpus",
            )
        matches = [
            m
            for m in self.quotes.find(quote, work, limit=5)
            if work and (chapter is None or m.doc.chapter == chapter)
        ]
        if not matches or matches[0].status == "not_found":
            elsewhere = [m for m in self.quotes.find(quote, limit=1) if m.status != "not_found"]
            if elsewhere:
                m = elsewhere[0]
                return Finding(
                    line,
                    "quotation",
                    "other_work",
                    quote,
                    cite,
                    f"not in @{cite.key}; it is in {_where(m)}",
                    _suggest(self, m),
                    _diffs(m),
                )
            return Finding(
                line,
                "quotation",
                "not_found",
                quote,
                cite,
                f"not in @{cite.key}, nor anywhere in the corpus",
            )
        m = matches[0]
        label, value, _ = m.locator
        right = Cite(cite.key, label, value, cite.line)
        if m.status == "close":
            return Finding(
                line,
                "quotation",
                "close",
                quote,
                cite,
                f"close to @{cite.key}, {label} {value}, but not the same words",
                right.pandoc(),
                _diffs(m),
            )
        if (cite.label, cite.value) != (label, value):
            given = f"{cite.label} {cite.value}" if cite.value else "no locator"
            return Finding(
                line,
                "quotation",
                "wrong_locator",
                quote,
                cite,
                f"in @{cite.key} at {label} {value}, not {given}",
                right.pandoc(),
            )
        return Finding(line, "quotation", "ok", quote, cite, f"in @{cite.key} at {label} {value}")

    def _citation(self, line: int, cite: Cite) -> Finding:
        known = self.bib.by_key(cite.key) is not None
        if not known:
            return Finding(
                line,
                "citation",
                "unknown_key",
                cite.pandoc(),
                cite,
                f"@{cite.key} is not a key of this corpus",
            )
        if not cite.value:
            return Finding(line, "citation", "ok", cite.pandoc(), cite, "known key, no locator")
        work, chapter, _ = self._record(cite.key)
        if work is None:
            return Finding(
                line,
                "citation",
                "ok",
                cite.pandoc(),
                cite,
                "a work cited by the corpus, not in it: the locator is not checked",
            )
        docs = [
            d
            for d in self.passages.docs()
            if d.work_id == work and (chapter is None or d.chapter == chapter)
        ]
        # a page range may run over several passages: every page of it must be there
        parts = cite.value.split("–") if cite.label == "page" else [cite.value]
        ok = all(
            any(_has(d.locator_at(0, len(d.text)), d.unpaged, Cite(cite.key, cite.label, p, 0))
                for d in docs)
            for p in parts
        )  # fmt: skip
        if ok:
            return Finding(line, "citation", "ok", cite.pandoc(), cite, "the work has this locator")
        return Finding(
            line,
            "citation",
            "no_such_locator",
            cite.pandoc(),
            cite,
            f"@{cite.key} has no {cite.label} {cite.value} in this corpus",
        )


def _has(paged: tuple[str, str, str], unpaged: tuple[str, str, str], cite: Cite) -> bool:
    """Whether a passage with these locators holds the cited one (a page inside its range)."""
    for label, value, _ in (paged, unpaged):
        if label != cite.label or not cite.value:
            continue
        if value == cite.value:
            return True
        if label == "page":
            first, _, last = value.partition("–")
            try:
                lo, hi = int(first), int(last or first)
                wanted = [int(x) for x in cite.value.split("–")]
            except ValueError:
                continue
            if all(lo <= w <= hi for w in wanted):
                return True
    return False


def _where(m: Match) -> str:
    label, value, _ = m.locator
    ch = f", ch. {m.doc.chapter}" if m.doc.chapter else ""
    return f"{m.doc.work_id}{ch}, {label} {value}"


def _suggest(checker: Checker, m: Match) -> str | None:
    item = checker.bib.for_subject(m.doc.record_iri)
    if item is None:
        return None
    label, value, _ = m.locator
    return Cite(item["id"], label, value, 0).pandoc()


def _diffs(m: Match) -> list[str]:
    out = []
    for d in m.differences:
        if d.kind == "changed":
            out.append(f"the source has {d.source!r} where the quotation has {d.quote!r}")
        elif d.kind == "left_out":
            out.append(f"the quotation leaves out {d.source!r}")
        elif d.kind == "added":
            out.append(f"the source does not have {d.quote!r}")
    if out:
        out.append(f"the source reads: {m.source_text!r}")
    return out


def _paragraphs(text: str) -> list[list[tuple[int, str]]]:
    """Lines grouped into paragraphs (blank-line separated), numbered from 1."""
    paras: list[list[tuple[int, str]]] = [[]]
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            paras[-1].append((n, line))
        elif paras[-1]:
            paras.append([])
    return [p for p in paras if p]


def _quotations(para: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """(line, position, text) of each quotation: inline quotes, or the whole block quote."""
    if all(line.lstrip().startswith(">") for _, line in para):
        body = " ".join(line.lstrip()[1:].strip() for _, line in para)
        body = CITATION.sub("", body).strip()
        return [(para[0][0], 0, body)] if body else []
    out: list[tuple[int, int, str]] = []
    for n, line in para:
        for m in QUOTATION.finditer(line):
            out.append((n, m.start(), m.group(1) or m.group(2)))
    return out
