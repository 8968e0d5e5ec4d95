"""Shared fixtures: the corpus read once per session, a store built once per session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from ingest import build, manifest
from ingest.model import Document

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def docs() -> dict[str, Document]:
    """Every corpus work read into the document model (no store)."""
    return {e.id: build.read_document(e, CORPUS) for e in manifest.load(CORPUS)}


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, build.Report]]:
    """The whole corpus ingested into a real store on disk."""
    store = tmp_path_factory.mktemp("store")
    report = build.ingest(CORPUS, store)
    yield store, report
    shutil.rmtree(store, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(store: Path, **env: str) -> Iterator[str]:
    """A real ``dwkg serve`` process on loopback, stopped afterwards."""
    port = free_port()
    environ = {**os.environ, **{f"DWKG_{k.upper()}": v for k, v in env.items()}}
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environ,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def assert_problem(r: httpx.Response, status: int) -> dict[str, object]:
    """The error body every endpoint answers with: application/problem+json."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = r.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status and body["detail"]
    return body


def squash(text: str) -> str:
    """Whitespace-normalised text for containment checks."""
    return " ".join(text.replace("\u00a0", " ").split())
