"""Role validation against the simulated tenant's propagation clock (issue 14 B4, S8, S11 and security finding 6).

The simulator lets ARM honour a new role after 600 s and Resource Graph list it after 30 s (docs/estate-format.md,
"Propagation of role assignments"); these tests move its clock instead of sleeping. Stores are in memory; the
credentials, the Resource Graph, ARM and Cost Management clients are the product's own, over HTTPS.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from local.certs import CertPaths
from local.demo import onboarding_body
from local.estates.model import Estate, Group, MgRoleAssignment, RoleAssignment, Tenant, load_estate
from local.simulator.control_arm import grant_role
from shared.api.models import parse_onboarding
from shared.api.responses import Validation
from shared.arm import RESOURCE_GRAPH_API_VERSION, resource_graph_client
from shared.collectors.arg import query_all
from shared.collectors.principal_probe import AzurePrincipalProbe
from shared.config import get_settings, reset_settings
from shared.credentials import Credentials, principal_object_id, sign_in
from shared.deadline import Deadline
from shared.identity import caleta_credential
from shared.messages import ScanRequested
from shared.pipeline.awaiting_roles import recheck_awaiting
from shared.pipeline.onboard import validate_request
from shared.pipeline.validate_principal import UNCHECKED, validate_principal
from tests.conftest import DEMO_ESTATE
from tests.unit.fakes import World, a_customer, make_world

pytestmark = pytest.mark.integration
ARM_DELAY = 600.0
MG_SCOPE = "/providers/Microsoft.Management/managementGroups/"


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
    """Each test starts from the estate as written (clock at 0), and leaves it so."""
    simulator.reset()
    yield
    simulator.reset()


def tenant(estate: Estate, name: str) -> Tenant:
    return next(t for t in estate.tenants if t.display_name.startswith(name))


def a_world() -> World:
    """Memory stores; the real credentials and probe against the simulator."""
    world = make_world(with_customer=False)
    settings = get_settings()
    world.services.credentials = Credentials(settings.authority_host, settings.caleta_app_client_id,
                                             world.services.secrets, caleta_credential)
    world.services.probe_for = AzurePrincipalProbe
    return world


def pennine_without_roles(estate: Estate, simulator: Any) -> tuple[dict[str, Any], str]:
    """Pennine's onboarding body and its principal's object id, every role of the principal removed."""
    pennine = tenant(estate, "Pennine")
    body = onboarding_body(pennine, estate)
    oid = next(a for a in pennine.applications if a.client_id == body["auth"]["client_id"]).object_id
    for role in ("Reader", "Cost Management Reader"):
        assert simulator.remove_role(pennine.tenant_id, oid, role) == 3
    return body, oid


def onboarded_awaiting(world: World, body: dict[str, Any]) -> str:
    """Validate as onboarding does and record the customer as onboarding leaves it when nothing is readable."""
    request = parse_onboarding(json.dumps(body).encode())
    validation = validate_request(request, world.services)
    assert validation.usable == (), validation
    world.secret_store.values.clear()
    customer = a_customer(tenant=request.tenant_id, subscriptions=(), state="awaiting_roles",
                          validation=validation.model_dump(mode="json"), client_id=body["auth"]["client_id"],
                          contact_email=body["contact_email"])
    world.services.secrets.put(customer.customer_id, body["auth"]["client_secret"])
    world.add_customer(customer)
    return customer.customer_id


def stored(world: World, customer_id: str) -> Validation:
    return Validation.model_validate(world.customers.get(customer_id).validation)


def test_role_assigned_seconds_before_onboarding_awaits_then_activates_when_arm_catches_up(
        estate: Estate, simulator: Any) -> None:
    # given: Reader assigned on the production subscription 10 s before the onboarding form is sent
    body, oid = pennine_without_roles(estate, simulator)
    production = body["subscription_ids"][0]
    grant_role(simulator.state, body["tenant_id"], oid, "Reader", f"/subscriptions/{production}")
    simulator.state.clock.advance(10)
    world = a_world()
    # when: onboarding validates
    customer_id = onboarded_awaiting(world, body)
    # then: nothing refused, everything awaiting with the "few minutes" note
    first = stored(world, customer_id)
    assert first.awaiting == tuple(body["subscription_ids"])
    assert all(any("few minutes to appear" in n for n in s.notes) for s in first.subscriptions)
    # when: Resource Graph has it (30 s) but ARM does not yet honour it: still awaiting, nothing sent
    simulator.state.clock.advance(30)
    world.clock.advance(minutes=5)
    assert recheck_awaiting(world.services)["awaiting"] == 1
    assert world.customers.get(customer_id).state == "awaiting_roles" and world.outbox.sent == []
    # when: past ARM's propagation delay, the next re-check
    simulator.state.clock.advance(ARM_DELAY)
    world.clock.advance(minutes=5)
    counts = recheck_awaiting(world.services)
    # then: active on the production subscription, first scan requested, the customer told
    customer = world.customers.get(customer_id)
    assert counts["activated"] == 1
    assert (customer.state, customer.subscription_ids) == ("active", (production,))
    (scan,) = world.scans.for_customer(customer_id)
    assert world.bus.sent == [ScanRequested(customer_id=customer_id, scan_id=scan.scan_id)]
    assert [m.kind for m in world.outbox.sent] == ["roles_ready"]
    result = {s.subscription_id: s for s in stored(world, customer_id).subscriptions}
    assert (result[production].status, result[production].roles_found) == ("ok", ["Reader"])
    assert result[production].recommended == ["Cost Management Reader"]  # Reader read cost (S11)
    assert stored(world, customer_id).awaiting == tuple(body["subscription_ids"][1:])
    assert simulator.refused_writes == 0


def test_reader_at_a_management_group_is_seen_when_resource_graph_is_asked_at_a_recent_api_version(
        estate: Estate, simulator: Any) -> None:
    # given: the principal's Reader moved from the subscriptions to the management group above them
    body, oid = pennine_without_roles(estate, simulator)
    group = tenant(estate, "Pennine").management_groups[0].id
    live = simulator.state.estate.tenant(body["tenant_id"])
    live.management_groups[0].role_assignments.append(MgRoleAssignment(principal_id=oid, role="Reader"))
    credential = a_world().services.credentials.for_request(parse_onboarding(json.dumps(body).encode()))
    query = ("authorizationresources | where type =~ 'microsoft.authorization/roleassignments' "
             f"| where tostring(properties.principalId) =~ '{oid}' | project id, scope = tostring(properties.scope)")
    # when: Resource Graph is asked for assignments above the subscriptions, at the pinned and the SDK default
    pinned = query_all(resource_graph_client(credential), query, body["subscription_ids"],
                       scope_filter="AtScopeAboveAndBelow")
    default = query_all(resource_graph_client(credential, api_version="2021-03-01"), query,
                        body["subscription_ids"], scope_filter="AtScopeAboveAndBelow")
    # then: only 2022-10-01 and later honour authorizationScopeFilter (D1)
    assert RESOURCE_GRAPH_API_VERSION >= "2022-10-01"
    assert [r["scope"] for r in pinned] == [f"{MG_SCOPE}{group}"] and default == []
    # and the verdict: every subscription readable through the management group
    results = validate_request(parse_onboarding(json.dumps(body).encode()), a_world().services).subscriptions
    assert all(r.status == "ok" and r.roles_found == ["Reader (management group)"] for r in results)


def test_never_granted_subscription_stays_awaiting_and_the_customer_is_told_after_the_wait(
        estate: Estate, simulator: Any) -> None:
    body, _ = pennine_without_roles(estate, simulator)
    world = a_world()
    customer_id = onboarded_awaiting(world, body)
    simulator.state.clock.advance(ARM_DELAY * 3)
    world.clock.advance(minutes=30)
    assert recheck_awaiting(world.services)["awaiting"] == 1 and world.outbox.sent == []
    world.clock.advance(minutes=31)
    told = recheck_awaiting(world.services)
    again = recheck_awaiting(world.services)
    assert told["told"] == 1 and not any(again.values())
    (mail,) = world.outbox.sent
    assert mail.kind == "roles_still_missing" and all(s in mail.body for s in body["subscription_ids"])
    assert world.customers.get(customer_id).state == "awaiting_roles"
    assert world.bus.sent == []


@pytest.mark.parametrize("unknown", [997, 300, 100])
def test_readable_subscriptions_are_judged_on_their_own_when_a_whole_batch_is_unreadable(
        estate: Estate, simulator: Any, unknown: int) -> None:
    # given: Pennine's 3 subscriptions after `unknown` ids the principal cannot read (security finding 6)
    body = onboarding_body(tenant(estate, "Pennine"), estate)
    strangers = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"caleta-unknown-{i}")) for i in range(unknown)]
    body["subscription_ids"] = strangers + body["subscription_ids"]
    # when
    validation = validate_request(parse_onboarding(json.dumps(body).encode()), a_world().services)
    # then: the 3 are ok with no refusal advice; every unknown one awaits with the "cannot see" note
    by_id = {s.subscription_id: s for s in validation.subscriptions}
    assert validation.usable == tuple(body["subscription_ids"][-3:])
    assert all(by_id[s].status == "awaiting_roles" and "cannot see" in by_id[s].notes[0] for s in strangers)
    refused = [r for r in simulator.request_log if "ResourceGraph" in r.path and r.status == 403]
    assert len(refused) == unknown // 300


def test_unreached_work_is_left_awaiting_within_the_deadline_when_resource_graph_throttles(
        estate: Estate, simulator: Any) -> None:
    # given: Resource Graph asks callers to wait 30 s, and the validation may take 5 s (S8)
    simulator.inject("POST", r"/providers/Microsoft\.ResourceGraph/resources", status=429, times=20,
                     headers={"Retry-After": "30", "x-ms-user-quota-remaining": "0",
                              "x-ms-user-quota-resets-after": "00:00:30"},
                     body={"error": {"code": "RateLimiting", "message": "throttled"}})
    body = onboarding_body(tenant(estate, "Pennine"), estate)
    credential = a_world().services.credentials.for_request(parse_onboarding(json.dumps(body).encode()))
    object_id = principal_object_id(sign_in(credential, "client_secret"))
    # when
    started = time.monotonic()
    validation = validate_principal(AzurePrincipalProbe(credential), object_id, body["subscription_ids"],
                                    deadline=Deadline.within(5.0))
    # then: no 30 s wait was started; every subscription awaits the re-check
    assert time.monotonic() - started < 5.0
    assert all(s.status == "awaiting_roles" and s.notes == [UNCHECKED] for s in validation.subscriptions)


def test_billing_side_cost_refusals_are_noted_not_awaited_when_roles_are_in_place(estate: Estate) -> None:
    # given: Wessex Larder's EA subscriptions where view charges are off, prices unpublished, or too new (a
    # federated tenant: its request carries a sign-in handle, which validation neither needs nor checks)
    body = onboarding_body(tenant(estate, "Wessex"), estate, proof="not-checked-by-validation")
    # when
    results = {s.subscription_id: s for s in validate_request(
        parse_onboarding(json.dumps(body).encode()), a_world().services).subscriptions}
    # then: every subscription the principal holds roles on is readable (the review runs on inventory and
    # Advisor), each refusal noted with its reason; the one without roles awaits them
    wessex = tenant(estate, "Wessex").subscriptions
    refusing = [s for s in wessex if s.cost_error]
    assert len(refusing) == 4 and all(results[s.subscription_id].status == "ok" for s in refusing)
    assert [s.subscription_id for s in wessex if not s.role_assignments] == [
        s.subscription_id for s in results.values() if s.status == "awaiting_roles"]
    for sub, words in ((refusing[0], "AO view charges"), (refusing[1], "MCA billing role"), (refusing[2], "48 hours"),
                       (refusing[3], "partner")):
        assert any(words in n for n in results[sub.subscription_id].notes), (sub.cost_error, words)


def test_reader_held_through_a_group_counts_and_is_named_when_assigned_to_the_group(
        estate: Estate, simulator: Any) -> None:
    body, oid = pennine_without_roles(estate, simulator)
    live = simulator.state.estate.tenant(body["tenant_id"])
    group_id = "5d1f6c7e-2b3a-4c5d-8e9f-0a1b2c3d4e5f"
    live.groups.append(Group(object_id=group_id, display_name="Caleta readers", members=[oid]))
    for sub in live.subscriptions:
        sub.role_assignments.append(RoleAssignment(principal_id=group_id, role="Reader"))
    results = validate_request(parse_onboarding(json.dumps(body).encode()), a_world().services).subscriptions
    assert all(r.status == "ok" and r.roles_found == ["Reader (via a group)"] for r in results)


def test_own_assignments_are_listed_when_arm_refuses_the_assigned_to_filter(estate: Estate, simulator: Any) -> None:
    # given: ARM answers the first role-assignment list with 400 (a filter it would not take)
    simulator.inject("GET", r"/providers/Microsoft\.Authorization/roleAssignments", status=400, times=1,
                     body={"error": {"code": "BadRequest", "message": "The filter is not supported."}})
    body = onboarding_body(tenant(estate, "Pennine"), estate)
    # when
    results = validate_request(parse_onboarding(json.dumps(body).encode()), a_world().services).subscriptions
    # then: the principal's own Reader still shows, so nothing waits for it
    assert all(r.status == "ok" and "Reader" in r.roles_found for r in results)
