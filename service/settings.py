"""One settings object holds every path and limit; each field is documented.

Values come from the environment (``DWKG_STORE_DIR`` and so on) or defaults.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ontology import CURATED_DIR, DEFAULT_BASE


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DWKG_")

    corpus_dir: Path = Field(Path("corpus"), description="Folder with the texts and manifest.json.")
    curated_dir: Path = Field(
        CURATED_DIR,
        description="Folder of curated knowledge (YAML records checked against the texts).",
    )
    store_dir: Path = Field(
        Path("var/store"), description="Store directory (holds builds/ and the current link)."
    )
    queries_dir: Path = Field(Path("queries"), description="Folder of named SPARQL queries (.rq).")
    base_iri: str = Field(DEFAULT_BASE, description="Base IRI of the graph's individuals.")
    query_timeout_s: float = Field(30.0, description="Time limit of one SPARQL query, seconds.")
    max_result_rows: int = Field(10_000, description="Row cap of a SPARQL result (flagged).")
