"""admin_consent_url and parse_consent_redirect: any `error` fails, the unsigned `tenant` is only compared."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from shared.auth.consent import ConsentResult, admin_consent_url, parse_consent_redirect
from tests.unit.auth.tokens import APP, AUTHORITY, OTHER_TENANT, TENANT


def test_consent_url_names_the_app_scope_consent_route_and_state() -> None:
    url = admin_consent_url(TENANT.upper(), "s2-state")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{AUTHORITY}/{TENANT}/v2.0/adminconsent"
    assert parse_qs(parts.query) == {"client_id": [APP], "scope": ["openid profile"],
                                     "redirect_uri": ["https://caleta.example/api/onboarding/consent"],
                                     "state": ["s2-state"]}


def test_consent_url_needs_a_state() -> None:
    with pytest.raises(ValueError, match="state"):
        admin_consent_url(TENANT, "")


def test_success_is_granted_for_that_tenant_only() -> None:
    result = parse_consent_redirect({"admin_consent": "True", "tenant": TENANT.upper(), "scope": "openid profile",
                                     "state": "s2"})
    assert result == ConsentResult(True, "s2", TENANT)
    assert result.granted_for(TENANT) and not result.granted_for(OTHER_TENANT)


def test_declined_consent_with_admin_consent_true_is_a_failure() -> None:
    # What Entra (and the simulator) send when the administrator cancels: admin_consent=True beside the error.
    result = parse_consent_redirect({
        "admin_consent": "True", "error": "access_denied", "error_subcode": "cancel",
        "error_description": "AADSTS65004: User declined to consent to access the app.\r\nTrace ID: x",
        "state": "s2", "tenant": TENANT})
    assert result == ConsentResult(False, "s2", None, "access_denied", "cancel", 65004)
    assert not result.granted_for(TENANT)


@pytest.mark.parametrize("error", ["", "server_error", "<b>odd</b>"])
def test_any_error_parameter_fails_whatever_its_value(error: str) -> None:
    result = parse_consent_redirect({"admin_consent": "True", "tenant": TENANT, "error": error, "state": "s"})
    assert not result.granted and result.error in ("server_error", "unrecognised")


@pytest.mark.parametrize("query", [
    {"tenant": TENANT, "state": "s"},
    {"admin_consent": "False", "tenant": TENANT, "state": "s"},
    {"admin_consent": "True", "state": "s"},
    {"admin_consent": "True", "tenant": "contoso.example", "state": "s"},
])
def test_anything_short_of_admin_consent_true_and_a_tenant_guid_fails(query: dict[str, str]) -> None:
    result = parse_consent_redirect(query)
    assert not result.granted and result.error == "invalid_response" and result.state == "s"


def test_state_is_returned_as_sent_and_missing_state_is_none() -> None:
    assert parse_consent_redirect({"admin_consent": "True", "tenant": TENANT}).state is None
