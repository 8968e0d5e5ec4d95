"""The ontology itself: every term labelled and defined, the curation vocabulary in step,
the HTML documentation generated from it and served."""

from __future__ import annotations

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ingest.curation import DEFINABLE, PREDICATES, TYPES
from ontology import DW, ONTOLOGY_FILE, ONTOLOGY_IRI, SHAPES_FILE
from service import ontology_docs

G = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")


def terms() -> list[rdflib.URIRef]:
    return sorted(
        {s for s in G.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(DW)}
    )


def test_every_term_has_a_label_and_a_definition() -> None:
    missing = [t for t in terms() if not G.value(t, RDFS.label) or not G.value(t, SKOS.definition)]
    assert missing == []
    assert len(terms()) > 150


def test_the_ontology_has_a_version_iri() -> None:
    onto = rdflib.URIRef(ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in G
    version = G.value(onto, OWL.versionIRI)
    assert version is not None and str(version).startswith(ONTOLOGY_IRI + "/")


def _union(node: rdflib.term.Node) -> set[str]:
    if isinstance(node, rdflib.BNode):
        members = rdflib.collection.Collection(G, G.value(node, OWL.unionOf))
        return {str(m)[len(DW) :] for m in members}
    return {str(node)[len(DW) :]}


def test_curation_types_are_ontology_classes_under_their_top_class() -> None:
    for name, top in TYPES.items():
        cls = rdflib.URIRef(DW + name)
        assert (cls, RDF.type, OWL.Class) in G, name
        ancestors = set(G.transitive_objects(cls, RDFS.subClassOf))
        assert rdflib.URIRef(DW + top) in ancestors, name


def test_curation_predicates_have_the_domains_and_ranges_of_the_ontology() -> None:
    skos = {"broader": SKOS.broader, "related": SKOS.related}
    for name, pred in PREDICATES.items():
        prop = skos.get(name, rdflib.URIRef(DW + name))
        assert (prop, RDF.type, OWL.ObjectProperty) in G, name
        domain = _union(G.value(prop, RDFS.domain))
        expected_domain = {"Person"} if pred.person_only else set(pred.domain)
        assert domain == expected_domain, name
        assert _union(G.value(prop, RDFS.range)) == set(pred.range), name
        assert ((prop, RDF.type, OWL.SymmetricProperty) in G) == pred.symmetric, name
        if not pred.symmetric:
            assert G.value(None, OWL.inverseOf, prop) or G.value(prop, OWL.inverseOf), name
    assert _union(G.value(rdflib.URIRef(DW + "defines"), RDFS.range)) == set(DEFINABLE)


def test_shapes_parse_and_target_the_knowledge_classes() -> None:
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targets = {str(o)[len(DW) :] for o in shapes.objects(None, sh.targetClass)}
    assert {"Concept", "Assertion", "Evidence", "Definition", "Mention"} <= targets


def test_html_documentation_lists_every_class_and_property() -> None:
    html = ontology_docs.render_html()
    for t in terms():
        if (t, RDF.type, OWL.Class) in G or (t, RDF.type, OWL.ObjectProperty) in G:
            assert f'id="{str(t)[len(DW) :]}"' in html, t
            assert (
                str(G.value(t, SKOS.definition)).replace("'", "&#x27;").replace('"', "&quot;")[:40]
                in html
            ), t
