"""SHACL validation of the populated graph with pySHACL (shapes in ``ontology/shapes.ttl``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Quad, RdfFormat, serialize

from ingest.errors import IngestError
from ontology import SH, SHAPES_FILE


class ValidationFailed(IngestError):
    """SHACL found violations; the message lists them."""


@dataclass
class ShaclReport:
    conforms: bool
    violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def validate(quads: Iterable[Quad]) -> ShaclReport:
    """Validate the knowledge graph (entities, assertions, evidence, definitions, mentions)."""
    import rdflib
    from pyshacl import validate as shacl

    data = rdflib.Graph()
    # co-mention counts have no shape: leave them out (they are a quarter of the graph)
    triples = (q.triple for q in quads if "/comention/" not in str(q.subject))
    nt = serialize(triples, format=RdfFormat.N_TRIPLES)
    assert nt is not None
    data.parse(data=nt, format="nt")
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    _, results, _ = shacl(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    report = ShaclReport(conforms=True)
    sh = rdflib.Namespace(SH)
    for r in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        severity = results.value(r, sh.resultSeverity)
        focus = results.value(r, sh.focusNode)
        path = results.value(r, sh.resultPath)
        message = results.value(r, sh.resultMessage)
        line = f"{focus} {path or ''}: {message}"
        if severity == sh.Violation:
            report.violations.append(line)
        else:
            report.warnings.append(line)
    report.conforms = not report.violations
    report.violations.sort()
    report.warnings.sort()
    return report
