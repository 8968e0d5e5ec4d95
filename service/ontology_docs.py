"""HTML documentation of the ontology, generated from ``ontology/datawork.ttl``.

Every class and property with its label, definition, place in the hierarchy, domain, range,
inverse and alignments, so the documentation can never drift from the ontology itself.
"""

from __future__ import annotations

import functools
from html import escape

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ontology import DW, ONTOLOGY_FILE, ONTOLOGY_IRI, PREFIXES

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem} h2{border-bottom:1px solid #ccc;margin-top:2.5rem}
section.term{border-left:3px solid #9ab;padding:.2rem 0 .2rem 1rem;margin:1.2rem 0}
section.term h3{margin:.2rem 0;font-family:ui-monospace,monospace}
dl{display:grid;grid-template-columns:9rem 1fr;gap:.1rem .8rem;margin:.4rem 0}
dt{color:#567} dd{margin:0} code{font-family:ui-monospace,monospace}
nav a{margin-right:.6rem}
"""


def _short(node: rdflib.term.Node, graph: rdflib.Graph) -> str:
    if isinstance(node, rdflib.BNode):
        members = graph.value(node, OWL.unionOf)
        if members is not None:
            items = rdflib.collection.Collection(graph, members)
            return " or ".join(_short(m, graph) for m in items)
        return "(anonymous)"
    iri = str(node)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    for prefix, ns in (
        ("skos", str(SKOS)),
        ("owl", str(OWL)),
        ("org", "http://www.w3.org/ns/org#"),
        ("oa", "http://www.w3.org/ns/oa#"),
    ):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _link(node: rdflib.term.Node, graph: rdflib.Graph) -> str:
    text = escape(_short(node, graph))
    if isinstance(node, rdflib.URIRef) and str(node).startswith(DW):
        return f'<a href="#{escape(str(node)[len(DW) :])}"><code>{text}</code></a>'
    return f"<code>{text}</code>"


def _row(name: str, values: list[str]) -> str:
    return f"<dt>{name}</dt><dd>{', '.join(values)}</dd>" if values else ""


def _term(g: rdflib.Graph, t: rdflib.URIRef, kind: str) -> str:
    local = str(t)[len(DW) :] if str(t).startswith(DW) else _short(t, g)
    label = g.value(t, RDFS.label)
    definition = g.value(t, SKOS.definition)
    rows = [_row("IRI", [f"<code>{escape(str(t))}</code>"])]
    if kind == "class":
        rows.append(_row("subclass of", [_link(o, g) for o in g.objects(t, RDFS.subClassOf)]))
        rows.append(
            _row(
                "subclasses", [_link(s, g) for s in sorted(g.subjects(RDFS.subClassOf, t), key=str)]
            )
        )
    else:
        kinds = [_short(o, g) for o in g.objects(t, RDF.type) if o != OWL.ObjectProperty]
        rows.append(_row("characteristics", [escape(k) for k in kinds if "Property" in k]))
        rows.append(_row("domain", [escape(_short(o, g)) for o in g.objects(t, RDFS.domain)]))
        rows.append(_row("range", [escape(_short(o, g)) for o in g.objects(t, RDFS.range)]))
        inverse = [*g.objects(t, OWL.inverseOf), *g.subjects(OWL.inverseOf, t)]
        rows.append(_row("inverse", [_link(o, g) for o in inverse]))
        rows.append(
            _row("sub-property of", [_link(o, g) for o in g.objects(t, RDFS.subPropertyOf)])
        )
    return (
        f'<section class="term" id="{escape(local)}"><h3>{escape(_short(t, g))}</h3>'
        f"<p><strong>{escape(str(label or ''))}</strong>: {escape(str(definition or ''))}</p>"
        f"<dl>{''.join(rows)}</dl></section>"
    )


@functools.cache
def render_html() -> str:
    g = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    onto = rdflib.URIRef(ONTOLOGY_IRI)
    title = g.value(onto, rdflib.URIRef("http://purl.org/dc/terms/title"))
    description = g.value(onto, rdflib.URIRef("http://purl.org/dc/terms/description"))
    version = g.value(onto, OWL.versionIRI)
    ours = [s for s in g.subjects(RDF.type, None) if isinstance(s, rdflib.URIRef)]
    classes = sorted({s for s in ours if (s, RDF.type, OWL.Class) in g})
    objects = sorted({s for s in ours if (s, RDF.type, OWL.ObjectProperty) in g})
    data = sorted({s for s in ours if (s, RDF.type, OWL.DatatypeProperty) in g})
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{escape(str(title))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(str(title))}</h1><p>{escape(str(description))}</p>",
        f"<p>Namespace <code>{escape(DW)}</code> (prefix <code>dw:</code>); version ",
        f"<code>{escape(str(version))}</code>; also as <a href='?format=ttl'>Turtle</a>.</p>",
        "<nav><a href='#classes'>Classes</a><a href='#object-properties'>Object properties</a>",
        "<a href='#datatype-properties'>Datatype properties</a></nav>",
        f"<h2 id=classes>Classes ({len(classes)})</h2>",
        *(_term(g, c, "class") for c in classes),
        f"<h2 id=object-properties>Object properties ({len(objects)})</h2>",
        *(_term(g, p, "property") for p in objects),
        f"<h2 id=datatype-properties>Datatype properties ({len(data)})</h2>",
        *(_term(g, p, "property") for p in data),
        "</body></html>",
    ]
    return "".join(parts)
