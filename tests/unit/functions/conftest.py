"""Trigger tests set app settings through the environment: each one reads them afresh and leaves none behind."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shared.admin_auth import use_admin_keys
from shared.config import reset_settings
from shared.services import reset_services
from tests.unit.auth.tokens import ADMIN_AUDIENCE, ADMIN_TENANT, FakeEntra, Key, admin_claims, cache_for


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Forget cached settings and services before and after each test (monkeypatched env is undone between)."""
    reset_settings()
    reset_services()
    yield
    reset_settings()
    reset_services()


AdminHeaders = Callable[..., dict[str, str]]


@pytest.fixture
def admin_headers(monkeypatch: pytest.MonkeyPatch) -> Iterator[AdminHeaders]:
    """Headers carrying an admin token, as `az account get-access-token` gets it now (claims overridable), checked
    against a fake Entra's keys; the admin settings are those of a deployment."""
    for name, value in {"ADMIN_TENANT_ID": ADMIN_TENANT, "ADMIN_API_AUDIENCE": ADMIN_AUDIENCE,
                        "ADMIN_REQUIRE_MFA": "true"}.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    key = Key("admin-key")

    def headers(**overrides: Any) -> dict[str, str]:
        now = int(time.time())
        return {"Authorization": f"Bearer {key.sign(admin_claims(iat=now, nbf=now, exp=now + 3600, **overrides))}"}

    with use_admin_keys(cache_for(FakeEntra(key))):
        yield headers
