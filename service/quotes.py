"""Finding a quotation in the corpus: where it is, on which page, and what differs.

A quotation matches on its *skeleton*: its letters and digits, lower-cased, so that
spacing, line-end hyphenation ("infra- structure"), curly or straight quotation marks,
dashes and case never stop a match; they are reported as typographic differences. An
ellipsis (``...``, ``…``, ``[...]``) splits the quotation into parts that must occur in
order in one passage. A quotation whose skeleton is not in the corpus is aligned to the
passages that share its words (BM25 candidates, then rapidfuzz's partial alignment), and
the words that differ are listed: a changed word, a word left out, a word added.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz

from service.passage_index import Doc, PassageIndex

Status = Literal["found", "close", "not_found"]
CLOSE = 80.0  # alignment score (0-100) from which a quotation is "close"
ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\s*){3}\]|\[\s*…\s*\]|(?:\.\s*){3,}|…)\s*")
QUOTE_MARKS = "\"'“”‘’„‟‚‛«»‹›′″`´"
DASHES = "-‐‑‒–—―"
WORD = re.compile(rf"[^\s{re.escape(DASHES)}]+")
EDGE = re.compile(rf"^[\s{re.escape(QUOTE_MARKS)}]+|[\s{re.escape(QUOTE_MARKS)}]+$")


def skeleton(text: str) -> tuple[str, list[int]]:
    """The text's letters and digits, lower-cased, with each one's offset in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, c in enumerate(text):
        if c.isalnum():
            low = c.lower()
            chars.append(low)
            offsets.extend([i] * len(low))
    return "".join(chars), offsets


@dataclass(frozen=True)
class Difference:
    kind: str  # changed | left_out | added | elided | typography
    quote: str = ""
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class Match:
    doc: Doc
    start: int  # offsets of the matched text in doc.text
    end: int
    score: float  # 0-100
    status: Status
    differences: tuple[Difference, ...] = ()

    @property
    def source_text(self) -> str:
        return self.doc.text[self.start : self.end]

    @property
    def locator(self) -> tuple[str, str, str]:
        return self.doc.locator_at(self.start, self.end)


def parts(quote: str) -> list[str]:
    """The quotation without its outer quotation marks, split at each ellipsis."""
    inner = EDGE.sub("", quote.replace("\u00a0", " "))
    inner = re.sub(r"\[(\w[^\]]{0,40})\]", r"\1", inner)  # "[D]ata", "[the workers]"
    return [p for p in ELLIPSIS.split(inner) if skeleton(p)[0]]


@dataclass
class QuoteMatcher:
    """Locates quotations in the passages of the current build."""

    passages: PassageIndex
    _build: str | None = None
    _skeletons: list[tuple[str, list[int]]] = field(default_factory=list)
    _joined: str = ""
    _starts: list[int] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)  # passage id → position

    def _ensure(self) -> list[Doc]:
        docs = self.passages.docs()
        build = self.passages.build()
        if build != self._build:
            self._skeletons = [skeleton(d.text) for d in docs]
            self._starts, pos = [], 0
            for s, _ in self._skeletons:
                self._starts.append(pos)
                pos += len(s) + 1
            self._joined = "\x00".join(s for s, _ in self._skeletons)
            self._index = {d.passage_id: n for n, d in enumerate(docs)}
            self._build = build
        return docs

    def find(self, quote: str, work: str | None = None, limit: int = 5) -> list[Match]:
        """The passages that hold the quotation (``found``) or come close, best first."""
        docs = self._ensure()
        segments = parts(quote)
        if not segments:
            return []
        exact = self._exact(docs, segments, work)
        if exact:
            return exact[:limit]
        return self._close(quote, segments, work, limit)

    # ------------------------------------------------------------ exact skeleton matches

    def _exact(self, docs: list[Doc], segments: list[str], work: str | None) -> list[Match]:
        skels = [skeleton(s)[0] for s in segments]
        out: list[Match] = []
        seen: set[int] = set()
        at = self._joined.find(skels[0])
        while at >= 0 and len(out) < 50:
            i = bisect.bisect_right(self._starts, at) - 1
            if i not in seen and (work is None or docs[i].work_id == work):
                local = at - self._starts[i]
                spans = self._in_order(i, skels, local)
                if spans is not None:
                    seen.add(i)
                    out.append(self._exact_match(docs[i], i, segments, spans))
            at = self._joined.find(skels[0], at + 1)
        return out

    def _in_order(self, i: int, skels: list[str], first: int) -> list[tuple[int, int]] | None:
        skel = self._skeletons[i][0]
        spans = [(first, first + len(skels[0]))]
        for s in skels[1:]:
            nxt = skel.find(s, spans[-1][1])
            if nxt < 0:
                return None
            spans.append((nxt, nxt + len(s)))
        return spans

    def _exact_match(
        self, doc: Doc, i: int, segments: list[str], spans: list[tuple[int, int]]
    ) -> Match:
        offsets = self._skeletons[i][1]
        text_spans = [(offsets[a], offsets[b - 1] + 1) for a, b in spans]
        diffs: list[Difference] = []
        for seg, (a, b) in zip(segments, text_spans, strict=True):
            diffs.extend(typography(seg, doc.text[a:b]))
        for (_, b), (a, _) in itertools.pairwise(text_spans):
            diffs.append(Difference("elided", source=_clip(doc.text[b:a].strip())))
        return Match(doc, text_spans[0][0], text_spans[-1][1], 100.0, "found", tuple(diffs))

    # ------------------------------------------------------------ close matches

    def _close(self, quote: str, segments: list[str], work: str | None, limit: int) -> list[Match]:
        candidates = [d for d, _ in self.passages.search(quote, work, limit=40)]
        skels = [skeleton(seg)[0] for seg in segments]
        joined = " ".join(segments)
        quote_words = joined.split()
        scored: list[Match] = []
        for d in candidates:
            skel, offsets = self._skeletons[self._index[d.passage_id]]
            total, weight, spans = 0.0, 0, []
            for s in skels:
                al = fuzz.partial_ratio_alignment(s, skel)
                if al is None:
                    continue
                total += al.score * len(s)
                weight += len(s)
                spans.append((al.dest_start, al.dest_end))
            if not weight or not spans:
                continue
            score = total / weight
            a = offsets[min(x for x, _ in spans)]
            b = offsets[max(y for _, y in spans) - 1] + 1
            a, b, diffs = align(joined, d.text, a, b)  # widened to whole words
            differing = sum(len(x.quote.split()) for x in diffs if x.kind != "left_out")
            kept = len(quote_words) - differing
            # close: most of its letters, or all but one or two of five or more words
            near = score >= CLOSE or (kept >= 5 and kept / len(quote_words) >= 0.75)
            status: Status = "close" if near else "not_found"
            scored.append(Match(d, a, b, round(score, 1), status, tuple(diffs)))
        scored.sort(key=lambda m: -m.score)
        return scored[:limit]


def _clip(text: str, n: int = 160) -> str:
    return text if len(text) <= n else text[: n // 2] + " … " + text[-n // 2 :]


def align(
    quote: str, text: str, a: int, b: int, slack: int = 4
) -> tuple[int, int, list[Difference]]:
    """The words of ``text`` around ``text[a:b]`` that the quotation stands for, and the
    words it changes, leaves out or adds (compared by their skeletons)."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text)]
    inside = [i for i, (s, e) in enumerate(words) if e > a and s < b] or [0]
    lo, hi = max(0, inside[0] - slack), min(len(words), inside[-1] + 1 + slack)
    qw = WORD.findall(quote)
    sw = [text[s:e] for s, e in words[lo:hi]]
    qs, ss = [skeleton(w)[0] for w in qw], [skeleton(w)[0] for w in sw]
    ops = difflib.SequenceMatcher(None, qs, ss, autojunk=False).get_opcodes()
    while ops and ops[0][0] == "insert":  # source words before the quotation begins
        ops.pop(0)
    while ops and ops[-1][0] == "insert":  # and after it ends
        ops.pop()
    if not ops:
        return a, b, []
    # a change at either edge takes no more source words than the quotation has there
    op, a1, a2, b1, b2 = ops[-1]
    if op == "replace" and b2 - b1 > a2 - a1:
        ops[-1] = (op, a1, a2, b1, b1 + (a2 - a1))
    op, a1, a2, b1, b2 = ops[0]
    if op == "replace" and b2 - b1 > a2 - a1:
        ops[0] = (op, a1, a2, b2 - (a2 - a1), b2)
    first, last = lo + ops[0][3], lo + max(ops[-1][4], ops[-1][3] + 1) - 1
    last = max(first, min(last, len(words) - 1))
    out: list[Difference] = []
    for op, a1, a2, b1, b2 in ops:
        q, s = " ".join(qw[a1:a2]), " ".join(sw[b1:b2])
        if op == "replace" and "".join(qs[a1:a2]) == "".join(ss[b1:b2]):
            continue  # the same letters split otherwise: "infra- structure", "inland sourcing"
        if op == "replace":
            out.append(Difference("changed", quote=q, source=s))
        elif op == "delete":
            out.append(Difference("added", quote=q))
        elif op == "insert":
            out.append(Difference("left_out", source=s))
    return words[first][0], words[last][1], out


TYPOGRAPHY = {
    "quotation marks": set(QUOTE_MARKS),
    "dashes": set(DASHES),
}


def _kind(x: str, y: str) -> str:
    if x.lower() == y.lower():
        return "case"
    chunk = set(x) | set(y)
    named = [name for name, chars in TYPOGRAPHY.items() if chunk & chars]
    if named:
        return named[0]
    return "spacing" if chunk <= {" "} else "punctuation"


def typography(quote: str, source: str) -> list[Difference]:
    """What differs between a quotation and its source beyond letters and digits."""
    q, s = " ".join(quote.split()), " ".join(source.split())
    if q == s:
        return []
    kinds: set[str] = set()
    matcher = difflib.SequenceMatcher(None, q, s, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if a2 - a1 == b2 - b1:  # compare character by character
            pairs = [(x, y) for x, y in zip(q[a1:a2], s[b1:b2], strict=True) if x != y]
        else:
            pairs = [(q[a1:a2], s[b1:b2])]
        for x, y in pairs:
            kinds.add(_kind(x, y))
    return [
        Difference("typography", quote=quote.strip(), source=source, note=k) for k in sorted(kinds)
    ]
