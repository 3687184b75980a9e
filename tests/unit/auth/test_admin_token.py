"""verify_admin_token: v1 admin-API tokens of Caleta's tenant; 401 for anything invalid, 404 without the role."""

from __future__ import annotations

from typing import Any

import pytest

from shared.auth.admin_token import AdminCaller, verify_admin_token
from shared.errors import Forbidden, Unauthorized
from tests.unit.auth.conftest import set_env
from tests.unit.auth.tokens import (
    ADMIN_KEYS,
    ADMIN_TENANT,
    AUTHORITY,
    NOW,
    OTHER_TENANT,
    USER,
    Clock,
    FakeEntra,
    Key,
    admin_claims,
    cache_for,
    hs256_with,
    unsigned,
)

KEY = Key("admin-key")


def call(header: str | None, *, entra: FakeEntra | None = None, at: float = NOW) -> AdminCaller:
    return verify_admin_token(header, keys=cache_for(entra or FakeEntra(KEY)), now=Clock(at))


def refused(header: str | None, **kwargs: Any) -> str:
    with pytest.raises(Unauthorized) as caught:
        call(header, **kwargs)
    assert not isinstance(caught.value, Forbidden)
    return str(caught.value)


def bearer(**overrides: Any) -> str:
    return f"Bearer {KEY.sign(admin_claims(**overrides))}"


def test_operator_with_role_and_mfa_is_accepted() -> None:
    assert call(bearer()) == AdminCaller(object_id=USER, mfa=True)


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "Bearer"])
def test_scheme_is_case_insensitive(scheme: str) -> None:
    assert call(f"{scheme} {KEY.sign(admin_claims())}").object_id == USER


def test_keys_are_caleta_tenants_v1_keys() -> None:
    entra = FakeEntra(KEY)
    call(bearer(), entra=entra)
    assert entra.reads == [ADMIN_KEYS]


@pytest.mark.parametrize("header", [None, "", "   ", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b", "Token abc"])
def test_missing_or_malformed_header_is_unauthorized(header: str | None) -> None:
    refused(header)


def test_alg_none_is_unauthorized() -> None:
    assert "alg" in refused(f"Bearer {unsigned(admin_claims(), {'alg': 'none', 'kid': KEY.kid})}")


def test_hs256_keyed_with_the_public_key_is_unauthorized() -> None:
    assert "alg" in refused(f"Bearer {hs256_with(KEY.public_pem(), admin_claims(), KEY.kid)}")


def test_unknown_kid_is_unauthorized() -> None:
    assert "kid" in refused(f"Bearer {Key('elsewhere').sign(admin_claims())}")


@pytest.mark.parametrize("iss", [
    f"https://sts.windows.net/{OTHER_TENANT}/",   # another tenant's v1 token (same Entra keys)
    f"{AUTHORITY}/{ADMIN_TENANT}/v2.0",           # a v2 token
    f"https://sts.windows.net/{ADMIN_TENANT}",    # no trailing slash
])
def test_wrong_issuer_is_unauthorized(iss: str) -> None:
    assert "iss" in refused(bearer(iss=iss))


def test_token_for_another_audience_is_unauthorized() -> None:
    assert "aud" in refused(bearer(aud="https://management.azure.com"))


def test_expired_token_is_unauthorized() -> None:
    assert "exp" in refused(bearer(exp=NOW - 301))


def test_token_not_yet_valid_is_unauthorized() -> None:
    assert "nbf" in refused(bearer(nbf=NOW + 301))


def test_token_without_oid_is_unauthorized() -> None:
    assert "claims: oid" in refused(bearer(oid=None))


def test_valid_token_without_the_admin_role_is_forbidden_answered_404() -> None:
    for roles in (None, [], ["Caleta.Reader"], "Caleta.Admin"):
        with pytest.raises(Forbidden):
            call(bearer(roles=roles))


def test_without_mfa_unauthorized_when_mfa_is_required() -> None:
    assert "mfa" in refused(bearer(amr=["pwd"]))
    assert "mfa" in refused(bearer(amr=None))


def test_without_mfa_accepted_when_mfa_is_not_required(auth_settings: pytest.MonkeyPatch) -> None:
    set_env(auth_settings, "ADMIN_REQUIRE_MFA", "false")
    assert call(bearer(amr=["pwd"])) == AdminCaller(object_id=USER, mfa=False)


def test_unconfigured_admin_api_refuses_everyone(auth_settings: pytest.MonkeyPatch) -> None:
    set_env(auth_settings, "ADMIN_API_AUDIENCE", "")
    refused(bearer())


def test_refusal_carries_no_token_content() -> None:
    token = KEY.sign(admin_claims(aud="api://someone-else"))
    message = refused(f"Bearer {token}")
    assert token not in message and "someone-else" not in message and USER not in message
