"""The ``dwkg`` command line: ingest, serve, query, export, stats.

Names and flags are part of the contract (DESIGN.md): scripts and tests
outside the project call them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingest import build, manifest
from ingest.errors import IngestError
from service import queries
from service.settings import Settings

if TYPE_CHECKING:
    import socket

    from ingest.endpoint import Endpoint
    from service.bibliography import Bibliography
    from service.cite import Citer

app = typer.Typer(
    help="datawork-kg: a knowledge graph of the AI data-work literature, "
    "every fact traceable to its passage and page.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

CorpusOpt = Annotated[
    Path | None, typer.Option("--corpus", help="Folder with the texts and manifest.json.")
]
StoreOpt = Annotated[Path | None, typer.Option("--store", help="Store directory.")]


curation_app = typer.Typer(help="Curated knowledge under ontology/curated/.", no_args_is_help=True)
app.add_typer(curation_app, name="curation")


@curation_app.command("check")
def curation_check(
    files: Annotated[list[Path], typer.Argument(help="Curated YAML files to check.")],
    corpus: CorpusOpt = None,
) -> None:
    """Check curated records: ids, types, predicates, and every quote against the text."""
    from ingest import curation

    s = _settings(corpus)
    missing = [f for f in files if not f.is_file()]
    if missing:
        err.print(f"[red]error:[/red] no such file: {', '.join(map(str, missing))}")
        raise typer.Exit(2)
    try:
        _, problems = curation.check_files(files, s.corpus_dir)
    except IngestError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    for p in problems:
        out.print(p, markup=False, highlight=False)
    verdict = "all records check" if not problems else f"{len(problems)} problem(s)"
    out.print(f"{len(files)} file(s) checked: {verdict}", markup=False)
    if problems:
        raise typer.Exit(1)


@app.command()
def bib(
    fmt: Annotated[str, typer.Option("--format", help="csljson, bibtex or biblatex.")] = "csljson",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    store: StoreOpt = None,
) -> None:
    """The whole bibliography, keyed by citation key, for pandoc and reference managers."""
    from service.bibliography import EXPORTS, csl_items, export
    from service.graph import Graph

    if fmt not in EXPORTS:
        err.print(f"[red]error:[/red] --format {fmt!r}: use one of {', '.join(EXPORTS)}")
        raise typer.Exit(2)
    s = _settings(store=store)
    try:
        items = csl_items(Graph(s.store_dir, s.base_iri, s.endpoint(), s.endpoint_refresh_s))
    except IngestError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    text = export(items, fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"{len(items)} items written to {output}")


def _citation_tools(store: Path | None) -> tuple[Bibliography, Citer]:
    """The service's bibliography and citer on the local store."""
    from service.bibliography import Bibliography
    from service.cite import Citer
    from service.graph import Graph

    s = _settings(store=store)
    graph = Graph(s.store_dir, s.base_iri, s.endpoint(), s.endpoint_refresh_s)
    graph.build_id()  # a missing graph is reported here, before any work
    return Bibliography(graph), Citer.on(graph)


@app.command()
def cite(
    text: Annotated[str, typer.Argument(help="A quotation, a claim, or a name.")],
    style: Annotated[str, typer.Option(help="Citation style (apa, chicago-author-date).")] = "apa",
    limit: Annotated[int, typer.Option(help="How many sources.")] = 3,
    fmt: Annotated[
        str, typer.Option("--format", help="text, pandoc, bibtex, biblatex or json.")
    ] = "text",
    store: StoreOpt = None,
) -> None:
    """The sources for a quotation, a claim or a name: passage, locator and citation."""
    import json

    from service import citeformat
    from service.routes.cite import cited

    if fmt not in ("text", "pandoc", "bibtex", "biblatex", "json"):
        err.print(f"[red]error:[/red] --format {fmt!r}: use text, pandoc, bibtex, biblatex, json")
        raise typer.Exit(2)
    if style not in citeformat.STYLES:
        err.print(f"[red]error:[/red] no style {style!r}; use {', '.join(citeformat.STYLES)}")
        raise typer.Exit(2)
    try:
        bib_, citer = _citation_tools(store)
        found = citer.rank(text, limit=limit)
    except IngestError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    if not found:
        err.print("nothing in the corpus matches")
        raise typer.Exit(1)
    results = [cited(bib_, c.doc, c.start, c.end, style) | {"match": c.reason} for c in found]
    if fmt == "json":
        sys.stdout.write(
            json.dumps([{k: _plain(v) for k, v in r.items()} for r in results], ensure_ascii=False,
                       indent=1) + "\n"
        )  # fmt: skip
        return
    for r in results:
        if fmt in ("bibtex", "biblatex", "pandoc"):
            sys.stdout.write(r[fmt] + "\n")
            continue
        loc = r["locator"]
        head = f"{r['pandoc']}  {r['match']}, {loc.label} {loc.value} ({loc.certainty})"
        out.print(head, markup=False, highlight=False, style="bold", soft_wrap=True)
        out.print(f"  “{r['quote']}”", markup=False, highlight=False, soft_wrap=True)
        cit = r["formatted"]
        out.print(f"  {cit.citation}  {cit.bibliography}", markup=False, highlight=False,
                  soft_wrap=True)  # fmt: skip


def _plain(v: Any) -> Any:
    return v.model_dump() if hasattr(v, "model_dump") else v


@app.command()
def check(
    manuscript: Annotated[
        Path, typer.Argument(help="A Markdown manuscript with pandoc citations.")
    ],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    store: StoreOpt = None,
) -> None:
    """Check a manuscript's quotations and cited locators against the corpus.

    Exits 0 when every quotation and locator checks, 1 when something needs correcting.
    """
    import json

    from service.manuscript import Checker

    try:
        text = manuscript.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        err.print(f"[red]error:[/red] cannot read {manuscript}: {e}; give a UTF-8 Markdown file")
        raise typer.Exit(2) from e
    try:
        bib_, citer = _citation_tools(store)
        findings = Checker(bib_, citer.passages, citer.quotes).check(text)
    except IngestError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    bad = [f for f in findings if f.status != "ok"]
    if fmt == "json":
        rows = [{k: _plain(v) for k, v in vars(f).items() if k != "cite"} for f in findings]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    else:
        for f in findings:
            mark = "ok " if f.status == "ok" else "!! "
            short = f.text if len(f.text) < 70 else f.text[:67] + "…"
            out.print(f"{mark}{manuscript.name}:{f.line} {f.kind} “{short}”: {f.message}",
                      markup=False, highlight=False)  # fmt: skip
            if f.suggestion:
                out.print(f"     use {f.suggestion}", markup=False, highlight=False)
            for d in f.differences:
                out.print(f"     {d}", markup=False, highlight=False)
        quotes = sum(f.kind == "quotation" for f in findings)
        out.print(f"{quotes} quotation(s), {len(findings) - quotes} other citation(s): "
                  f"{len(bad)} to correct", markup=False)  # fmt: skip
    if bad:
        raise typer.Exit(1)


@app.command()
def candidates(
    corpus: CorpusOpt = None,
    min_count: Annotated[int, typer.Option(help="Only names and terms seen this often.")] = 3,
    limit: Annotated[int, typer.Option(help="How many to list.")] = 100,
) -> None:
    """Frequent names and terms of the texts that no curated entity covers yet."""
    from ingest import curation, mentions

    s = _settings(corpus)
    report = build.Report()
    docs = [d for _, d in build.read_corpus(s.corpus_dir, report, lambda _: None)]
    problems: list[str] = []
    k = curation.load(curation.curated_files(s.curated_dir), problems)
    for p in problems:
        err.print(f"[yellow]warning:[/yellow] {p}", markup=True, highlight=False)
    matcher = mentions.Matcher(k.entities, mentions.common_words(docs))
    found = mentions.candidates(docs, matcher, min_count=min_count)[:limit]
    _table(
        ["candidate", "kind", "count", "works"],
        [[c.text, c.kind, str(c.count), " ".join(c.works)] for c in found],
    )


def _settings(corpus: Path | None = None, store: Path | None = None) -> Settings:
    s = Settings()
    if corpus is not None:
        s.corpus_dir = corpus
    if store is not None:
        s.store_dir = store
    return s


@app.command()
def ingest(
    corpus: CorpusOpt = None,
    store: StoreOpt = None,
    no_reasoning: Annotated[
        bool, typer.Option("--no-reasoning", help="Skip HermiT (it needs Java).")
    ] = False,
) -> None:
    """Build the graph from the corpus into the store (beside the one in use).

    Checks every curated record and quote, finds mentions, reasons with HermiT and
    validates with SHACL; any failure leaves the store in use as it was.
    """
    s = _settings(corpus, store)
    options = build.Options(curated=s.curated_dir, reasoning=not no_reasoning)
    try:
        total = len(manifest.load(s.corpus_dir)) + 1
    except IngestError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err
    ) as bar:
        task = bar.add_task("reading", total=total)

        def step(name: str) -> None:
            bar.update(task, advance=1, description=f"reading {name}")

        try:
            report = build.ingest(
                s.corpus_dir, s.store_dir, step, options=options, target=_target(s)
            )
        except IngestError as e:
            err.print(f"[red]error:[/red] {e}")
            raise typer.Exit(1) from e
    _summary(report)
    if report.errors:
        raise typer.Exit(1)


def _target(s: Settings) -> Endpoint | None:
    """The remote endpoint ingest writes to, or None for the embedded store."""
    endpoint = s.endpoint()
    if endpoint is not None and endpoint.update_url is None and endpoint.store_url is None:
        err.print(
            f"[red]error:[/red] DWKG_SPARQL_ENDPOINT is {endpoint.query_url} but neither "
            "DWKG_SPARQL_UPDATE_ENDPOINT nor DWKG_GRAPH_STORE_ENDPOINT is set: ingest needs "
            "one of them to write the graph (or bulk-load 'dwkg export')"
        )
        raise typer.Exit(2)
    return endpoint


def _summary(r: build.Report) -> None:
    t = Table(title=f"ingest finished in {r.seconds:.1f} s", show_header=False)
    rows = [
        ("works", r.works),
        ("chapters", r.chapters),
        ("paragraphs", r.paragraphs),
        ("  page exact", r.pages.get("exact", 0)),
        ("  page inferred", r.pages.get("inferred", 0)),
        ("  page unknown (cited by paragraph)", r.pages.get("unknown", 0)),
        ("notes", r.notes),
        ("reference entries", r.references),
        ("cited works (distinct)", r.cited_works),
        ("in-text citations linked", r.citations_linked),
        ("in-text citations unresolved (no matching entry)", r.citations_unresolved),
        ("in-text citations in works without a reference list", r.citations_without_list),
        ("entities", sum(r.entities.values())),
        *((f"  {kind}", n) for kind, n in sorted(r.entities.items())),
        ("relations (distinct, curated)", r.relations),
        ("evidence records", r.evidence),
        ("definitions curated / found by pattern", f"{r.definitions} / {r.definitions_extracted}"),
        ("concepts with a definition", r.concepts_defined),
        ("mentions (in passages)", f"{r.mentions} ({r.mentioned_entities} entities)"),
        ("co-mentioned pairs", r.co_mention_pairs),
        ("reasoning (HermiT)", f"consistent, {r.inferred} inferred" if r.reasoned else "skipped"),
        ("SHACL", f"conforms, {len(r.shacl_warnings)} warning(s)"),
        ("quads", r.quads),
    ]
    for k, v in rows:
        t.add_row(k, str(v))
    out.print(t)
    out.print(f"endpoint: {r.endpoint}" if r.endpoint else f"store: {r.store_path}")
    out.print(f"build: {r.build_id}")
    for w in r.warnings:
        err.print(f"[yellow]warning:[/yellow] {w}")
    for e in r.errors:
        err.print(f"[red]error:[/red] {e}")


@app.command()
def stats(store: StoreOpt = None) -> None:
    """Counts of what the graph holds."""
    s = _settings(store=store)
    try:
        rows = queries.run_named(s, "stats")
    except IngestError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    _table(["what", "count"], [[r["what"], r["count"]] for r in rows])


@app.command()
def query(
    sparql: Annotated[str | None, typer.Argument(help="A SPARQL 1.1 SELECT or ASK query.")] = None,
    named: Annotated[
        str | None, typer.Option("--named", "-n", help="Run a named query of queries/.")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="A named query's parameter: k=v.")
    ] = None,
    store: StoreOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table, tsv or json (tsv and json keep whole values).")
    ] = "table",
) -> None:
    """Run a SPARQL query (or a named one) on the store and print the result."""
    if fmt not in ("table", "tsv", "json"):
        err.print(f"[red]error:[/red] --format {fmt!r}: use table, tsv or json")
        raise typer.Exit(2)
    s = _settings(store=store)
    if (sparql is None) == (named is None):
        err.print("[red]error:[/red] give either a SPARQL query or --named NAME")
        raise typer.Exit(2)
    params: dict[str, str] = {}
    for p in param or []:
        if "=" not in p:
            err.print(f"[red]error:[/red] --param {p!r}: write name=value")
            raise typer.Exit(2)
        k, v = p.split("=", 1)
        params[k] = v
    try:
        if named is not None:
            head, rows = queries.run_named_table(s, named, params)
        else:
            assert sparql is not None
            head, rows = queries.run_select(s, sparql)
    except (IngestError, queries.QueryError) as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    elif fmt == "tsv":
        clean = [[r.get(h, "").replace("\t", " ").replace("\n", " ") for h in head] for r in rows]
        sys.stdout.write("\n".join("\t".join(line) for line in [head, *clean]) + "\n")
    else:
        _table(head, [[r.get(h, "") for h in head] for r in rows])


@app.command()
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")] = Path(
        "datawork-kg.nq"
    ),
    fmt: Annotated[str, typer.Option("--format", help="nquads or trig")] = "nquads",
    store: StoreOpt = None,
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", help="Build the graph from this corpus instead of the store."),
    ] = None,
) -> None:
    """Write the graph as N-Quads or TriG for other engines' bulk loaders.

    By default the graph in use (the store's current build, as served); with --corpus,
    the graph built afresh from that corpus (nothing is stored).
    """
    from ingest.store import current_path

    s = _settings(corpus, store)
    if fmt not in build.EXPORT_FORMATS:
        err.print(f"[red]error:[/red] format {fmt!r} is not supported; use nquads or trig")
        raise typer.Exit(2)
    current = current_path(s.store_dir)
    if corpus is None and current is not None:
        quads = build.dump(current, output, fmt)
        out.print(f"wrote {quads} quads of the store in use ({current.name}) to {output}")
        return
    if corpus is None:
        err.print(f"no graph in {s.store_dir}: building it from {s.corpus_dir} for the export")
    options = build.Options(curated=s.curated_dir)
    report = build.export_nquads(s.corpus_dir, output, fmt=fmt, options=options)
    out.print(f"wrote {report.quads} quads to {output}")
    for e in report.errors:
        err.print(f"[red]error:[/red] {e}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    store: StoreOpt = None,
    corpus: CorpusOpt = None,
    better_bibtex_port: Annotated[
        int | None,
        typer.Option(help="Also answer on this port, where tools look for Better BibTeX (23119)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Server processes sharing the port(s) (default: DWKG_WORKERS, 1); each "
            "loads its own indexes and runs its own SPARQL query workers.",
        ),
    ] = None,
) -> None:
    """Serve the graph over HTTP, building it first if the store is empty.

    Logs go to stderr (JSON lines unless DWKG_LOG_FORMAT=text). SIGTERM or SIGINT stops
    it gracefully: /ready turns 503, running SPARQL queries end at once (503), other
    requests in flight finish (at most DWKG_SHUTDOWN_TIMEOUT_S).
    """
    s = _settings(corpus, store)
    if better_bibtex_port is not None:
        s = s.model_copy(update={"better_bibtex_port": better_bibtex_port})
    if workers is not None:
        s = s.model_copy(update={"workers": workers})
    if not _has_graph(s):
        where = s.sparql_endpoint or s.store_dir
        err.print(f"no graph in {where}: building it from {s.corpus_dir}")
        ingest(s.corpus_dir, s.store_dir)
    _serve(s, host, port)


def _serve(s: Settings, host: str, port: int) -> None:
    """uvicorn on ``port`` (and the Better BibTeX port) with ``s.workers`` processes.

    Each process makes the app with ``service.main:app_from_env``, from the environment,
    where the settings given on the command line are put first; each serves every port,
    with one lifespan (indexes, SPARQL workers, shutdown hook) per process.
    """
    import contextlib
    import os

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from service import operations

    for name in ("corpus_dir", "store_dir", "better_bibtex_port", "workers"):
        value = getattr(s, name)
        if value is not None:
            os.environ[f"DWKG_{name.upper()}"] = str(value)
    config = uvicorn.Config(
        "service.main:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=s.workers,
        log_config=operations.log_config(s),
        log_level=s.log_level,
        access_log=False,  # the app writes one line per request (service.operations)
        timeout_graceful_shutdown=s.shutdown_timeout_s,
        # a GET /sparql carries the query percent-encoded (up to 3 bytes a byte) in its URL
        h11_max_incomplete_event_size=3 * s.max_query_bytes + 16_384,
    )
    sockets = [config.bind_socket()]
    try:
        if s.better_bibtex_port is not None and s.better_bibtex_port != port:
            # where writing tools look for Better BibTeX: the same app, the same processes
            sockets.append(_listen(host, s.better_bibtex_port))
        if s.workers > 1:
            Multiprocess(config, sockets=sockets).run()
            return
        server = uvicorn.Server(config)
        with contextlib.suppress(KeyboardInterrupt):  # SIGINT, re-raised once handled
            server.run(sockets=sockets)
        if not server.started:
            raise typer.Exit(3)
    finally:
        for sock in sockets:
            sock.close()


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket for uvicorn to share with its worker processes."""
    import logging
    import socket

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        err.print(f"[red]error:[/red] cannot listen on {host}:{port}: {e}")
        raise typer.Exit(1) from e
    sock.set_inheritable(True)
    logging.getLogger("uvicorn.error").info(
        "Also answering on http://%s:%d (where tools look for Better BibTeX)", host, port
    )
    return sock


def _has_graph(s: Settings) -> bool:
    from ingest.endpoint import read_build_id
    from ingest.store import current_path

    endpoint = s.endpoint()
    if endpoint is None:
        return current_path(s.store_dir) is not None
    try:
        return read_build_id(endpoint, s.base_iri) is not None
    except IngestError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    finally:
        endpoint.close()


def _table(head: list[str], rows: list[list[str]]) -> None:
    t = Table(*head)
    for r in rows:
        t.add_row(*[str(x) for x in r])
    out.print(t)
    out.print(f"{len(rows)} row(s)")


if __name__ == "__main__":  # pragma: no cover
    app()
