"""One settings object holds every path and limit; each field is documented.

Values come from the environment (``DWKG_STORE_DIR`` and so on) or defaults.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
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
    max_query_bytes: int = Field(100_000, description="Longest SPARQL query accepted, bytes.")
    sparql_concurrency: int = Field(
        4, description="SPARQL queries run at once (worker processes); more answer 503."
    )
    allow_update: bool = Field(False, description="Accept SPARQL Update (needs update_token).")
    update_token: str | None = Field(
        None, description="Bearer token that SPARQL Update requests must carry."
    )
    better_bibtex_port: int | None = Field(
        None,
        description="Also serve on this port (23119 is where tools look for Zotero's Better "
        "BibTeX; stop Zotero first), so writing tools can use this service instead.",
    )
    cors_origins: list[str] = Field(["*"], description="Origins allowed to call the service.")

    @model_validator(mode="after")
    def _safe(self) -> Settings:
        if self.allow_update and not self.update_token:
            raise ValueError(
                "allow_update is on but update_token is empty: set DWKG_UPDATE_TOKEN "
                "or turn updates off"
            )
        if self.sparql_concurrency < 1 or self.query_timeout_s <= 0 or self.max_result_rows < 1:
            raise ValueError("sparql_concurrency, query_timeout_s and max_result_rows must be > 0")
        return self
