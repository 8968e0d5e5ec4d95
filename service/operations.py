"""Running the service: readiness, request ids, structured logs, graceful shutdown.

- ``/health`` says the process answers; ``/ready`` says it answers at normal latency:
  the graph is open, the indexes the requests use (passages, entities, quotations,
  bibliography) are loaded for the current build and the SPARQL workers have answered.
  The lifespan starts that warm-up in a thread, so ``/health`` answers at once; until it
  is done, while shutting down, or without a graph, ``/ready`` answers 503.
- Every request gets an id (a valid incoming ``X-Request-ID``, or a new one), echoed in
  the ``X-Request-ID`` response header, carried by every problem+json body
  (``errors.response``) and by the one log line written per request.
- Logs are JSON lines (or text) on stderr: ``log_config`` configures uvicorn's loggers
  and ours alike; uvicorn's access log is replaced by the request lines.
- On SIGTERM or SIGINT the handler uvicorn installed is chained after ours: ours marks
  the app as shutting down (``/ready`` 503) and ends the running SPARQL queries at once
  (``Pool.shutdown``: their requests answer 503 "shutting down"); then uvicorn stops
  accepting, lets the other requests in flight finish (at most ``shutdown_timeout_s``)
  and runs the lifespan shutdown. This runs in every worker process, however uvicorn
  was started (``dwkg serve``, ``--workers N``, or ``uvicorn --factory``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import threading
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.errors import StoreError
from service import errors, sparql
from service.settings import Settings

logger = logging.getLogger("dwkg")
requests_log = logging.getLogger("dwkg.request")

VALID_ID = re.compile(r"[\x20-\x7e]{1,128}")  # printable ASCII, at most 128 characters
_fields: ContextVar[dict[str, Any] | None] = ContextVar("dwkg_request_fields", default=None)


# ---------------------------------------------------------------- logs


_RECORD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_DROP = {"color_message", "taskName"}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {
        k: v
        for k, v in vars(record).items()
        if k not in _RECORD and k not in _DROP and not k.startswith("_")
    }


def _ts(record: logging.LogRecord) -> str:
    t = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
    return t.replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, msg, and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": _ts(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            doc["stack"] = self.formatStack(record.stack_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``ts LEVEL logger: msg key=value ...`` for a person reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{_ts(record)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        line = f"{line} {extra}" if extra else line
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def log_config(s: Settings) -> dict[str, Any]:
    """uvicorn's ``log_config``: its error log and ours on stderr, in one format; no
    access log (the request lines of ``RequestLog`` replace it)."""
    level = s.log_level.upper()
    formatter = JsonFormatter if s.log_format == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"dwkg": {"()": f"{__name__}.{formatter.__name__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "dwkg",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "dwkg": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
    }


def note(**fields: Any) -> None:
    """Add fields to the log line of the request being answered (if any)."""
    current = _fields.get()
    if current is not None:
        current.update(fields)


def note_sparql(result: sparql.Result) -> None:
    """``Pool.observer``: a SPARQL answer's kind, rows and truncation, for the log line."""
    note(sparql_kind=result.kind, sparql_rows=result.rows, sparql_truncated=result.truncated)


def _incoming_id(scope: Scope) -> str | None:
    for k, v in scope.get("headers", []):
        if k == b"x-request-id":
            value = v.decode("latin-1").strip()
            return value if VALID_ID.fullmatch(value) else None
    return None


class RequestLog:
    """ASGI middleware: the request id, its response header, and one log line a request.

    The outermost of the app's middleware, so the time and status are those the client
    sees, and an exception no handler took becomes a 500 problem+json with the id.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or uuid.uuid4().hex
        fields: dict[str, Any] = {}
        rid_token, fields_token = errors.request_id.set(rid), _fields.set(fields)
        started = time.perf_counter()
        status = 500
        sent = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                sent, status = True, message["status"]
                raw = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                raw.append((b"x-request-id", rid.encode("latin-1")))
                message = {**message, "headers": raw}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            status = 500
            logger.exception("unhandled error", extra={"request_id": rid})
            if sent:
                raise
            problem = errors.Problem(
                500,
                "Internal error",
                "the server failed while answering this request",
                kind="internal-error",
                hint="Report it with the request_id: the server's log has the details.",
            )
            await errors.response(problem)(scope, receive, send_with_id)
        except asyncio.CancelledError:  # past the shutdown timeout
            fields["cancelled"] = True
            raise
        finally:
            client = scope.get("client")
            method, path = scope.get("method", ""), scope.get("path", "")
            requests_log.info(
                "%s %s %s",
                method,
                path,
                status,
                extra={
                    "request_id": rid,
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": client[0] if client else None,
                    **fields,
                },
            )
            _fields.reset(fields_token)
            errors.request_id.reset(rid_token)


# ---------------------------------------------------------------- readiness


@dataclass
class Readiness:
    """What ``/ready`` answers from; ``closing`` is set from the signal handler."""

    build: str | None = None  # the build whose indexes are loaded
    counts: dict[str, int] = field(default_factory=dict)
    warm_s: float | None = None
    error: str | None = None
    warming: bool = False
    closing: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)


def _readiness(app: FastAPI) -> Readiness:
    r: Readiness = app.state.readiness
    return r


def warm_up(app: FastAPI) -> None:
    """Load the indexes and start the SPARQL workers, in a thread (unless one runs)."""
    r = _readiness(app)
    with r._lock:
        if r.warming or r.closing:
            return
        r.warming = True
    threading.Thread(target=_warm, args=(app,), name="dwkg-warm-up", daemon=True).start()


def _warm(app: FastAPI) -> None:
    r, state = _readiness(app), app.state
    started = time.monotonic()
    answered: list[int] = []
    workers: threading.Thread | None = None
    try:
        build = state.graph.build_id()
        pool = getattr(state, "pool", None)
        if isinstance(pool, sparql.Pool):  # meanwhile, each SPARQL worker opens the store
            ask = sparql.Request(
                query="ASK {}", store_path=sparql.store_path(state.settings.store_dir)
            )
            workers = threading.Thread(
                target=lambda: answered.append(pool.warm(ask)),
                name="dwkg-warm-up-sparql",
                daemon=True,
            )
            workers.start()
        counts = {
            "passages": len(state.passages.docs()),
            "entities": len(state.index.entries()),
            "bibliography": len(state.bib.items()),
        }
        state.quotes.find("")  # builds the quotation skeletons
        if workers is not None:
            workers.join()
            counts["sparql_workers"] = answered[0] if answered else 0
            if not counts["sparql_workers"]:
                raise RuntimeError("no SPARQL worker answered a trivial query")
        r.build, r.counts, r.error = build, counts, None
        r.warm_s = round(time.monotonic() - started, 3)
        logger.info("ready", extra={"build": build, "warm_s": r.warm_s, **counts})
    except StoreError as e:
        r.error = str(e)
        logger.warning("not ready: %s", e)
    except Exception as e:  # reported by /ready and the log; the next /ready tries again
        r.error = f"{type(e).__name__}: {e}"
        logger.exception("warm-up failed")
    finally:
        r.warming = False


def _unavailable(title: str, detail: str, kind: str, hint: str, retry: int) -> errors.Problem:
    return errors.Problem(
        503, title, detail, kind=kind, hint=hint, headers={"Retry-After": str(retry)}
    )


def ready(request: Request) -> dict[str, Any]:
    """Readiness: 200 when this process answers at normal latency, else 503 (why, and
    when to ask again)."""
    app: FastAPI = request.app
    r = _readiness(app)
    if r.closing:
        raise _unavailable(
            "Shutting down", "the server is shutting down", "shutting-down",
            "Send requests to another instance.", 5,
        )  # fmt: skip
    try:
        build = app.state.graph.build_id()
    except StoreError as e:
        raise _unavailable(
            "No graph", str(e), "no-graph",
            "Build the graph (dwkg ingest, with the store this service reads); the service "
            "turns ready by itself once it is there.", 30,
        ) from e  # fmt: skip
    pool = getattr(app.state, "pool", None)
    if r.build != build or pool is None:
        warm_up(app)
        detail = (
            f"loading the indexes of build {build} (passages, entities, quotations, "
            "bibliography) and starting the SPARQL workers"
        )
        raise _unavailable(
            "Starting up", detail + (f"; the last attempt failed: {r.error}" if r.error else ""),
            "starting", "Ask again shortly.", 2,
        )  # fmt: skip
    s: Settings = app.state.settings
    return {
        "status": "ready",
        "build": build,
        "pid": os.getpid(),
        "workers": s.workers,
        "warm_s": r.warm_s,
        **r.counts,
    }


# ---------------------------------------------------------------- shutdown


def begin_shutdown(app: FastAPI) -> None:
    """``/ready`` answers 503 and running SPARQL queries end now. Safe in a signal
    handler: no lock, no wait, no log."""
    _readiness(app).closing = True
    shutdown = getattr(getattr(app.state, "pool", None), "shutdown", None)
    if callable(shutdown):
        shutdown()


def _chain_signals(app: FastAPI) -> Callable[[], None]:
    """Run ``begin_shutdown`` before the SIGTERM/SIGINT handlers in place (uvicorn's
    ``Server.handle_exit``, installed before the lifespan starts); returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # e.g. a test client: no signals to take
    delay = _settings(app).shutdown_delay_s
    installed: dict[int, tuple[Any, Any]] = {}
    pending: list[threading.Timer] = []

    def chain(prev: Callable[[int, FrameType | None], Any]) -> Any:
        def handler(signum: int, frame: FrameType | None) -> None:
            first = not _readiness(app).closing
            begin_shutdown(app)
            if first and delay > 0:  # keep serving (not ready) for a while, then stop
                timer = threading.Timer(delay, prev, args=(signum, None))
                timer.daemon = True
                pending.append(timer)
                timer.start()
                return
            for t in pending:
                t.cancel()
            prev(signum, frame)

        return handler

    for sig in (signal.SIGTERM, signal.SIGINT):
        prev = signal.getsignal(sig)
        if callable(prev):
            handler = chain(prev)
            signal.signal(sig, handler)
            installed[sig] = (handler, prev)

    def undo() -> None:
        for sig, (handler, prev) in installed.items():
            if signal.getsignal(sig) is handler:
                signal.signal(sig, prev)

    return undo


def _settings(app: FastAPI) -> Settings:
    s: Settings = app.state.settings
    return s


def start(app: FastAPI) -> Callable[[], None]:
    """For the lifespan, once the pool is made: chain the signal handlers, hook the
    pool into the request logs, start the warm-up. Returns what the lifespan calls when
    it ends."""
    pool = getattr(app.state, "pool", None)
    if pool is not None:  # the embedded worker pool or the remote one
        pool.observer = note_sparql
    undo = _chain_signals(app)
    warm_up(app)

    def stop() -> None:
        _readiness(app).closing = True
        undo()

    return stop


def install(app: FastAPI) -> None:
    """Add ``/ready`` and the request log middleware (call it after every other
    middleware is added, so this one is the outermost)."""
    app.state.readiness = Readiness()
    app.add_api_route("/ready", ready, methods=["GET"], tags=["ops"], summary="Readiness")
    app.add_middleware(RequestLog)
