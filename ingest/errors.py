"""The exceptions ingest raises; each message names the file or record and what to do."""

from __future__ import annotations


class IngestError(Exception):
    """Base class: something in the corpus or manifest cannot be ingested."""


class ManifestError(IngestError):
    """The manifest is malformed or points to a file that is not there."""


class ReaderError(IngestError):
    """A source file cannot be read (empty, binary, not UTF-8, unexpected layout)."""


class StoreError(IngestError):
    """The store directory cannot be written or swapped."""
