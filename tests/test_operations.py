"""Operations on real `dwkg serve` processes: readiness, request ids, JSON logs, workers,
and a graceful shutdown that ends running queries instead of waiting for them."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest import build
from ontology import DEFAULT_BASE
from service.graph import Graph
from tests.conftest import ROOT, assert_problem, free_port

# a cross product over every quad: runs for minutes, far past any test
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FIELDS = {"ts", "level", "msg", "request_id", "method", "path", "status", "duration_ms", "client"}


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def records(self) -> list[dict[str, Any]]:
        """Every line the server wrote on stderr, each parsed as JSON."""
        text = self.log.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def request_line(self, request_id: str, timeout: float = 5) -> dict[str, Any]:
        """The log line of one request (written just after its response)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.records() if r.get("request_id") == request_id]
            lines = [r for r in found if r.get("logger") == "dwkg.request"]
            if lines or time.monotonic() > deadline:
                assert len(lines) == 1, found
                return lines[0]
            time.sleep(0.1)


@contextmanager
def serve(store: Path, log: Path, *args: str, **env: str) -> Iterator[Server]:
    """``dwkg serve`` with its stderr in ``log``, once ``/ready`` answers 200."""
    port = free_port()
    environ = {**os.environ, **{f"DWKG_{k.upper()}": v for k, v in env.items()}}
    cmd = [sys.executable, "-m", "service.cli", "serve", "--port", str(port),
           "--store", str(store), *args]  # fmt: skip
    with log.open("wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=environ, cwd=ROOT)
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                r = httpx.get(f"{server.url}/ready", timeout=5)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            if r.status_code == 200:
                break
            # starting up: a problem that says so and when to ask again
            body = assert_problem(r, 503)
            assert str(body["type"]).endswith("/starting") and r.headers["Retry-After"]
            time.sleep(0.2)
        else:
            pytest.fail("the server did not turn ready")
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(
    built_store: tuple[Path, build.Report], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("ops") / "stderr.log"
    with serve(built_store[0], log, sparql_concurrency="2") as s:
        yield s


def test_ready_answers_with_the_build_once_the_indexes_are_loaded(
    server: Server, built_store: tuple[Path, build.Report]
) -> None:
    r = httpx.get(f"{server.url}/ready", timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready"
    assert body["build"] == Graph(built_store[0], DEFAULT_BASE).build_id()
    assert body["passages"] > 0 and body["entities"] > 0 and body["bibliography"] > 0
    assert body["sparql_workers"] == 2
    health = httpx.get(f"{server.url}/health", timeout=10).json()
    assert health["status"] == "ok" and health["pid"] == body["pid"] == server.proc.pid


def test_the_request_id_is_echoed_or_generated(server: Server) -> None:
    mine = httpx.get(f"{server.url}/health", headers={"X-Request-ID": "trace-42/a b"}, timeout=10)
    assert mine.headers["X-Request-ID"] == "trace-42/a b"
    new = httpx.get(f"{server.url}/health", timeout=10).headers["X-Request-ID"]
    assert len(new) == 32 and int(new, 16) >= 0
    other = httpx.get(f"{server.url}/health", timeout=10).headers["X-Request-ID"]
    assert other != new
    too_long = httpx.get(f"{server.url}/health", headers={"X-Request-ID": "x" * 129}, timeout=10)
    replaced = too_long.headers["X-Request-ID"]
    assert replaced != "x" * 129 and len(replaced) == 32
    odd = httpx.get(f"{server.url}/health", headers={b"X-Request-ID": "é-id".encode()}, timeout=10)
    assert odd.headers["X-Request-ID"] != "é-id" and len(odd.headers["X-Request-ID"]) == 32


def test_errors_carry_the_request_id(server: Server) -> None:
    rid = uuid.uuid4().hex
    r = httpx.get(f"{server.url}/api/v1/passages/none-such", headers={"X-Request-ID": rid},
                  timeout=10)  # fmt: skip
    assert assert_problem(r, 404)["request_id"] == rid
    bad = httpx.post(f"{server.url}/sparql", data={"query": "SELECT ?x WHERE { ?x"}, timeout=10)
    body = assert_problem(bad, 400)
    assert body["request_id"] == bad.headers["X-Request-ID"]


def test_one_json_log_line_per_request(server: Server) -> None:
    ids = {name: uuid.uuid4().hex for name in ("health", "missing", "sparql")}
    httpx.get(f"{server.url}/health", headers={"X-Request-ID": ids["health"]}, timeout=10)
    httpx.get(f"{server.url}/api/v1/passages/none-such", headers={"X-Request-ID": ids["missing"]},
              timeout=10)  # fmt: skip
    q = "SELECT ?w WHERE { ?w dw:workId ?id } LIMIT 2"
    httpx.get(f"{server.url}/sparql", params={"query": q}, headers={"X-Request-ID": ids["sparql"]},
              timeout=10)  # fmt: skip
    health = server.request_line(ids["health"])
    assert set(health) >= FIELDS
    assert (health["level"], health["method"], health["path"], health["status"]) == (
        "INFO", "GET", "/health", 200,
    )  # fmt: skip
    assert health["client"] == "127.0.0.1" and health["duration_ms"] >= 0
    assert health["ts"].endswith("Z") and "GET /health 200" in health["msg"]
    assert server.request_line(ids["missing"])["status"] == 404
    sparql = server.request_line(ids["sparql"])
    assert sparql["path"] == "/sparql" and sparql["status"] == 200
    assert (sparql["sparql_kind"], sparql["sparql_rows"], sparql["sparql_truncated"]) == (
        "solutions", 2, False,
    )  # fmt: skip
    # every line is JSON (uvicorn's own log too), and uvicorn's access log is off
    records = server.records()
    assert any(r["logger"] == "uvicorn.error" for r in records)
    assert not any(r["logger"] == "uvicorn.access" for r in records)


def test_two_workers_then_sigterm_ends_the_running_query_at_once(
    built_store: tuple[Path, build.Report], tmp_path: Path
) -> None:
    with serve(built_store[0], tmp_path / "stderr.log", "--workers", "2",
               sparql_concurrency="1", query_timeout_s="60") as s:  # fmt: skip
        pids: set[int] = set()
        for _ in range(200):  # a new connection each time: the processes take turns
            pids.add(httpx.get(f"{s.url}/health", timeout=10).json()["pid"])
            if len(pids) == 2:
                break
        assert len(pids) == 2 and s.proc.pid not in pids
        for _ in range(200):  # every process turns ready
            r = httpx.get(f"{s.url}/ready", timeout=10)
            if r.status_code == 200:
                pids.discard(r.json()["pid"])
            if not pids:
                break
            time.sleep(0.05)
        assert not pids
        answer, elapsed = _sigterm_during(s, CROSS)
    body = assert_problem(answer, 503)
    assert body["title"] == "Shutting down" and "retry on another instance" in str(body["detail"])
    assert answer.headers["Retry-After"]
    assert elapsed < 10, elapsed
    assert s.proc.returncode == 0


def test_sigterm_ends_the_running_query_and_ready_turns_503(
    built_store: tuple[Path, build.Report], tmp_path: Path
) -> None:
    with serve(built_store[0], tmp_path / "stderr.log", sparql_concurrency="1",
               query_timeout_s="60", shutdown_delay_s="2") as s:  # fmt: skip
        seen: dict[str, httpx.Response] = {}

        def probe() -> None:  # during the shutdown delay: alive, not ready
            time.sleep(0.3)
            seen["ready"] = httpx.get(f"{s.url}/ready", timeout=5)
            seen["health"] = httpx.get(f"{s.url}/health", timeout=5)

        answer, elapsed = _sigterm_during(s, CROSS, probe)
        rid = answer.headers["X-Request-ID"]
    body = assert_problem(answer, 503)
    assert str(body["type"]).endswith("/shutting-down") and body["request_id"] == rid
    assert assert_problem(seen["ready"], 503)["title"] == "Shutting down"
    assert seen["ready"].headers["Retry-After"]
    assert seen["health"].status_code == 200
    assert 2 <= elapsed < 10, elapsed  # the delay, then at once
    assert s.proc.returncode in (0, -signal.SIGTERM)
    line = s.request_line(rid)
    assert line["path"] == "/sparql" and line["status"] == 503


def _sigterm_during(s: Server, query: str, meanwhile: Any = None) -> tuple[httpx.Response, float]:
    """SIGTERM while ``query`` runs: its answer, and how long the process took to exit."""
    answers: list[httpx.Response] = []
    t = threading.Thread(
        target=lambda: answers.append(
            httpx.get(f"{s.url}/sparql", params={"query": query}, timeout=60)
        )
    )
    t.start()
    time.sleep(1.5)  # the query is running in a worker process
    assert not answers, answers
    started = time.monotonic()
    s.proc.send_signal(signal.SIGTERM)
    if meanwhile is not None:
        meanwhile()
    s.proc.wait(timeout=30)
    elapsed = time.monotonic() - started
    t.join(timeout=30)
    assert answers, "the query got no answer"
    return answers[0], elapsed


# ---------------------------------------------------------------- in process


def test_ready_without_a_graph_says_what_to_do(tmp_path: Path) -> None:
    import asyncio

    from service.main import create_app
    from service.settings import Settings

    app = create_app(Settings(store_dir=tmp_path))  # the app alone: no lifespan, no workers

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            ready = await client.get("/ready", headers={"X-Request-ID": "no-graph-1"})
            return ready, await client.get("/health")

    r, health = asyncio.run(ask())
    body = assert_problem(r, 503)
    assert body["title"] == "No graph" and "dwkg ingest" in str(body["hint"])
    assert body["request_id"] == "no-graph-1" == r.headers["X-Request-ID"]
    assert r.headers["Retry-After"] and health.status_code == 200


def test_the_json_formatter_keeps_extra_fields_and_exceptions() -> None:
    from service.operations import JsonFormatter, TextFormatter

    record = logging.LogRecord("dwkg.request", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.request_id, record.status = "abc", 200
    doc = json.loads(JsonFormatter().format(record))
    assert doc["msg"] == "GET /x" and doc["level"] == "INFO" and doc["logger"] == "dwkg.request"
    assert doc["request_id"] == "abc" and doc["status"] == 200 and doc["ts"].endswith("Z")
    try:
        raise ValueError("boom")
    except ValueError:
        err = logging.LogRecord("dwkg", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert "ValueError: boom" in json.loads(JsonFormatter().format(err))["exc"]
    text = TextFormatter().format(record)
    assert "INFO" in text and "GET /x" in text and "request_id=abc" in text


def test_an_unexpected_error_is_a_500_problem_with_the_request_id(tmp_path: Path) -> None:
    import asyncio

    from service.main import create_app
    from service.settings import Settings

    app = create_app(Settings(store_dir=tmp_path))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/boom", headers={"X-Request-ID": "boom-1"})

    r = asyncio.run(ask())
    body = assert_problem(r, 500)
    assert body["request_id"] == "boom-1" == r.headers["X-Request-ID"]
