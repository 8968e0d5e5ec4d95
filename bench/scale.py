"""Growth, measured: ingest and serving at 1×, 10×, 100× the corpus.

    python bench/scale.py --factors 1,10,100 [--requests N] [--seed 1] [--keep DIR]

For each factor: generate the corpus with bench/synth.py in a temporary folder, ingest
it (``python -m service.cli ingest`` as a child process, the curated folder pointed at
the generated one) measuring wall time, CPU time (the child's and its own children's:
HermiT runs in Java), works/s, passages/s and quads/s, the size of the build on disk and
the child's peak RSS; then serve it on loopback (``dwkg serve``) and time, one client,
the typed-API mix and the named queries (every query of ``GET /api/v1/queries`` with
its first example). Then the same service on Oxigraph's server: the build dumped to
N-Quads (``oxigraph dump``), loaded into a fresh Oxigraph store (``oxigraph load``),
served by ``oxigraph serve-read-only --union-default-graph`` and our API on top of it
with ``DWKG_SPARQL_ENDPOINT``. One table at the end, with the ratios of each row to the
1× embedded row (the baseline).

The machine may be shared: the load average is printed with each row, and CPU seconds
are given beside wall seconds because they are what a busy machine distorts least.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.service import Call, free_port, run, wait  # noqa: E402
from bench.synth import CURATED, generate  # noqa: E402
from ingest import manifest  # noqa: E402
from ingest.build import read_document  # noqa: E402
from ingest.model import Kind  # noqa: E402
from ingest.store import current_path  # noqa: E402

CORPUS = ROOT / "corpus"
JSON = {"Accept": "application/json"}


@dataclass
class Child:
    """What one child process cost: wall and CPU seconds, peak RSS, its output."""

    seconds: float
    cpu: float
    peak_mb: float
    returncode: int
    output: str


def run_child(args: list[str], env: dict[str, str] | None = None) -> Child:
    """Run a command; its rusage comes from ``wait4`` (its own children included)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Child(
        seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, text
    )


def du_mb(path: Path) -> float:
    """Disk usage of a folder, as ``du`` counts it (allocated blocks), MB."""
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
            except FileNotFoundError:
                continue
    return total / 1e6


def counts(store_dir: Path) -> dict[str, int]:
    """Works, passages (every block with its text: paragraphs, notes, headings, entries …)
    and quads of the build in use."""
    from pyoxigraph import Store

    path = current_path(store_dir)
    assert path is not None
    store = Store.read_only(str(path))
    dw = "https://w3id.org/datawork-kg/ontology#"
    out: dict[str, int] = {}
    for name, pattern in (("works", f"?x <{dw}workId> ?id"), ("passages", f"?x <{dw}kind> ?k")):
        q = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"
        rows = store.query(q, use_default_graph_as_union=True)
        out[name] = int(next(iter(rows))["n"].value)  # type: ignore[arg-type]
    out["quads"] = len(store)
    del store
    return out


# ---------------------------------------------------------------- the request mixes


def passage_ids() -> list[str]:
    """Ids of a few passages of the real works (the same at every factor)."""
    entries = {e.id: e for e in manifest.load(CORPUS)}
    out = []
    for wid, k in (("000", 3), ("003", 200), ("004", 5)):
        doc = read_document(entries[wid], CORPUS)
        paragraphs = [b for b in doc.blocks if b.kind is Kind.PARAGRAPH]
        out.append(f"{wid}-{paragraphs[k].iri_key}")
    return out


def api_mix() -> list[Call]:
    """The typed API: entity lists and search, entity detail, passage search, citation
    lookup, the works, single passages. The same requests at every factor."""
    q = urllib.parse.quote
    calls: list[Call] = [
        ("GET", "/api/v1/entities?limit=50", JSON, None),
        ("GET", "/api/v1/entities?q=data%20labelling&limit=20", JSON, None),
        ("GET", "/api/v1/entities?q=platform&type=Actor&limit=20", JSON, None),
        ("GET", "/api/v1/entities/didi", JSON, None),
        ("GET", "/api/v1/entities/inland-sourcing", JSON, None),
        ("GET", "/api/v1/search?q=" + q("student interns annotating data"), JSON, None),
        ("GET", "/api/v1/search?q=" + q("Who founded the Tech Workers Coalition"), JSON, None),
        ("GET", "/api/v1/cite?q=" + q("In a process we call 'inland-sourcing'"), JSON, None),
        ("GET", "/api/v1/cite?q=" + q("ghost work"), JSON, None),
        ("GET", "/api/v1/works", JSON, None),
    ]
    calls += [("GET", f"/api/v1/passages/{pid}", JSON, None) for pid in passage_ids()]
    return calls


def named_mix(base: str) -> list[Call]:
    """Every named query the service lists, with its first example's parameters."""
    r = httpx.get(f"{base}/api/v1/queries", headers=JSON, timeout=120)
    r.raise_for_status()
    calls: list[Call] = []
    for item in r.json()["items"]:
        required = [p["name"] for p in item["params"] if p["required"]]
        params = dict(item["examples"][0]) if item["examples"] else {}
        if any(p not in params for p in required):
            continue
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        calls.append(("GET", f"/api/v1/queries/{item['name']}{query}", JSON, None))
    return calls


@dataclass
class Serving:
    api: dict[str, float] = field(default_factory=dict)
    named: dict[str, float] = field(default_factory=dict)
    warmup_s: float = 0.0
    note: str = ""


def measure(base: str, requests: int) -> Serving:
    api, named = api_mix(), named_mix(base)
    started = time.perf_counter()
    # warm up: the entity, passage and citation indexes are built on first use
    run(base, api + named, 1, len(api) + len(named))
    warm = time.perf_counter() - started
    out = Serving(warmup_s=warm)
    out.api = run(base, api, 1, max(requests, len(api)))
    out.named = run(base, named, 1, max(requests, len(named)))
    errors = int(out.api["errors"] + out.named["errors"])
    if errors:
        out.note = f"{errors} request(s) answered 4xx/5xx"
    return out


def serve(store: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--store", str(store)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait(f"{base}/health")
    return proc, base


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def remote_available() -> bool:
    """Is the remote-backend setting (``DWKG_SPARQL_ENDPOINT``) a field of Settings?"""
    from service.settings import Settings

    return "sparql_endpoint" in Settings.model_fields


# ---------------------------------------------------------------- one factor


@dataclass
class Row:
    factor: int
    backend: str
    works: int = 0
    passages: int = 0
    quads: int = 0
    ingest_s: float = 0.0
    cpu_s: float = 0.0
    store_mb: float = 0.0
    peak_mb: float = 0.0
    serving: Serving | None = None
    load: float = 0.0
    note: str = ""

    @property
    def quads_per_s(self) -> float:
        return self.quads / self.ingest_s if self.ingest_s else 0.0


def embedded(factor: int, tmp: Path, seed: int, requests: int) -> tuple[Row, Path]:
    corpus, store = tmp / f"corpus-{factor}", tmp / f"store-{factor}"
    t = time.perf_counter()
    summary = generate(factor, corpus, seed=seed)
    print(f"  ×{factor}: generated {summary.works} works in {time.perf_counter() - t:.1f} s")
    env = {"DWKG_CURATED_DIR": str(corpus / CURATED)}
    args = [sys.executable, "-m", "service.cli", "ingest", "--corpus", str(corpus)]
    child = run_child([*args, "--store", str(store)], env)
    if child.returncode != 0:
        raise SystemExit(f"ingest ×{factor} failed:\n{child.output[-3000:]}")
    build = current_path(store)
    assert build is not None
    row = Row(factor, "embedded", ingest_s=child.seconds, cpu_s=child.cpu, peak_mb=child.peak_mb)
    row.load = os.getloadavg()[0]
    row.store_mb = du_mb(build)
    c = counts(store)
    row.works, row.passages, row.quads = c["works"], c["passages"], c["quads"]
    print(
        f"  ×{factor}: ingest {child.seconds:.1f} s wall, {child.cpu:.1f} s CPU, "
        f"{row.quads} quads, peak RSS {child.peak_mb:.0f} MB (load {row.load:.1f})"
    )
    proc, base = serve(store, {})
    try:
        row.serving = measure(base, requests)
    finally:
        stop(proc)
    row.note = row.serving.note
    shutil.rmtree(corpus)
    return row, store


def oxigraph(factor: int, tmp: Path, store: Path, base_row: Row, requests: int) -> Row:
    """The same build on Oxigraph's server, our API on top (DWKG_SPARQL_ENDPOINT)."""
    row = Row(factor, "oxigraph", base_row.works, base_row.passages, base_row.quads)
    oxi = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    build = current_path(store)
    assert build is not None
    dump, location = tmp / f"dump-{factor}.nq", tmp / f"oxigraph-{factor}"
    d = run_child([oxi, "dump", "--location", str(build), "--file", str(dump)])
    if d.returncode != 0:
        raise SystemExit(f"oxigraph dump failed:\n{d.output[-2000:]}")
    ld = run_child([oxi, "load", "--location", str(location), "--file", str(dump)])
    if ld.returncode != 0:
        raise SystemExit(f"oxigraph load failed:\n{ld.output[-2000:]}")
    dump.unlink()
    row.ingest_s, row.cpu_s = d.seconds + ld.seconds, d.cpu + ld.cpu
    row.peak_mb, row.store_mb = max(d.peak_mb, ld.peak_mb), du_mb(location)
    row.load = os.getloadavg()[0]
    port = free_port()
    server = subprocess.Popen(
        [oxi, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    empty = tmp / f"no-store-{factor}"
    empty.mkdir()
    try:
        wait(f"http://127.0.0.1:{port}/")
        env = {"DWKG_SPARQL_ENDPOINT": f"http://127.0.0.1:{port}/query"}
        proc, base = serve(empty, env)
        try:
            row.serving = measure(base, requests)
        finally:
            stop(proc)
    finally:
        stop(server)
        shutil.rmtree(location, ignore_errors=True)
    row.note = row.serving.note if row.serving else ""
    return row


# ---------------------------------------------------------------- the table


def table(rows: list[Row]) -> str:
    base = rows[0]
    assert base.serving is not None
    head = (
        f"{'factor':>6} {'backend':9} {'works':>6} {'passages':>8} {'quads':>9} {'ingest s':>8} "
        f"{'CPU s':>7} {'quads/s':>8} {'store MB':>8} {'RSS MB':>7} {'api p50':>7} {'p99':>7} "
        f"{'named p50':>9} {'p99':>7} | {'×ingest':>7} {'×CPU':>6} {'×quads':>6} {'×store':>6} "
        f"{'×RSS':>5} {'×api50':>6} {'×api99':>6} {'×nq50':>6} {'×nq99':>6}  load"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        s = r.serving
        api50 = s.api["p50"] if s else float("nan")
        api99 = s.api["p99"] if s else float("nan")
        nq50 = s.named["p50"] if s else float("nan")
        nq99 = s.named["p99"] if s else float("nan")
        b = base.serving
        lines.append(
            f"{r.factor:>5}× {r.backend:9} {r.works:>6} {r.passages:>8} {r.quads:>9} "
            f"{r.ingest_s:>8.1f} {r.cpu_s:>7.1f} {r.quads_per_s:>8.0f} {r.store_mb:>8.1f} "
            f"{r.peak_mb:>7.0f} {api50:>7.1f} {api99:>7.1f} {nq50:>9.1f} {nq99:>7.1f} | "
            f"{r.ingest_s / base.ingest_s:>7.2f} {r.cpu_s / base.cpu_s:>6.2f} "
            f"{r.quads / base.quads:>6.2f} {r.store_mb / base.store_mb:>6.2f} "
            f"{r.peak_mb / base.peak_mb:>5.2f} {api50 / b.api['p50']:>6.2f} "
            f"{api99 / b.api['p99']:>6.2f} {nq50 / b.named['p50']:>6.2f} "
            f"{nq99 / b.named['p99']:>6.2f}  {r.load:4.1f}" + (f"  {r.note}" if r.note else "")
        )
    return "\n".join(lines)


LEGEND = """\
Latencies in ms, one client, after a warm-up pass (p50/p99 over --requests requests per mix).
Ratios (×…) are to the first row, the 1× embedded build (the baseline).
embedded: `dwkg ingest` into the embedded store (wall and CPU s, CPU including HermiT's Java;
  peak RSS of the ingest process tree's largest member), served by `dwkg serve` on it.
oxigraph: the same build dumped to N-Quads and loaded into Oxigraph (`oxigraph dump` + `oxigraph
  load`: the 'ingest' columns are that step, on top of the embedded ingest; store MB is Oxigraph's
  folder), served by `oxigraph serve-read-only --union-default-graph` and `dwkg serve` with
  DWKG_SPARQL_ENDPOINT on top.
load: the 1-minute load average when the row's ingest finished (the machine may be shared)."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--factors", default="1,10", help="comma-separated, e.g. 1,10,100")
    ap.add_argument("--requests", type=int, default=100, help="requests per mix and row")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep the stores")
    ap.add_argument("--no-remote", action="store_true", help="skip the Oxigraph rows")
    args = ap.parse_args()
    factors = [int(f) for f in args.factors.split(",")]
    remote = not args.no_remote and remote_available()
    if not args.no_remote and not remote:
        print("remote backend not available (no DWKG_SPARQL_ENDPOINT in service/settings.py)")
    rows: list[Row] = []
    tmp_ctx = tempfile.TemporaryDirectory(prefix="dwkg-scale-") if args.keep is None else None
    tmp = Path(tmp_ctx.name) if tmp_ctx else args.keep
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        for factor in factors:
            row, store = embedded(factor, tmp, args.seed, args.requests)
            rows.append(row)
            if remote:
                rows.append(oxigraph(factor, tmp, store, row, args.requests))
            if tmp_ctx is not None:
                shutil.rmtree(store, ignore_errors=True)
            print(table(rows), flush=True)
    finally:
        if tmp_ctx is not None:
            tmp_ctx.cleanup()
    print()
    print(table(rows))
    print(LEGEND)
    out = {"rows": [{k: v for k, v in vars(r).items() if k != "serving"} | (
        {"api": r.serving.api, "named": r.serving.named, "warmup_s": r.serving.warmup_s}
        if r.serving else {}) for r in rows]}  # fmt: skip
    print(json.dumps(out))


if __name__ == "__main__":
    main()
