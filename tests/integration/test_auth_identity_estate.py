"""shared/auth on the simulator's identity estate (tests/integration/oidc_fixtures.py): the users the demo lacks.

A Global Administrator who declines consent, an operator who signed in without MFA, a custom directory role,
and an app registration that emits no directory roles (groupMembershipClaims None: the operator error).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from local.certs import CertPaths
from local.estates.model import Caleta, parse_estate
from local.simulator import Simulator
from shared.auth.admin_token import AdminCaller, verify_admin_token
from shared.auth.consent import admin_consent_url, parse_consent_redirect
from shared.auth.id_token import IdentityClaims, verify_id_token
from shared.auth.signin import redeem_code
from shared.config import reset_settings
from shared.errors import Forbidden, Unauthorized
from shared.identity import caleta_credential
from tests.integration.oidc_client import OidcClient
from tests.integration.oidc_fixtures import USERS, identity_estate, make_sim, oidc_sim
from tests.integration.sim_fixtures import CONTOSO, FABRIKAM, sim_certs
from tests.integration.test_auth_admin_token import admin_scope, cli_token
from tests.integration.test_auth_signin import follow, forget_cached_state, product_env, sign_in

pytestmark = pytest.mark.integration
__all__ = ["make_sim", "oidc_sim", "sim_certs"]

PUBLIC_BASE_URL = "https://caleta.example"  # the identity estate registers https://caleta.example/api/onboarding/…
CALETA = parse_estate(identity_estate()).caleta
CUSTOM_ROLE = "99999999-0000-0000-0000-0000000000aa"


@pytest.fixture
def product(monkeypatch: pytest.MonkeyPatch, sim_certs: CertPaths) -> Callable[[Simulator], OidcClient]:
    """Point this process's settings at a simulator and return a browser for it."""
    def point(sim: Simulator) -> OidcClient:
        sim.reset()
        for name, value in product_env(sim, sim_certs, CALETA, PUBLIC_BASE_URL).items():
            monkeypatch.setenv(name, value)
        forget_cached_state()
        return OidcClient(sim.base_url, sim_certs.ca)
    return point


@pytest.fixture
def browser(oidc_sim: Simulator, product: Callable[[Simulator], OidcClient]) -> Iterator[OidcClient]:
    """A browser on the identity estate's simulator, with the product pointed at it."""
    yield product(oidc_sim)
    oidc_sim.reset()
    forget_cached_state()


def proof(browser: OidcClient, tenant: str, upn: str, caleta: Caleta = CALETA) -> IdentityClaims:
    """The whole sign-in: new_signin, authorize as `upn`, redeem, verify."""
    start, hop = sign_in(browser, tenant, upn)
    assert hop.status == 302, hop.body
    id_token = redeem_code(tenant, hop.params["code"], start.code_verifier, start.redirect_uri,
                           assertion_source=caleta_credential())
    return verify_id_token(id_token, tenant_id=tenant, client_id=caleta.app_client_id, nonce=start.nonce)


def test_administrator_who_declines_consent_comes_back_refused(browser: OidcClient) -> None:
    hop = follow(browser, admin_consent_url(FABRIKAM, "s2"), USERS["fabrikam_decliner"]["user_principal_name"])
    assert hop.params["admin_consent"] == "True"  # Entra's declined answer still says admin_consent=True
    result = parse_consent_redirect(hop.params)
    assert (result.granted, result.error, result.error_subcode, result.aadsts, result.state) == (
        False, "access_denied", "cancel", 65004, "s2")
    assert not result.granted_for(FABRIKAM)


def test_cloud_application_administrator_consents(browser: OidcClient, oidc_sim: Simulator) -> None:
    hop = follow(browser, admin_consent_url(FABRIKAM, "s2"), USERS["fabrikam_admin"]["user_principal_name"])
    assert parse_consent_redirect(hop.params).granted_for(FABRIKAM)
    assert oidc_sim.consent(FABRIKAM)[0]["consented"] is True


def test_custom_directory_role_counts_only_when_the_setting_lists_it(
        make_sim: Callable[..., Simulator], product: Callable[[Simulator], OidcClient],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def custom_role_holder(doc: dict[str, Any]) -> None:
        doc["tenants"][0]["users"].append({"object_id": "11111111-0000-0000-0000-0000000000e9",
                                           "user_principal_name": "custom@contoso.example",
                                           "directory_roles": [CUSTOM_ROLE]})

    browser = product(make_sim(custom_role_holder))
    assert proof(browser, CONTOSO, "custom@contoso.example").is_admin is False
    monkeypatch.setenv("ONBOARDING_EXTRA_ADMIN_ROLE_IDS", CUSTOM_ROLE.upper())
    reset_settings()
    assert proof(browser, CONTOSO, "custom@contoso.example").is_admin is True


def test_app_registration_without_directory_roles_is_reported_as_misconfigured(
        make_sim: Callable[..., Simulator], product: Callable[[Simulator], OidcClient]) -> None:
    def no_roles(doc: dict[str, Any]) -> None:
        doc["caleta"]["group_membership_claims"] = "None"

    browser = product(make_sim(no_roles))
    identity = proof(browser, CONTOSO, USERS["contoso_admin"]["user_principal_name"])
    assert (identity.has_wids, identity.is_admin) == (False, False)


def test_operator_without_mfa_is_unauthorized_when_mfa_is_required(browser: OidcClient,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    weak = USERS["operator_no_mfa"]
    token = cli_token(browser, CALETA.tenant_id, weak["user_principal_name"], admin_scope(CALETA))
    with pytest.raises(Unauthorized, match="mfa") as caught:
        verify_admin_token(f"Bearer {token}")
    assert not isinstance(caught.value, Forbidden)
    monkeypatch.setenv("ADMIN_REQUIRE_MFA", "false")
    reset_settings()
    assert verify_admin_token(f"Bearer {token}") == AdminCaller(object_id=weak["object_id"], mfa=False)


def test_staff_without_the_role_is_forbidden(browser: OidcClient) -> None:
    token = cli_token(browser, CALETA.tenant_id, USERS["staff"]["user_principal_name"], admin_scope(CALETA))
    with pytest.raises(Forbidden):
        verify_admin_token(f"Bearer {token}")
