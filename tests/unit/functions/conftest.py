"""Trigger tests set app settings through the environment: each one reads them afresh and leaves none behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.config import reset_settings
from shared.services import reset_services


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Forget cached settings and services before and after each test (monkeypatched env is undone between)."""
    reset_settings()
    reset_services()
    yield
    reset_settings()
    reset_services()
