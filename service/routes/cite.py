"""``/api/v1/cite`` and ``/api/v1/verify-quote``: sources for a writer's quote or claim."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from service import citeformat
from service.bibliography import Bibliography
from service.deps import BibDep, CiterDep, QuotesDep
from service.errors import Problem
from service.models import Locator
from service.passage_index import Doc, en_dash
from service.quotes import Match

router = APIRouter(prefix="/api/v1", tags=["citation"])


class CitationItem(BaseModel):
    id: str = Field(description="The citation key")
    locator: str | None = None
    label: str | None = Field(None, description="CSL locator label: page, paragraph, note …")


class Formatted(BaseModel):
    style: str
    citation: str = Field(description="The in-text citation, with the locator")
    bibliography: str = Field(description="The reference-list entry")


class Difference(BaseModel):
    kind: Literal["changed", "left_out", "added", "elided", "typography"] = Field(
        description="changed: the quote has other words than the source; left_out: source "
        "words the quote lacks; added: quote words the source lacks; elided: what an "
        "ellipsis stands for; typography: quotation marks, dashes, case, spacing"
    )
    quote: str = ""
    source: str = ""
    note: str = ""


class Cited(BaseModel):
    """What a writer needs to cite one passage."""

    passage_id: str
    work_id: str
    chapter: int | None = None
    text: str = Field(description="The passage, verbatim (hyphenation repaired)")
    quote: str = Field(description="The cited words: the quotation as the source prints it")
    locator: Locator
    key: str = Field(description="Citation key (Better BibTeX pattern)")
    csl: dict[str, Any] = Field(description="The work's (or chapter's) CSL-JSON item")
    citation_item: CitationItem
    pandoc: str = Field(description="pandoc citation, e.g. [@key, p. 217]")
    latex: str = Field(description="BibLaTeX citation command")
    bibtex: str
    biblatex: str
    formatted: Formatted


class CiteCandidate(Cited):
    score: float = Field(description="Higher is better: 1.0 a quotation found verbatim")
    match: str = Field(description="Why it was found: quotation found, defines X, search …")
    differences: list[Difference] = Field(default_factory=list)


class CiteResults(BaseModel):
    items: list[CiteCandidate]


def _style(style: str) -> str:
    if style not in citeformat.STYLES:
        raise Problem(
            400, "Unknown citation style", f"the style {style!r} is not offered",
            hint="Use one of: " + ", ".join(sorted(citeformat.STYLES)),
        )  # fmt: skip
    return style


def cited(bib: Bibliography, doc: Doc, start: int, end: int, style: str) -> dict[str, Any]:
    """The fields of :class:`Cited` for ``doc.text[start:end]``."""
    item = bib.for_subject(doc.record_iri)
    if item is None:
        raise Problem(500, "No bibliographic record", f"no record for {doc.work_id}")
    label, value, certainty = doc.locator_at(start, end)
    key = item["id"]
    locator = (label, value) if value else None
    return {
        "passage_id": doc.passage_id,
        "work_id": doc.work_id,
        "chapter": doc.chapter,
        "text": doc.text,
        "quote": doc.text[start:end],
        "locator": Locator.model_validate({"label": label, "value": value, "certainty": certainty}),
        "key": key,
        "csl": item,
        "citation_item": CitationItem(
            id=key, locator=value or None, label=label if value else None
        ),
        "pandoc": citeformat.pandoc_citation(key, *(locator or (None, None))),
        "latex": citeformat.latex_citation(key, *(locator or (None, None))),
        "bibtex": citeformat.bibtex(item),
        "biblatex": citeformat.biblatex(item),
        "formatted": Formatted(style=style, **citeformat.formatted(item, style, locator)),
    }


def _differences(m: Match | None) -> list[Difference]:
    return [Difference(**vars(d)) for d in m.differences] if m else []


@router.get("/cite", response_model=CiteResults, summary="Sources for a quote, claim or name")
def cite(
    citer: CiterDep,
    bib: BibDep,
    q: Annotated[
        str, Query(min_length=1, max_length=2000, description="A quote, a claim, or a name")
    ],
    style: Annotated[str, Query(description="CSL style: apa, chicago-author-date …")] = "apa",
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
    work: Annotated[str | None, Query(description="Only in this work (e.g. 003)")] = None,
) -> CiteResults:
    style = _style(style)
    items = []
    for c in citer.rank(q, work, limit):
        items.append(
            CiteCandidate(
                **cited(bib, c.doc, c.start, c.end, style),
                score=c.score,
                match=c.reason,
                differences=_differences(c.match),
            )
        )
    return CiteResults(items=items)


class GivenLocator(BaseModel):
    label: Literal["page", "paragraph", "note", "section"] = "page"
    value: str


class VerifyRequest(BaseModel):
    quote: str = Field(min_length=1, max_length=5000, description="The quotation as written")
    work: str | None = Field(None, description="The work it is attributed to (e.g. 003)")
    locator: GivenLocator | None = Field(None, description="The locator it is cited with")
    style: str = "apa"


class Verdict(BaseModel):
    status: Literal["found", "close", "not_found"] = Field(
        description="found: the words occur (typography aside); close: a near match, see "
        "differences; not_found: nothing close enough in the corpus (or the given work)"
    )
    score: float = Field(description="Alignment score, 0–100")
    locator_ok: bool | None = Field(
        None, description="Whether the given locator is the quotation's (None if none given)"
    )
    message: str = Field(description="The verdict in a sentence")
    differences: list[Difference] = Field(default_factory=list)
    source: Cited | None = Field(None, description="Where the quotation is, and its citation")
    elsewhere: list[str] = Field(
        default_factory=list, description="Other works holding it (when a work was given)"
    )


@router.post("/verify-quote", response_model=Verdict, summary="Is this quotation right?")
def verify_quote(body: VerifyRequest, quotes: QuotesDep, bib: BibDep) -> Verdict:
    style = _style(body.style)
    matches = quotes.find(body.quote, body.work, limit=3)
    elsewhere: list[str] = []
    if body.work and (not matches or matches[0].status == "not_found"):
        others = quotes.find(body.quote, None, limit=3)
        elsewhere = sorted({m.doc.work_id for m in others if m.status != "not_found"})
    if not matches or matches[0].status == "not_found":
        where = f"work {body.work}" if body.work else "the corpus"
        also = f"; it is in {', '.join(elsewhere)}" if elsewhere else ""
        return Verdict(
            status="not_found",
            score=matches[0].score if matches else 0.0,
            message=f"the quotation is not in {where}{also}",
            elsewhere=elsewhere,
        )
    m = matches[0]
    source = Cited(**cited(bib, m.doc, m.start, m.end, style))
    ok = None
    if body.locator:
        given = (body.locator.label, en_dash(body.locator.value))
        ok = given == (source.locator.label, en_dash(source.locator.value))
    return Verdict(
        status=m.status,
        score=m.score,
        locator_ok=ok,
        message=_message(m, source, ok),
        differences=_differences(m),
        source=source,
    )


def _message(m: Match, source: Cited, ok: bool | None) -> str:
    where = f"{source.work_id}" + (f", ch. {source.chapter}" if source.chapter else "")
    loc = f"{source.locator.label} {source.locator.value}"
    words = [d for d in m.differences if d.kind in ("changed", "left_out", "added")]
    head = (
        f"found in {where}, {loc}"
        if m.status == "found"
        else f"close to {where}, {loc}: {len(words)} word difference(s)"
    )
    if ok is False:
        head += f"; the locator given is wrong, it is {loc}"
    return head
