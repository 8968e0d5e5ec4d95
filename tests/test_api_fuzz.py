"""schemathesis against the OpenAPI document: generated and malformed inputs, no server error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from ingest import build
from tests.conftest import running_server


def test_no_generated_input_makes_a_server_error(built_store: tuple[Path, build.Report]) -> None:
    checked: list[str] = []
    with running_server(built_store[0], sparql_concurrency="2") as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                response = case.call(base_url=url, timeout=60)
                assert response.status_code < 500, (case.path, case.query, response.text[:300])
                # the Better BibTeX endpoints answer as Zotero does (text/plain errors)
                zotero = case.path.startswith("/better-bibtex/")
                if response.status_code >= 400 and response.status_code != 404 and not zotero:
                    ctype = response.headers.get("content-type", "")
                    assert "problem+json" in str(ctype), (case.path, response.status_code)

            run()
            checked.append(f"{operation.method.upper()} {operation.path}")
    assert {
        "GET /api/v1/entities",
        "GET /api/v1/entities/{entity_id}",
        "GET /api/v1/search",
        "GET /api/v1/cite",
        "POST /api/v1/verify-quote",
        "POST /better-bibtex/json-rpc",
    } <= set(checked)
