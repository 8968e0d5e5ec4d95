"""Linked Data: every ``/id/…`` IRI answers HTML to a browser, RDF by ``Accept``; and the
query page. Pages are built here from the graph, with no script or style from elsewhere
(the service works offline)."""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import Literal, NamedNode, serialize

from service.deps import GraphDep, IndexDep, SettingsDep
from service.errors import Problem
from service.routes.entities import entity as entity_detail
from service.routes.sparql import negotiate
from service.sparql import GRAPH_TYPES

router = APIRouter(tags=["pages"])
INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")

CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:62rem;margin:1.5rem auto;padding:0 1rem;
color:#222}
a{color:#2457a6} h1{margin:.2rem 0} .kind{color:#667;font-size:.9rem}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;padding:.3rem;
text-align:left;vertical-align:top} blockquote{margin:.3rem 0 .3rem 1rem;color:#333}
.ev{font-size:.9rem;color:#555} button{font:inherit} textarea{width:100%;font:13px monospace}
.cite{font-family:ui-monospace,monospace;background:#f4f4f4;padding:0 .3rem}
nav a{margin-right:1rem}
"""

NAV = '<nav><a href="/query">Query</a><a href="/ontology">Ontology</a><a href="/docs">API</a></nav>'


def page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}"
        f" · datawork-kg</title><style>{CSS}</style></head><body>{NAV}{body}</body></html>"
    )


def _wants_html(request: Request) -> bool:
    media = negotiate(request.headers.get("accept", ""), ["text/html", *GRAPH_TYPES])
    return media == "text/html"


@router.get("/id/{path:path}", summary="Linked Data: HTML, Turtle, JSON-LD … by Accept")
def resource(path: str, request: Request, graph: GraphDep, index: IndexDep) -> Response:
    iri = graph.iri(path)
    triples = graph.about(iri) if iri is not None else []
    if iri is None or not triples:
        raise Problem(
            404,
            "Unknown resource",
            f"nothing in the graph is called {path!r}",
            hint="Find entities at /api/v1/entities?q=…",
        )
    if not _wants_html(request):
        media = negotiate(request.headers.get("accept", ""), list(GRAPH_TYPES)) or "text/turtle"
        return Response(serialize(triples, format=GRAPH_TYPES[media]), media_type=media)
    if path.startswith("entity/"):
        return _entity_page(path.removeprefix("entity/"), graph, index)
    rows = "".join(
        f"<tr><td>{_term(graph, t.predicate)}</td><td>{_term(graph, t.object)}</td></tr>"
        for t in triples
    )
    return page(
        path,
        f"<h1>{escape(path)}</h1><p class=kind>{escape(iri.value)}</p>"
        f"<table><tr><th>property</th><th>value</th></tr>{rows}</table>",
    )


def _term(graph: Any, term: Any) -> str:
    value = getattr(term, "value", str(term))
    if isinstance(term, NamedNode):
        if value.startswith(graph.base_iri):
            local = value[len(graph.base_iri) :]
            return f'<a href="/id/{escape(local)}">{escape(local)}</a>'
        return f"<code>{escape(value)}</code>"
    return escape(value)


def _entity_page(entity_id: str, graph: Any, index: Any) -> HTMLResponse:
    e = entity_detail(entity_id, graph, index)
    sources = {(ev.work_id, ev.chapter) for r in e.relations for ev in r.evidence}
    sources |= {(d.work_id, d.chapter) for d in e.definitions}
    works = {key: _short_citation(graph, *key) for key in sources}
    parts = [
        f"<h1>{escape(e.label)}</h1><p class=kind>{escape(', '.join(e.types))}"
        f" · <code>{escape(e.iri)}</code></p>"
    ]
    if e.description:
        parts.append(f"<p>{escape(e.description)}</p>")
    if e.alt_labels:
        parts.append(f"<p>Also: {escape('; '.join(e.alt_labels))}</p>")
    if e.same_as:
        links = ", ".join(f'<a href="{escape(s)}">{escape(s)}</a>' for s in e.same_as)
        parts.append(f"<p>Same as: {links}</p>")
    parts.append(_svg(e))
    if e.definitions:
        parts.append("<h2>Definitions</h2>")
        for d in e.definitions:
            cite = _cite(works[(d.work_id, d.chapter)], d.locator)
            credit = f" Credited to {escape(', '.join(d.credited_to))}." if d.credited_to else ""
            parts.append(
                f"<blockquote>{escape(d.text)}</blockquote><p class=ev>{credit} "
                f'<a href="/id/passage/{escape(d.passage_id)}">passage</a> · {cite}</p>'
            )
    parts.append("<h2>Facts</h2><table>")
    for r in e.relations:
        arrow = "→" if r.direction == "out" else "←"
        evs = "".join(
            f"<blockquote>{escape(ev.quote)}</blockquote><p class=ev>"
            f'<a href="/id/passage/{escape(ev.passage_id)}">passage</a> · '
            f"{_cite(works[(ev.work_id, ev.chapter)], ev.locator)}</p>"
            for ev in r.evidence
        )
        parts.append(
            f"<tr><td>{arrow} {escape(r.predicate_label)}</td><td>"
            f'<a href="/id/entity/{escape(r.target.id)}">{escape(r.target.label)}</a>'
            f"{evs}</td></tr>"
        )
    parts.append("</table><h2>Mentioned in</h2><ul>")
    parts += [f"<li>work {escape(m.work_id)}: {m.count} mention(s)</li>" for m in e.mentioned_in]
    parts.append("</ul>")
    return page(e.label, "".join(parts))


def _short_citation(graph: Any, work_id: str, chapter: int | None = None) -> str:
    """Author-date for the work, or for the chapter of the edited volume that holds it."""
    if chapter is None:
        query = "SELECT ?csl WHERE { ?w dw:workId ?id ; dw:csl ?csl }"
        rows = graph.rows(query, id=work_id)
    else:
        query = (
            "SELECT ?csl WHERE { ?w dw:workId ?id . ?c dcterms:isPartOf ?w ; "
            "dw:chapterNumber ?n ; dw:csl ?csl }"
        )
        rows = graph.rows(query, id=work_id, n=Literal(str(chapter), datatype=INTEGER))
    if not rows:
        return work_id
    csl = json.loads(rows[0]["csl"])
    names = [a.get("family", "") for a in csl.get("author") or csl.get("editor") or []]
    who = f"{names[0]} et al." if len(names) > 2 else " & ".join(names)
    issued = csl.get("issued") or {}
    year = (issued.get("date-parts") or [[""]])[0][0]
    return f"{who} {year}".strip()


def _cite(short: str, locator: Any) -> str:
    label = {"page": "p.", "paragraph": "para.", "note": "n.", "section": "sec."}[locator.label]
    mark = "" if locator.certainty == "exact" else " (page inferred)"
    text = f"({escape(short)}, {label} {escape(locator.value)})"
    return f'<span class=cite title="copy">{text}</span>{mark}'


def _svg(e: Any) -> str:
    """The entity and its neighbours: a small radial picture, no script needed."""
    neighbours: dict[str, tuple[str, str]] = {}
    for r in e.relations:
        neighbours.setdefault(r.target.id, (r.target.label, r.predicate_label))
    items = list(neighbours.items())[:16]
    if not items:
        return ""
    w, h, cx, cy, radius = 760, 420, 380, 210, 160
    out = [
        f'<svg role="img" aria-label="neighbourhood" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" font-size="11">'
    ]
    for i, (nid, (label, pred)) in enumerate(items):
        a = 2 * math.pi * i / len(items)
        x, y = cx + radius * math.cos(a) * 1.6, cy + radius * math.sin(a)
        out.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.0f}" y2="{y:.0f}" stroke="#bbb"/>')
        mx, my = (cx + x) / 2, (cy + y) / 2
        out.append(f'<text x="{mx:.0f}" y="{my:.0f}" fill="#888">{escape(pred)}</text>')
        out.append(
            f'<a href="/id/entity/{escape(nid)}"><circle cx="{x:.0f}" cy="{y:.0f}" r="5" '
            f'fill="#2457a6"/><text x="{x + 7:.0f}" y="{y + 4:.0f}">{escape(label[:40])}'
            "</text></a>"
        )
    out.append(
        f'<circle cx="{cx}" cy="{cy}" r="8" fill="#c33"/><text x="{cx + 10}" y="{cy - 10}" '
        f'font-weight="bold">{escape(e.label[:50])}</text></svg>'
    )
    return "".join(out)


QUERY_PAGE = """
<h1>Query the graph</h1>
<p>Named queries: <select id=named><option value="">(choose one)</option></select></p>
<textarea id=q rows=12>SELECT ?label (COUNT(?m) AS ?mentions) WHERE {
  ?m dw:mentionOf ?e . ?e skos:prefLabel ?label
} GROUP BY ?label ORDER BY DESC(?mentions) LIMIT 20</textarea>
<p><button id=run>Run</button> <span id=status></span></p>
<table id=results></table>
<script>
const q = document.getElementById('q'), status = document.getElementById('status');
fetch('/api/v1/queries').then(r => r.json()).then(d => {
  const sel = document.getElementById('named');
  for (const item of d.items) {
    const o = document.createElement('option');
    o.value = item.name; o.textContent = item.title; sel.appendChild(o);
  }
  sel.onchange = async () => {
    if (!sel.value) return;
    const text = await fetch('/api/v1/queries/' + sel.value + '/text').then(r => r.text());
    q.value = text;
  };
});
document.getElementById('run').onclick = async () => {
  status.textContent = 'running…';
  const body = new URLSearchParams({query: q.value});
  const r = await fetch('/sparql', {method: 'POST', body,
    headers: {'Accept': 'application/sparql-results+json'}});
  const d = await r.json();
  const t = document.getElementById('results');
  t.replaceChildren();
  if (!r.ok) { status.textContent = d.title + ': ' + d.detail; return; }
  if (d.boolean !== undefined) { status.textContent = String(d.boolean); return; }
  const head = document.createElement('tr');
  for (const v of d.head.vars) {
    const th = document.createElement('th'); th.textContent = v; head.appendChild(th);
  }
  t.appendChild(head);
  for (const b of d.results.bindings) {
    const tr = document.createElement('tr');
    for (const v of d.head.vars) {
      const td = document.createElement('td');
      td.textContent = b[v] ? b[v].value : ''; tr.appendChild(td);
    }
    t.appendChild(tr);
  }
  status.textContent = d.results.bindings.length + ' row(s)' + (d.truncated ? ' (truncated)' : '');
};
</script>
"""


@router.get("/query", response_class=HTMLResponse, summary="The query page")
def query_page() -> HTMLResponse:
    return page("Query", QUERY_PAGE)


@router.get("/api/v1/queries/{name}/text", summary="A named query's SPARQL, parameters bound")
def query_text(name: str, request: Request, settings: SettingsDep) -> Response:
    """The query with the given parameters bound (by default its first example's)."""
    from service import catalogue

    q = catalogue.load(settings.queries_dir).get(name)
    if q is None:
        raise Problem(404, "Unknown query", f"no named query {name!r}")
    params = dict(request.query_params) or (dict(q.examples[0]) if q.examples else {})
    try:
        text = q.bind(params, settings.base_iri)
    except catalogue.CatalogueError as e:
        raise Problem(400, "Bad parameters", str(e), kind="bad-parameters") from e
    return Response(text, media_type="application/sparql-query")
