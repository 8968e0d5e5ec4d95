"""Service throughput and latency on loopback, against Oxigraph's own server.

    python bench/service.py [--store var/store] [--requests 200]

Starts `dwkg serve` on the store and `oxigraph serve-read-only` (the `oxigraph` PyPI
package, same engine version) on the same build, then runs, at 1, 8 and 32 concurrent
clients: the typed-API mix (entity search, entity detail, passage, passage search, a
named query through the API) on ours, and the named-SPARQL mix (every named query with
its first example bound) on both. Prints requests per second, p50 and p99 latency, the
share of requests refused (503: the concurrency bound doing its job), and the ratios of
ours to Oxigraph on the same SPARQL mix.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest import build  # noqa: E402
from ingest.store import current_path  # noqa: E402
from ontology import base_iri  # noqa: E402
from service import catalogue  # noqa: E402

Call = tuple[str, str, dict[str, str], bytes | None]  # method, path, headers, body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(url: str) -> None:
    for _ in range(300):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def sparql_mix() -> list[Call]:
    calls: list[Call] = []
    for q in catalogue.load(ROOT / "queries").values():
        params = dict(q.examples[0]) if q.examples else {}
        text = q.bind(params, base_iri())
        headers = {
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        }
        calls.append(("POST", "/sparql", headers, text.encode()))
    return calls


def api_mix() -> list[Call]:
    h = {"Accept": "application/json"}
    return [
        ("GET", "/api/v1/entities?q=deep%20labor", h, None),
        ("GET", "/api/v1/entities?q=graduated%20sovereignity&type=Concept", h, None),
        ("GET", "/api/v1/entities/didi", h, None),
        ("GET", "/api/v1/entities/inland-sourcing", h, None),
        ("GET", "/api/v1/search?q=Who%20founded%20the%20Tech%20Workers%20Coalition", h, None),
        ("GET", "/api/v1/queries/concept-credits?concept=deep-labour", h, None),
        ("GET", "/api/v1/works/003", h, None),
    ]


def run(base: str, calls: list[Call], clients: int, total: int) -> dict[str, float]:
    latencies: list[float] = []
    refused = 0
    errors = 0
    lock = threading.Lock()
    per_client = max(1, total // clients)

    def worker(k: int) -> None:
        nonlocal refused, errors
        with httpx.Client(base_url=base, timeout=120) as c:
            for i in range(per_client):
                method, path, headers, body = calls[(k + i) % len(calls)]
                t = time.perf_counter()
                r = c.request(method, path, headers=headers, content=body)
                dt = time.perf_counter() - t
                with lock:
                    if r.status_code == 503:
                        refused += 1
                    elif r.status_code >= 400:
                        errors += 1
                    else:
                        latencies.append(dt)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    done = len(latencies)
    q = statistics.quantiles(latencies, n=100) if done > 1 else [0.0] * 99
    return {
        "rps": done / wall,
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "refused": refused / (done + refused + errors),
        "errors": errors,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=ROOT / "var" / "store")
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    if current_path(args.store) is None:
        build.ingest(ROOT / "corpus", args.store)
    path = current_path(args.store)
    assert path is not None
    oxi = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(oxi).exists():
        sys.exit("the baseline needs Oxigraph's server: pip install 'oxigraph>=0.5,<0.6'")
    ours_port, oxi_port = free_port(), free_port()
    env = {**os.environ, "DWKG_SPARQL_CONCURRENCY": "8"}
    ours = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--port",
            str(ours_port),
            "--store",
            str(args.store),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    theirs = subprocess.Popen(
        [
            oxi,
            "serve-read-only",
            "--location",
            str(path),
            "--bind",
            f"127.0.0.1:{oxi_port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait(f"http://127.0.0.1:{ours_port}/health")
        wait(f"http://127.0.0.1:{oxi_port}/")
        ours_url, oxi_url = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{oxi_port}"
        oxi_calls = [(m, "/query", h, b) for m, _, h, b in sparql_mix()]
        # warm up: indexes are built on first use, caches filled, workers spawned
        run(ours_url, api_mix() + sparql_mix(), 1, len(api_mix()) + len(sparql_mix()))
        run(oxi_url, oxi_calls, 1, len(oxi_calls))
        print(
            f"{'target':22} {'mix':6} {'clients':>7} {'req/s':>8} {'p50 ms':>8} "
            f"{'p99 ms':>8} {'503':>5} {'ratio rps':>9} {'ratio p50':>9}"
        )
        for clients in (1, 8, 32):
            api = run(ours_url, api_mix(), clients, args.requests)
            mine = run(ours_url, sparql_mix(), clients, args.requests)
            base = run(oxi_url, oxi_calls, clients, args.requests)
            for name, mix, r in (
                ("datawork-kg", "api", api),
                ("datawork-kg", "sparql", mine),
                ("oxigraph serve-ro", "sparql", base),
            ):
                ratio = ""
                if name == "datawork-kg" and mix == "sparql":
                    ratio = f"{r['rps'] / base['rps']:9.2f} {r['p50'] / base['p50']:9.2f}"
                print(
                    f"{name:22} {mix:6} {clients:7} {r['rps']:8.1f} {r['p50']:8.1f} "
                    f"{r['p99']:8.1f} {r['refused']:5.0%} {ratio}"
                )
    finally:
        for p in (ours, theirs):
            p.terminate()
            p.wait(timeout=20)


if __name__ == "__main__":
    main()
