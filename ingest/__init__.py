"""Ingest: corpus files -> document model -> RDF -> embedded store.

Data flows one way: ``corpus/`` -> readers -> :class:`ingest.model.Document` ->
references and citations -> :mod:`ingest.rdf` -> :mod:`ingest.store`.
Nothing here imports :mod:`service`.
"""

PIPELINE_VERSION = "0.1.0"
