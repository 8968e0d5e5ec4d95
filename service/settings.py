"""One settings object holds every path and limit; each field is documented.

Values come from the environment (``DWKG_STORE_DIR`` and so on) or defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.endpoint import Endpoint
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
    workers: int = Field(
        1,
        ge=1,
        description="Server processes `dwkg serve` runs on its port(s); each holds its own "
        "indexes and its own sparql_concurrency query workers (docs/operations.md).",
    )
    log_format: Literal["json", "text"] = Field(
        "json", description="Server logs on stderr: one JSON object a line, or plain text."
    )
    log_level: Literal["debug", "info", "warning", "error", "critical"] = Field(
        "info", description="Least severe log records written (one info line per request)."
    )
    shutdown_timeout_s: int = Field(
        10,
        ge=1,
        description="After SIGTERM or SIGINT, the longest wait for requests in flight to "
        "finish before they are cancelled, seconds (running SPARQL queries end at once).",
    )
    shutdown_delay_s: float = Field(
        0.0,
        ge=0,
        description="After SIGTERM or SIGINT, keep accepting requests this long, with /ready "
        "answering 503 so a load balancer stops sending any, before stopping, seconds.",
    )
    sparql_endpoint: str | None = Field(
        None,
        description="Query URL of a remote SPARQL 1.1 endpoint (Oxigraph, Virtuoso, GraphDB, "
        "QLever) to serve and ingest instead of the embedded store (docs/backends.md).",
    )
    sparql_update_endpoint: str | None = Field(
        None, description="Update URL of the remote endpoint (SPARQL 1.1 Update)."
    )
    graph_store_endpoint: str | None = Field(
        None,
        description="Graph Store Protocol URL of the remote endpoint: ingest PUTs each named "
        "graph there (else it uses CLEAR and INSERT DATA on the update URL).",
    )
    endpoint_user: str | None = Field(None, description="User for writes to the remote endpoint.")
    endpoint_password: SecretStr | None = Field(
        None, description="Password for writes to the remote endpoint."
    )
    endpoint_auth: Literal["basic", "digest"] = Field(
        "basic", description="HTTP authentication of the remote endpoint (Virtuoso: digest)."
    )
    endpoint_refresh_s: float = Field(
        2.0,
        description="How often the service looks at the remote endpoint's build marker to "
        "notice a new ingest, seconds.",
    )

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _safe(self) -> Settings:
        if self.allow_update and not self.update_token:
            raise ValueError(
                "allow_update is on but update_token is empty: set DWKG_UPDATE_TOKEN "
                "or turn updates off"
            )
        if self.sparql_concurrency < 1 or self.query_timeout_s <= 0 or self.max_result_rows < 1:
            raise ValueError("sparql_concurrency, query_timeout_s and max_result_rows must be > 0")
        if (self.sparql_update_endpoint or self.graph_store_endpoint) and not self.sparql_endpoint:
            raise ValueError(
                "an update or graph store endpoint is set but DWKG_SPARQL_ENDPOINT is not: "
                "set the query URL of the same endpoint"
            )
        return self

    def endpoint(self) -> Endpoint | None:
        """The remote endpoint to use instead of the embedded store, if one is configured."""
        if self.sparql_endpoint is None:
            return None
        return Endpoint(
            query_url=self.sparql_endpoint,
            update_url=self.sparql_update_endpoint,
            store_url=self.graph_store_endpoint,
            user=self.endpoint_user,
            password=self.endpoint_password.get_secret_value() if self.endpoint_password else None,
            auth=self.endpoint_auth,
            timeout_s=self.query_timeout_s,
        )
