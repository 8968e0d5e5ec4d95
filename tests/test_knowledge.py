"""The knowledge layer in the built store: evidence that really anchors, the curated corpus
complete, entity resolution, mentions measured against a hand-checked sample."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from ingest import build, curation, mentions
from ingest.model import Document
from service.queries import run_select
from service.settings import Settings
from tests.conftest import DATA, ROOT

CURATED = ROOT / "ontology" / "curated"
ENTITY = "https://w3id.org/datawork-kg/id/entity/"


@pytest.fixture(scope="module")
def settings(built_store: tuple[Path, build.Report]) -> Settings:
    return Settings(store_dir=built_store[0])


@pytest.fixture(scope="module")
def knowledge() -> curation.Knowledge:
    problems: list[str] = []
    k = curation.load(curation.curated_files(CURATED), problems)
    assert problems == []
    return k


def select(settings: Settings, query: str) -> list[dict[str, str]]:
    return run_select(settings, query)[1]


def test_the_build_reports_a_consistent_valid_graph(built_store: tuple[Path, build.Report]) -> None:
    report = built_store[1]
    assert report.reasoned and report.inferred > 1000
    assert report.shacl_violations == []
    assert report.entities["Concept"] > 150
    assert report.relations > 300
    assert report.definitions > 150 and report.concepts_defined > 150
    assert report.mentions > 5000
    assert not [w for w in report.warnings if "is not a curated Person" in w]


def test_every_evidence_quote_is_the_text_of_its_passage_at_its_offsets(settings: Settings) -> None:
    rows = select(
        settings,
        """SELECT ?ev ?exact ?start ?end ?content WHERE {
             ?ev a dw:Evidence ; oa:hasTarget ?t .
             ?t oa:hasSource ?p ; oa:hasSelector ?q , ?pos .
             ?q a oa:TextQuoteSelector ; oa:exact ?exact .
             ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
             ?p c4o:hasContent ?content }""",
    )
    assert len(rows) > 2500
    for r in rows:
        assert r["content"][int(r["start"]) : int(r["end"])] == r["exact"], r["ev"]


def test_page_locators_of_evidence_lie_within_their_passage(settings: Settings) -> None:
    rows = select(
        settings,
        """SELECT ?ev ?value ?first ?last WHERE {
             ?ev a dw:Evidence ; dw:locatorLabel "page" ; dw:locatorValue ?value ;
                 prov:wasDerivedFrom ?p .
             ?p prism:startingPage ?first ; prism:endingPage ?last }""",
    )
    assert len(rows) > 500
    for r in rows:
        pages = [int(x) for x in re.split("–", r["value"])]
        assert int(r["first"]) <= pages[0] <= pages[-1] <= int(r["last"]), r


def test_every_work_and_every_chapter_is_curated(settings: Settings) -> None:
    rows = select(
        settings,
        """SELECT ?id ?ch (COUNT(DISTINCT ?ev) AS ?n) WHERE {
             ?ev a dw:Evidence ; dw:work/dw:workId ?id .
             OPTIONAL { ?ev dw:chapter/dw:chapterNumber ?ch } } GROUP BY ?id ?ch""",
    )
    seen = {(r["id"], r.get("ch")): int(r["n"]) for r in rows}
    for work in ("000", "001", "002", "004"):
        assert seen.get((work, None), 0) >= 30, work
    for chapter in range(1, 20):
        assert seen.get(("003", str(chapter)), 0) >= 30, chapter


def test_inferred_relations_are_in_their_own_graph(settings: Settings) -> None:
    rows = select(
        settings,
        """SELECT ?g WHERE { GRAPH ?g {
             <https://w3id.org/datawork-kg/id/entity/alibaba> dw:hasSubsidiary
             <https://w3id.org/datawork-kg/id/entity/cainiao> } }""",
    )
    assert [r["g"] for r in rows] == ["https://w3id.org/datawork-kg/id/graph/inferred"]
    types = select(
        settings,
        """SELECT ?c WHERE { GRAPH <https://w3id.org/datawork-kg/id/graph/inferred> {
             <https://w3id.org/datawork-kg/id/entity/didi> a ?c } }""",
    )
    assert {"http://www.w3.org/ns/prov#Agent", "http://www.w3.org/ns/org#Organization"} <= {
        r["c"] for r in types
    }


def test_one_node_per_real_thing_under_all_its_names(knowledge: curation.Knowledge) -> None:
    labels = {e.id: set(e.labels()) for e in knowledge.entities.values()}
    assert {"DiDi", "Didi Chuxing"} <= labels["didi"]
    assert {"Bingqing Xia", "Xia Bingqing"} <= labels["bingqing-xia"]
    assert {"deep labour", "deep labor"} <= {x.lower() for x in labels["deep-labour"]}
    # namesakes stay apart
    turk, amt = (
        knowledge.entities["mechanical-turk-automaton"],
        knowledge.entities["amazon-mechanical-turk"],
    )
    assert (turk.type, amt.type) == ("Artefact", "PlatformCompany")
    chens = {
        i for i, e in knowledge.entities.items() if e.type == "Person" and e.label.endswith(" Chen")
    }
    assert {"julie-chen", "caiwei-chen"} <= chens


NAMESAKE_LABELS = {
    # a label two entities may share: the matcher tells them apart by context (or case)
    ("mechanical turk",): {"amazon-mechanical-turk", "mechanical-turk-automaton"},
    ("humans", "in", "the", "loop"): {"human-in-the-loop", "humans-in-the-loop"},
}


def test_no_two_entities_share_a_label_unless_they_are_known_namesakes(
    knowledge: curation.Knowledge,
) -> None:
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for e in knowledge.entities.values():
        for label in e.labels():
            words = tuple(mentions.canon(w).lower() for *_, w in mentions.tokens(label))
            owners[words].add(e.id)
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    allowed = {k for k, v in shared.items() if v in NAMESAKE_LABELS.values()}
    assert set(shared) - allowed == set(), {k: shared[k] for k in set(shared) - allowed}


def test_wikidata_links_are_well_formed_and_only_on_named_things(
    knowledge: curation.Knowledge,
) -> None:
    linked = [e for e in knowledge.entities.values() if e.same_as]
    assert len(linked) >= 20
    for e in linked:
        assert e.top in ("Actor", "Place", "Concept", "Institution", "Artefact", "Event"), e.id
        for iri in e.same_as:
            assert re.fullmatch(r"http://www\.wikidata\.org/entity/Q\d+", iri), (e.id, iri)
    wikidata = [iri for e in linked for iri in e.same_as]
    assert len(wikidata) == len(set(wikidata)), "two entities claim the same Wikidata item"


def test_every_entity_is_named_in_the_corpus(settings: Settings) -> None:
    rows = select(
        settings,
        """SELECT ?e WHERE { ?e dw:entityId ?id .
             FILTER NOT EXISTS { ?m dw:mentionOf ?e }
             FILTER NOT EXISTS { ?a rdf:subject|rdf:object ?e }
             FILTER NOT EXISTS { ?d dw:defines ?e } }""",
    )
    assert rows == []


def test_pseudonymous_sites_and_informants_are_flagged(knowledge: curation.Knowledge) -> None:
    flagged = {i for i, e in knowledge.entities.items() if e.pseudonym}
    assert {"000-base-b", "000-b-tech"} <= flagged
    assert len(flagged) >= 40


def test_the_company_humans_in_the_loop_is_never_the_phrase(settings: Settings) -> None:
    rows = select(
        settings,
        """SELECT ?label WHERE { ?m dw:mentionOf
             <https://w3id.org/datawork-kg/id/entity/humans-in-the-loop> ;
             dw:matchedLabel ?label }""",
    )
    assert rows and {r["label"] for r in rows} == {"Humans in the Loop"}


def _gold(name: str) -> list[dict[str, object]]:
    data = json.loads((DATA / name).read_text(encoding="utf-8"))
    passages: list[dict[str, object]] = data["passages"]
    return passages


@pytest.mark.parametrize("sample", ["mention_gold_1.json", "mention_gold_2.json"])
def test_mention_precision_and_recall_on_the_hand_checked_sample(
    docs: dict[str, Document], knowledge: curation.Knowledge, sample: str
) -> None:
    gold = {str(p["passage"]): set(p["entities"]) for p in _gold(sample)}  # type: ignore
    matcher = mentions.Matcher(knowledge.entities, mentions.common_words(docs.values()))
    found: dict[str, set[str]] = {p: set() for p in gold}
    for m in mentions.find_mentions(docs.values(), matcher, curation.neighbours(knowledge)):
        key = f"{m.work_id}-{m.block.iri_key}"
        if key in found:
            found[key].add(m.entity)
    tp = sum(len(found[p] & g) for p, g in gold.items())
    precision = tp / sum(len(f) for f in found.values())
    recall = tp / sum(len(g) for g in gold.values())
    assert precision >= 0.95 and recall >= 0.80, (precision, recall)


def test_every_concept_is_defined_or_related_with_evidence(settings: Settings) -> None:
    rows = select(
        settings,
        """SELECT ?c WHERE { ?c a dw:Concept .
             FILTER NOT EXISTS { ?c dw:hasDefinition ?d }
             FILTER NOT EXISTS { ?a rdf:subject|rdf:object ?c ; dw:hasEvidence ?ev } }""",
    )
    assert rows == []
    defined = select(
        settings,
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dw:Concept ; dw:hasDefinition ?d }",
    )
    assert int(defined[0]["n"]) > 350
