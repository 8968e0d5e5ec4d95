"""Faults on a real server: ingest swaps under readers, kill -9, a full or read-only disk,
a flood of expensive SPARQL, a crash and restart, updates without the token.

Every test runs real ``dwkg`` processes on loopback and is bounded in time. The ingests
run with ``--no-reasoning``; the stores start as copies of the session's ``built_store``
(with reasoning), so the old and the new build have different quad counts and a reader
can tell which one answered. The mounts (small tmpfs, read-only) need root; without it
those tests are skipped and say so.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Store

from ingest import build, store
from ingest.errors import StoreError
from ingest.store import BUILDS, current_path
from tests.conftest import ROOT, free_port, squash

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
# every quad with every quad: hours of work, stopped only by the time limit
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } }"
TOKEN = "f4ult-t0ken.42"
FAULTS = "https://example.org/faults"
UPDATE_HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
INGEST_S = 280  # one ingest of the corpus takes ~25 s alone, more with readers

BuiltStore = tuple[Path, build.Report]
KILLED: list[Path] = []  # the half-written build a kill -9 left, for the next ingest to remove


# ---------------------------------------------------------------- helpers


class Server:
    """A real ``dwkg serve`` on loopback that a test can kill -9 and start again."""

    def __init__(self, store_dir: Path, log: Path, **env: str) -> None:
        self.store_dir, self.log, self.port = store_dir, log, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **{f"DWKG_{k.upper()}": v for k, v in env.items()}}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "service.cli",
                    "serve",
                    "--port",
                    str(self.port),
                    "--store",
                    str(self.store_dir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=ROOT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"the server exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        pytest.fail(f"the server did not start in 60 s:\n{self.tail()}")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(timeout=10) == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def children(self) -> list[int]:
        """The server's query workers (spawned processes), by pid."""
        assert self.proc is not None
        pids: list[int] = []
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
                pids += [int(p) for p in (task / "children").read_text().split()]
        return [p for p in pids if b"spawn_main" in _cmdline(p)]

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def quads_in(store_dir: Path) -> int:
    path = current_path(store_dir)
    assert path is not None
    return len(Store.read_only(str(path)))


def served_count(client: httpx.Client, url: str) -> int:
    r = client.post(f"{url}/sparql", data={"query": COUNT})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def unfinished(store_dir: Path) -> list[Path]:
    return [
        d for d in (store_dir / BUILDS).iterdir() if d.is_dir() and not (d / ".complete").exists()
    ]


def complete(store_dir: Path) -> list[Path]:
    return sorted(d for d in (store_dir / BUILDS).iterdir() if (d / ".complete").exists())


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def ingest_cmd(store_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "service.cli",
        "ingest",
        "--store",
        str(store_dir),
        "--no-reasoning",
    ]


def copy_store(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns(".writer.lock"))
    return dst


@contextlib.contextmanager
def tmpfs(path: Path, size_mb: int) -> Iterator[Path]:
    """A small tmpfs at ``path`` (root only: skipped loudly otherwise), unmounted after."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        r = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(path)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        failed = r.returncode != 0
        why = r.stderr.strip() or f"exit {r.returncode}"
    except (OSError, subprocess.SubprocessError) as e:
        failed, why = True, str(e)
    if failed:
        pytest.skip(f"NOT RUN: this fault test needs root to mount a small tmpfs ({why})")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[math.ceil(0.95 * len(s)) - 1]


def p50(xs: list[float]) -> float:
    return sorted(xs)[len(xs) // 2]


@dataclass
class Read:
    kind: str
    thread: int
    status: int
    value: Any
    etag: str | None
    at: float


def _read(r: httpx.Response, value: Callable[[Any], Any]) -> tuple[httpx.Response, Any]:
    return r, (value(r.json()) if r.status_code == 200 else r.text[:500])


READS: dict[str, Callable[[httpx.Client, str], tuple[httpx.Response, Any]]] = {
    "works": lambda c, u: _read(
        c.get(f"{u}/api/v1/works"), lambda j: tuple(w["id"] for w in j["items"])
    ),
    "entities": lambda c, u: _read(
        c.get(f"{u}/api/v1/entities", params={"limit": 5}), lambda j: len(j["items"])
    ),
    "count": lambda c, u: _read(
        c.post(f"{u}/sparql", data={"query": COUNT}),
        lambda j: int(j["results"]["bindings"][0]["n"]["value"]),
    ),
}


class Readers:
    """Threads that read the service until stopped: ``pace`` seconds apart, or as fast as
    it answers once ``hammer()`` is called (around a swap: this keeps the ingest fast)."""

    def __init__(self, url: str, kinds: list[str], pace: float = 0.0) -> None:
        self.url, self.reads, self.stop = url, list[Read](), threading.Event()
        self.pace = pace
        self.threads = [
            threading.Thread(target=self._loop, args=(k, i), daemon=True)
            for i, k in enumerate(kinds)
        ]

    def _loop(self, kind: str, i: int) -> None:
        with httpx.Client(timeout=60) as c:
            while not self.stop.is_set():
                try:
                    r, value = READS[kind](c, self.url)
                    read = Read(kind, i, r.status_code, value, r.headers.get("etag"), 0.0)
                except httpx.HTTPError as e:
                    read = Read(kind, i, 0, repr(e), None, 0.0)
                read.at = time.monotonic()
                self.reads.append(read)
                self.stop.wait(self.pace)

    def hammer(self) -> float:
        self.pace = 0.0
        return time.monotonic()

    def __enter__(self) -> Readers:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=90)

    def of(self, kind: str) -> list[Read]:
        return [r for r in self.reads if r.kind == kind]

    def summary(self) -> str:
        return ", ".join(f"{k}: {n}" for k, n in Counter(r.kind for r in self.reads).items())


def assert_old_or_new(readers: Readers, counts: list[int]) -> None:
    """Every read answered 200 from a whole build, and no thread went back to an older one."""
    failed = [r for r in readers.reads if r.status != 200]
    assert not failed, f"{len(failed)} failed reads, e.g. {failed[:3]}"
    assert {r.value for r in readers.of("works")} <= {("000", "001", "002", "003", "004")}
    assert {r.value for r in readers.of("entities")} <= {5}
    seen = readers.of("count")
    assert {r.value for r in seen} <= set(counts), Counter(r.value for r in seen)
    for thread in {r.thread for r in seen}:
        order = [counts.index(r.value) for r in seen if r.thread == thread]
        assert order == sorted(order), f"reader {thread} went back to an older build: {order}"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="module")
def swap_store(built_store: BuiltStore, work: Path) -> Path:
    return copy_store(built_store[0], work / "swap")


@pytest.fixture(scope="module")
def swap_server(swap_store: Path, work: Path) -> Iterator[Server]:
    with Server(swap_store, work / "swap-server.log") as server:
        yield server


@pytest.fixture(scope="module")
def update_store(built_store: BuiltStore, work: Path) -> Path:
    return copy_store(built_store[0], work / "update")


@pytest.fixture(scope="module")
def update_server(update_store: Path, work: Path) -> Iterator[Server]:
    with Server(
        update_store, work / "update-server.log", allow_update="true", update_token=TOKEN
    ) as server:
        yield server


@pytest.fixture(scope="module")
def flood_server(built_store: BuiltStore, work: Path) -> Iterator[Server]:
    # read-only use of the session's store: the flood and the crash write nothing
    with Server(
        built_store[0], work / "flood-server.log", sparql_concurrency="2", query_timeout_s="3"
    ) as server:
        yield server


# ---------------------------------------------------------------- ingest faults


def test_kill_9_during_ingest_leaves_the_graph_in_use(
    swap_store: Path, swap_server: Server
) -> None:
    before = current_path(swap_store)
    builds_before = {d.name for d in (swap_store / BUILDS).iterdir()}
    n = quads_in(swap_store)
    with httpx.Client(timeout=60) as c:
        assert served_count(c, swap_server.url) == n
        etag = c.get(f"{swap_server.url}/api/v1/works").headers["ETag"]
    proc = subprocess.Popen(
        ingest_cmd(swap_store), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline, half = time.monotonic() + INGEST_S, None
        while half is None:
            assert time.monotonic() < deadline, "the ingest never started loading"
            assert proc.poll() is None, f"the ingest ended ({proc.returncode}) before loading"
            new = [d for d in unfinished(swap_store) if d.name not in builds_before]
            if new:
                half = new[0]
            time.sleep(0.02)
        loading = time.monotonic()  # the bulk load takes ~3 s: kill it in its first half
        while size_mb(half) < 1 and time.monotonic() - loading < 1.2 and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the ingest finished before it could be killed"
        loaded, after_s = size_mb(half), time.monotonic() - loading
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    print(f"\nkill -9 {after_s:.2f} s into loading, {loaded:.1f} MB of the new build written")
    assert current_path(swap_store) == before
    assert half.is_dir() and not (half / ".complete").exists()  # the next build removes it
    KILLED.append(half)
    with httpx.Client(timeout=60) as c:
        assert served_count(c, swap_server.url) == n
        r = c.get(f"{swap_server.url}/api/v1/works")
        assert r.status_code == 200 and r.headers["ETag"] == etag
        assert len(r.json()["items"]) == 5


def test_readers_during_an_ingest_swap_see_the_old_or_the_new_graph(
    swap_store: Path, swap_server: Server
) -> None:
    """The second ingest after a kill -9 (above): readers never fail nor see half a graph."""
    url = swap_server.url
    before, n_old = current_path(swap_store), quads_in(swap_store)
    half_written = unfinished(swap_store)  # what the kill -9 above left
    assert set(KILLED) <= set(half_written)
    etag_old = httpx.get(f"{url}/api/v1/works", timeout=60).headers["ETag"]
    known = {d.name for d in (swap_store / BUILDS).iterdir()}
    log = swap_store.parent / "swap-ingest.log"
    started = time.monotonic()
    with (
        Readers(url, ["works", "entities", "count", "count"], pace=0.25) as readers,
        log.open("w") as out,
    ):
        proc = subprocess.Popen(ingest_cmd(swap_store), cwd=ROOT, stdout=out, stderr=out)
        try:
            loading = None  # from when the new build is written, the readers go flat out
            while proc.poll() is None:
                assert time.monotonic() - started < INGEST_S, "the ingest did not finish"
                if loading is None and any(d.name not in known for d in unfinished(swap_store)):
                    loading = readers.hammer()
                time.sleep(0.02)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        swapped = time.monotonic()
        readers.hammer()
        time.sleep(3.0)  # and go on with the new build
    assert proc.returncode == 0, log.read_text()[-3000:]
    assert loading is not None, "the new build was never seen loading"
    after = current_path(swap_store)
    n_new = quads_in(swap_store)
    hammered = [r for r in readers.reads if loading <= r.at <= swapped]
    print(
        f"\ningest under readers: {swapped - started:.1f} s (loading {swapped - loading:.1f} s); "
        f"quads old {n_old}, new {n_new}; reads {readers.summary()}, {len(hammered)} of them "
        "while the new build was loaded and swapped in"
    )
    assert after is not None and after != before and n_new != n_old
    assert_old_or_new(readers, [n_old, n_new])
    counts = readers.of("count")
    assert counts[0].value == n_old and counts[-1].value == n_new
    assert [r for r in counts if r.at > swapped + 1 and r.value != n_new] == []
    assert len([r for r in hammered if r.kind == "count"]) >= 4 and len(hammered) >= 50
    # the ETag names the build: it changed with the swap, and only then
    etags = [r.etag for r in readers.of("works")]
    assert etags[0] == etag_old and len(set(etags)) == 2
    etag_new = httpx.get(f"{url}/api/v1/works", timeout=60).headers["ETag"]
    assert etag_new != etag_old and etags[-1] == etag_new
    # the half-written build of the killed ingest is gone; the previous build is kept
    assert all(not d.exists() for d in [*KILLED, *half_written]) and unfinished(swap_store) == []
    assert before in complete(swap_store) and after in complete(swap_store)
    with httpx.Client(timeout=60) as c:
        assert served_count(c, url) == n_new


def test_readers_during_update_swaps_see_each_graph_whole(
    update_store: Path, update_server: Server
) -> None:
    """SPARQL Update swaps in a new build per update: readers see each graph whole, in order."""
    url, k = update_server.url, 4
    n0 = quads_in(update_store)
    times = []
    with Readers(url, ["works", "count", "count"]) as readers, httpx.Client(timeout=60) as c:
        time.sleep(0.5)
        for i in range(k):
            t = time.monotonic()
            insert = f"INSERT DATA {{ GRAPH <{FAULTS}> {{ <{FAULTS}/s> <{FAULTS}/p> {i} }} }}"
            r = c.post(f"{url}/sparql", content=insert.encode(), headers=UPDATE_HEADERS)
            times.append(time.monotonic() - t)
            assert r.status_code == 204, r.text
        time.sleep(0.5)
    print(f"\n{k} updates, {min(times):.2f}-{max(times):.2f} s each; reads {readers.summary()}")
    assert quads_in(update_store) == n0 + k
    assert_old_or_new(readers, list(range(n0, n0 + k + 1)))
    counts = readers.of("count")
    assert counts[0].value == n0 and counts[-1].value == n0 + k
    assert len({r.value for r in counts}) >= 3  # the readers saw the graph between updates too
    assert len(complete(update_store)) <= store.KEEP and unfinished(update_store) == []


def test_a_full_disk_fails_the_ingest_clearly_and_keeps_the_graph(
    built_store: BuiltStore, work: Path
) -> None:
    source = current_path(built_store[0])
    assert source is not None
    quads = list(Store.read_only(str(source)))
    build_mb = size_mb(source)
    # measured: RocksDB needs about twice a build's size while writing it (~88 MB of
    # tmpfs for a 45 MB build), and so a second build beside the first ~133 MB
    disk_mb = math.ceil(build_mb * 2.45)
    print(f"\nbuild {build_mb:.1f} MB, tmpfs {disk_mb} MB")
    with tmpfs(work / "small-disk", disk_mb) as disk:
        s = disk / "store"
        first = store.build(s, quads)  # one build fits
        assert quads_in(s) == len(quads)
        with Server(s, work / "small-disk-server.log") as server, httpx.Client(timeout=60) as c:
            etag = c.get(f"{server.url}/api/v1/works").headers["ETag"]
            assert served_count(c, server.url) == len(quads)
            r = subprocess.run(
                ingest_cmd(s), cwd=ROOT, capture_output=True, text=True, timeout=INGEST_S
            )
            message = squash(r.stderr)
            print(f"second ingest: exit {r.returncode}; {message[-700:]}")
            assert r.returncode == 1, message[-3000:]
            assert "Traceback" not in r.stderr
            assert "no space left on device" in message.lower()
            assert "previous graph is still in use" in message
            assert "Free space on that disk" in message and "MB free" in message
            assert current_path(s) == first and complete(s) == [first]
            assert unfinished(s) == []  # the half-written build was removed at once
            assert served_count(c, server.url) == len(quads)
            assert c.get(f"{server.url}/api/v1/works").headers["ETag"] == etag
            # a disk with no room at all: the directory check names the disk, not permissions
            with (disk / "filler").open("wb") as f, contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * (1 << 20))
            with pytest.raises(StoreError, match="no space left on device") as e:
                store.build(s, iter(quads))
            assert "permissions" not in str(e.value) and "unchanged" in str(e.value)
            (disk / "filler").unlink()
            assert current_path(s) == first and unfinished(s) == []
            assert served_count(c, server.url) == len(quads)


def test_a_read_only_store_directory_is_a_clear_error_and_loses_nothing(
    built_store: BuiltStore, work: Path
) -> None:
    with tmpfs(work / "ro-disk", 200) as disk:
        s = copy_store(built_store[0], disk / "store")
        before, n = current_path(s), quads_in(s)
        r = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"NOT RUN: needs root to remount a tmpfs read-only ({r.stderr.strip()})")
        with pytest.raises(StoreError) as e:
            store.build(s, iter([]))  # what `dwkg ingest` runs once the graph is made
        message = str(e.value)
        assert "cannot write the store directory" in message
        assert "read-only file system" in message.lower() and "unchanged" in message
        with pytest.raises(StoreError, match="cannot write the store directory"):
            store.derive(s, lambda st: st.update(f"INSERT DATA {{ <{FAULTS}> <{FAULTS}> 1 }}"))
        assert current_path(s) == before and quads_in(s) == n
        # and the read-only graph is served as it was
        with (
            Server(s, work / "ro-server.log", allow_update="true", update_token=TOKEN) as server,
            httpx.Client(timeout=60) as c,
        ):
            assert served_count(c, server.url) == n
            u = c.post(
                f"{server.url}/sparql",
                content=f"INSERT DATA {{ <{FAULTS}> <{FAULTS}> 1 }}".encode(),
                headers=UPDATE_HEADERS,
            )
            print(f"\nupdate on a read-only store: {u.status_code} {u.text[:300]}")
            assert u.status_code >= 400 and "read-only file system" in u.text.lower()
            assert served_count(c, server.url) == n
        assert current_path(s) == before


# ---------------------------------------------------------------- query faults

FLOOD = r"""
import json, sys, threading, httpx
url, n, query = sys.argv[1], int(sys.argv[2]), sys.argv[3]
stop, out = threading.Event(), []
def flood():
    with httpx.Client(timeout=120) as c:
        while not stop.is_set():
            try:
                r = c.post(url + "/sparql", data={"query": query})
            except httpx.HTTPError as e:
                out.append([0, None, repr(e)])
                continue
            problem = r.headers.get("content-type", "").startswith("application/problem+json")
            out.append([r.status_code, r.headers.get("retry-after"),
                        r.json()["title"] if problem else None])
threads = [threading.Thread(target=flood) for _ in range(n)]
for t in threads:
    t.start()
sys.stdin.read()  # until the test closes stdin
stop.set()
for t in threads:
    t.join()
print(json.dumps(out))
"""


def typed_latencies(url: str, calls: list[str]) -> tuple[list[int], list[float]]:
    statuses, seconds = [], []
    with httpx.Client(timeout=60) as c:
        for path in calls:
            t = time.perf_counter()
            r = c.get(url + path)
            seconds.append(time.perf_counter() - t)
            statuses.append(r.status_code)
    return statuses, seconds


def test_a_flood_of_expensive_sparql_is_bounded_and_the_typed_api_keeps_its_latency(
    flood_server: Server,
) -> None:
    url = flood_server.url
    first = httpx.get(f"{url}/api/v1/entities", params={"limit": 3}, timeout=60).json()["items"]
    ids = ["didi", *[e["id"] for e in first]]
    searches = ["platform labour", "data annotation", "content moderation", "Kenya"]
    calls = [
        f"/api/v1/entities/{ids[i % len(ids)]}" if i % 2 else f"/api/v1/search?q={searches[i % 4]}"
        for i in range(40)
    ]
    typed_latencies(url, calls)  # warm: the indexes are built on first use
    base_status, base = typed_latencies(url, calls)
    assert set(base_status) == {200}
    flood = subprocess.Popen(
        [sys.executable, "-c", FLOOD, url, "16", CROSS],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    workers: list[int] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            workers.append(len([p for p in flood_server.children() if _alive(p)]))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        time.sleep(1.5)  # the flood is at full strength
        sampler.start()
        during_status, during = typed_latencies(url, calls)
        time.sleep(max(0.0, 4.0 - sum(during)))  # past one time limit (3 s) at least
    finally:
        sampling.set()
        out, _ = flood.communicate(input="", timeout=60)
    answers = Counter((status, retry, title) for status, retry, title in json.loads(out))
    print(
        f"\ntyped API alone: p50 {p50(base) * 1000:.0f} ms, p95 {p95(base) * 1000:.0f} ms; "
        f"during the flood: p50 {p50(during) * 1000:.0f} ms, p95 {p95(during) * 1000:.0f} ms"
        f"\nflood answers: {dict(answers)}; query workers alive at most {max(workers)}"
    )
    assert set(during_status) == {200}
    assert p95(during) <= 3 * p95(base) + 0.25
    busy = sum(n for (s, retry, title), n in answers.items() if title == "Too many queries")
    stopped = sum(n for (s, _, title), n in answers.items() if title == "Query time limit")
    assert busy > 100 and stopped >= 2
    for (status, retry, title), _n in answers.items():
        assert status == 503, (status, title)  # no 200, no other 5xx, no dropped connection
        assert title in ("Too many queries", "Query time limit")
        if title == "Too many queries":
            assert retry is not None and int(retry) > 0
    assert 0 < max(workers) <= 2  # never more queries at once than sparql_concurrency


def snapshot(url: str) -> dict[str, Any]:
    """A few answers of the service, with the ETags that name the build."""
    with httpx.Client(timeout=60) as c:
        out: dict[str, Any] = {"count": served_count(c, url)}
        for path in (
            "/api/v1/works",
            "/api/v1/entities?limit=5",
            "/api/v1/entities/didi",
            "/api/v1/search?q=platform%20labour",
        ):
            r = c.get(url + path)
            assert r.status_code == 200, r.text
            out[path] = (r.headers["ETag"], r.json())
    return out


def test_a_restart_after_kill_9_serves_the_same_graph(flood_server: Server) -> None:
    before = snapshot(flood_server.url)
    # a runaway query is running when the server dies
    runaway = threading.Thread(
        target=_swallow,
        args=(lambda: httpx.post(f"{flood_server.url}/sparql", data={"query": CROSS}, timeout=30),),
        daemon=True,
    )
    runaway.start()
    time.sleep(0.8)
    workers = flood_server.children()
    assert workers, "the server has no query workers"
    flood_server.kill9()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    orphans = [p for p in workers if _alive(p)]
    for p in orphans:
        os.kill(p, signal.SIGKILL)
    assert orphans == [], "query workers outlived the killed server (still running the query)"
    runaway.join(timeout=30)
    flood_server.start()  # a new process, same port and store
    assert snapshot(flood_server.url) == before


def _swallow(call: Callable[[], object]) -> None:
    with contextlib.suppress(httpx.HTTPError):
        call()


# ---------------------------------------------------------------- the update path

UPDATES = [
    f"INSERT DATA {{ GRAPH <{FAULTS}> {{ <{FAULTS}/a> <{FAULTS}/b> 'c' }} }}",
    "CLEAR ALL",
    "DROP ALL",
    "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
    "INSERT DATA { <https://example.org/a> dw:note 'x' }",
    "CLEAR DEFAULT ; INSERT DATA { <https://example.org/a> <https://example.org/b> 'c' }",
]
# longer than max_query_bytes (100 kB): refused for the token before its size is looked at
BIG = "INSERT DATA { <https://example.org/a> <https://example.org/b> 'c' } ; " * 1600
ENCODINGS = [
    "form",
    "form-charset",
    "body",
    "body-charset",
    "body-case",
    "get",
    "post-url",
    "form-and-query",
]
HEADER_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E)


def _wrong_token() -> st.SearchStrategy[str]:
    near = [
        *(TOKEN[:-1], TOKEN + "x", "x" + TOKEN, TOKEN.upper(), TOKEN[1:], TOKEN * 2),
        *(TOKEN.replace("-", " "), TOKEN.replace("-", ""), TOKEN.replace(".", "\t")),
        *(f"{TOKEN} {TOKEN}", f"{TOKEN} x", f'"{TOKEN}"', f"<{TOKEN}>", "null", "*"),
    ]
    free = st.text(HEADER_CHARS | st.sampled_from(" \t"), min_size=1, max_size=40)
    return (st.sampled_from(near) | free).map(lambda t: t.strip(" \t")).filter(lambda t: t != TOKEN)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


AUTHORIZATION = st.one_of(
    st.none(),  # no Authorization header
    st.sampled_from(["", "Bearer", "bearer", "Bearer ''", "Basic", "Negotiate"]),  # no token
    st.builds(
        lambda s, t: f"{s} {t}",
        st.sampled_from(["Bearer", "bearer", "BEARER", "BeArEr"]),
        _wrong_token(),
    ),
    # the right token, but not as a bearer token
    st.sampled_from(
        [
            *(TOKEN, f"Token {TOKEN}", f"Digest {TOKEN}", f"Bearer {_b64(TOKEN)}"),
            *(f"Basic {_b64(f'user:{TOKEN}')}", f"Basic {_b64(f':{TOKEN}')}", f"Basic {TOKEN}"),
            *(f"Bearer:{TOKEN}", f"Bearer={TOKEN}", f"Bearer\t{TOKEN}", f"Bearer{TOKEN}"),
            *(f"Bearer-{TOKEN}", f"Bearertoken {TOKEN}", f"Basic {_b64(TOKEN)}"),
        ]
    ),
    st.builds(
        lambda s, t: f"{s} {t}", st.text(HEADER_CHARS, min_size=1, max_size=12), _wrong_token()
    ),
).map(lambda a: a if a is None else a.strip())  # HTTP forbids spaces at a value's ends
# the right token where the service does not take it from
ELSEWHERE = st.sampled_from([None, "access_token-url", "access_token-form", "cookie", "x-token"])


@dataclass(frozen=True)
class UpdateRequest:
    encoding: str
    update: str
    authorization: str | None
    elsewhere: str | None

    def __repr__(self) -> str:
        update = (
            self.update
            if len(self.update) < 300
            else f"{self.update[:60]}… ({len(self.update)} chars)"
        )
        return (
            f"UpdateRequest({self.encoding!r}, update={update!r}, "
            f"authorization={self.authorization!r}, elsewhere={self.elsewhere!r})"
        )

    def send(self, c: httpx.Client, url: str) -> httpx.Response:
        headers = {} if self.authorization is None else {"Authorization": self.authorization}
        params: dict[str, str] = {}
        form: dict[str, str] = {"update": self.update}
        if self.elsewhere == "access_token-url":
            params["access_token"] = TOKEN
        elif self.elsewhere == "access_token-form":
            form["access_token"] = TOKEN
        elif self.elsewhere == "cookie":
            headers["Cookie"] = f"token={TOKEN}; update_token={TOKEN}"
        elif self.elsewhere == "x-token":
            headers["X-Update-Token"] = TOKEN
        form_type = "application/x-www-form-urlencoded"
        sparql = f"{url}/sparql"
        match self.encoding:
            case "form":
                return c.post(sparql, data=form, params=params, headers=headers)
            case "form-charset":
                headers["Content-Type"] = form_type + "; charset=UTF-8"
                return c.post(sparql, content=urlencode(form), params=params, headers=headers)
            case "body" | "body-charset" | "body-case":
                headers["Content-Type"] = {
                    "body": "application/sparql-update",
                    "body-charset": "application/sparql-update; charset=utf-8",
                    "body-case": "Application/SPARQL-Update",
                }[self.encoding]
                return c.post(sparql, content=self.update.encode(), params=params, headers=headers)
            case "get":
                return c.get(sparql, params={**form, **params}, headers=headers)
            case "post-url":
                headers["Content-Type"] = form_type
                return c.post(sparql, params={**form, **params}, content=b"", headers=headers)
            case _:
                return c.post(
                    sparql, data={"query": "ASK {}", **form}, params=params, headers=headers
                )


REQUESTS = st.builds(
    UpdateRequest,
    encoding=st.sampled_from(ENCODINGS),
    update=st.sampled_from(UPDATES) | st.text(st.characters(codec="utf-8"), max_size=200),
    authorization=AUTHORIZATION,
    elsewhere=ELSEWHERE,
) | st.builds(  # a big update in a request body (a URL that long fails in the client)
    UpdateRequest,
    encoding=st.sampled_from(["form", "body", "body-charset"]),
    update=st.just(BIG),
    authorization=AUTHORIZATION,
    elsewhere=ELSEWHERE,
)


def test_the_update_path_refuses_every_request_without_the_token(
    update_store: Path, update_server: Server, swap_store: Path, swap_server: Server
) -> None:
    on, off = update_server.url, swap_server.url
    with httpx.Client(timeout=60) as c:
        # the token opens the path on this server (a no-op update: a new build, same quads)
        noop = f"DELETE DATA {{ <{FAULTS}/none> <{FAULTS}/none> 'none' }}"
        r = c.post(f"{on}/sparql", content=noop.encode(), headers=UPDATE_HEADERS)
        assert r.status_code == 204, r.text
        before = {
            "on": (current_path(update_store), served_count(c, on)),
            "off": (current_path(swap_store), served_count(c, off)),
        }
        seen: Counter[tuple[str, str, int]] = Counter()

        @settings(
            max_examples=300,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(req=REQUESTS)
        def refused(req: UpdateRequest) -> None:
            for server, url, expected in (("on", on, 401), ("off", off, 403)):
                r = req.send(c, url)
                seen[(server, req.encoding, r.status_code)] += 1
                allowed = {expected, 400, 405} if req.encoding == "get" else {expected}
                assert r.status_code in allowed, (server, req, r.status_code, r.text[:300])
                assert r.headers["content-type"].startswith("application/problem+json")
                if r.status_code == 401:
                    assert r.headers["WWW-Authenticate"].startswith("Bearer")

        refused()
        after = {
            "on": (current_path(update_store), served_count(c, on)),
            "off": (current_path(swap_store), served_count(c, off)),
        }
    by_status = Counter()
    for (server, _, status), n in seen.items():
        by_status[(server, status)] += n
    print(f"\n{sum(seen.values())} refused update requests: {dict(by_status)}")
    assert after == before  # no build was made, no quad changed
    assert unfinished(update_store) == []


def test_an_update_by_get_is_refused_even_with_the_token(
    update_store: Path, update_server: Server
) -> None:
    url = update_server.url
    before = current_path(update_store)
    insert = f"INSERT DATA {{ GRAPH <{FAULTS}/get> {{ <{FAULTS}/a> <{FAULTS}/b> 'get' }} }}"
    with httpx.Client(timeout=60) as c:
        r = c.get(
            f"{url}/sparql", params={"update": insert}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        changed = current_path(update_store) != before
        if changed:  # put the graph back for whoever comes next
            clear = f"CLEAR GRAPH <{FAULTS}/get>".encode()
            c.post(f"{url}/sparql", content=clear, headers=UPDATE_HEADERS)
    assert r.status_code in (400, 405), r.status_code
    assert not changed
