"""verify_id_token: every check of docs/onboarding-design.md section 2 accepts Entra's token and refuses a bad one."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import pytest

from shared.auth.errors import EntraUnavailable, TokenRejected
from shared.auth.id_token import IdentityClaims, verify_id_token
from shared.auth.roles import ADMIN_ROLE_TEMPLATE_IDS
from tests.unit.auth.conftest import set_env
from tests.unit.auth.tokens import (
    APP,
    AUTHORITY,
    DISCOVERY,
    NONCE,
    NOW,
    OTHER_TENANT,
    TENANT,
    USER,
    Clock,
    FakeEntra,
    Key,
    cache_for,
    hs256_with,
    id_claims,
    unsigned,
)

KEY = Key("key-1")
DEFAULT_USER_ROLE = "b79fbf4d-3ef9-4689-8143-76b194e85509"


def verify(token: str, entra: FakeEntra | None = None, *, at: float = NOW, **kwargs: Any) -> IdentityClaims:
    params: dict[str, Any] = {"tenant_id": TENANT, "client_id": APP, "nonce": NONCE, **kwargs}
    return verify_id_token(token, keys=cache_for(entra or FakeEntra(KEY)), now=Clock(at), **params)


def rejected(token: str, entra: FakeEntra | None = None, **kwargs: Any) -> str:
    with pytest.raises(TokenRejected) as caught:
        verify(token, entra, **kwargs)
    return caught.value.check


def test_entra_id_token_of_a_global_administrator_is_accepted() -> None:
    assert verify(KEY.sign(id_claims())) == IdentityClaims(TENANT, USER, is_admin=True, has_wids=True)


def test_tenant_guid_is_compared_lower_case_in_the_argument_and_the_issuer() -> None:
    token = KEY.sign(id_claims(iss=f"{AUTHORITY}/{TENANT.upper()}/v2.0", tid=TENANT.upper()))
    assert verify(token, tenant_id=TENANT.upper()).tenant_id == TENANT


# --- the header and the signature -----------------------------------------------------------------------------

def test_alg_none_is_refused() -> None:
    assert rejected(unsigned(id_claims(), {"alg": "none", "kid": KEY.kid})) == "alg"


def test_hs256_keyed_with_the_published_public_key_is_refused() -> None:
    # The algorithm-confusion forgery: anyone can compute it, since the "secret" is the public key.
    assert rejected(hs256_with(KEY.public_pem(), id_claims(), KEY.kid)) == "alg"


@pytest.mark.parametrize("alg", ["RS384", "RS512", "PS256"])
def test_other_algorithms_with_the_same_key_are_refused(alg: str) -> None:
    assert rejected(jwt.encode(id_claims(), KEY.private, algorithm=alg, headers={"kid": KEY.kid})) == "alg"


def test_alg_is_compared_exactly() -> None:
    assert rejected(unsigned(id_claims(), {"alg": "rs256", "kid": KEY.kid}, b"x")) == "alg"


def test_header_alg_that_disagrees_with_the_keys_alg_is_refused() -> None:
    entra = FakeEntra(KEY)
    entra.publish(entra.documents[DISCOVERY]["jwks_uri"], KEY, alg="RS512")
    assert rejected(KEY.sign(id_claims()), entra) == "alg"


def test_unknown_kid_is_refused() -> None:
    assert rejected(Key("not-published").sign(id_claims())) == "kid"


def test_missing_kid_is_refused() -> None:
    assert rejected(unsigned(id_claims(), {"alg": "RS256"}, b"x")) == "kid"


def test_token_signed_by_another_key_under_a_published_kid_is_refused() -> None:
    assert rejected(Key(KEY.kid).sign(id_claims())) == "signature"


def test_tampered_payload_is_refused() -> None:
    head, _, sig = KEY.sign(id_claims()).split(".")
    forged_body = unsigned(id_claims(oid="someone-else"), {}).split(".")[1]
    assert rejected(f"{head}.{forged_body}.{sig}") == "signature"


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", "!!.??.##"])
def test_malformed_tokens_are_refused(token: str) -> None:
    assert rejected(token) == "malformed"


# --- the claims -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("iss", [
    f"{AUTHORITY}/{OTHER_TENANT}/v2.0",            # a token of another tenant (Entra signs every tenant's tokens)
    f"https://sts.windows.net/{TENANT}/",          # v1 issuer
    f"{AUTHORITY}/{TENANT}/v2.0/",                 # trailing slash
    f"https://LOGIN.microsoftonline.com/{TENANT}/v2.0",  # scheme and host are compared as Entra emits them
    f"{AUTHORITY}/common/v2.0",
])
def test_wrong_issuer_is_refused(iss: str) -> None:
    assert rejected(KEY.sign(id_claims(iss=iss))) == "iss"


def test_token_issued_for_another_app_is_refused() -> None:
    assert rejected(KEY.sign(id_claims(aud="00000003-0000-0000-c000-000000000000"))) == "aud"


def test_tid_of_another_tenant_is_refused() -> None:
    assert rejected(KEY.sign(id_claims(tid=OTHER_TENANT))) == "tid"


def test_nonce_of_another_sign_in_is_refused_without_echoing_either_value() -> None:
    with pytest.raises(TokenRejected) as caught:
        verify(KEY.sign(id_claims(nonce="attacker-nonce")))
    assert caught.value.check == "nonce"
    assert "attacker-nonce" not in str(caught.value) and NONCE not in str(caught.value)


@pytest.mark.parametrize("claim", ["iss", "aud", "sub", "tid", "oid", "nonce", "exp", "nbf", "iat"])
def test_each_required_claim_must_be_present(claim: str) -> None:
    assert rejected(KEY.sign(id_claims(**{claim: None}))) == f"claims: {claim}"


@pytest.mark.parametrize(("claim", "value"), [("exp", "2030-01-01"), ("iat", True), ("aud", [APP])])
def test_claims_of_the_wrong_type_are_refused(claim: str, value: Any) -> None:
    assert rejected(KEY.sign(id_claims(**{claim: value}))) == f"claims: {claim}"


def test_expired_token_is_refused_after_five_minutes_of_skew() -> None:
    token = KEY.sign(id_claims(exp=NOW))
    assert verify(token, at=NOW + 299).is_admin
    assert rejected(token, at=NOW + 300) == "exp"


def test_token_not_yet_valid_is_refused_beyond_five_minutes_of_skew() -> None:
    assert verify(KEY.sign(id_claims(nbf=NOW + 300))).is_admin
    assert rejected(KEY.sign(id_claims(nbf=NOW + 301))) == "nbf"


def test_token_issued_in_the_future_is_refused_beyond_five_minutes_of_skew() -> None:
    assert verify(KEY.sign(id_claims(iat=NOW + 300))).is_admin
    assert rejected(KEY.sign(id_claims(iat=NOW + 301))) == "iat"


# --- the administrator test ------------------------------------------------------------------------------------

def test_token_without_wids_means_the_app_registration_is_misconfigured() -> None:
    identity = verify(KEY.sign(id_claims(wids=None)))
    assert (identity.has_wids, identity.is_admin) == (False, False)


def test_user_without_an_admin_role_is_not_an_admin() -> None:
    identity = verify(KEY.sign(id_claims(wids=["f2ef992c-3afb-46b9-b7cf-a126ee74c451", DEFAULT_USER_ROLE])))
    assert (identity.has_wids, identity.is_admin) == (True, False)


@pytest.mark.parametrize("role", sorted(ADMIN_ROLE_TEMPLATE_IDS))
def test_each_accepted_directory_role_makes_an_admin(role: str) -> None:
    assert verify(KEY.sign(id_claims(wids=[role.upper(), DEFAULT_USER_ROLE]))).is_admin


def test_exactly_the_four_roles_of_the_design_are_built_in() -> None:
    assert {"62e90394-69f5-4237-9190-012177145e10", "e8611ab8-c189-46e8-94e1-60213ab1f814",
            "158c047a-c907-4556-b7ef-446551a6b5f7", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"} == ADMIN_ROLE_TEMPLATE_IDS


def test_custom_role_from_the_setting_makes_an_admin(auth_settings: pytest.MonkeyPatch) -> None:
    custom = "99999999-0000-0000-0000-0000000000aa"
    token = KEY.sign(id_claims(wids=[custom, DEFAULT_USER_ROLE]))
    assert not verify(token).is_admin
    set_env(auth_settings, "ONBOARDING_EXTRA_ADMIN_ROLE_IDS", f"11111111-2222-3333-4444-555555555555, {custom.upper()}")
    assert verify(token).is_admin


def test_a_setting_that_is_not_role_ids_is_an_operator_error(auth_settings: pytest.MonkeyPatch) -> None:
    set_env(auth_settings, "ONBOARDING_EXTRA_ADMIN_ROLE_IDS", "Global Administrator")
    with pytest.raises(RuntimeError, match="ONBOARDING_EXTRA_ADMIN_ROLE_IDS"):
        verify(KEY.sign(id_claims()))


def test_wids_that_is_not_a_list_of_strings_is_refused() -> None:
    assert rejected(KEY.sign(id_claims(wids="62e90394-69f5-4237-9190-012177145e10"))) == "claims: wids"


# --- where the keys come from ----------------------------------------------------------------------------------

def test_keys_come_from_the_jwks_uri_the_tenants_discovery_names() -> None:
    entra = FakeEntra(KEY)
    verify(KEY.sign(id_claims()), entra)
    assert entra.reads == [DISCOVERY, f"{AUTHORITY}/{TENANT}/discovery/v2.0/keys"]


def test_discovery_naming_another_issuer_is_not_trusted() -> None:
    entra = FakeEntra(KEY)
    entra.documents[DISCOVERY]["issuer"] = f"{AUTHORITY}/{OTHER_TENANT}/v2.0"
    with pytest.raises(EntraUnavailable):
        verify(KEY.sign(id_claims()), entra)


def test_rejection_is_logged_by_check_name_only(caplog: pytest.LogCaptureFixture) -> None:
    token = KEY.sign(id_claims(aud="other-app"))
    with caplog.at_level(logging.DEBUG, logger="shared.auth"):
        rejected(token)
    assert "aud" in caplog.text and token not in caplog.text and USER not in caplog.text
