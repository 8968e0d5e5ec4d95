"""Competency questions as executable tests: each named query with its expected answer.

The expectations come from the texts (the quote each answer carries is checked to be in
the cited passage by tests/test_knowledge.py); they are what a researcher asking the
question should get back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import build
from service import catalogue, queries
from service.settings import Settings
from tests.conftest import ROOT

Rows = list[dict[str, str]]
ENTITY = "https://w3id.org/datawork-kg/id/entity/"


@pytest.fixture(scope="module")
def settings(built_store: tuple[Path, build.Report]) -> Settings:
    return Settings(store_dir=built_store[0])


def run(settings: Settings, name: str, **params: str) -> Rows:
    return queries.run_named(settings, name, params)


def ids(rows: Rows, column: str) -> set[str]:
    return {r[column].removeprefix(ENTITY) for r in rows if column in r}


def test_there_are_at_least_25_competency_queries_each_documented() -> None:
    named = catalogue.load(ROOT / "queries")
    competency = {n: q for n, q in named.items() if n not in ("stats", "knowledge-stats")}
    assert len(competency) >= 25
    for q in named.values():
        assert q.title and q.description and q.columns, q.name
        assert all(p.description for p in q.params), q.name


def test_every_example_of_every_named_query_answers(settings: Settings) -> None:
    for q in catalogue.load(ROOT / "queries").values():
        for example in q.examples or ({},):
            rows = queries.run_named(settings, q.name, example)
            assert rows, f"{q.name} {example} answered nothing"
            missing = set(q.columns) - {k for r in rows for k in r}
            assert not missing - {"chapter", "date", "issuer_label", "description",
                                  "jurisdiction_label", "components", "affiliation",
                                  "credited"}, (q.name, missing)  # fmt: skip


def test_who_coined_deep_labour_differs_between_works(settings: Settings) -> None:
    rows = run(settings, "concept-credits", concept="deep-labour")
    by_work = {(r["work_id"], r.get("chapter")) for r in rows}
    assert ("001", None) in by_work and ("003", "10") in by_work
    authors_001 = {"paola-tubaro", "antonio-casilli", "maxime-cornet", "clement-le-ludec",
                   "juana-torres-cierpe"}  # fmt: skip
    assert ids([r for r in rows if r["work_id"] == "001"], "agent") == authors_001
    ch10 = [r for r in rows if r.get("chapter") == "10"]
    assert ids(ch10, "agent") == {"antonio-casilli"}
    assert any("Casilli et al. (2019) call “deep labor” platforms" in r["quote"] for r in ch10)


def test_where_inland_sourcing_is_defined(settings: Settings) -> None:
    rows = run(settings, "concept-definitions", concept="inland-sourcing")
    coined = [r for r in rows if r["coined"] == "true"]
    assert len(coined) == 1
    [d] = coined
    assert d["work_id"] == "000"
    assert d["definition"].startswith("In a process we call 'inland-sourcing', major Chinese AI")
    assert set(d["credited"].split("; ")) == {"Tongyu Wu", "James Muldoon", "Bingqing Xia"}
    assert d["locator_label"] == "paragraph"  # 000 prints only its first page number


def test_graduated_sovereignty_is_ongs_and_defined_in_chapter_7(settings: Settings) -> None:
    rows = run(settings, "concept-definitions", concept="graduated-sovereignty")
    assert rows and all(r["work_id"] == "003" and r["chapter"] == "7" for r in rows)
    assert all(r["credited"] == "Aihwa Ong" for r in rows)
    assert any("graduated sovereignty describes a situation" in r["definition"] for r in rows)
    cases = run(settings, "cases-of", concept="graduated-sovereignty")
    assert "dftz" in ids(cases, "case")


def test_which_works_discuss_ghost_work(settings: Settings) -> None:
    rows = run(settings, "works-discussing", entity="ghost-work")
    works = {(r["work_id"], r.get("chapter")) for r in rows}
    assert {("002", None), ("003", "11")} <= works
    assert all(int(r["passages"]) >= 1 and int(r["mentions"]) >= int(r["passages"]) for r in rows)


def test_who_outsources_to_india(settings: Settings) -> None:
    rows = run(settings, "outsourcers-to", target="india")
    assert {"meta", "amazon"} <= ids(rows, "outsourcer")
    meta = next(r for r in rows if r["outsourcer"].endswith("/meta"))
    assert "Facebook uses Indian contractors" in meta["quote"]
    assert (meta["work_id"], meta["chapter"], meta["locator_label"]) == ("003", "1", "page")


def test_where_baidu_sends_annotation_work(settings: Settings) -> None:
    rows = run(settings, "outsourcing-by", actor="baidu")
    assert "china-inland-regions" in ids(rows, "target")
    suppliers = run(settings, "data-work-suppliers", client="baidu")
    assert {"mengdong", "vocational-school-students"} <= ids(suppliers, "supplier")


def test_what_regulates_bytedance_and_who_issued_it(settings: Settings) -> None:
    rows = run(settings, "institutions-regulating", target="bytedance")
    measures = [
        r for r in rows if r["institution"].endswith("interim-measures-generative-ai-services")
    ]
    assert measures and measures[0]["type"] == "regulation"
    assert measures[0]["date"] == "2023-08-15"


def test_laws_of_china_with_their_issuers(settings: Settings) -> None:
    rows = run(settings, "laws-of-place", place="china")
    by_id = {r["institution"].removeprefix(ENTITY): r for r in rows}
    law = by_id["labour-law-of-china"]
    assert law["type"] == "law" and law["issuer_label"] == "National People's Congress"
    assert "interim-measures-generative-ai-services" in by_id
    issued = run(settings, "issued-by", issuer="chinese-state")
    assert "belt-and-road-initiative" in ids(issued, "institution")


def test_what_critiques_technological_determinism(settings: Settings) -> None:
    rows = run(settings, "critiques-of", target="technological-determinism")
    assert ids(rows, "critic") == {"yujia-he", "hong-shen"}
    assert all(r["work_id"] == "002" for r in rows)


def test_what_extends_the_potemkin_village(settings: Settings) -> None:
    rows = run(settings, "extensions-of", concept="potemkin-village")
    assert {"potemkin-technology", "planetary-potemkin-ai"} <= ids(rows, "other")
    assert all(r["direction"] == "extended by" and r["chapter"] == "13" for r in rows)


def test_how_microwork_relates_to_other_concepts(settings: Settings) -> None:
    rows = run(settings, "concept-neighbours", concept="microwork")
    assert ("broader", "crowdwork") in {
        (r["relation"], r["other"].removeprefix(ENTITY)) for r in rows
    }


def test_which_actors_operate_in_kenya_and_china(settings: Settings) -> None:
    kenya = run(settings, "actors-in-place", place="kenya")
    assert "remotasks" in ids(kenya, "actor")
    bases = run(settings, "actors-in-place", place="china", type="DataLabellingBase")
    found = ids(bases, "actor")
    assert "000-base-b" in found  # located in Guizhou, which is part of China
    assert all(r["actor"] for r in bases)


def test_everything_about_didi(settings: Settings) -> None:
    rows = run(settings, "entity-facts", entity="didi")
    investors = {r["other"].removeprefix(ENTITY) for r in rows if r["predicate"] == "funds"}
    assert {"tencent", "alibaba", "softbank", "apple"} <= investors
    assert all(r["quote"] and r["locator"] for r in rows)


def test_concepts_credited_differently_by_different_works(settings: Settings) -> None:
    rows = run(settings, "credit-disagreements")
    assert "deep-labour" in ids(rows, "concept")


def test_pseudonymous_sites_of_work_000(settings: Settings) -> None:
    rows = run(settings, "pseudonyms", work="000")
    found = ids(rows, "entity")
    assert {"000-base-b", "000-b-tech"} <= found
    assert all(r["work_id"] == "000" for r in rows)


def test_who_employs_vocational_school_students(settings: Settings) -> None:
    rows = run(settings, "workers-of", worker="vocational-school-students")
    assert {"000-factory-a", "mengdong"} <= ids(rows, "employer")


def test_what_didi_is_mentioned_with(settings: Settings) -> None:
    rows = run(settings, "co-mentioned", entity="didi")
    assert {"uber", "tencent"} <= ids(rows, "other")
    counts = [int(r["passages"]) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_concepts_defined_in_a_work_and_a_chapter(settings: Settings) -> None:
    assert "inland-sourcing" in ids(
        run(settings, "concepts-defined-in-work", work="000"), "concept"
    )
    ch13 = run(settings, "concepts-defined-in-work", work="003", chapter="13")
    by_id = {r["concept"].removeprefix(ENTITY): r for r in ch13}
    assert by_id["potemkin-village"]["first_locator"].startswith("page 23")


def test_authors_of_works_and_chapters_are_entities(settings: Settings) -> None:
    rows = run(settings, "work-authors", work="001")
    assert len(ids(rows, "author")) == 5
    volume = run(settings, "work-authors", work="003")
    chapter_12 = ids([r for r in volume if r.get("chapter") == "12"], "author")
    assert chapter_12 == {"js-tan", "moira-weigel"}
    assert {"mark-graham", "fabian-ferrari"} <= ids(volume, "author")


def test_regimes_of_china_and_their_components(settings: Settings) -> None:
    rows = run(settings, "regimes-of-place", place="china")
    ecosystem = next(r for r in rows if r["regime"].endswith("chinese-data-annotation-ecosystem"))
    assert "data labelling base" in ecosystem["components"]


def test_who_founded_tech_workers_coalition(settings: Settings) -> None:
    rows = run(settings, "founders", entity="tech-workers-coalition")
    assert ids(rows, "other") == {"rachel-melendes", "matt-schaefer"}


def test_who_works_on_mechanical_turk(settings: Settings) -> None:
    rows = run(settings, "platform-workers", platform="amazon-mechanical-turk")
    assert "imagenet-annotators" in ids(rows, "worker")


def test_the_most_mentioned_concepts_are_terms_of_the_field(settings: Settings) -> None:
    top = [
        r["entity"].removeprefix(ENTITY) for r in run(settings, "most-mentioned", type="Concept")
    ]
    assert {"data-annotation", "outsourcing", "crowdwork"} <= set(top[:10])


def test_partners_and_ownership(settings: Settings) -> None:
    assert "004-jiuquan-vocational-school" in ids(
        run(settings, "partners-of", actor="baidu"), "partner"
    )
    owned = run(settings, "ownership", actor="alibaba")
    assert {"cainiao", "ele-me"} <= ids(owned, "other")


def test_lookup_by_label_finds_spelling_variants(settings: Settings) -> None:
    rows = run(settings, "entity-lookup", text="deep labor")
    assert "deep-labour" in ids(rows, "entity")


def test_bad_parameters_are_refused_with_what_to_do(settings: Settings) -> None:
    with pytest.raises(queries.QueryError, match="needs the parameter 'concept'"):
        run(settings, "concept-credits")
    with pytest.raises(queries.QueryError, match="not an entity id"):
        run(settings, "concept-credits", concept="deep labour } ; DROP")
    with pytest.raises(queries.QueryError, match="has no parameter colour"):
        run(settings, "concept-credits", concept="deep-labour", colour="red")
    with pytest.raises(queries.QueryError, match="no named query 'nope'"):
        run(settings, "nope")
