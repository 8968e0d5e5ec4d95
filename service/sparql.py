"""Running untrusted SPARQL: in worker processes that can be killed at the time limit.

pyoxigraph has no query timeout or cancellation, and a result must not leave the thread
(here: the process) that ran the query. So each query runs in a worker process that has
the store open read-only, consumes the result there, applies the row cap, serialises the
answer in the requested format and sends back bytes. A query past the time limit is
stopped by killing its worker (a fresh one takes its place); a bounded number of workers
bounds the concurrent queries, and the caller answers 503 beyond it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import multiprocessing as mp
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    serialize,
)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/n-quads": RdfFormat.N_QUADS,
}
MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}

FORBIDDEN = re.compile(r"\b(SERVICE|LOAD)\b", re.IGNORECASE)
FROM = re.compile(r"\bFROM\b", re.IGNORECASE)


class SparqlError(Exception):
    """Base of what a query can fail with (mapped to HTTP statuses by the service)."""


class Malformed(SparqlError):
    """The query does not parse (400); the message is the parser's."""


class Forbidden(SparqlError):
    """The query uses something this endpoint refuses (400)."""


class Timeout(SparqlError):
    """The query ran past the time limit and was stopped."""


class Busy(SparqlError):
    """Every worker is busy; try again shortly (503 with Retry-After)."""


class Failed(SparqlError):
    """The query failed while running."""


class Upstream(Failed):
    """The remote SPARQL endpoint could not be reached or failed (502)."""


class Unacceptable(SparqlError):
    """The answer cannot be written in the asked format (406)."""


class ShuttingDown(SparqlError):
    """The server is shutting down: the query was refused or ended (503 with Retry-After)."""


def query_timeout(limit: float) -> Timeout:
    """The error of a query stopped at ``limit`` seconds, with what to do about it."""
    return Timeout(
        f"the query ran for more than {limit:g} s and was stopped; narrow it "
        "(add a LIMIT, bind a variable, or use a named query)"
    )


SHUTTING_DOWN = "the server is shutting down; retry on another instance"
POLL_S = 0.25  # how often a waiting query looks whether the pool is shutting down
STARTUP_S = 60.0  # the longest a new query or update process may take to start


@dataclass(frozen=True)
class Request:
    query: str
    store_path: str
    result_format: str = "json"  # for SELECT and ASK: json, xml, csv, tsv
    graph_format: str = "text/turtle"  # for CONSTRUCT and DESCRIBE
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 10_000
    prefixes: tuple[tuple[str, str], ...] = ()  # default prefixes (dw:, id: ...)


@dataclass(frozen=True)
class Result:
    body: bytes
    media_type: str
    kind: str  # "solutions", "boolean", "graph"
    rows: int
    truncated: bool


def strip_literals(sparql: str) -> str:
    """The query without string literals, IRIs and comments (to look for keywords)."""
    return re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|<[^<>\s]*>|#[^\n]*", " ", sparql)


def check_allowed(sparql: str) -> None:
    m = FORBIDDEN.search(strip_literals(sparql))
    if m:
        raise Forbidden(
            f"{m.group(1).upper()} is not allowed on this endpoint: it would make the server "
            "fetch other data. Query the graph held here, or run your own endpoint."
        )


def execute(store: Store, req: Request) -> Result:
    """Run one query on an open store and serialise the answer (in the calling process)."""
    kwargs: dict[str, Any] = {"prefixes": dict(req.prefixes)} if req.prefixes else {}
    if req.default_graphs:
        kwargs["default_graph"] = [NamedNode(g) for g in req.default_graphs]
    elif not FROM.search(strip_literals(req.query)):
        # no dataset from the protocol or the query (FROM / FROM NAMED): all graphs
        kwargs["use_default_graph_as_union"] = True
    if req.named_graphs:
        kwargs["named_graphs"] = [NamedNode(g) for g in req.named_graphs]
    try:
        result = store.query(req.query, **kwargs)
    except (SyntaxError, RuntimeError) as e:  # RuntimeError: an unsupported custom function
        raise Malformed(str(e)) from e
    try:
        if isinstance(result, QueryBoolean):
            return boolean(bool(result), req.result_format)
        if isinstance(result, QuerySolutions):
            return solutions(result, req)
        assert isinstance(result, QueryTriples)
        return graph(result, req)
    except OSError as e:
        raise Failed(str(e)) from e


def boolean(value: bool, fmt: str) -> Result:
    text = "true" if value else "false"
    if fmt == "xml":
        body = (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{text}</boolean></sparql>\n"
        )
    elif fmt in ("csv", "tsv"):
        body = f"{'_askResult' if fmt == 'csv' else '?_askResult'}\r\n{text}\r\n"
    else:
        body = json.dumps({"head": {}, "boolean": value})
    return Result(body.encode(), MEDIA[fmt], "boolean", 1, False)


def solutions(result: QuerySolutions, req: Request) -> Result:
    names = [v.value for v in result.variables]
    rows: list[list[Any]] = []
    truncated = False
    for sol in result:
        if len(rows) == req.max_rows:
            truncated = True
            break
        rows.append([sol[n] for n in names])
    body = SERIALIZERS[req.result_format](names, rows, truncated)
    return Result(body, MEDIA[req.result_format], "solutions", len(rows), truncated)


def graph(result: Iterable[Any], req: Request) -> Result:
    triples: list[Any] = []
    truncated = False
    for t in result:
        if len(triples) == req.max_rows:
            truncated = True
            break
        triples.append(t)
    fmt = GRAPH_TYPES[req.graph_format]
    try:
        body = serialize(triples, format=fmt) or b""
    except OSError as e:  # "JSON-LD does not support RDF 1.2 yet" (a triple term)
        raise Unacceptable(f"the answer cannot be written as {req.graph_format}: {e}") from e
    return Result(body, req.graph_format, "graph", len(triples), truncated)


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _to_json(names: list[str], rows: list[list[Any]], truncated: bool) -> bytes:
    bindings = [
        {n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None} for row in rows
    ]
    doc: dict[str, Any] = {"head": {"vars": names}, "results": {"bindings": bindings}}
    if truncated:
        doc["truncated"] = True
    return json.dumps(doc, ensure_ascii=False).encode()


def _xml_term(term: Any) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _to_xml(names: list[str], rows: list[list[Any]], truncated: bool) -> bytes:
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    parts += [f"<variable name={quoteattr(n)}/>" for n in names]
    if truncated:
        parts.append('<link href="#truncated"/>')
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        for n, t in zip(names, row, strict=True):
            if t is not None:
                parts.append(f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode()


def _to_csv(names: list[str], rows: list[list[Any]], truncated: bool) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(names)
    for row in rows:
        w.writerow(["" if t is None else getattr(t, "value", str(t)) for t in row])
    return buf.getvalue().encode()


def _to_tsv(names: list[str], rows: list[list[Any]], truncated: bool) -> bytes:
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


SERIALIZERS = {"json": _to_json, "xml": _to_xml, "csv": _to_csv, "tsv": _to_tsv}


# ---------------------------------------------------------------- worker processes


def execute_deep(store: Store, req: Request) -> Result:
    """``execute`` on a thread with a stack of 8 KiB per character of query (64 MiB to 1 GiB).

    pyoxigraph parses, plans and evaluates recursively: thousands of ``{``, ``(`` or ``!``
    overflow a thread's default 8 MB stack, and that kills the process (measured: at
    most ~3 KiB per character, so 1 GiB holds any query of the default
    max_query_bytes). Only the pages touched are used; the stack is unmapped when the
    thread ends.
    """
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(execute(store, req))
        except BaseException as e:  # raised again in the calling thread
            out.append(e)

    threading.stack_size(min(1 << 30, max(64 << 20, 8192 * len(req.query))))
    t = threading.Thread(target=run, name="query")
    t.start()
    t.join()
    if isinstance(out[0], BaseException):
        raise out[0]
    result: Result = out[0]
    return result


def _worker(conn: Connection) -> None:
    import os

    # below the API process: a flood of expensive queries burns these workers' CPU,
    # never the typed API's (which then keeps its latency on a small machine)
    with contextlib.suppress(OSError):
        os.nice(10)
    parent = os.getppid()

    def orphaned() -> None:
        # the server died (kill -9, OOM) and can no longer stop a runaway query at the time
        # limit: end with it instead of burning a CPU for hours (the query releases the GIL)
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=orphaned, name="orphan-watch", daemon=True).start()
    stores: dict[str, Store] = {}
    conn.send(("started", None))  # imports done: the pool starts a query's clock from here
    while True:
        try:
            req = conn.recv()
        except EOFError:
            return
        if req is None:
            return
        try:
            store = stores.get(req.store_path)
            if store is None:
                stores.clear()  # the graph was swapped by an ingest: open the new one
                store = stores[req.store_path] = Store.read_only(req.store_path)
            conn.send(("ok", execute_deep(store, req)))
        except Malformed as e:
            conn.send(("malformed", str(e)))
        except Unacceptable as e:
            conn.send(("unacceptable", str(e)))
        except Exception as e:  # everything else the query did, reported, never fatal
            conn.send(("failed", f"{type(e).__name__}: {e}"))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    started: bool = False  # has said it is up (a spawned worker takes seconds to import)


@dataclass
class Pool:
    """A fixed number of query workers; a query past ``timeout_s`` kills its worker.

    ``shutdown`` (on SIGTERM or SIGINT, from the signal handler) refuses new queries and
    kills the workers running one, so that their callers answer at once with
    ``ShuttingDown`` instead of holding the shutdown up to the time limit.
    """

    size: int
    timeout_s: float
    idle: queue.Queue[_Worker] = field(default_factory=queue.Queue)
    slots: threading.BoundedSemaphore = field(init=False)
    _ctx: Any = field(default_factory=lambda: mp.get_context("spawn"))
    _all: list[_Worker] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    observer: Callable[[Result], None] | None = None  # told of every answer (request logs)
    _busy: dict[int, _Worker] = field(default_factory=dict)  # running a query, by id()
    _closing: bool = False

    def __post_init__(self) -> None:
        self.slots = threading.BoundedSemaphore(self.size)
        for _ in range(self.size):
            self.idle.put(self._spawn())

    @property
    def closing(self) -> bool:
        return self._closing

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker, args=(child,), daemon=True)
        process.start()
        child.close()
        w = _Worker(process, parent)
        with self._lock:
            self._all.append(w)
        return w

    def _retire(self, w: _Worker) -> None:
        w.process.kill()
        w.process.join(timeout=5)
        w.conn.close()
        with self._lock:
            if w in self._all:
                self._all.remove(w)

    def _replace(self, w: _Worker) -> None:
        """Kill ``w``; a fresh worker takes its place unless the pool is shutting down."""
        self._retire(w)
        if not self._closing:
            self.idle.put(self._spawn())

    def _take(self) -> _Worker:
        """An idle, live worker (a dead one is replaced); ShuttingDown once closing."""
        while True:
            if self._closing:
                raise ShuttingDown(SHUTTING_DOWN)
            try:
                w = self.idle.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if self._closing:
                self.idle.put(w)
                raise ShuttingDown(SHUTTING_DOWN)
            if w.process.is_alive():
                return w
            self._retire(w)
            return self._spawn()

    def _wait_started(self, w: _Worker) -> bool:
        """Whether ``w`` is up (its imports done), waiting for it if it is new: a
        query's time limit counts from then. False on shutdown or past STARTUP_S."""
        if w.started:
            return True
        deadline = time.monotonic() + STARTUP_S
        while not w.conn.poll(POLL_S):
            if self._closing or time.monotonic() >= deadline:
                return False
        w.conn.recv()  # ("started", None); EOFError if it died
        w.started = True
        return True

    def _wait(self, w: _Worker, limit: float) -> bool:
        """Whether ``w`` answered (or died) within ``limit``: False at the limit or shutdown."""
        deadline = time.monotonic() + limit
        while True:
            left = deadline - time.monotonic()
            if w.conn.poll(max(0.0, min(left, POLL_S))):
                return True
            if self._closing or time.monotonic() >= deadline:
                return False

    def run(self, req: Request, timeout_s: float | None = None) -> Result:
        if self._closing:
            raise ShuttingDown(SHUTTING_DOWN)
        if not self.slots.acquire(blocking=False):
            raise Busy(f"all {self.size} query workers are busy")
        try:
            w = self._take()
            limit = self.timeout_s if timeout_s is None else timeout_s
            self._busy[id(w)] = w
            answered, status, payload = False, "", None
            try:
                started = self._wait_started(w)
                if started:
                    w.conn.send(req)
                    answered = self._wait(w, limit)
                    if answered:
                        status, payload = w.conn.recv()
            except (EOFError, OSError) as e:
                self._replace(w)
                if self._closing:
                    raise ShuttingDown(SHUTTING_DOWN) from e
                raise Failed("the query worker stopped while running the query") from e
            finally:
                self._busy.pop(id(w), None)
            if not answered:
                self._replace(w)
                if self._closing:
                    raise ShuttingDown(SHUTTING_DOWN)
                if not started:
                    raise Failed(f"a query worker did not start in {STARTUP_S:g} s")
                raise query_timeout(limit)
            self.idle.put(w)
            _raise_for(status, payload)
            assert isinstance(payload, Result)
            if self.observer is not None:
                self.observer(payload)
            return payload
        finally:
            self.slots.release()

    def warm(self, req: Request) -> int:
        """Run ``req`` (a trivial query) on every idle worker at once: each has then
        imported its modules and opened the store before real queries come. Returns how
        many answered it."""
        taken: list[_Worker] = []
        while len(taken) < self.size and not self._closing:
            try:
                taken.append(self.idle.get_nowait())
            except queue.Empty:
                break
        sent: list[_Worker] = []
        for w in taken:
            try:
                if self._wait_started(w):
                    w.conn.send(req)
                    sent.append(w)
                    continue
            except (EOFError, OSError):
                pass
            self._replace(w)
        warmed = 0
        for w in sent:
            status = None
            with contextlib.suppress(EOFError, OSError):
                if self._wait(w, self.timeout_s):
                    status, _ = w.conn.recv()
            if status is None:
                self._replace(w)
                continue
            self.idle.put(w)
            warmed += status == "ok"
        return warmed

    def shutdown(self) -> None:
        """Refuse new queries and end the running ones now (their ``run`` raises
        ``ShuttingDown``). Safe in a signal handler: it takes no lock and waits for
        nothing; ``close`` reaps the workers."""
        self._closing = True
        for w in list(self._busy.values()):
            with contextlib.suppress(Exception):
                w.process.kill()

    def close(self) -> None:
        self._closing = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            with contextlib.suppress(OSError):
                w.conn.send(None)
            self._retire(w)


# ---------------------------------------------------------------- updates


def _update_worker(conn: Connection, store_dir: str, update: str, prefixes: dict[str, str]) -> None:
    from ingest.store import StoreBusy, derive

    conn.send(("started", None))  # the time limit counts from here, not from the spawn
    try:
        derive(Path(store_dir), lambda store: store.update(update, prefixes=prefixes))
        conn.send(("ok", ""))
    except SyntaxError as e:
        conn.send(("malformed", str(e)))
    except StoreBusy as e:
        conn.send(("busy", str(e)))
    except Exception as e:
        conn.send(("failed", f"{type(e).__name__}: {e}"))


def run_update(
    store_dir: Path, update: str, timeout_s: float, prefixes: dict[str, str] | None = None
) -> None:
    """Apply a SPARQL Update as a new build of the graph, in a process that can be killed.

    The change is made on a checkpoint of the graph in use and swapped in whole when it
    is done (``ingest.store.derive``): readers never see half an update, and an update
    stopped at the time limit leaves the graph as it was.
    """
    check_allowed(update)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(
        target=_update_worker, args=(child, str(store_dir), update, prefixes or {}), daemon=True
    )
    process.start()
    child.close()
    try:
        try:
            if parent.poll(STARTUP_S):
                parent.recv()  # "started"
            if not parent.poll(timeout_s):
                raise Timeout(
                    f"the update ran for more than {timeout_s:g} s and was stopped; the graph "
                    "is unchanged. Split it into smaller updates."
                )
            status, message = parent.recv()
        except EOFError as e:
            raise Failed("the update process stopped; the graph is unchanged") from e
    finally:
        process.kill()
        process.join(timeout=5)
        parent.close()
    _raise_for(status, message)


def _raise_for(status: str, payload: Any) -> None:
    """A worker's answer that is not ``ok``, as the error it stands for."""
    if status == "malformed":
        raise Malformed(payload)
    if status == "busy":
        raise Busy(payload)
    if status == "unacceptable":
        raise Unacceptable(payload)
    if status != "ok":
        raise Failed(payload)


def store_path(store_dir: Path) -> str:
    from ingest.store import current_path

    path = current_path(store_dir)
    if path is None:
        from ingest.errors import StoreError

        raise StoreError(f"no graph in {store_dir}: run 'dwkg ingest --store {store_dir}' first")
    return str(path)
