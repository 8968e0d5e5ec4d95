"""HermiT (through owlready2) on the entity layer; pySHACL on the knowledge graph."""

from __future__ import annotations

import shutil

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Triple

from ingest import reasoning, validation
from ontology import DW, OA, RDF

E = "https://w3id.org/datawork-kg/id/entity/"
G = NamedNode("https://w3id.org/datawork-kg/id/graph/inferred")

requires_java = pytest.mark.skipif(
    shutil.which("java") is None, reason="NOT RUN: Java is not installed (HermiT needs it)"
)


def t(s: str, p: str, o: str) -> Triple:
    return Triple(NamedNode(E + s), NamedNode(p), NamedNode(o if ":" in o else E + o))


def typed(s: str, cls: str) -> Triple:
    return t(s, RDF + "type", DW + cls)


@requires_java
def test_hermit_materialises_types_inverses_and_symmetric_relations() -> None:
    inferred = reasoning.infer(
        [
            typed("baidu", "Company"),
            typed("base", "DataLabellingBase"),
            typed("shanxi", "Region"),
            typed("china", "Country"),
            t("baidu", DW + "outsourcesTo", "base"),
            t("baidu", DW + "partnersWith", "base"),
            t("shanxi", DW + "partOf", "china"),
            t("base", DW + "locatedIn", "shanxi"),
        ],
        G,
    )
    got = {(q.subject.value[len(E) :], q.predicate.value, q.object.value) for q in inferred}
    assert ("base", DW + "receivesOutsourcedWorkFrom", E + "baidu") in got
    assert ("base", DW + "partnersWith", E + "baidu") in got
    assert ("shanxi", DW + "locationOf", E + "base") in got
    assert ("china", DW + "hasPart", E + "shanxi") in got
    assert ("baidu", RDF + "type", DW + "Actor") in got
    assert ("baidu", RDF + "type", "http://www.w3.org/ns/prov#Agent") in got
    assert ("baidu", RDF + "type", "http://www.w3.org/ns/org#Organization") in got
    assert all(q.graph_name == G for q in inferred)
    # nothing asserted comes back as inferred
    assert ("baidu", DW + "outsourcesTo", E + "base") not in got


@requires_java
def test_hermit_finds_a_relation_whose_range_contradicts_the_kind_inconsistent() -> None:
    with pytest.raises(reasoning.ReasoningError, match="inconsistent"):
        reasoning.infer(
            [
                typed("ghost-work", "Concept"),
                typed("sama", "BPO"),
                t("sama", DW + "employs", "ghost-work"),  # employs needs an Actor object
            ],
            G,
        )


def test_missing_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java-17")
    with pytest.raises(reasoning.ReasoningError, match=r"Java is needed .* --no-reasoning"):
        reasoning.infer([typed("baidu", "Company")], G)


def _evidence(drop: str | None = None) -> list[Quad]:
    ev = NamedNode(E + "ev")
    target, quote, pos = (NamedNode(E + x) for x in ("t", "q", "p"))
    g = NamedNode(E + "g")
    triples = [
        (ev, RDF + "type", NamedNode(DW + "Evidence")),
        (ev, OA + "hasBody", NamedNode(E + "a")),
        (ev, OA + "hasTarget", target),
        (target, OA + "hasSource", NamedNode(E + "passage")),
        (target, OA + "hasSelector", quote),
        (target, OA + "hasSelector", pos),
        (quote, RDF + "type", NamedNode(OA + "TextQuoteSelector")),
        (quote, OA + "exact", Literal("quoted words")),
        (pos, RDF + "type", NamedNode(OA + "TextPositionSelector")),
        (
            pos,
            OA + "start",
            Literal("0", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ),
        (
            pos,
            OA + "end",
            Literal("12", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ),
        (ev, DW + "locatorLabel", Literal("page")),
        (ev, DW + "locatorValue", Literal("36")),
        (ev, DW + "pageCertainty", Literal("inferred")),
        (ev, DW + "locatorCertainty", Literal("inferred")),
        (ev, DW + "work", NamedNode(E + "w")),
        (ev, "http://www.w3.org/ns/prov#wasDerivedFrom", NamedNode(E + "passage")),
        (ev, "http://www.w3.org/ns/prov#wasGeneratedBy", NamedNode(E + "act")),
        (ev, DW + "method", Literal("curated")),
    ]
    return [Quad(s, NamedNode(p), o, g) for s, p, o in triples if not (drop and p.endswith(drop))]


def test_shacl_accepts_well_formed_evidence() -> None:
    report = validation.validate(_evidence())
    assert report.conforms, report.violations


@pytest.mark.parametrize("drop", ["#locatorValue", "#exact", "#hasSource", "#method"])
def test_shacl_rejects_evidence_missing_what_a_citation_needs(drop: str) -> None:
    report = validation.validate(_evidence(drop))
    assert not report.conforms
    assert any(drop[1:] in v or "selector" in v for v in report.violations), report.violations


def test_shacl_rejects_an_unknown_page_certainty() -> None:
    quads = [q for q in _evidence() if not q.predicate.value.endswith("pageCertainty")]
    quads.append(
        Quad(
            NamedNode(E + "ev"),
            NamedNode(DW + "pageCertainty"),
            Literal("probably"),
            quads[0].graph_name,
        )
    )
    report = validation.validate(quads)
    assert not report.conforms


@requires_java
def test_inconsistency_names_the_entity_and_why() -> None:
    with pytest.raises(reasoning.ReasoningError) as e:
        reasoning.infer(
            [
                typed("ghost-work", "Concept"),
                typed("sama", "BPO"),
                t("sama", DW + "employs", "ghost-work"),
            ],
            G,
        )
    assert "ghost-work is Actor (range of employs) and Concept (typed Concept)" in str(e.value)
