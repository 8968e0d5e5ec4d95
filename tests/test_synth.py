"""The synthetic corpus generator (bench/synth.py): real works untouched, copies new,
every copy readable by its reader with pages and reference lists, citations resolving
to works of the generated manifest, deterministic for a seed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.synth import CURATED, MANIFEST, generate, verify
from ingest import build, curation, manifest, mentions
from ingest.citations import find_citations, match_reference
from ingest.model import Document, Kind
from ingest.references import parse_reference
from ontology import CURATED_DIR
from tests.conftest import CORPUS

REAL = {e.id: e for e in manifest.load(CORPUS)}


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "x3"
    generate(3, out, seed=1)
    return out


@pytest.fixture(scope="module")
def records(synth: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((synth / MANIFEST).read_text(encoding="utf-8"))
    return {r["id"]: r for r in data["works"]}


@pytest.fixture(scope="module")
def copies(synth: Path, records: dict[str, dict[str, Any]]) -> dict[str, Document]:
    entries = {e.id: e for e in manifest.load(synth)}
    return {
        i: build.read_document(entries[i], synth) for i, r in records.items() if "synthetic" in r
    }


def test_factor_one_is_the_corpus(tmp_path: Path) -> None:
    generate(1, tmp_path / "x1")
    files = _files(tmp_path / "x1")
    for e in REAL.values():
        assert files[e.file] == (CORPUS / e.file).read_bytes()
    assert files[MANIFEST] == (CORPUS / MANIFEST).read_bytes()
    assert {f for f in files if "/" not in f} == {MANIFEST, *(e.file for e in REAL.values())}


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    generate(2, tmp_path / "a", seed=7)
    generate(2, tmp_path / "b", seed=7)
    generate(2, tmp_path / "c", seed=8)
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert a == b
    assert set(a) != set(c) or a != c


def test_the_real_works_stay_byte_identical(
    synth: Path, records: dict[str, dict[str, Any]]
) -> None:
    real = json.loads((CORPUS / MANIFEST).read_text(encoding="utf-8"))["works"]
    for rec in real:
        assert (synth / rec["file"]).read_bytes() == (CORPUS / rec["file"]).read_bytes()
        assert records[rec["id"]] == rec
    for p in curation.curated_files(CURATED_DIR):
        assert (synth / CURATED / p.name).read_bytes() == p.read_bytes()


def test_copies_have_new_ids_titles_authors(records: dict[str, dict[str, Any]]) -> None:
    syn = [r for r in records.values() if "synthetic" in r]
    assert len(syn) == 2 * len(REAL)
    assert Counter(r["synthetic"]["template"] for r in syn) == Counter({i: 2 for i in REAL})
    real_titles = {str(e.csl.get("title")) for e in REAL.values()}
    real_people = {
        p["family"]
        for e in REAL.values()
        for p in [*e.csl.get("author", []), *e.csl.get("editor", [])]
        + [a for ch in e.chapters for a in ch.authors]
    }
    titles = [r["csl"]["title"] for r in syn]
    assert len(set(titles)) == len(titles) and not set(titles) & real_titles
    for r in syn:
        template = REAL[r["synthetic"]["template"]]
        assert r["id"] not in REAL and r["file"] != template.file
        assert r["layout"] == template.layout
        people = r["csl"].get("author") or r["csl"]["editor"]
        assert people and not {p["family"] for p in people} & real_people
        assert r["csl"]["issued"]["date-parts"][0][0] != 2025 or template.id != "000"
        if template.csl.get("DOI"):
            assert r["csl"]["DOI"] != template.csl["DOI"]
        for ch in r.get("chapters", []):
            assert not {a["family"] for a in ch["author"]} & real_people
            assert ch["title"] is None or ch["title"] not in {c.title for c in template.chapters}


def test_every_copy_reads_like_its_template(synth: Path) -> None:
    assert verify(synth) == []


def test_pages_and_reference_lists(
    copies: dict[str, Document], records: dict[str, dict[str, Any]], docs: dict[str, Document]
) -> None:
    for wid, doc in copies.items():
        rec = records[wid]
        template = docs[rec["synthetic"]["template"]]
        refs = [b for b in doc.blocks if b.kind is Kind.REFERENCE]
        assert len(refs) == sum(b.kind is Kind.REFERENCE for b in template.blocks)
        if doc.layout == "lines" and rec.get("pages"):  # the masthead's page 1
            assert any(
                b.pages.first == "1" and b.pages.certainty.value == "exact" for b in doc.blocks
            )
        if doc.layout != "printed":
            continue
        chapter_map = {int(k): v for k, v in rec["synthetic"]["chapters"].items()}
        assert sorted(chapter_map.values()) == [ch.number for ch in template.chapters]
        tch = {ch.number: ch for ch in template.chapters}
        labelled = 0
        for ch in doc.chapters:
            t = tch[chapter_map[ch.number]]
            mine = Counter(b.pages.certainty.value for b in doc.blocks if b.chapter == ch.number)
            theirs = Counter(
                b.pages.certainty.value for b in template.blocks if b.chapter == t.number
            )
            assert mine == theirs, (wid, ch.number)
            if t.pages.first is not None:
                labelled += 1
                assert ch.pages.first is not None and ch.pages.last is not None
                assert t.pages.last is not None
                shift = int(ch.pages.first) - int(t.pages.first)
                assert int(ch.pages.last) - int(t.pages.last) == shift
                assert int(ch.pages.first) % 2 == 1  # chapters open on a recto page
        assert labelled == sum(ch.pages.first is not None for ch in template.chapters)
        firsts = [int(ch.pages.first) for ch in doc.chapters if ch.pages.first]
        assert firsts == sorted(firsts)  # the new order paginates forward
        assert any(b.kind is Kind.REFERENCE for b in doc.blocks)


def _units(records: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
    """(first author's family name, year) of every work and chapter in the manifest."""
    out: set[tuple[str, str]] = set()
    for r in records.values():
        year = r["csl"].get("issued", {}).get("date-parts", [[None]])[0][0]
        if year is None:
            continue
        people = r["csl"].get("author") or r["csl"].get("editor") or []
        if people:
            out.add((people[0]["family"], str(year)))
        for ch in r.get("chapters", []):
            out.add((ch["author"][0]["family"], str(year)))
    return out


def test_citations_point_at_works_of_the_manifest(
    copies: dict[str, Document], records: dict[str, dict[str, Any]]
) -> None:
    units = _units(records)
    checked = resolved = 0
    for wid, doc in copies.items():
        lists: dict[int | None, list[Any]] = {}
        for b in doc.blocks:
            if b.kind is Kind.REFERENCE:
                lists.setdefault(b.chapter, []).append(parse_reference(b.text))
        kinds = (Kind.PARAGRAPH, Kind.NOTE) if doc.layout == "printed" else (Kind.PARAGRAPH,)
        for b in doc.blocks:
            if b.kind not in kinds:
                continue
            for c in find_citations(b.text):
                checked += 1
                assert (c.authors[0], c.year) in units, (wid, b.lines, c.text)
                refs = lists.get(b.chapter)
                if refs:
                    i = match_reference(c, refs)
                    assert i is not None, (wid, b.lines, c.text)
                    assert (refs[i].authors[0], refs[i].year) == (c.authors[0], c.year)
                    resolved += 1
    assert checked > 500 and resolved > 200


def test_footnotes_of_the_notes_layout_cite_manifest_works(
    copies: dict[str, Document], records: dict[str, dict[str, Any]]
) -> None:
    from ingest.citations import parse_note_citation

    units = _units(records)
    notes = [
        b
        for i, d in copies.items()
        if i.startswith("002-")
        for b in d.blocks
        if b.kind is Kind.NOTE
    ]
    assert notes
    for b in notes:
        cited = parse_note_citation(b.text)
        assert cited, b.text
        assert all((c.authors[0], c.year) in units for c in cited), b.text


def test_copies_carry_new_entities_the_mention_finder_finds(
    synth: Path, copies: dict[str, Document], docs: dict[str, Document]
) -> None:
    problems: list[str] = []
    k = curation.load(curation.curated_files(synth / CURATED), problems)
    curation.check_references(k, problems)
    assert problems == []
    real = curation.load([*curation.curated_files(CURATED_DIR)], [])
    matcher = mentions.Matcher(k.entities, mentions.common_words(docs.values()))
    found = list(mentions.find_mentions(copies.values(), matcher))
    by_work: dict[str, Counter[bool]] = {}
    for m in found:  # body text (titles of works and their citations use the field's terms)
        if m.block.kind is Kind.PARAGRAPH:
            by_work.setdefault(m.work_id, Counter())[m.entity in real.entities] += m.count
    for wid in copies:
        new, old = by_work[wid][False], by_work[wid][True]
        assert new > 20 * max(1, old), (wid, new, old)  # almost every mention is a new entity
    # each copy's entities are its own
    prefixes = {
        m.entity.split("-", 2)[0] + "-" + m.entity.split("-", 2)[1]
        for m in found
        if m.entity not in real.entities
    }
    assert len(prefixes) == len(copies)


def test_the_copy_ingests(tmp_path: Path) -> None:
    """A build of ×2 without HermiT and SHACL (bench/scale.py times the whole ingest):
    the curated records (the real ones and the copies') check, every quote anchors."""
    generate(2, tmp_path / "x2")
    options = build.Options(curated=tmp_path / "x2" / CURATED, reasoning=False, validation=False)
    report = build.ingest(tmp_path / "x2", tmp_path / "store", options=options)
    assert report.errors == [] and report.works == 2 * len(REAL)
    assert report.relations > 2000 and report.mentions > 10_000
    assert report.citations_unresolved <= 6  # the real works' own; every copy's resolves
    assert not [w for w in report.warnings if "is not a curated Person" in w and "-s0" in w]
