"""schemathesis against the OpenAPI document: generated and malformed inputs, no server error.

Every operation gets ``POSITIVE`` examples (inputs the schema allows) and, where the schema
has something to violate, ``NEGATIVE`` ones (wrong types, missing required parameters,
out-of-range values), derandomised and without an example database so every run sends
the same requests. An operation without parameters has one positive example; one whose
only parameters are free strings (``/api/v1/works/{work_id}``) has no negative example,
and hypothesis says so (``Unsatisfiable``). About 2,700 calls, in well under a minute.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from ingest import build
from tests.conftest import running_server

EXAMPLES = {GenerationMode.POSITIVE: 150, GenerationMode.NEGATIVE: 150}


def fuzz(operation: Any, mode: GenerationMode, url: str, calls: Counter[Any]) -> None:
    """``EXAMPLES[mode]`` generated calls of one operation, each < 500 (and a problem)."""
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        calls[label, mode] += 1
        response = case.call(base_url=url, timeout=60)
        about = (mode.value, case.path, case.query, case.body, response.text[:300])
        assert response.status_code < 500, about
        # the Better BibTeX endpoints answer as Zotero does (text/plain errors)
        zotero = case.path.startswith("/better-bibtex/")
        if response.status_code >= 400 and response.status_code != 404 and not zotero:
            ctype = response.headers.get("content-type", "")
            assert "problem+json" in str(ctype), about

    try:
        run()
    except Unsatisfiable:
        # nothing in the schema to violate (no parameters, or free strings only)
        assert mode is GenerationMode.NEGATIVE, label


def test_no_generated_input_makes_a_server_error(built_store: tuple[Path, build.Report]) -> None:
    calls: Counter[tuple[str, GenerationMode]] = Counter()
    with running_server(built_store[0], sparql_concurrency="2") as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        for result in schema.get_all_operations():
            for mode in EXAMPLES:
                fuzz(result.ok(), mode, url, calls)
    operations = {label for label, _ in calls}
    positive = sum(n for (_, mode), n in calls.items() if mode is GenerationMode.POSITIVE)
    negative = sum(n for (_, mode), n in calls.items() if mode is GenerationMode.NEGATIVE)
    print(f"{positive} positive and {negative} negative calls on {len(operations)} operations")
    assert {
        "GET /api/v1/entities",
        "GET /api/v1/entities/{entity_id}",
        "GET /api/v1/search",
        "GET /api/v1/cite",
        "POST /api/v1/verify-quote",
        "POST /better-bibtex/json-rpc",
    } <= operations
    # invalid inputs reached the operations that take constrained parameters
    for label in ("GET /api/v1/entities", "GET /api/v1/search", "GET /api/v1/cite",
                  "POST /api/v1/verify-quote"):  # fmt: skip
        assert calls[label, GenerationMode.NEGATIVE] == EXAMPLES[GenerationMode.NEGATIVE], label
    assert positive >= 1_800 and negative >= 600, (positive, negative)
