"""Reasoning with HermiT (through owlready2): consistency, inferred types, inverse relations.

HermiT is a Java program; owlready2 runs it as a subprocess. Only the ontology and the
entity layer (types and relations between entities) go to the reasoner: the passages,
evidence and mentions have nothing for it to infer and would only slow it down. What it
entails beyond the input (superclasses such as ``prov:Agent``, inverse and symmetric
relations, super-properties) goes to its own named graph, ``id:graph/inferred``.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterable
from typing import Any

from pyoxigraph import NamedNode, Quad, RdfFormat, Triple, parse, serialize

from ingest.errors import IngestError
from ontology import DW, ONTOLOGY_FILE, OWL, RDF, SKOS

ENTITY_PREDICATES = (DW, SKOS + "broader", SKOS + "related")


class ReasoningError(IngestError):
    """HermiT could not run, or found the graph inconsistent."""


def java_available() -> bool:
    import owlready2

    return shutil.which(owlready2.JAVA_EXE) is not None


def ontology_triples() -> list[Triple]:
    with ONTOLOGY_FILE.open("rb") as f:
        return [q.triple for q in parse(f, RdfFormat.TURTLE)]


def entity_layer(quads: Iterable[Quad], entity_prefix: str) -> list[Triple]:
    """The triples the reasoner needs: entity types and entity-to-entity relations."""
    out: list[Triple] = []
    for q in quads:
        s, p, o = q.subject, q.predicate, q.object
        if not (isinstance(s, NamedNode) and s.value.startswith(entity_prefix)):
            continue
        if p.value == RDF + "type" or (
            isinstance(o, NamedNode)
            and o.value.startswith(entity_prefix)
            and p.value.startswith(ENTITY_PREDICATES)
        ):
            out.append(Triple(s, p, o))
    return out


def infer(entity_triples: list[Triple], graph: NamedNode) -> list[Quad]:
    """Run HermiT; return what it entails about the entities beyond ``entity_triples``."""
    import owlready2

    if not java_available():
        raise ReasoningError(
            f"Java is needed to run the HermiT reasoner and {owlready2.JAVA_EXE!r} was not "
            "found: install Java 17 (Debian: apt-get install openjdk-17-jre-headless), or "
            "run `dwkg ingest --no-reasoning` to build without reasoning"
        )
    individuals = {t.subject for t in entity_triples}
    declared = [
        Triple(i, NamedNode(RDF + "type"), NamedNode(OWL + "NamedIndividual")) for i in individuals
    ]
    data = serialize([*ontology_triples(), *entity_triples, *declared], format=RdfFormat.N_TRIPLES)
    assert data is not None
    world = owlready2.World()
    onto = world.get_ontology("https://w3id.org/datawork-kg/reasoning-input").load(
        fileobj=io.BytesIO(data), format="ntriples"
    )
    try:
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as e:
        clashes = explain(entity_triples)
        raise ReasoningError(
            "HermiT found the graph inconsistent: some entity is given two kinds that "
            "exclude each other (a type, or the domain or range of a relation, makes it "
            "both). "
            + (
                "These entities are: " + "; ".join(clashes)
                if clashes
                else "No single entity explains it; check the relations added last."
            )
        ) from e
    except Exception as e:  # owlready2 reports Java failures as plain exceptions
        raise ReasoningError(f"HermiT did not run: {e}") from e
    asserted = set(entity_triples)
    out: list[Quad] = []
    for ind in world.individuals():
        s = NamedNode(ind.iri)
        if s not in individuals:
            continue
        for cls in ind.INDIRECT_is_a:
            iri = getattr(cls, "iri", None)
            if iri is None or iri == OWL + "Thing":
                continue
            t = Triple(s, NamedNode(RDF + "type"), NamedNode(iri))
            if t not in asserted:
                out.append(Quad(t.subject, t.predicate, t.object, graph))
    relations = [t for t in entity_triples if t.predicate.value != RDF + "type"]
    for t in _entailed_relations(world, relations) - asserted:
        out.append(Quad(t.subject, t.predicate, t.object, graph))
    world.close()
    return out


def _entailed_relations(world: Any, relations: list[Triple]) -> set[Triple]:
    """The relations entailed by the reasoned property hierarchy: super-properties,
    inverses, symmetric and transitive properties (the only property axioms we use).

    The hierarchy is read from the world HermiT classified; following each asserted
    relation through it is much faster than asking owlready2 for every individual's
    indirect values, and gives the same triples.
    """
    import owlready2

    props = {p.iri: p for p in world.object_properties()}
    derived: set[Triple] = set(relations)
    todo = list(relations)
    while todo:
        t = todo.pop()
        prop = props.get(t.predicate.value)
        if prop is None:
            continue
        new: list[Triple] = []
        for sup in prop.ancestors():
            if not isinstance(sup, owlready2.ObjectPropertyClass) or sup.iri.startswith(OWL):
                continue
            p = NamedNode(sup.iri)
            new.append(Triple(t.subject, p, t.object))
            obj = t.object
            assert isinstance(obj, NamedNode)  # relations link entities
            if sup.inverse_property is not None:
                new.append(Triple(obj, NamedNode(sup.inverse_property.iri), t.subject))
            if owlready2.SymmetricProperty in sup.is_a:
                new.append(Triple(obj, p, t.subject))
            if owlready2.TransitiveProperty in sup.is_a:
                for u in list(derived):
                    if u.predicate == p and u.subject == t.object:
                        new.append(Triple(t.subject, p, u.object))
                    if u.predicate == p and u.object == t.subject:
                        new.append(Triple(u.subject, p, t.object))
        for n in new:
            if n not in derived:
                derived.add(n)
                todo.append(n)
    return derived


DISJOINT = (
    ("Actor", "Institution", "Regime", "Concept", "Place", "Artefact", "Event", "Work"),
    ("Person", "Organisation", "Group"),
)


def explain(entity_triples: list[Triple]) -> list[str]:
    """Entities whose types, with what domains and ranges imply, exclude each other."""
    import rdflib

    onto = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    rdfs = rdflib.RDFS

    def classes(node: rdflib.term.Node) -> set[str]:
        members = onto.value(node, rdflib.OWL.unionOf)
        if members is not None:
            return set()  # a union implies none of its members on its own
        return {str(node)}

    supers: dict[str, set[str]] = {}

    def ancestors(cls: str) -> set[str]:
        if cls not in supers:
            supers[cls] = {cls}
            for parent in onto.objects(rdflib.URIRef(cls), rdfs.subClassOf):
                supers[cls] |= ancestors(str(parent))
        return supers[cls]

    implied: dict[str, set[str]] = {}
    why: dict[tuple[str, str], str] = {}
    for t in entity_triples:
        s, p = str(getattr(t.subject, "value", "")), t.predicate.value
        o = str(getattr(t.object, "value", ""))
        if p == RDF + "type":
            for c in ancestors(o):
                implied.setdefault(s, set()).add(c)
                why.setdefault((s, c), f"typed {o.rsplit('#', 1)[-1]}")
            continue
        prop = rdflib.URIRef(p)
        for axis, node in ((rdfs.domain, s), (rdfs.range, o)):
            for cls in onto.objects(prop, axis):
                for c in classes(cls):
                    for a in ancestors(c):
                        implied.setdefault(node, set()).add(a)
                        why.setdefault(
                            (node, a), f"{axis.split('#')[-1]} of {p.rsplit('#', 1)[-1]}"
                        )
    out: list[str] = []
    for node, kinds in sorted(implied.items()):
        for group in DISJOINT:
            clash = [DW + g for g in group if DW + g in kinds]
            if len(clash) > 1:
                parts = [f"{c.rsplit('#', 1)[-1]} ({why.get((node, c), '?')})" for c in clash]
                out.append(f"{node.rsplit('/', 1)[-1]} is " + " and ".join(parts))
    return out
