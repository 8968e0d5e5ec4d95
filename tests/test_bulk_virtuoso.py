"""Our bulk exports (`dwkg export`, N-Quads and TriG) load into a real Virtuoso 7.2.5.

One Virtuoso per module (``tests/servers.py``), on loopback in a temp dir. The two exports run
as real CLI processes in the background while it starts. Each export goes through Virtuoso's
own bulk loader (``ld_dir`` + ``rdf_loader_run``); the quads per named graph that appear in
Virtuoso must be exactly those of the export, and a passage picked from the export with
pyoxigraph must come back over HTTP ``/sparql`` with its text and page label. The harness's
own write paths (SPARQL Update with digest auth, Graph Store Protocol) are tested too, and
so is ``oxigraph_server``.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pyoxigraph import DefaultGraph, RdfFormat, Store, parse

from ontology import C4O, DW, base_iri
from tests.conftest import CORPUS, ROOT
from tests.servers import (
    VirtuosoEndpoint,
    VirtuosoError,
    oxigraph_server,
    require_virtuoso,
    virtuoso_server,
)

FORMATS = {"nquads": ("nq", RdfFormat.N_QUADS), "trig": ("trig", RdfFormat.TRIG)}
NO_GRAPH = f"{base_iri()}graph/bulk-load-default"  # ld_dir's graph, for triples without one
JSON = {"Accept": "application/sparql-results+json"}
TEST_GRAPH = "http://example.org/dwkg-test/"


@dataclass(frozen=True)
class Export:
    fmt: str
    path: Path
    quads: int  # what `dwkg export` says it wrote
    by_graph: dict[str, int]  # quads per graph, read back with pyoxigraph


@dataclass(frozen=True)
class Passage:
    graph: str
    iri: str
    label: str
    text: str
    snippet: str


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_virtuoso()  # NOT RUN, loudly, before anything is exported
    return tmp_path_factory.mktemp("virtuoso")


@pytest.fixture(scope="module")
def export_jobs(workdir: Path) -> Iterator[dict[str, tuple[Path, subprocess.Popen[bytes]]]]:
    """Both `dwkg export` runs, started at once: they take longer than anything else here."""
    jobs = {}
    for fmt, (ext, _) in FORMATS.items():
        out = workdir / fmt / f"datawork-kg.{ext}"
        out.parent.mkdir()
        with (out.parent / "stdout").open("wb") as o, (out.parent / "stderr").open("wb") as e:
            jobs[fmt] = (out, subprocess.Popen(
                [sys.executable, "-m", "service.cli", "export", "--corpus", str(CORPUS),
                 "--format", fmt, "--output", str(out)],
                stdout=o, stderr=e, cwd=ROOT,
            ))  # fmt: skip
    yield jobs
    for _, proc in jobs.values():
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def virtuoso(
    workdir: Path, export_jobs: dict[str, tuple[Path, subprocess.Popen[bytes]]]
) -> Iterator[VirtuosoEndpoint]:
    """The module's Virtuoso (it starts while the exports run; they are under its dir)."""
    with virtuoso_server(workdir) as v:
        yield v


@pytest.fixture(scope="module")
def exports(export_jobs: dict[str, tuple[Path, subprocess.Popen[bytes]]]) -> dict[str, Export]:
    done = {}
    for fmt, (out, proc) in export_jobs.items():
        rc = proc.wait(timeout=900)
        stdout = (out.parent / "stdout").read_text(encoding="utf-8")
        assert rc == 0, (out.parent / "stderr").read_text(encoding="utf-8")
        graphs = Counter(
            NO_GRAPH if isinstance(q.graph_name, DefaultGraph) else q.graph_name.value
            for q in parse(path=out, format=FORMATS[fmt][1])
        )
        done[fmt] = Export(fmt, out, int(stdout.split()[1]), dict(graphs))
    return done


@pytest.fixture(scope="module")
def passage(exports: dict[str, Export]) -> Passage:
    """A passage with one known page label and non-ASCII text, read from the export."""
    store = Store()
    store.bulk_load(path=exports["nquads"].path, format=RdfFormat.N_QUADS)
    rows = store.query(
        f"SELECT ?g ?p ?label ?t WHERE {{ GRAPH ?g {{ ?p <{DW}pageLabel> ?label ; "
        f"<{C4O}hasContent> ?t }} FILTER(STRLEN(?label) > 0 && CONTAINS(?t, '’')) "
        f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?p <{DW}pageLabel> ?other }} "
        f"FILTER(?other != ?label) }} }} ORDER BY ?p LIMIT 1"
    )
    (row,) = list(rows)  # type: ignore[arg-type]
    text = row["t"].value
    at = text.index("’")
    return Passage(
        row["g"].value, row["p"].value, row["label"].value, text, text[max(0, at - 30) : at + 30]
    )


def select(v: VirtuosoEndpoint, query: str) -> list[dict[str, str]]:
    """A SELECT on the anonymous /sparql: each row's values (Virtuoso cuts results silently
    at ResultSetMaxRows, saying so only in X-SPARQL-MaxRows: so that must be absent)."""
    r = httpx.post(v.sparql_url, data={"query": query}, headers=JSON, timeout=300)
    assert r.status_code == 200, r.text
    assert "x-sparql-maxrows" not in r.headers, "Virtuoso truncated the result"
    return [{k: b["value"] for k, b in row.items()} for row in r.json()["results"]["bindings"]]


def quads_by_graph(v: VirtuosoEndpoint) -> dict[str, int]:
    """Quads per graph over the whole store, Virtuoso's system graphs included."""
    rows = select(v, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"]: int(r["n"]) for r in rows}


def test_virtuoso_harness_update_gsp_and_bulk_loader_errors(virtuoso: VirtuosoEndpoint) -> None:
    v = virtuoso
    g1, g2 = f"{TEST_GRAPH}update", f"{TEST_GRAPH}gsp"
    insert = (
        f'INSERT DATA {{ GRAPH <{g1}> {{ <{TEST_GRAPH}s> <{TEST_GRAPH}p> "un"@fr, 42, "x" }} }}'
    )
    # anonymous /sparql is read-only; /sparql-auth wants the digest credentials
    assert httpx.post(v.sparql_url, data={"update": insert}, timeout=60).status_code == 500
    assert httpx.post(v.update_url, data={"update": insert}, timeout=60).status_code == 401
    r = httpx.post(v.update_url, data={"update": insert}, auth=v.auth, headers=JSON, timeout=60)
    assert r.status_code == 200, r.text
    assert "3 (or less) triples -- done" in r.text

    ttl = f'@prefix t: <{TEST_GRAPH}> .\nt:a t:p "Turtle één" , 7 .\nt:b t:p t:a .\n'
    r = httpx.put(
        v.gsp_url, params={"graph": g2}, content=ttl.encode(), auth=v.auth,
        headers={"Content-Type": "text/turtle"}, timeout=60,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    q = (
        f"SELECT ?g ?s ?o WHERE {{ GRAPH ?g {{ ?s <{TEST_GRAPH}p> ?o }} "
        f'FILTER(STRSTARTS(STR(?g), "{TEST_GRAPH}")) }}'
    )
    seen = {(r["g"], r["s"].removeprefix(TEST_GRAPH), r["o"]) for r in select(v, q)}
    assert seen == {
        (g1, "s", "un"), (g1, "s", "42"), (g1, "s", "x"),
        (g2, "a", "Turtle één"), (g2, "a", "7"), (g2, "b", f"{TEST_GRAPH}a"),
    }  # fmt: skip
    # PUT again replaces the graph (N-Triples this time)
    nt = f'<{TEST_GRAPH}c> <{TEST_GRAPH}p> "replaced" .\n'
    r = httpx.put(
        v.gsp_url, params={"graph": g2}, content=nt.encode(), auth=v.auth,
        headers={"Content-Type": "application/n-triples"}, timeout=60,
    )  # fmt: skip
    assert r.status_code in (200, 204), r.text
    assert {(r["g"], r["o"]) for r in select(v, q) if r["g"] == g2} == {(g2, "replaced")}

    for g in (g2, g1):  # DELETE, also of the graph the update made
        assert httpx.delete(v.gsp_url, params={"graph": g}, auth=v.auth).status_code == 200
    assert select(v, q) == []
    assert httpx.delete(v.gsp_url, params={"graph": g2}, auth=v.auth).status_code == 404
    assert v.isql(f"SPARQL SELECT COUNT(*) WHERE {{ GRAPH <{g1}> {{ ?s ?p ?o }} }};").strip() == "0"

    bad = v.directory / "bad"
    bad.mkdir()
    (bad / "broken.nq").write_text('<http://a> <http://b> "unterminated .\n', encoding="utf-8")
    with pytest.raises(VirtuosoError, match=r"broken\.nq.*Unterminated"):
        v.bulk_load(bad, "*.nq", NO_GRAPH)
    with pytest.raises(VirtuosoError, match="found no file"):
        v.bulk_load(bad, "*.trig", NO_GRAPH)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_bulk_loader_keeps_every_quad_and_graph(
    fmt: str, virtuoso: VirtuosoEndpoint, exports: dict[str, Export], passage: Passage
) -> None:
    v, export = virtuoso, exports[fmt]
    if fmt == "nquads":
        lines = export.path.read_bytes().count(b"\n")
        assert lines == export.quads
    assert sum(export.by_graph.values()) == export.quads > 100_000
    assert len(export.by_graph) >= 10 and NO_GRAPH not in export.by_graph

    # both formats hold the same graphs: forget what the other one loaded
    base = base_iri()
    v.isql(
        "log_enable(3, 1);"
        f"DELETE FROM DB.DBA.RDF_QUAD WHERE id_to_iri(G) LIKE '{base}%';"
        "checkpoint;"
    )
    before = quads_by_graph(v)
    assert not [g for g in before if g.startswith(base)]

    v.bulk_load(export.path.parent, f"*.{FORMATS[fmt][0]}", NO_GRAPH)

    after = quads_by_graph(v)
    added = {g: n - before.get(g, 0) for g, n in after.items() if n != before.get(g, 0)}
    assert set(added) == set(export.by_graph)  # the named graphs of the quads, none other
    assert added == export.by_graph
    assert sum(added.values()) == export.quads
    assert sum(n for g, n in after.items() if g.startswith(base)) == export.quads

    # the passage, found by its text over HTTP, in its graph and in the union default graph
    want = {"g": passage.graph, "p": passage.iri, "label": passage.label, "t": passage.text}
    pattern = f"?p <{DW}pageLabel> ?label ; <{C4O}hasContent> ?t"
    snippet = passage.snippet.replace("\\", "\\\\").replace('"', '\\"')
    found = f'FILTER(CONTAINS(?t, "{snippet}"))'
    in_graph = select(v, f"SELECT ?g ?p ?label ?t WHERE {{ GRAPH ?g {{ {pattern} }} {found} }}")
    assert in_graph == [want]
    union = select(v, f"SELECT ?p ?label ?t WHERE {{ {pattern} {found} }}")
    assert union == [{k: want[k] for k in ("p", "label", "t")}]


def test_oxigraph_server_harness(tmp_path: Path) -> None:
    data = tmp_path / "oxigraph"
    g = f"{TEST_GRAPH}ox"
    with oxigraph_server(data) as ox:
        r = httpx.put(
            ox.store_url, params={"graph": g}, content=f'<{g}#s> <{g}#p> "one" .\n'.encode(),
            headers={"Content-Type": "application/n-triples"}, timeout=30,
        )  # fmt: skip
        assert r.status_code == 201, r.text
        r = httpx.post(
            ox.update_url, content=f'INSERT DATA {{ GRAPH <{g}> {{ <{g}#s> <{g}#p> "two" }} }}',
            headers={"Content-Type": "application/sparql-update"}, timeout=30,
        )  # fmt: skip
        assert r.status_code == 204, r.text
        r = httpx.get(ox.query_url, params={"query": "SELECT ?o { ?s ?p ?o }"}, headers=JSON)
        assert sorted(b["o"]["value"] for b in r.json()["results"]["bindings"]) == ["one", "two"]
    with oxigraph_server(data, read_only=True, union_default_graph=False) as ox:
        r = httpx.get(ox.query_url, params={"query": "SELECT ?o { ?s ?p ?o }"}, headers=JSON)
        assert r.json()["results"]["bindings"] == []  # the default graph alone is empty
        r = httpx.get(
            ox.query_url, params={"query": "SELECT ?o { GRAPH ?g { ?s ?p ?o } }"}, headers=JSON
        )
        assert len(r.json()["results"]["bindings"]) == 2
        r = httpx.post(
            ox.update_url, content="CLEAR ALL", timeout=30,
            headers={"Content-Type": "application/sparql-update"},
        )  # fmt: skip
        assert r.status_code >= 400
