"""``/.well-known/void``: a VoID description of the dataset with its partitions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import BlankNode, Literal, NamedNode, Triple, serialize

from service.deps import GraphDep
from service.routes.sparql import negotiate
from service.sparql import GRAPH_TYPES

router = APIRouter(tags=["sparql"])

VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
INT = NamedNode("http://www.w3.org/2001/XMLSchema#integer")

# Only our named graphs: an engine's union default graph may hold its own (Virtuoso's
# system graphs), and a triple in two of our graphs counts once, as in the union.
OURS = (
    "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), STR(id:))) }"
)
COUNTS = f"""
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?o) AS ?objects) WHERE {{ {{ {OURS} }} }}
"""
CLASSES = f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {{ {OURS} }} FILTER(?p = rdf:type)
BIND(?o AS ?c) }} GROUP BY ?c ORDER BY ?c"""
PROPERTIES = f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {{ {OURS} }} }} GROUP BY ?p ORDER BY ?p"


@router.get("/.well-known/void", summary="VoID description: size, classes, properties")
def void(request: Request, graph: GraphDep) -> Response:
    base = str(request.base_url).rstrip("/")
    ds = NamedNode(f"{base}/.well-known/void#dataset")
    counts = graph.rows(COUNTS)[0]
    t: list[Triple] = [
        Triple(ds, RDF_TYPE, NamedNode(VOID + "Dataset")),
        Triple(ds, NamedNode(VOID + "sparqlEndpoint"), NamedNode(f"{base}/sparql")),
        Triple(ds, NamedNode(VOID + "uriSpace"), Literal(graph.base_iri)),
        Triple(
            ds, NamedNode(VOID + "vocabulary"), NamedNode("https://w3id.org/datawork-kg/ontology#")
        ),
    ]
    for key, prop in (
        ("triples", "triples"),
        ("subjects", "distinctSubjects"),
        ("objects", "distinctObjects"),
    ):
        t.append(Triple(ds, NamedNode(VOID + prop), Literal(counts[key], datatype=INT)))
    for name, query, prop in (
        ("classPartition", CLASSES, "class"),
        ("propertyPartition", PROPERTIES, "property"),
    ):
        for r in graph.rows(query):
            part = BlankNode()
            key = "c" if prop == "class" else "p"
            t.append(Triple(ds, NamedNode(VOID + name), part))
            t.append(Triple(part, NamedNode(VOID + prop), NamedNode(r[key])))
            count = "entities" if prop == "class" else "triples"
            t.append(Triple(part, NamedNode(VOID + count), Literal(r["n"], datatype=INT)))
    media = negotiate(request.headers.get("accept", ""), list(GRAPH_TYPES)[:4]) or "text/turtle"
    return Response(serialize(t, format=GRAPH_TYPES[media]), media_type=media)
