"""Entra refusals become plain reasons naming a field; the token's oid is read without a secret leaking."""

from __future__ import annotations

import base64
import json

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from shared.credentials import explain_sign_in_error, principal_object_id, sign_in
from shared.errors import InvalidInput


def a_jwt(claims: dict[str, object]) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


class RefusingCredential:
    def __init__(self, message: str) -> None:
        self.message = message

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        raise ClientAuthenticationError(message=self.message)


class IssuingCredential:
    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        return AccessToken(self.token, 2_000_000_000)


@pytest.mark.parametrize(("code", "field", "words"), [
    ("7000215", "auth.client_secret", "wrong secret"),
    ("7000222", "auth.client_secret", "expired secret"),
    ("700016", "auth.client_id", "application not found in this tenant"),
    ("90002", "tenant_id", "tenant not found"),
    ("7000112", "auth.client_id", "principal disabled"),
])
def test_aadsts_code_is_explained_when_entra_refuses(code: str, field: str, words: str) -> None:
    problem = explain_sign_in_error(ClientAuthenticationError(message=f"Authentication failed: AADSTS{code}: x"),
                                    "client_secret")
    assert (problem.code, problem.field) == (code, field)
    assert words in problem.reason


def test_client_fields_are_blamed_on_mode_when_federated() -> None:
    problem = explain_sign_in_error(ClientAuthenticationError(message="AADSTS700016: not found"), "federated")
    assert problem.field == "auth.mode"


def test_unknown_refusal_is_blamed_on_auth_when_no_code() -> None:
    problem = explain_sign_in_error(ClientAuthenticationError(message="boom"), "client_secret")
    assert (problem.code, problem.field) == (None, "auth")


def test_sign_in_raises_invalid_input_naming_field_when_secret_wrong() -> None:
    with pytest.raises(InvalidInput) as caught:
        sign_in(RefusingCredential("AADSTS7000215: Invalid client secret provided."), "client_secret")
    assert list(caught.value.fields) == ["auth.client_secret"]


def test_sign_in_returns_token_when_entra_accepts() -> None:
    assert sign_in(IssuingCredential("t.o.k"), "client_secret") == "t.o.k"


def test_object_id_is_read_when_token_has_oid() -> None:
    assert principal_object_id(a_jwt({"oid": "abc", "tid": "t"})) == "abc"


@pytest.mark.parametrize("token", ["opaque", "a.!!!.c", a_jwt({"tid": "t"}), "a." + base64.b64encode(b"[1]").decode()])
def test_object_id_read_fails_when_token_is_not_a_jwt_with_oid(token: str) -> None:
    with pytest.raises(ValueError):
        principal_object_id(token)


def test_unknown_tenant_is_named_when_discovery_fails_before_any_code() -> None:
    message = "Authentication failed: Unable to get authority configuration for https://x/tenant."
    problem = explain_sign_in_error(ClientAuthenticationError(message=message), "client_secret")
    assert (problem.field, problem.reason) == ("tenant_id", "tenant not found: check the tenant id")
