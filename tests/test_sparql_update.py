"""SPARQL Update: off by default, behind a bearer token when on, applied as a whole new build."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Store

from ingest import build
from ingest.store import StoreBusy, current_path, derive, writer_lock
from tests.conftest import assert_problem, running_server

TOKEN = "s3cret-token"
ASK_NEW = "ASK { <https://example.org/a> <https://example.org/b> 'added' }"
INSERT = "INSERT DATA { <https://example.org/a> <https://example.org/b> 'added' }"


@pytest.fixture()
def store_copy(built_store: tuple[Path, build.Report], tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(built_store[0], copy, symlinks=True)
    return copy


@pytest.fixture()
def server(store_copy: Path) -> Iterator[str]:
    with running_server(
        store_copy, allow_update="true", update_token=TOKEN, query_timeout_s="3"
    ) as url:
        yield url


def ask(server: str, query: str) -> bool:
    r = httpx.get(f"{server}/sparql", params={"query": query}, timeout=30)
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def update(server: str, text: str, token: str | None = TOKEN, form: bool = False) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if form:
        return httpx.post(f"{server}/sparql", data={"update": text}, headers=headers, timeout=60)
    headers["Content-Type"] = "application/sparql-update"
    return httpx.post(f"{server}/sparql", content=text.encode(), headers=headers, timeout=60)


def test_update_without_the_token_is_refused_and_changes_nothing(
    server: str, store_copy: Path
) -> None:
    before = current_path(store_copy)
    for token in (None, "wrong", TOKEN + "x"):
        r = update(server, INSERT, token=token)
        body = assert_problem(r, 401)
        assert "Authorization: Bearer" in str(body["hint"])
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert not ask(server, ASK_NEW)
    assert current_path(store_copy) == before


def test_update_with_the_token_is_seen_by_queries_and_changes_the_etag(server: str) -> None:
    etag = httpx.get(f"{server}/api/v1/works", timeout=30).headers["ETag"]
    r = update(server, INSERT)
    assert r.status_code == 204, r.text
    assert ask(server, ASK_NEW)
    assert httpx.get(f"{server}/api/v1/works", timeout=30).headers["ETag"] != etag
    r = update(server, "DELETE DATA { <https://example.org/a> <https://example.org/b> 'added' }")
    assert r.status_code == 204 and not ask(server, ASK_NEW)
    # the form encoding of the protocol, with the default prefixes (dw:)
    r = update(server, "INSERT DATA { <https://example.org/a> dw:note 'x' }", form=True)
    assert r.status_code == 204 and ask(server, "ASK { <https://example.org/a> dw:note 'x' }")
    sd = httpx.get(f"{server}/sparql", headers={"Accept": "text/turtle"}, timeout=30).text
    assert "SPARQL11Update" in sd


def test_bad_updates_answer_clearly_and_leave_the_graph_as_it_was(
    server: str, store_copy: Path
) -> None:
    before = current_path(store_copy)
    body = assert_problem(update(server, "INSERT DATA { <a> <b> "), 400)
    assert "1:" in str(body["detail"])
    body = assert_problem(update(server, "LOAD <http://example.org/data.ttl>"), 400)
    assert "LOAD is not allowed" in str(body["detail"])
    # a runaway update is stopped at the time limit; the graph is unchanged and usable
    runaway = (
        "INSERT { <https://example.org/n> <https://example.org/count> ?n } WHERE "
        "{ SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } } }"
    )
    body = assert_problem(update(server, runaway), 503)
    assert "unchanged" in str(body["detail"])
    assert current_path(store_copy) == before
    assert update(server, INSERT).status_code == 204 and ask(server, ASK_NEW)
    unfinished = [d for d in (store_copy / "builds").iterdir() if not (d / ".complete").exists()]
    assert unfinished == []


def test_updates_are_off_by_default(store_copy: Path) -> None:
    with running_server(store_copy) as url:
        assert_problem(update(url, INSERT), 403)
        assert "SPARQL11Update" not in httpx.get(f"{url}/sparql", timeout=30).text


def test_a_failed_change_leaves_the_current_build(store_copy: Path) -> None:
    before = current_path(store_copy)

    def broken(store: Store) -> None:
        store.update(INSERT)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        derive(store_copy, broken)
    assert current_path(store_copy) == before
    assert len(list((store_copy / "builds").iterdir())) == 1


def test_one_writer_at_a_time(store_copy: Path) -> None:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with writer_lock(store_copy, wait_s=None):
            held.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(10)
    try:
        with pytest.raises(StoreBusy, match="another ingest or update"):
            derive(store_copy, lambda s: s.update(INSERT), wait_s=0.2)
    finally:
        release.set()
        t.join()
    derive(store_copy, lambda s: s.update(INSERT))
    path = current_path(store_copy)
    assert path is not None
    assert Store.read_only(str(path)).query(ASK_NEW)
