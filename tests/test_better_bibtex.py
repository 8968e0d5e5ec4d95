"""The Better BibTeX endpoints, sent exactly the requests writing tools send to Zotero.

Clients and their requests (from their sources): Obsidian Zotero Integration
(``User-Agent: obsidian/zotero``, JSON-RPC without an id, positional params, CAYW probe
that must answer exactly ``ready``); Citation Picker for Zotero in VS Code (JSON-RPC with
``"id": 1``, rejecting any answer whose id is not 1; CAYW ``format=pandoc``); BBT's own
pandoc Lua filter (``export/item?pandocFilterData=true&translator=json``); vim/Emacs
snippets (``curl 'http://localhost:23119/better-bibtex/cayw?format=pandoc&brackets=1'``);
BibLaTeX's remote resource (``/better-bibtex/collection?/0/KEY.biblatex``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest import build
from tests.conftest import free_port, running_server

INLAND = "In a process we call 'inland-sourcing', major Chinese AI firms"
WU = "wuGlobalDataEmpires2025"
OBSIDIAN = {
    "Content-Type": "application/json",
    "User-Agent": "obsidian/zotero",
    "Accept": "application/json",
    "Connection": "keep-alive",
}
VSCODE = {"Content-Type": "application/json", "Accept": "application/json"}


@pytest.fixture(scope="module")
def bbt(built_store: tuple[Path, build.Report]) -> Iterator[httpx.Client]:
    with running_server(built_store[0]) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def rpc(bbt: httpx.Client, method: str, params: Any, rid: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
    if rid is not None:
        body["id"] = rid
    r = bbt.post("/better-bibtex/json-rpc", content=json.dumps(body), headers=OBSIDIAN)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    answer: dict[str, Any] = r.json()
    assert answer["jsonrpc"] == "2.0"
    return answer


def test_obsidian_probe_and_ready(bbt: httpx.Client) -> None:
    r = bbt.get("/better-bibtex/cayw", params={"probe": "true"}, headers=OBSIDIAN)
    assert r.status_code == 200 and r.text == "ready"
    ready = rpc(bbt, "api.ready", [])
    assert set(ready["result"]) == {"zotero", "betterbibtex"} and ready["id"] is None


def test_item_search_as_obsidian_sends_it(bbt: httpx.Client) -> None:
    found = rpc(bbt, "item.search", ["global data empires"])["result"]
    assert [i["citekey"] for i in found] == [WU]
    item = found[0]
    assert item["title"].startswith("Global data empires") and item["library"] == "datawork-kg"
    assert item["author"][0]["family"] == "Wu"
    # Zotero search conditions, and a search by author and year
    by_cond = rpc(bbt, "item.search", [[["title", "contains", "global data"]]])["result"]
    assert WU in [i["citekey"] for i in by_cond]
    assert WU in [i["citekey"] for i in rpc(bbt, "item.search", ["Muldoon 2025"])["result"]]
    # no bibliographic match: the works that hold the best passages for the words
    quoted = rpc(bbt, "item.search", [INLAND])["result"]
    assert quoted[0]["citekey"] == WU


def test_vscode_gets_its_own_id_back_even_on_errors(bbt: httpx.Client) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "item.search", "params": ["ghost work"]}
    r = bbt.post("/better-bibtex/json-rpc", content=json.dumps(body), headers=VSCODE)
    assert r.json()["id"] == 1 and any(
        i["citekey"] == "grayGhostWork2019" for i in r.json()["result"]
    )
    wrong = rpc(bbt, "item.nonsense", [], rid=1)
    assert wrong["id"] == 1 and wrong["error"]["code"] == -32601
    assert "item.nonsense" in wrong["error"]["message"]


def test_item_bibliography_and_export(bbt: httpx.Client) -> None:
    html = rpc(bbt, "item.bibliography", [[WU], {"contentType": "html", "id": "apa"}, 1])
    assert html["result"].startswith('<div class="csl-bib-body">')
    assert "Global data empires" in html["result"]
    quick = rpc(bbt, "item.bibliography", [[WU], {"quickCopy": True, "contentType": "html"}])
    assert "csl-entry" in quick["result"]
    chicago = rpc(
        bbt, "item.bibliography", [[WU], {"id": "http://www.zotero.org/styles/chicago-author-date"}]
    )
    assert "2025" in chicago["result"] and "Wu, Tongyu" in chicago["result"]
    csl = rpc(bbt, "item.export", [[WU], "f4b52ab0-f878-4556-85a0-c7aeedd09dfc", 1])["result"]
    assert json.loads(csl)[0]["citation-key"] == WU
    bib = rpc(bbt, "item.export", [["@" + WU], "biblatex"])["result"]
    assert bib.startswith(f"@article{{{WU},")
    missing = rpc(bbt, "item.export", [["nosuchKey2020"], "biblatex"], rid=7)
    assert missing["error"]["code"] == -32602 and "nosuchKey2020" in missing["error"]["message"]
    bad = rpc(bbt, "item.export", [[WU], "endnote"], rid=8)
    assert bad["error"]["code"] == -32602 and "translator" in bad["error"]["message"]


def test_item_citationkey_and_batches(bbt: httpx.Client) -> None:
    item = rpc(bbt, "item.search", [WU])["result"][0]
    keys = rpc(bbt, "item.citationkey", [[f"1:{item['itemKey']}", "1:NOSUCHIT"]])["result"]
    assert keys == {f"1:{item['itemKey']}": WU, "1:NOSUCHIT": None}
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "api.ready"},
        {"jsonrpc": "1.0", "id": 2, "method": "api.ready"},
    ]
    r = bbt.post("/better-bibtex/json-rpc", content=json.dumps(batch), headers=VSCODE).json()
    assert [a["id"] for a in r] == [1, 2] and r[1]["error"]["code"] == -32600


def test_what_zotero_refuses_is_refused_the_same_way(bbt: httpx.Client) -> None:
    r = bbt.post("/better-bibtex/json-rpc", content=b"{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 400 and "content-type" in r.text
    r = bbt.post("/better-bibtex/json-rpc", content=b"{nope", headers=VSCODE)
    assert r.status_code == 400 and "Invalid JSON" in r.text


@pytest.mark.parametrize(
    ("path", "start"),
    [
        ("/better-bibtex/export/library?/1/library.biblatex", "@"),
        ("/better-bibtex/library?/1/library.bibtex", "@"),
        ("/better-bibtex/export/library?/1/library.json", "["),
        ("/better-bibtex/library?library.csljson", "["),
    ],
)
def test_pull_export_of_the_corpus(bbt: httpx.Client, path: str, start: str) -> None:
    r = bbt.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.text.lstrip().startswith(start) and WU in r.text and "grayGhostWork2019" in r.text


def test_pull_export_of_one_work_holds_its_chapters_and_what_it_cites(bbt: httpx.Client) -> None:
    r = bbt.get("/better-bibtex/collection?/0/003.biblatex")
    assert r.status_code == 200
    assert r.text.count("@incollection{") == 19
    assert WU not in r.text and "@book{" in r.text
    gone = bbt.get("/better-bibtex/collection?/1/nothing.biblatex")
    assert gone.status_code == 404 and "003" in gone.text


def test_export_items_as_the_pandoc_lua_filter_asks(bbt: httpx.Client) -> None:
    r = bbt.get(
        "/better-bibtex/export/item",
        params={"pandocFilterData": "true", "translator": "json", "citationKeys": f"{WU},nope"},
    )
    data = json.loads(r.text)
    assert data["items"][WU]["citation-key"] == WU and data["errors"] == {"nope": "not found"}
    r = bbt.get("/better-bibtex/export/item", params={"citationKeys": WU, "translator": "bibtex"})
    assert r.status_code == 200 and r.text.startswith(f"@article{{{WU},")
    none = bbt.get("/better-bibtex/export/item", params={"translator": "bibtex"})
    assert none.status_code == 400 and "no citation keys" in none.text


def cayw(bbt: httpx.Client, **params: str) -> str:
    r = bbt.get("/better-bibtex/cayw", params=params, headers={"User-Agent": "vscode-zotero/0.2.0"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    return r.text


def test_cayw_answers_q_with_the_best_source_in_every_format(bbt: httpx.Client) -> None:
    pandoc = cayw(bbt, format="pandoc", brackets="1", q=INLAND)
    assert pandoc.startswith(f"[@{WU}, para. ") and pandoc.endswith("]")
    n = pandoc.split("para. ")[1].rstrip("]")
    assert cayw(bbt, format="pandoc", q=INLAND) == f"@{WU}, para. {n}"
    assert cayw(bbt, format="latex", q=INLAND) == f"\\cite[para.~{n}]{{{WU}}}"
    assert cayw(bbt, format="latex", command="citep", q=INLAND) == f"\\citep[para.~{n}]{{{WU}}}"
    assert cayw(bbt, format="biblatex", q=INLAND) == f"\\autocite[para.~{n}]{{{WU}}}"
    assert cayw(bbt, format="mmd", q=INLAND) == f"[#{WU}][]"
    assert cayw(bbt, format="formatted-citation", q=INLAND).startswith("(Wu et al., 2025")
    assert "Global data empires" in cayw(bbt, format="formatted-bibliography", q=INLAND)
    picked = json.loads(cayw(bbt, format="json", q=INLAND))
    assert picked[0]["citationKey"] == WU and picked[0]["label"] == "paragraph"
    assert picked[0]["locator"] == n


def test_cayw_without_q_answers_as_a_cancelled_pick(bbt: httpx.Client) -> None:
    r = bbt.get("/better-bibtex/cayw", params={"format": "pandoc"})
    assert r.status_code == 200 and r.text == "" and "q=" in r.headers["DWKG-Note"]
    assert cayw(bbt, format="no-such-format", q=INLAND) == ""


def test_the_better_bibtex_port_is_configurable(built_store: tuple[Path, build.Report]) -> None:
    port = free_port()
    with running_server(built_store[0], better_bibtex_port=str(port)) as url:
        assert httpx.get(f"{url}/better-bibtex/cayw?probe=true", timeout=30).text == "ready"
        other = f"http://127.0.0.1:{port}/better-bibtex/cayw"
        assert httpx.get(other, params={"probe": "true"}, timeout=30).text == "ready"
        q = {"format": "pandoc", "brackets": "1", "q": INLAND}
        assert httpx.get(other, params=q, timeout=60).text.startswith(f"[@{WU}")
