"""``/better-bibtex/…``: the endpoints of Zotero's Better BibTeX, answered from this corpus.

Writing tools that talk to Zotero through Better BibTeX (BBT) can be pointed here: the
JSON-RPC methods ``api.ready``, ``item.search``, ``item.bibliography``, ``item.export``,
``item.citationkey`` and ``user.groups``; the pull export of the corpus (``library``,
``collection``: one per corpus work, ``export/item``); and cite-as-you-write (``cayw``),
which answers a ``q`` parameter (a quotation, claim or name) with its best source and
locator where BBT would open Zotero's picker. Without ``q`` it answers as BBT does when
the writer cancels the picker: an empty body.

Errors keep Zotero's form (``text/plain``, which clients show as they are), not the
problem+json of the rest of the service. Deliberate differences from BBT, all friendlier
to clients: a JSON-RPC error carries the request's ``id`` (BBT sends ``null``, which
clients that check the id reject); ``item.export`` returns the export as a string (BBT 7;
BBT 5 returned a triple); a pull export of bad input answers 400, not BBT's 500.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from service import citeformat
from service.bibliography import Bibliography, export
from service.cite import Citer
from service.deps import get_bib

router = APIRouter(prefix="/better-bibtex", tags=["better-bibtex"])

LIBRARY = {"id": 1, "name": "datawork-kg"}
TRANSLATORS = {
    "biblatex": "biblatex", "bib": "biblatex", "betterbiblatex": "biblatex",
    "f895aa0d-f28e-47fe-b247-2ea77c6ed583": "biblatex",
    "bibtex": "bibtex", "betterbibtex": "bibtex", "ca65189f-8815-4afe-8c8b-8c7c15f0edca": "bibtex",
    "json": "csljson", "csljson": "csljson", "bettercsljson": "csljson",
    "f4b52ab0-f878-4556-85a0-c7aeedd09dfc": "csljson",
}  # fmt: skip
HTML = "text/html; charset=utf-8"


class RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def translator(name: str) -> str:
    fmt = TRANSLATORS.get(re.sub(r"\s+", "", name).lower())
    if fmt is None:
        raise RpcError(-32602, f"Unknown translator '{name}'; use biblatex, bibtex or json")
    return fmt


def item_key(citekey: str) -> str:
    """A Zotero-style 8-character item key, derived from the citation key (stable)."""
    digest = hashlib.sha256(citekey.encode()).digest()
    alphabet = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
    return "".join(alphabet[b % len(alphabet)] for b in digest[:8])


def _items(bib: Bibliography, keys: list[str]) -> list[dict[str, Any]]:
    keys = [k.lstrip("@") for k in keys]
    missing = [k for k in keys if bib.by_key(k) is None]
    if missing:
        raise RpcError(-32602, f"not found: {', '.join(missing)}")
    return [bib.by_key(k) for k in keys]  # type: ignore[misc]


def _uri(bib: Bibliography, key: str) -> str:
    """What stands for Zotero's item URI: the IRI of a corpus work, a URN for a cited one."""
    return bib.subject_of(key) or f"urn:datawork-kg:cited:{key}"


def _search_item(bib: Bibliography, item: dict[str, Any]) -> dict[str, Any]:
    return {
        **_better_csl(item),
        "id": _uri(bib, item["id"]),
        "citekey": item["id"],
        "itemKey": item_key(item["id"]),
        "library": LIBRARY["name"],
        "libraryID": LIBRARY["id"],
    }


def _haystack(item: dict[str, Any]) -> str:
    people = " ".join(
        p.get("family", "") + " " + p.get("given", "") + " " + p.get("literal", "")
        for role in ("author", "editor")
        for p in item.get(role, [])
    )
    year = str((item.get("issued") or {}).get("date-parts", [[""]])[0][0])
    fields = (item.get(f, "") for f in ("title", "container-title", "publisher", "id"))
    return " ".join([*fields, people, year]).casefold()


def search(bib: Bibliography, citer: Citer, terms: Any) -> list[dict[str, Any]]:
    """BBT's quick search (every word in title, creators, year or key); when nothing
    matches, the works holding the best passages for the terms as a quote or claim."""
    if isinstance(terms, list):  # Zotero search conditions: use their values
        terms = " ".join(str(c[2]) for c in terms if isinstance(c, list) and len(c) >= 3)
    if not isinstance(terms, str):
        raise RpcError(-32602, "item.search: terms must be a string or search conditions")
    words = terms.casefold().split()
    items = bib.items()
    hits = [i for i in items if all(w in _haystack(i) for w in words)]
    if not hits and words:
        seen: list[str] = []
        for c in citer.rank(terms, limit=10):
            item = bib.for_subject(c.doc.record_iri)
            if item is not None and item["id"] not in seen:
                seen.append(item["id"])
        hits = [bib.by_key(k) for k in seen]  # type: ignore[misc]
    return [_search_item(bib, i) for i in hits]


def _style_id(raw: Any) -> str | None:
    """A style name or Zotero style URL (``http://www.zotero.org/styles/apa``) → ``apa``."""
    style = str(raw or "").rsplit("/", 1)[-1]
    return style if style in citeformat.STYLES else None


def bibliography(bib: Bibliography, keys: list[str], fmt: dict[str, Any] | None) -> str:
    fmt = fmt or {}
    style = _style_id(fmt.get("id") or "apa")
    if style is None:
        raise RpcError(
            -32603, f"Error: no style {fmt.get('id')!r}; use {', '.join(citeformat.STYLES)}"
        )
    entries = citeformat.bibliography(_items(bib, keys), style)
    if fmt.get("contentType") == "html":
        body = "".join(
            f'  <div class="csl-entry">{html.escape(e, quote=False)}</div>\n' for e in entries
        )
        return f'<div class="csl-bib-body">\n{body}</div>'
    return "\n".join(entries)


def call(request: Request, method: str, params: Any) -> Any:
    bib, citer = get_bib(request), request.app.state.citer
    args: list[Any] = params if isinstance(params, list) else []
    named: dict[str, Any] = params if isinstance(params, dict) else {}

    def arg(i: int, name: str, default: Any = None) -> Any:
        return args[i] if len(args) > i else named.get(name, default)

    method = re.sub(r"^items\.", "item.", method)
    if method == "api.ready":
        return {"zotero": "datawork-kg", "betterbibtex": "datawork-kg 0.1.0"}
    if method == "user.groups":
        return [LIBRARY]
    if method == "item.search":
        return search(bib, citer, arg(0, "terms", ""))
    if method == "item.bibliography":
        return bibliography(bib, _keys(arg(0, "citekeys")), arg(1, "format"))
    if method == "item.export":
        fmt = translator(str(arg(1, "translator", "")))
        items = _items(bib, _keys(arg(0, "citekeys")))
        return _export(items, fmt)
    if method == "item.citationkey":
        wanted = _keys(arg(0, "item_keys"))
        by_item = {item_key(i["id"]): i["id"] for i in bib.items()}
        return {k: by_item.get(k.split(":")[-1]) for k in wanted}
    raise RpcError(-32601, f"Method not found: {method}")


def _keys(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RpcError(-32602, "Invalid Parameters: give a list of citation keys")
    return value


def _better_csl(item: dict[str, Any]) -> dict[str, Any]:
    """An item as BBT's "Better CSL JSON" has it: with its ``citation-key``."""
    return {**item, "citation-key": item["id"]}


def _export(items: list[dict[str, Any]], fmt: str) -> str:
    return export([_better_csl(i) for i in items] if fmt == "csljson" else items, fmt)


def _answer(request: Request, message: Any) -> dict[str, Any]:
    rid = message.get("id") if isinstance(message, dict) else None
    if (
        not isinstance(message, dict)
        or message.get("jsonrpc") != "2.0"
        or not isinstance(message.get("method"), str)
    ):
        return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"},
                "id": rid}  # fmt: skip
    try:
        result = call(request, message["method"], message.get("params", []))
    except RpcError as e:
        return {"jsonrpc": "2.0", "error": {"code": e.code, "message": str(e)}, "id": rid}
    return {"jsonrpc": "2.0", "result": result, "id": rid}


@router.post("/json-rpc", summary="Better BibTeX JSON-RPC (api.ready, item.search, …)")
async def json_rpc(request: Request) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        return PlainTextResponse("Endpoint does not support content-type\n", status_code=400)
    try:
        message = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return PlainTextResponse("Invalid JSON provided\n", status_code=400)
    from starlette.concurrency import run_in_threadpool

    if isinstance(message, list):
        answers = [await run_in_threadpool(_answer, request, m) for m in message]
        return JSONResponse(answers)
    return JSONResponse(await run_in_threadpool(_answer, request, message))


# ---------------------------------------------------------------- pull export


def _pull(request: Request, scope: str) -> Response:
    path = unquote(request.url.query)
    m = re.fullmatch(r"/?(?:(\d+)/)?(.*)\.([-0-9a-zA-Z]+)", path)
    if not m:
        return PlainTextResponse("Could not export bibliography: no path\n", status_code=404)
    lib, name, fmt_name = m.groups()
    if lib not in (None, "0", "1"):
        return PlainTextResponse(
            f"Could not export bibliography: library '{lib}' does not exist\n", status_code=404
        )
    try:
        fmt = translator(fmt_name)
    except RpcError as e:
        return PlainTextResponse(f"{e}\n", status_code=400)
    bib = get_bib(request)
    items: list[dict[str, Any]] | None = bib.items()
    if scope == "collection":
        items = _collection(request, name)
        if items is None:
            return PlainTextResponse(
                f"Could not export bibliography: path '{name}' not found; collections are the "
                "corpus works: " + ", ".join(_works(request)) + "\n",
                status_code=404,
            )
    assert items is not None
    body = _export(items, fmt)
    return PlainTextResponse(body)


def _works(request: Request) -> dict[str, str]:
    """Corpus work id → the IRI of the work."""
    return {d.work_id: d.work_iri for d in request.app.state.passages.docs()}


def _collection(request: Request, name: str) -> list[dict[str, Any]] | None:
    """One corpus work (by id, e.g. ``003``): it, its chapters and the works it cites."""
    iri = _works(request).get(name.strip("/").split("/")[-1])
    if iri is None:
        return None
    bib = get_bib(request)
    own = [d for d in request.app.state.passages.docs() if d.work_iri == iri]
    subjects = {iri} | {d.chapter_iri for d in own if d.chapter_iri}
    keys = [bib.for_subject(s)["id"] for s in sorted(subjects) if bib.for_subject(s)]  # type: ignore[index]
    cited = request.app.state.graph.rows(
        "SELECT DISTINCT ?key WHERE { ?w cito:cites ?c . ?c dw:citationKey ?key . "
        "FILTER (?w IN (" + ", ".join(f"<{s}>" for s in sorted(subjects)) + ")) }"
    )
    keys += sorted({r["key"] for r in cited} - set(keys))
    return [i for k in keys if (i := bib.by_key(k)) is not None]


@router.api_route("/library", methods=["GET", "POST"], summary="Pull export of the corpus")
@router.api_route("/export/library", methods=["GET", "POST"], include_in_schema=False)
def pull_library(request: Request) -> Response:
    return _pull(request, "library")


@router.api_route("/collection", methods=["GET", "POST"], summary="Pull export of one work")
@router.api_route("/export/collection", methods=["GET", "POST"], include_in_schema=False)
def pull_collection(request: Request) -> Response:
    return _pull(request, "collection")


@router.api_route("/export/item", methods=["GET", "POST"], summary="Export items by key")
def pull_items(request: Request) -> Response:
    q = request.query_params
    keys = [k.strip().lstrip("@") for k in q.get("citationKeys", "").split(",") if k.strip()]
    if not keys:
        return PlainTextResponse("no citation keys provided\n", status_code=400)
    if not q.get("translator"):
        return PlainTextResponse("no translator selected\n", status_code=400)
    try:
        fmt = translator(q["translator"])
    except RpcError:
        return PlainTextResponse(f"translator {q['translator']} not found\n", status_code=400)
    bib = get_bib(request)
    found = [i for k in keys if (i := bib.by_key(k)) is not None]
    if q.get("pandocFilterData", "").lower() in ("true", "yes", "y"):
        payload = {
            "items": {i["id"]: _better_csl(i) for i in found},
            "zotero": {
                i["id"]: {"itemID": n, "uri": _uri(bib, i["id"])} for n, i in enumerate(found, 1)
            },
            "errors": {k: "not found" for k in keys if bib.by_key(k) is None},
        }
        return PlainTextResponse(json.dumps(payload, ensure_ascii=False))
    if not found:
        return PlainTextResponse("no items found\n", status_code=400)
    return PlainTextResponse(_export(found, fmt))


# ---------------------------------------------------------------- cite as you write


def _flag(request: Request, name: str) -> bool:
    return bool(request.query_params.get(name))


@router.get("/cayw", summary="Cite as you write: the best source for q, in the asked format")
def cayw(request: Request) -> Response:
    if _flag(request, "probe"):
        return PlainTextResponse("ready")
    q = request.query_params.get("q", "").strip()
    if not q:
        # BBT would open Zotero's picker; we have none: answer as a cancelled pick
        return Response(
            b"",
            media_type=HTML,
            headers={"DWKG-Note": "no picker here: add q=<quotation, claim or name>"},
        )
    found = request.app.state.citer.rank(q, limit=1)
    if not found:
        return Response(b"", media_type=HTML, headers={"DWKG-Note": "nothing matches q"})
    c = found[0]
    bib = get_bib(request)
    item = bib.for_subject(c.doc.record_iri)
    if item is None:
        return Response(b"", media_type=HTML)
    label, value, _ = c.locator
    fmt = request.query_params.get("format", "latex")
    text = _format(request, fmt, item, label, value)
    if text is None:
        return Response(b"", media_type=HTML, headers={"DWKG-Note": f"unknown format {fmt!r}"})
    return Response(text.encode(), media_type=HTML)


def _format(request: Request, fmt: str, item: dict[str, Any], label: str, value: str) -> str | None:
    key = item["id"]
    if fmt == "pandoc":
        cite = citeformat.pandoc_citation(key, label, value)
        return cite if _flag(request, "brackets") else cite[1:-1]
    if fmt in ("latex", "cite", "citep", "citet", "natbib", "biblatex"):
        default = {"latex": "cite", "natbib": "cite", "biblatex": "autocite"}.get(fmt, fmt)
        command = request.query_params.get("command") or default
        return citeformat.latex_citation(key, label, value, command=command)
    if fmt == "mmd":
        return f"[#{key}][]"
    if fmt == "asciidoctor-bibtex":
        return f"cite:[{key}({value})]"
    style = _style_id(request.query_params.get("style")) or "apa"
    if fmt == "formatted-citation":
        return citeformat.formatted(item, style, (label, value))["citation"]
    if fmt == "formatted-bibliography":
        return citeformat.formatted(item, style, None)["bibliography"]
    if fmt == "json":
        return json.dumps(
            [
                {
                    "citationKey": key, "locator": value, "label": label, "prefix": "",
                    "suffix": "", "suppressAuthor": False, "itemType": item.get("type"),
                    "title": item.get("title"), "uri": _uri(get_bib(request), key),
                    "item": item,
                }
            ],
            ensure_ascii=False,
        )  # fmt: skip
    if fmt == "translate":
        try:
            return _export([item], translator(request.query_params.get("translator", "biblatex")))
        except RpcError:
            return None
    return None
