"""Curated records: loading, merging, checking, and anchoring quotes in the texts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest import build, curation
from ingest.curation import TextIndex, skeleton
from ingest.model import Document
from tests.conftest import CORPUS, DATA, ROOT


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


SHARED = ROOT / "ontology" / "curated" / "shared.yaml"


@pytest.fixture(scope="module")
def index(docs: dict[str, Document]) -> TextIndex:
    return TextIndex(docs.values())


def anchor(index: TextIndex, quote: str, work: str, chapter: int | None = None) -> curation.Anchor:
    found = next(index.find(quote, work, chapter), None)
    assert found is not None, f"{quote!r} not found in {work}"
    return found


def test_skeleton_forgives_only_what_the_issue_allows() -> None:
    same = [
        ("‘inland-sourcing’", "'inland-sourcing'"),
        ("a\u00a0b  c\nd", "a b c d"),
        ("refu- gees", "refugees"),
        ("“deep labor”", '"deep labor"'),
    ]
    for a, b in same:
        assert skeleton(a)[0] == skeleton(b)[0], (a, b)
    different = [
        ("deep labour", "deep labor"),
        ("a – b", "a - b"),
        ("'x'", '"x"'),
        ("Sama", "sama"),
        ("data workers", "data worker"),
    ]
    for a, b in different:
        assert skeleton(a)[0] != skeleton(b)[0], (a, b)


def test_skeleton_maps_back_to_the_original_offsets() -> None:
    text = "the ‘double wall’ – blocking"
    skel, where = skeleton(text)
    at = skel.find("'doublewall'")
    assert text[where[at] : where[at + len("'doublewall'") - 1] + 1] == "‘double wall’"


def test_quote_with_curly_quotes_straightened_anchors_verbatim(index: TextIndex) -> None:
    a = anchor(index, '"You know, I want to make a suggestion," Enrique said', "003", 9)
    assert a.exact == "“You know, I want to make a suggestion,” Enrique said"
    assert a.block.lines[0] == 8634


def test_quote_broken_by_line_end_hyphenation_anchors(index: TextIndex) -> None:
    # ch. 14 prints "refu-" at a line end (L13927-13929)
    a = anchor(index, "prison labor or refugees; see also chapter 9", "003", 14)
    assert "refugees" in a.exact


def test_anchor_gives_the_page_of_the_quote_itself(index: TextIndex) -> None:
    # ch. 2: L1988 begins p. 36 (Figure 2.1 is a page of its own; docs/graph.md)
    a = anchor(index, "One evening in 2016, I sat down", "003", 2)
    assert a.locator() == ("page", "23", "inferred")  # an opening page has no running head


EXPECTED = json.loads((DATA / "expected_passages.json").read_text(encoding="utf-8"))[1:]


@pytest.mark.parametrize("case", EXPECTED, ids=[f"{c['work']}-{c['quote'][:30]}" for c in EXPECTED])
def test_evidence_locators_agree_with_the_hand_checked_pages(
    index: TextIndex, case: dict[str, Any]
) -> None:
    a = anchor(index, case["quote"], case["work"], case["chapter"])
    label, value, certainty = a.locator()
    if case["page"] is None:
        assert label in ("paragraph", "note", "section")
    else:
        assert (label, value, certainty) == ("page", case["page"], case["certainty"]), case["why"]


def test_a_quote_in_another_chapter_is_not_found(index: TextIndex) -> None:
    assert next(index.find("One evening in 2016, I sat down", "003", 3), None) is None


def test_articles_without_pages_give_a_paragraph_locator(index: TextIndex) -> None:
    a = anchor(index, "Key informants from major AI companies noted", "000")
    label, value, certainty = a.locator()
    assert label == "paragraph" and value.isdigit() and certainty == "exact"


BAD = """
entities:
  - {id: x-concept, type: Concept, label: x concept}
  - {id: x-person, type: Person, label: X Person}
  - {id: x-bad-type, type: Gadget, label: gadget}
relations:
  - {subject: x-person, predicate: employs, object: nobody, work: "000", quote: "Key informants"}
  - {subject: x-person, predicate: admires, object: x-concept, work: "000", quote: "Key informants"}
  - {subject: x-concept, predicate: employs, object: x-person, work: "000", quote: "Key informants"}
  - {subject: x-person, predicate: critiques, object: x-concept, work: "000",
     quote: "Key informants from major AI firms"}
  - {subject: x-person, predicate: critiques, object: x-concept, work: "003",
     quote: "Key informants"}
definitions:
  - {concept: x-person, work: "000", quote: "Key informants"}
"""


def test_every_bad_record_is_named(tmp_path: Path, docs: dict[str, Document]) -> None:
    path = write(tmp_path, "bad.yaml", BAD)
    with pytest.raises(curation.CurationError) as e:
        curation.load_and_check([SHARED, path], docs.values())
    problems = "\n".join(e.value.problems)
    assert "bad.yaml: entities[2] (x-bad-type): unknown type 'Gadget'" in problems
    assert "relations[0] (x-person employs nobody): no entity has the id 'nobody'" in problems
    assert "relations[1] (x-person admires x-concept): unknown predicate 'admires'" in problems
    assert (
        "relations[2] (x-concept employs x-person): employs needs a subject of kind Actor"
        in problems
    )
    assert "relations[3] (x-person critiques x-concept): quote not found in work 000" in problems
    assert (
        "relations[4] (x-person critiques x-concept): a quote from work 003 needs its chapter"
        in problems
    )
    assert "definitions[0] (x-person): x-person is a Person; only a Concept" in problems
    assert len(e.value.problems) == 7


def test_not_found_says_where_the_quote_stops_matching(
    tmp_path: Path, docs: dict[str, Document]
) -> None:
    path = write(
        tmp_path,
        "near.yaml",
        """
relations:
  - subject: baidu
    predicate: operatesIn
    object: beijing
    work: "000"
    quote: "major Chinese AI firms on the East coast – such as Baidu and Tencent in Beijing"
""",
    )
    with pytest.raises(curation.CurationError) as e:
        curation.load_and_check([SHARED, path], docs.values())
    assert (
        "the first 13 of 16 words match (lines 138–138), then it differs at 'Tencent in Beijing'"
        in str(e.value)
    )


def test_yaml_errors_and_unknown_fields_name_the_file(
    tmp_path: Path, docs: dict[str, Document]
) -> None:
    broken = write(tmp_path, "broken.yaml", "entities: [ {id: a\n")
    extra = write(
        tmp_path, "extra.yaml", "entities:\n  - {id: a, type: Concept, label: a, colour: red}\n"
    )
    workless = write(
        tmp_path, "work.yaml", 'definitions:\n  - {concept: a, work: "009", quote: q}\n'
    )
    with pytest.raises(curation.CurationError) as e:
        curation.load_and_check([broken, extra, workless], docs.values())
    text = str(e.value)
    assert "broken.yaml: not valid YAML" in text
    assert "extra.yaml: entities[0].colour: Extra inputs are not permitted" in text
    assert (
        "work.yaml: definitions[0].work: Input should be '000', '001', '002', '003' or '004'"
        in text
    )


def test_records_with_one_id_merge_and_types_must_agree(
    tmp_path: Path, docs: dict[str, Document]
) -> None:
    a = write(
        tmp_path,
        "a.yaml",
        "entities:\n  - {id: appen, type: Company, label: Appen, alt_labels: [Appen Ltd]}\n",
    )
    problems: list[str] = []
    k = curation.load([SHARED, a], problems)
    assert not problems
    assert set(k.entities["appen"].labels()) == {"Appen", "Appen Ltd"}
    assert len(k.entities["appen"].sources) == 2
    b = write(tmp_path, "b.yaml", "entities:\n  - {id: appen, type: Person, label: Appen}\n")
    k = curation.load([SHARED, b], problems)
    assert len(problems) == 1
    assert (
        "type Person disagrees with Company" in problems[0]
        or "type Company disagrees with Person" in problems[0]
    )
    assert "use another id for a namesake" in problems[0]


def test_a_bad_quote_fails_the_build_and_keeps_the_store(tmp_path: Path) -> None:
    curated = tmp_path / "curated"
    curated.mkdir()
    (curated / "shared.yaml").write_text(SHARED.read_text(encoding="utf-8"), encoding="utf-8")
    store = tmp_path / "store"
    options = build.Options(curated=curated, reasoning=False, validation=False)
    first = build.ingest(CORPUS, store, options=options)
    assert first.store_path is not None
    write(
        curated,
        "003-ch99.yaml",
        'relations:\n  - {subject: baidu, predicate: operatesIn, object: china, work: "000",'
        ' quote: "Baidu opened a base on the moon"}\n',
    )
    with pytest.raises(
        curation.CurationError,
        match=r"003-ch99.yaml: relations\[0\] \(baidu operatesIn china\): quote not found",
    ):
        build.ingest(CORPUS, store, options=options)
    assert (store / "current").resolve() == first.store_path.resolve()


RELATION = (
    "relations:\n  - {{subject: baidu, predicate: locatedIn, object: beijing, "
    'work: "000", quote: "{quote}"}}\n'
)


def test_check_command_reports_only_the_files_asked_for(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = tmp_path / "curated"
    folder.mkdir()
    write(folder, "shared.yaml", SHARED.read_text(encoding="utf-8"))
    good = write(
        folder,
        "good.yaml",
        RELATION.format(quote="Baidu and Bytedance in Beijing"),
    )
    write(folder, "other.yaml", "entities: [ {id: a\n")
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "curation", "check", str(good)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 file(s) checked: all records check" in run.stdout
    bad = write(
        folder,
        "bad.yaml",
        RELATION.format(quote="Baidu on the moon"),
    )
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "curation", "check", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 1
    assert (
        "bad.yaml: relations[0] (baidu locatedIn beijing): quote not found in work 000"
        in run.stdout
    )
    assert "other.yaml" not in run.stdout
