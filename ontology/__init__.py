"""Namespaces of the datawork-kg ontology and the vocabularies it reuses."""

from __future__ import annotations

import os
from pathlib import Path

DW = "https://w3id.org/datawork-kg/ontology#"
DEFAULT_BASE = "https://w3id.org/datawork-kg/id/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"
FABIO = "http://purl.org/spar/fabio/"
DOCO = "http://purl.org/spar/doco/"
DEO = "http://purl.org/spar/deo/"
BIRO = "http://purl.org/spar/biro/"
C4O = "http://purl.org/spar/c4o/"
CITO = "http://purl.org/spar/cito/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
BIBO = "http://purl.org/ontology/bibo/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
ORG = "http://www.w3.org/ns/org#"
OA = "http://www.w3.org/ns/oa#"
SH = "http://www.w3.org/ns/shacl#"

ONTOLOGY_IRI = "https://w3id.org/datawork-kg/ontology"
HERE = Path(__file__).resolve().parent
ONTOLOGY_FILE = HERE / "datawork.ttl"
SHAPES_FILE = HERE / "shapes.ttl"
CURATED_DIR = HERE / "curated"

PREFIXES = {
    "dw": DW,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "dcterms": DCTERMS,
    "fabio": FABIO,
    "doco": DOCO,
    "deo": DEO,
    "biro": BIRO,
    "c4o": C4O,
    "cito": CITO,
    "prism": PRISM,
    "prov": PROV,
    "foaf": FOAF,
    "bibo": BIBO,
    "skos": SKOS,
    "owl": OWL,
    "org": ORG,
    "oa": OA,
}


def base_iri() -> str:
    """Where individuals live; ``DWKG_BASE_IRI`` overrides the published base."""
    base = os.environ.get("DWKG_BASE_IRI", DEFAULT_BASE)
    return base if base.endswith("/") else base + "/"


def sparql_prefixes() -> str:
    lines = [f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items()]
    lines.append(f"PREFIX id: <{base_iri()}>")
    return "\n".join(lines) + "\n"
