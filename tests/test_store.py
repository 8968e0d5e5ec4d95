"""The graph in a real store on disk: SPARQL over passages, stable IRIs, safe swaps."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pyoxigraph import Store

from ingest import build, store
from ingest.errors import StoreError
from service.queries import QueryError, run_select
from service.settings import Settings
from tests.conftest import CORPUS

PASSAGE_QUERY = """
SELECT ?work ?chapter ?text ?label ?value ?certainty ?page WHERE {
  ?p a dw:Passage ; c4o:hasContent ?text ; dw:work ?w ;
     dw:locatorLabel ?label ; dw:locatorValue ?value ; dw:pageCertainty ?certainty .
  ?w dw:workId ?work .
  OPTIONAL { ?p dw:chapter ?c . ?c dw:chapterNumber ?chapter }
  OPTIONAL { ?p dw:pageLabel ?page }
  FILTER(CONTAINS(?text, "%s"))
}
"""


def _query(store_dir: Path, words: str) -> list[dict[str, str]]:
    return run_select(Settings(store_dir=store_dir), PASSAGE_QUERY % words)[1]


def test_summary_figures(built_store: tuple[Path, build.Report]) -> None:
    _, report = built_store
    assert report.works == 5 and report.chapters == 19 and not report.errors
    assert report.paragraphs > 850
    assert report.pages["exact"] > 0 and report.pages["inferred"] > 300
    assert report.references > 150 and report.notes > 120
    assert report.citations_linked > 150 and report.citations_unresolved > 0
    assert report.citations_without_list > 0


CITATION_QUERY = """
SELECT ?cited ?authors ?year ?loc ?entry ?resolved WHERE {
  ?ptr a c4o:InTextReferencePointer ; c4o:hasContent ?cited ; c4o:hasContext ?p ;
       dw:citedAuthors ?authors ; dw:citedYear ?year ; dw:resolved ?resolved .
  ?p dw:work/dw:workId "%s" .
  OPTIONAL { ?ptr dw:citedLocator ?loc }
  OPTIONAL { ?ptr c4o:denotes/c4o:hasContent ?entry }
  FILTER(CONTAINS(?cited, "%s"))
}
"""


def test_in_text_citations_resolve_with_their_pages(
    built_store: tuple[Path, build.Report],
) -> None:
    settings = Settings(store_dir=built_store[0])
    [lei] = run_select(settings, CITATION_QUERY % ("000", "Lei, 2023: 69"))[1]
    assert lei["loc"] == "69–80" and lei["entry"].startswith("Lei YW (2023)")
    # the list has Xia and Wu 2025, not Wu and Xia 2025: kept, unresolved, not guessed
    [wu] = run_select(settings, CITATION_QUERY % ("000", "Wu and Xia, 2025"))[1]
    assert wu["resolved"] == "false" and "entry" not in wu
    # a chapter with its own list (ch. 16) resolves against it
    rows = run_select(settings, CITATION_QUERY % ("003", "Berg, Cherry, and Rani 2019"))[1]
    assert rows and all(r["entry"].startswith("Berg, Janine, Miriam Cherry") for r in rows)


def test_sparql_gives_work_chapter_text_and_locator(built_store: tuple[Path, build.Report]) -> None:
    store_dir, _ = built_store
    [row] = _query(store_dir, "the worker need only schedule their availability")
    assert row["work"] == "003" and row["chapter"] == "15"
    assert row["label"] == "page" and row["certainty"] == "inferred"
    assert row["value"] == row["page"] == "268–269"
    [row] = _query(store_dir, "we first saw how different organizational arrangements")
    assert row["work"] == "001" and "chapter" not in row
    assert row["label"] == "paragraph" and row["certainty"] == "unknown" and "page" not in row
    # text without layout debris: a hyphen repaired across a footnote block and a page
    [row] = _query(store_dir, "workplace surveillance without consultation")
    assert row["work"] == "002"


def test_raw_offsets_point_at_the_source(built_store: tuple[Path, build.Report]) -> None:
    store_dir, _ = built_store
    q = """SELECT ?file ?a ?b ?l1 ?l2 WHERE {
      ?p c4o:hasContent ?t ; dw:rawFile ?file ; dw:rawCharStart ?a ; dw:rawCharEnd ?b ;
         dw:rawLineStart ?l1 ; dw:rawLineEnd ?l2 .
      FILTER(STRSTARTS(?t, "Pick up any business-oriented publication today"))
    }"""
    [row] = run_select(Settings(store_dir=store_dir), q)[1]
    raw = (CORPUS / row["file"]).read_text(encoding="utf-8")
    printed = raw[int(row["a"]) : int(row["b"])]
    assert printed.startswith("Pick up any business- oriented publication today")
    assert raw.count("\n", 0, int(row["a"])) + 1 == int(row["l1"]) == 10485


def test_iris_are_stable_across_reingest(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    fast = build.Options(reasoning=False, validation=False)  # they mint no IRIs
    r1 = build.ingest(corpus, tmp_path / "s1", options=fast)
    s1 = r1.store_path
    # change one paragraph of 004: only that passage's IRI changes
    f = corpus / "004_003550ba27928829.txt"
    text = f.read_text()
    assert text.count("iFlytek did not respond") == 1
    f.write_text(text.replace("iFlytek did not respond", "iFlytek declined to respond"))
    r2 = build.ingest(corpus, tmp_path / "s2", options=fast)
    s2 = r2.store_path
    # the build id is the content's hash: a changed text changes it, the same text gives it
    assert r2.build_id != r1.build_id
    f.write_text(text)
    assert build.ingest(corpus, tmp_path / "s3", options=fast).build_id == r1.build_id
    assert s1 is not None
    marker = "https://w3id.org/datawork-kg/id/graph/build"
    stored = [q for q in Store.read_only(str(s1)) if q.graph_name.value != marker]  # type: ignore[union-attr]
    assert build.content_hash(stored) == r1.build_id
    first, second = _passage_iris(s1), _passage_iris(s2)
    assert len(first - second) == 1 and len(second - first) == 1
    assert len(first & second) > 1000
    # entities, assertions and evidence keep their IRIs too (the changed passage holds none)
    assert _knowledge_iris(s1) == _knowledge_iris(s2)
    assert len(_knowledge_iris(s1)) > 5000


def _knowledge_iris(path: Path | None) -> set[str]:
    assert path is not None
    s = Store.read_only(str(path))
    q = (
        "SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x a ?c } "
        "FILTER(?c IN (<https://w3id.org/datawork-kg/ontology#Assertion>, "
        "<https://w3id.org/datawork-kg/ontology#Evidence>, "
        "<https://w3id.org/datawork-kg/ontology#Definition>) || "
        "STRSTARTS(STR(?x), 'https://w3id.org/datawork-kg/id/entity/')) }"
    )
    return {str(r["x"]) for r in s.query(q)}  # type: ignore[union-attr,index]


def _passage_iris(path: Path | None) -> set[str]:
    assert path is not None
    s = Store.read_only(str(path))
    q = "SELECT ?p WHERE { GRAPH ?g { ?p <http://purl.org/spar/c4o/hasContent> ?t } }"
    return {str(r["p"]) for r in s.query(q)}  # type: ignore[union-attr,index]


def test_failed_build_keeps_the_store_in_use(tmp_path: Path) -> None:
    s = tmp_path / "store"
    build.ingest(CORPUS, s, options=build.Options(curated=None))
    before = store.current_path(s)

    def broken() -> object:
        yield from ()
        raise OSError("disk full")

    with pytest.raises(StoreError, match="previous graph is still in use"):
        store.build(s, broken())  # type: ignore[arg-type]
    assert store.current_path(s) == before
    assert store.open_read_only(s) is not None


def test_unwritable_store_directory_is_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        target = Path("/proc/datawork-kg-store")  # not writable even by root
    else:
        target = tmp_path / "ro"
        target.mkdir()
        target.chmod(0o500)
    with pytest.raises(StoreError, match="cannot write the store directory"):
        build.ingest(CORPUS, target, options=build.Options(curated=None))


def test_malformed_and_forbidden_queries(built_store: tuple[Path, build.Report]) -> None:
    settings = Settings(store_dir=built_store[0])
    with pytest.raises(QueryError, match="malformed query"):
        run_select(settings, "SELECT ?x WHERE { ?x ")
    with pytest.raises(QueryError, match="SERVICE and LOAD"):
        run_select(settings, "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }")


def test_export_nquads_loads_into_a_fresh_store(tmp_path: Path) -> None:
    out = tmp_path / "graph.nq"
    report = build.export_nquads(CORPUS, out)
    fresh = Store()
    fresh.load(path=str(out), format=__import__("pyoxigraph").RdfFormat.N_QUADS)
    assert len(fresh) == report.quads > 10_000
