"""Real SPARQL servers for the tests: Oxigraph's and Virtuoso's, on loopback, always stopped.

``oxigraph_server(data_dir)`` runs the ``oxigraph`` CLI from the virtual environment;
``virtuoso_server(tmp)`` runs Debian's ``virtuoso-t`` (package ``virtuoso-opensource``,
7.2.5, which ``scripts/test`` installs as root) on a fresh database of its own in ``tmp``.
Both pick free ports, wait until the server answers, and stop it on the way out, also when
the test fails. Where a program is missing they call ``pytest.skip`` with a loud ``NOT RUN``
reason: never a silent pass.

What Virtuoso 7.2.5 (07.20.3229) does, found by trying it with this harness (it matters to
whoever writes a remote backend against it):

* Default graph: a query without FROM / FROM NAMED on ``/sparql`` matches the triples of
  *all* graphs (the default graph is the union of every graph, Virtuoso's own system graphs
  such as ``http://www.openlinksw.com/schemas/virtrdf#`` included), like Oxigraph's
  ``--union-default-graph``. ``GRAPH ?g`` lists the system graphs too: filter on our base IRI.
* ``application/sparql-results+json`` is the SPARQL 1.0 flavour: typed literals come as
  ``{"type": "typed-literal", "datatype": ..., "value": ...}`` (not ``"literal"``), plain
  literals as ``{"type": "literal", "value": ...}``, language tags as ``"xml:lang"``;
  ``head`` has an extra ``"link": []``. Virtuoso keeps RDF 1.0 semantics for strings: a
  literal written ``"x"`` comes back untyped, one written ``"x"^^xsd:string`` comes back as a
  typed-literal with datatype xsd:string, and the two are *different* terms (``FILTER(?o =
  "x")`` does not match ``"x"^^xsd:string``). Our exports write xsd:string as plain ``"x"``
  (RDF 1.1 N-Quads/TriG), so they load as plain literals. ``DATATYPE()`` of a language-tagged
  literal is unbound (not rdf:langString).
* Numbers: ``COUNT``, ``SUM`` of integers and ``STRLEN`` give ``typed-literal``
  xsd:integer (``"value": "8"``); ``AVG`` xsd:decimal. Stored xsd:boolean values come back as
  xsd:boolean with value ``"1"`` / ``"0"`` (not ``"true"``/``"false"``), while the constants
  ``true``/``false`` and comparison results in a query are xsd:integer ``1``/``0``
  (``SELECT (true AS ?b)`` gives integer 1, and ``FILTER(?o = true)`` binds ?o to integer 1).
  ASK answers ``{"head": {"link": []}, "boolean": true}``.
* Result size: the server cuts every SELECT/CONSTRUCT result at ``[SPARQL]
  ResultSetMaxRows`` (10000 in Debian's packaged virtuoso.ini, and here) *silently*, with
  HTTP 200; the only sign is the response header ``X-SPARQL-MaxRows: 10000``. ``LIMIT 20000``
  still gives 10000 rows: page with ORDER BY + LIMIT/OFFSET below that, or COUNT first.
* Updates: the anonymous ``/sparql`` refuses SPARQL Update (HTTP 500, ``SR186: SECURITY: No
  permission to execute procedure DB.DBA.SPARQL_INSERT_DICT_CONTENT``) unless the ``SPARQL``
  user is granted ``SPARQL_UPDATE``; a real deployment keeps it read-only and writes through
  ``/sparql-auth`` with HTTP *digest* auth (dba here), which answers 200 with a one-row result
  ``"Insert into <g>, N (or less) triples -- done"``. Form parameter ``update=`` works.
* Update size limits (through ``/sparql-auth``, one ``INSERT DATA`` with one triple a line):
  1400 triples work; from about 1500 triples on it fails with HTTP 400 ``SP031: SPARQL:
  Internal error: The length of generated SQL text has exceeded 10000 lines of code`` (the
  same whether subjects/objects repeat or not, and over several GRAPH blocks); prefixing the
  update with ``define sql:big-data-const 1`` lifts that, up to the parser's limit of about
  4990 triples (``SP030: SPARQL compiler, line 4992: memory exhausted``). So send INSERT DATA
  in batches of at most ~1000 triples. Long literals are accepted (50 literals of 100 kB in
  one 5 MB update: fine) but a single literal of 4 MB or more *crashed the server* (``GPF:
  Dkpool.c:1968 large free not on 4k boundary``), and 1-3 MB literals take 2-18 s (quadratic).
* Graph Store Protocol: ``/sparql-graph-crud-auth?graph=<iri>`` (``graph-uri=`` works too)
  with digest auth: PUT of N-Triples (``application/n-triples``) or Turtle (``text/turtle``)
  answers 201 for a new graph and 200 when it replaces one, POST merges (200), GET with
  ``Accept: application/n-triples`` returns it, DELETE answers 200 (404 for a graph that is
  not there). 200 000 triples in one PUT worked (3-27 s), so GSP, not INSERT DATA, is
  the way to send whole graphs. The anonymous ``/sparql-graph-crud`` refuses writes (403).
* Bulk loader (``ld_dir`` + ``rdf_loader_run``): ``.nq`` and ``.trig`` files keep the graphs
  of their quads (the ``graph`` argument of ``ld_dir`` is only for triples outside any graph);
  our whole export (268 478 quads) loads in ~3 s (TriG) to ~6 s (N-Quads). ``ld_dir`` skips
  files already in ``DB.DBA.load_list``, so ``bulk_load`` forgets the directory's old entries
  first. Files must be under ``DirsAllowed``: ``virtuoso_server`` allows its ``tmp``.
* ``isql-vt`` (Debian's name for Virtuoso's ``isql``; ``isql`` there is unixODBC's) exits 0
  after a failing SQL statement and prints ``*** Error`` on stderr: ``isql`` checks for it.
* A fresh database starts in ~5-7 s (it creates its system tables first); SIGTERM stops it
  in ~1 s.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
START_TIMEOUT_S = 180.0


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports free on loopback (held open together so they differ)."""
    with ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in socks]


def _tail(log: IO[bytes] | Path, limit: int = 4000) -> str:
    if isinstance(log, Path):
        data = log.read_bytes() if log.exists() else b""
    else:
        log.flush()
        log.seek(0)
        data = log.read()
    return data[-limit:].decode("utf-8", "replace")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


# --- Oxigraph -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OxigraphEndpoint:
    """A running ``oxigraph serve`` (or ``serve-read-only``)."""

    base_url: str
    data_dir: Path
    read_only: bool
    union_default_graph: bool

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        """SPARQL 1.1 Update (refused by a read-only server)."""
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        """The SPARQL 1.1 Graph Store Protocol: ``?graph=<iri>`` or ``?default``."""
        return f"{self.base_url}/store"


@contextmanager
def oxigraph_server(
    data_dir: Path,
    *,
    read_only: bool = False,
    union_default_graph: bool = True,
    timeout_s: int | None = None,
) -> Iterator[OxigraphEndpoint]:
    """``oxigraph serve --location data_dir`` on a free loopback port, stopped afterwards.

    ``data_dir`` is an Oxigraph store directory (for a dwkg store directory pass
    ``ingest.store.current_path(store_dir)``); ``read_only`` runs ``serve-read-only`` on it.
    """
    if not OXIGRAPH.exists():
        pytest.skip(f"NOT RUN: the oxigraph CLI is missing at {OXIGRAPH} (pip install oxigraph)")
    (port,) = free_ports(1)
    cmd = [
        str(OXIGRAPH),
        "serve-read-only" if read_only else "serve",
        "--location",
        str(data_dir),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    if union_default_graph:
        cmd.append("--union-default-graph")
    if timeout_s is not None:
        cmd += ["--timeout-s", str(timeout_s)]
    end = OxigraphEndpoint(f"http://127.0.0.1:{port}", data_dir, read_only, union_default_graph)
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"oxigraph exited with {proc.returncode}:\n{_tail(log)}")
                try:
                    r = httpx.get(end.query_url, params={"query": "ASK {}"}, timeout=2)
                    if r.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"oxigraph did not answer on {end.base_url}:\n{_tail(log)}")
                time.sleep(0.05)
            yield end
        finally:
            _stop(proc)


# --- Virtuoso -------------------------------------------------------------------------------


class VirtuosoError(RuntimeError):
    """isql reported an error, or the bulk loader failed on a file."""


def _virtuoso_binaries() -> tuple[str, str]:
    server = shutil.which("virtuoso-t")
    if server is None:
        pytest.skip(
            "Virtuoso tests NOT RUN: virtuoso-opensource is not installed "
            "(scripts/test installs it as root)"
        )
    isql = shutil.which("isql-vt")
    if isql is None and (Path(server).parent / "isql").exists():  # an upstream build
        isql = str(Path(server).parent / "isql")
    if isql is None:
        pytest.skip(
            "Virtuoso tests NOT RUN: isql-vt is missing (virtuoso-opensource-7-bin; "
            "scripts/test installs it as root)"
        )
    return server, isql


def require_virtuoso() -> None:
    """Skip loudly (NOT RUN) where virtuoso-t or isql-vt is missing."""
    _virtuoso_binaries()


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


@dataclass(frozen=True)
class VirtuosoEndpoint:
    """A running ``virtuoso-t`` of our own. Anonymous ``sparql_url`` reads; writes go through
    ``update_url`` / ``gsp_url`` with HTTP digest auth as ``user`` / ``password`` (``auth``).
    """

    sparql_url: str
    update_url: str
    gsp_url: str
    user: str
    password: str
    sql_port: int
    http_port: int
    directory: Path
    isql_binary: str

    @property
    def auth(self) -> httpx.DigestAuth:
        return httpx.DigestAuth(self.user, self.password)

    def isql(self, sql: str, timeout: float = 600) -> str:
        """Run ``sql`` (statements ended by ``;``) through isql; its output, values only."""
        done = subprocess.run(
            [
                self.isql_binary, f"127.0.0.1:{self.sql_port}", self.user, self.password,
                "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", f"exec={sql}",
            ],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if done.returncode != 0 or "*** Error" in done.stderr:
            raise VirtuosoError(f"isql failed ({done.returncode}) on {sql!r}:\n{done.stderr}")
        return done.stdout

    def bulk_load(self, directory: Path, pattern: str, graph: str) -> None:
        """Virtuoso's bulk loader on the files of ``directory`` matching ``pattern``
        (``*.nq``, ``*.trig``...): ``ld_dir`` + ``rdf_loader_run()`` + ``checkpoint``.
        ``graph`` is for triples outside any graph; quads keep their own. Raises
        ``VirtuosoError`` with ``ll_error`` where a file failed, or when none matched.
        """
        d = str(directory.resolve())
        like = _sql_str(d + "/%")
        self.isql(
            f"DELETE FROM DB.DBA.load_list WHERE ll_file LIKE {like};"
            f"ld_dir({_sql_str(d)}, {_sql_str(pattern)}, {_sql_str(graph)});"
            "rdf_loader_run();"
            "checkpoint;"
        )
        out = self.isql(
            "SELECT COUNT(*) FROM DB.DBA.load_list "
            f"WHERE ll_file LIKE {like} AND ll_state = 2 AND ll_error IS NULL;"
            f"SELECT ll_file || ' (state ' || cast(ll_state AS varchar) || '): ' "
            f"|| coalesce(ll_error, 'not loaded') FROM DB.DBA.load_list "
            f"WHERE ll_file LIKE {like} AND (ll_state <> 2 OR ll_error IS NOT NULL);"
        )
        ok, *errors = [line.strip() for line in out.splitlines() if line.strip()]
        if errors:
            raise VirtuosoError("the bulk loader failed:\n" + "\n".join(errors))
        if int(ok) == 0:
            raise VirtuosoError(f"the bulk loader found no file {pattern!r} in {d}")


_INI = """\
[Database]
DatabaseFile       = {tmp}/virtuoso.db
ErrorLogFile       = {tmp}/virtuoso.log
LockFile           = {tmp}/virtuoso.lck
TransactionFile    = {tmp}/virtuoso.trx
xa_persistent_file = {tmp}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {tmp}/virtuoso-temp.db
TransactionFile    = {tmp}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
LiteMode             = 0
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 0
O_DIRECT             = 0
CaseMode             = 2
AllowOSCalls         = 0
DirsAllowed          = ., {tmp}
NumberOfBuffers      = {buffers}
MaxDirtyBuffers      = {dirty}
ThreadsPerQuery      = 2
MaxQueryMem          = 256M

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {tmp}/vsp
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8
EnabledDavVSP        = 0
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryExecutionTime      = 120
MaxQueryCostEstimationTime = 0
"""


@contextmanager
def virtuoso_server(
    tmp: Path, *, buffers: int = 10000, max_rows: int = 10000
) -> Iterator[VirtuosoEndpoint]:
    """``virtuoso-t -f`` on a new database in ``tmp``, SQL and HTTP on free loopback ports.

    The dba password is the default ``dba``; ``tmp`` (and below) is in DirsAllowed, so the
    bulk loader reads files put there. ``buffers`` (8 kB pages) sizes the page cache;
    ``max_rows`` is ``ResultSetMaxRows`` (Debian's default 10000 cuts results silently).
    """
    server, isql = _virtuoso_binaries()
    tmp = tmp.resolve()
    (tmp / "vsp").mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_ports(2)
    ini = tmp / "virtuoso.ini"
    ini.write_text(
        _INI.format(
            tmp=tmp, sql_port=sql_port, http_port=http_port, buffers=buffers, max_rows=max_rows,
            dirty=buffers * 3 // 4,
        ),
        encoding="utf-8",
    )  # fmt: skip
    base = f"http://127.0.0.1:{http_port}"
    end = VirtuosoEndpoint(
        sparql_url=f"{base}/sparql",
        update_url=f"{base}/sparql-auth",
        gsp_url=f"{base}/sparql-graph-crud-auth",
        user="dba",
        password="dba",
        sql_port=sql_port,
        http_port=http_port,
        directory=tmp,
        isql_binary=isql,
    )
    out = tmp / "virtuoso.out"

    def logs() -> str:
        return f"{_tail(tmp / 'virtuoso.log')}\n{_tail(out, 1000)}"

    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [server, "-f", "-c", str(ini)], cwd=tmp, stdout=sink, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            http_up = sql_up = False
            while not (http_up and sql_up):
                if proc.poll() is not None:
                    raise RuntimeError(f"virtuoso-t exited with {proc.returncode}:\n{logs()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"virtuoso-t did not come up on {base}:\n{logs()}")
                if not http_up:
                    try:
                        r = httpx.get(end.sparql_url, params={"query": "ASK {}"}, timeout=5)
                        http_up = r.status_code == 200
                    except httpx.TransportError:
                        pass
                if http_up and not sql_up:
                    with suppress(VirtuosoError, subprocess.TimeoutExpired):
                        sql_up = end.isql("SELECT 1;", timeout=30).strip() == "1"
                if not (http_up and sql_up):
                    time.sleep(0.1)
            yield end
        finally:
            _stop(proc)
