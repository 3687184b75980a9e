"""Admin authentication: an Entra access token the app checks itself; no principal header, no local vouch."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from shared.admin_auth import ADMIN_ROLE, AdminCaller, require_admin, use_admin_keys
from shared.auth.errors import EntraUnavailable
from shared.config import Settings, reset_settings
from shared.errors import Forbidden, Unauthorized
from tests.unit.auth.tokens import ADMIN_AUDIENCE, ADMIN_TENANT, USER, FakeEntra, Key, admin_claims, cache_for

KEY = Key("admin-key")


@pytest.fixture(autouse=True)
def admin_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEntra]:
    """The admin settings a deployment has, and Entra's keys served by a fake."""
    for name, value in {"ADMIN_TENANT_ID": ADMIN_TENANT, "ADMIN_API_AUDIENCE": ADMIN_AUDIENCE,
                        "ADMIN_REQUIRE_MFA": "true"}.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    entra = FakeEntra(KEY)
    with use_admin_keys(cache_for(entra)):
        yield entra
    monkeypatch.undo()
    reset_settings()


def token(**overrides: Any) -> str:
    """An admin token as `az account get-access-token` gets it, valid now."""
    now = int(time.time())
    return KEY.sign(admin_claims(iat=now, nbf=now, exp=now + 3600, **overrides))


def principal(*roles: str) -> str:
    """What Easy Auth used to inject: base64 JSON of the claims."""
    claims = [{"typ": "roles", "val": r} for r in roles]
    return base64.b64encode(json.dumps({"auth_typ": "aad", "claims": claims}).encode()).decode()


def test_admin_accepted_when_the_token_has_the_role_and_mfa() -> None:
    assert require_admin({"Authorization": f"Bearer {token()}"}) == AdminCaller(object_id=USER, mfa=True)


def test_header_name_and_scheme_are_case_insensitive() -> None:
    assert require_admin({"authorization": f"BEARER {token()}"}).object_id == USER


def test_admin_refused_404_when_the_token_lacks_the_role() -> None:
    with pytest.raises(Forbidden):
        require_admin({"Authorization": f"Bearer {token(roles=['Caleta.Reader'])}"})


@pytest.mark.parametrize("overrides", [{"aud": "api://another-app"},
                                       {"iss": "https://sts.windows.net/75f52ee7-223c-5660-b825-ac08303d192c/"},
                                       {"amr": ["pwd"]}])
def test_admin_refused_401_when_audience_tenant_or_mfa_is_wrong(overrides: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized) as caught:
        require_admin({"Authorization": f"Bearer {token(**overrides)}"})
    assert not isinstance(caught.value, Forbidden)


def test_easy_auth_principal_header_opens_nothing_when_sent_by_a_client() -> None:
    # Easy Auth is off: a client could send this header itself, so it must mean nothing.
    with pytest.raises(Unauthorized):
        require_admin({"X-MS-CLIENT-PRINCIPAL": principal(ADMIN_ROLE)})


def test_local_vouch_is_gone_when_its_old_setting_and_header_are_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALETA_LOCAL_ADMIN_SECRET", "v" * 43)
    reset_settings()
    with pytest.raises(Unauthorized):
        require_admin({"X-Caleta-Local-Admin": "v" * 43})
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert "CALETA_LOCAL_ADMIN_SECRET" not in aliases
    assert not [alias for alias in aliases if alias and alias.startswith("WEBSITE_AUTH")]


def test_unreadable_entra_keys_are_a_transient_failure(admin_settings: FakeEntra) -> None:
    admin_settings.down = True
    with pytest.raises(EntraUnavailable):
        require_admin({"Authorization": f"Bearer {token()}"})


def test_admin_api_refuses_everyone_when_it_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_API_AUDIENCE", "")
    reset_settings()
    with pytest.raises(Unauthorized):
        require_admin({"Authorization": f"Bearer {token()}"})
