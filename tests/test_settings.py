"""One settings object: every limit and path documented, unsafe combinations refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.settings import Settings


def test_every_setting_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_updates_without_a_token_are_refused() -> None:
    with pytest.raises(ValidationError, match="update_token is empty"):
        Settings(allow_update=True)
    assert Settings(allow_update=True, update_token="s3cret").allow_update


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="must be > 0"):
        Settings(sparql_concurrency=0)
