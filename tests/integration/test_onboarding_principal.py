"""Principal validation with the real credentials and ARM clients against the simulated tenant (demo estate)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from local.certs import CertPaths
from local.demo import onboarding_body
from local.estates.model import Estate, Tenant, load_estate
from shared.api.models import parse_onboarding
from shared.collectors.principal_probe import AzurePrincipalProbe
from shared.config import get_settings, reset_settings
from shared.credentials import Credentials
from shared.errors import InvalidInput
from shared.identity import caleta_credential
from shared.pipeline.onboard import validate_request
from shared.services import Services
from tests.conftest import DEMO_ESTATE
from tests.unit.fakes import World, make_world

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def estate(simulator: Any, certs: CertPaths) -> Iterator[Estate]:
    """Settings pointing the product at the simulator (as the Function App settings would)."""
    loaded = load_estate(DEMO_ESTATE)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {"AZURE_AUTHORITY_HOST": simulator.base_url, "ARM_ENDPOINT": simulator.base_url,
                            "REQUESTS_CA_BUNDLE": str(certs.bundle), "IDENTITY_ENDPOINT": simulator.msi_endpoint,
                            "IDENTITY_HEADER": simulator.msi_header,
                            "MANAGED_IDENTITY_CLIENT_ID": loaded.caleta.managed_identity_client_id,
                            "CALETA_APP_CLIENT_ID": loaded.caleta.app_client_id}.items():
            mp.setenv(name, value)
        reset_settings()
        caleta_credential.cache_clear()
        yield loaded
    reset_settings()
    caleta_credential.cache_clear()


@pytest.fixture(autouse=True)
def clean_simulator(simulator: Any) -> Iterator[None]:
    """Each test starts from the estate as written, and leaves it so."""
    simulator.reset()
    yield
    simulator.reset()


def tenant(estate: Estate, name: str) -> Tenant:
    return next(t for t in estate.tenants if t.display_name.startswith(name))


def services(world: World) -> Services:
    """The real credentials and probe against the simulator; every store in memory (and left empty)."""
    settings = get_settings()
    world.services.credentials = Credentials(settings.authority_host, settings.caleta_app_client_id,
                                             world.services.secrets, caleta_credential)
    world.services.probe_for = AzurePrincipalProbe
    return world.services


def validate(body: dict[str, Any]) -> dict[str, Any]:
    world = make_world(with_customer=False)
    validation = validate_request(parse_onboarding(json.dumps(body).encode()), services(world))
    # Validation must not store or scan anything.
    assert not any(t.rows for t in world.tables.values()) and not world.bus.sent and not world.secret_store.values
    return validation.model_dump(mode="json")


def by_sub(validation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["subscription_id"]: s for s in validation["subscriptions"]}


def test_every_subscription_is_ok_when_secret_principal_has_both_roles(estate: Estate) -> None:
    pennine = tenant(estate, "Pennine")
    results = by_sub(validate(onboarding_body(pennine, estate)))
    assert all(r["ok"] and not r["missing"] and not r["excess"] for r in results.values())
    # An MCA "Azure plan" carries the EA quota id (Cost Management's supported-offers table, M11).
    assert {r["offer"] for r in results.values()} == {"EA or MCA", "Dev/Test", "Pay-as-you-go"}
    assert all(r["status"] == "ok" and not r["recommended"] for r in results.values())
    assert all(set(r["roles_found"]) == {"Reader", "Cost Management Reader"} for r in results.values())


def test_contributor_is_warned_when_federated_principal_is_over_privileged(estate: Estate) -> None:
    tamar = tenant(estate, "Tamar")
    (result,) = validate(onboarding_body(tamar, estate, proof="not-checked-by-validation"))["subscriptions"]
    assert (result["ok"], result["excess"]) == (True, ["Contributor"])


def test_object_id_comes_from_the_token_when_signed_in(estate: Estate) -> None:
    pennine = tenant(estate, "Pennine")
    body = onboarding_body(pennine, estate)
    app = next(a for a in pennine.applications if a.client_id == body["auth"]["client_id"])
    assert validate(body)["principal_object_id"] == app.object_id.lower()


def test_wrong_secret_is_named_when_entra_refuses(estate: Estate) -> None:
    body = onboarding_body(tenant(estate, "Pennine"), estate)
    body["auth"]["client_secret"] = "CANARY-not-the-secret"
    with pytest.raises(InvalidInput) as caught:
        validate(body)
    assert "wrong secret" in caught.value.fields["auth.client_secret"]
    assert "CANARY" not in str(caught.value.fields)


def test_unknown_tenant_is_named_when_entra_has_no_such_tenant(estate: Estate) -> None:
    body = onboarding_body(tenant(estate, "Pennine"), estate)
    body["tenant_id"] = "00000000-1111-2222-3333-444444444444"
    with pytest.raises(InvalidInput) as caught:
        validate(body)
    assert "tenant not found" in caught.value.fields["tenant_id"]


def test_unknown_application_is_named_when_not_in_this_tenant(estate: Estate) -> None:
    body = onboarding_body(tenant(estate, "Pennine"), estate)
    body["auth"]["client_id"] = "00000000-1111-2222-3333-444444444444"
    with pytest.raises(InvalidInput) as caught:
        validate(body)
    assert "application not found" in caught.value.fields["auth.client_id"]


def test_other_tenants_subscription_is_awaiting_when_listed(estate: Estate) -> None:
    body = onboarding_body(tenant(estate, "Pennine"), estate)
    foreign = tenant(estate, "Tamar").subscriptions[0].subscription_id
    body["subscription_ids"].append(foreign)
    results = by_sub(validate(body))
    assert (results[foreign]["ok"], results[foreign]["status"]) == (False, "awaiting_roles")
    assert sum(r["ok"] for r in results.values()) == 3


def test_cost_reader_is_recommended_not_missing_when_reader_alone_reads_cost(estate: Estate, simulator: Any) -> None:
    # given: Cost Management Reader removed; Reader alone still reads cost (S11)
    pennine = tenant(estate, "Pennine")
    body = onboarding_body(pennine, estate)
    app = next(a for a in pennine.applications if a.client_id == body["auth"]["client_id"])
    assert simulator.remove_role(pennine.tenant_id, app.object_id, "Cost Management Reader") == 3
    # when
    results = validate(body)["subscriptions"]
    # then
    assert all(r["ok"] and r["missing"] == [] and r["recommended"] == ["Cost Management Reader"] for r in results)


def test_validation_sends_no_write_when_run(estate: Estate, simulator: Any) -> None:
    validate(onboarding_body(tenant(estate, "Pennine"), estate))
    assert simulator.refused_writes == 0
    arm = [r for r in simulator.request_log if "/providers/" in r.path or r.path.startswith("/subscriptions")]
    assert arm and all(r.method in ("GET", "POST") for r in arm)


def test_missing_consent_is_named_when_federated_app_is_not_in_the_tenant(estate: Estate) -> None:
    body = onboarding_body(tenant(estate, "Pennine"), estate)
    body["auth"] = {"mode": "federated", "proof": "not-checked-by-validation"}
    with pytest.raises(InvalidInput) as caught:
        validate(body)
    assert "application not found in this tenant" in caught.value.fields["auth.mode"]


def test_disabled_principal_is_named_when_revoked_in_the_tenant(estate: Estate, simulator: Any) -> None:
    pennine = tenant(estate, "Pennine")
    body = onboarding_body(pennine, estate)
    simulator.revoke(pennine.tenant_id, body["auth"]["client_id"])
    with pytest.raises(InvalidInput) as caught:
        validate(body)
    assert "principal disabled" in caught.value.fields["auth.client_id"]


def test_inherited_owner_is_warned_when_assigned_on_a_management_group(estate: Estate, simulator: Any) -> None:
    # given: Owner for the principal on the management group above every Pennine subscription
    from local.estates.model import MgRoleAssignment

    pennine = tenant(estate, "Pennine")
    body = onboarding_body(pennine, estate)
    app = next(a for a in pennine.applications if a.client_id == body["auth"]["client_id"])
    live = simulator.state.estate.tenant(pennine.tenant_id)
    live.management_groups[0].role_assignments.append(MgRoleAssignment(principal_id=app.object_id, role="Owner"))
    # when
    results = validate(body)["subscriptions"]
    # then
    assert all(r["ok"] and r["excess"] == ["Owner"] for r in results)
    assert all("Owner (management group)" in r["roles_found"] for r in results)


def test_custom_role_that_writes_is_warned_when_assigned(estate: Estate, simulator: Any) -> None:
    # given: a custom role that can manage VMs, assigned on the production subscription
    from local.estates.model import CustomRole, RoleAssignment

    pennine = tenant(estate, "Pennine")
    body = onboarding_body(pennine, estate)
    app = next(a for a in pennine.applications if a.client_id == body["auth"]["client_id"])
    live = simulator.state.estate.tenant(pennine.tenant_id)
    role_id = "9e1c3a52-6f0d-4a51-9c38-2a4b6c1d7e80"
    live.custom_roles.append(CustomRole(id=role_id, role_name="VM Operator", actions=["Microsoft.Compute/*"],
                                        assignable_scopes=["/"]))
    live.subscriptions[0].role_assignments.append(RoleAssignment(principal_id=app.object_id, role=role_id))
    # when
    results = by_sub(validate(body))
    # then
    assert results[live.subscriptions[0].subscription_id]["excess"] == ["VM Operator"]
    assert sum(1 for r in results.values() if r["excess"]) == 1


def test_validation_waits_out_resource_graph_throttling_when_quota_is_spent(estate: Estate, simulator: Any) -> None:
    # given: the next Resource Graph query is refused with 429 and only the user-quota headers
    simulator.inject("POST", r"/providers/Microsoft\.ResourceGraph/resources", status=429,
                     headers={"x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:01"},
                     body={"error": {"code": "RateLimiting", "message": "throttled"}}, times=1)
    # when
    started = time.monotonic()
    results = validate(onboarding_body(tenant(estate, "Pennine"), estate))["subscriptions"]
    # then
    assert all(r["ok"] for r in results)
    assert time.monotonic() - started >= 1.0
    assert sum(1 for r in simulator.request_log if r.status == 429) == 1
