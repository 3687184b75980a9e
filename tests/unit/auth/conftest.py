"""Settings for shared/auth's unit tests: Entra's real authority, Caleta's app and admin API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.config import reset_settings
from tests.unit.auth.tokens import ADMIN_AUDIENCE, ADMIN_TENANT, APP, AUTHORITY


@pytest.fixture(autouse=True)
def auth_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """The settings shared/auth reads, as a deployment sets them; tests change them through the fixture."""
    for name, value in {"AZURE_AUTHORITY_HOST": AUTHORITY, "CALETA_APP_CLIENT_ID": APP,
                        "PUBLIC_BASE_URL": "https://caleta.example", "ADMIN_TENANT_ID": ADMIN_TENANT,
                        "ADMIN_API_AUDIENCE": ADMIN_AUDIENCE, "ADMIN_REQUIRE_MFA": "true",
                        "ONBOARDING_EXTRA_ADMIN_ROLE_IDS": ""}.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    yield monkeypatch
    monkeypatch.undo()
    reset_settings()


def set_env(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    """Change one setting for the rest of the test."""
    monkeypatch.setenv(name, value)
    reset_settings()
