"""The inventory and configuration reads against the simulated tenant with the real SDK clients: lifecycle policies
over ARM GETs (ARM's read limits, an unregistered provider), protected items and policy assignments in Resource
Graph, the cost-config source, an unregistered Microsoft.Advisor through the pipeline (audit S5), and pages too
large for Resource Graph (audit M7)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest

from local.certs import CertPaths
from local.simulator import SimOptions, Simulator
from local.simulator.arm_limits import ArmReadLimits
from shared.arm import advisor_client, cost_management_client, resource_graph_client
from shared.collectors import CollectRequest, advisor, cost_config, resource_graph
from shared.collectors.arm_reads import ArmReader
from shared.messages import ScanRequested
from shared.pipeline.collect import collect_task
from shared.pipeline.plan import plan_scan
from shared.pipeline.scan import request_scan
from tests.integration.sim_fixtures import CONTOSO, DEV, PROD, READER, SMALL_ESTATE, secret_credential
from tests.unit.fakes import CUSTOMER_ID, a_customer, make_world

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

TIME_SCALE = 0.2
ACCOUNT = f"/subscriptions/{PROD}/resourceGroups/rg-data-prod/providers/Microsoft.Storage/storageAccounts/stcontosodata"
POLICY = {"rules": [{"enabled": True, "name": "cool", "type": "Lifecycle", "definition": {
    "filters": {"blobTypes": ["blockBlob"]}, "actions": {"baseBlob": {"tierToCool": {
        "daysAfterModificationGreaterThan": 30}}}}}]}


@pytest.fixture(scope="module")
def tenant(certs: CertPaths) -> Iterator[Simulator]:
    sim = Simulator(SMALL_ESTATE, certs, options=SimOptions(time_scale=TIME_SCALE)).start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def sim(tenant: Simulator) -> Iterator[Simulator]:
    tenant.reset()
    yield tenant
    tenant.reset()


def kwargs(sim: Simulator, certs: CertPaths, **extra: Any) -> dict[str, Any]:
    return {"base_url": sim.base_url, "connection_verify": str(certs.ca), "retry_total": 0, **extra}


def request_for(sim: Simulator, certs: CertPaths, subscription_id: str = PROD) -> CollectRequest:
    credential = secret_credential(sim, certs, CONTOSO, READER[0], READER[1])
    return CollectRequest(scan_id="s1", subscription_id=subscription_id, tenant_id=CONTOSO, credential=credential)


def graph(sim: Simulator, certs: CertPaths, subscription_id: str = PROD, **extra: Any) -> Any:
    request = request_for(sim, certs, subscription_id)
    client = resource_graph_client(request.credential, **kwargs(sim, certs, **extra))
    return resource_graph.collect(request, client=client)


def test_lifecycle_policy_is_read_over_arm_as_none_then_as_set_when_the_estate_changes(sim, certs, monkeypatch):
    # given: the estate's StorageV2 account has no policy
    first = graph(sim, certs).data
    assert first["management_policies"] == {ACCOUNT.lower(): {"status": 404}}
    gets = [r for r in sim.request_log if r.method == "GET" and "managementPolicies" in r.path]
    assert [r.status for r in gets] == [404]
    # when: the customer adds one
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "management_policies", {ACCOUNT: {"policy": POLICY}})
    # then
    assert graph(sim, certs).data["management_policies"] == {ACCOUNT.lower(): {"status": 200, "policy": POLICY}}


def test_an_unregistered_storage_provider_is_a_409_for_that_account_and_no_registration_leaves(sim, certs,
                                                                                               monkeypatch):
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "registered_providers", ["Microsoft.Compute"])
    data = graph(sim, certs).data
    assert data["management_policies"] == {ACCOUNT.lower(): {"status": 409, "code": "MissingSubscriptionRegistration"}}
    assert len(data["resources"]) == 5  # Resource Graph is registered by default: the inventory is whole
    assert not [r for r in sim.request_log if r.method == "POST" and r.path.endswith("/register")]


def test_configuration_reads_pace_themselves_within_arms_read_limits_when_the_bucket_is_small(sim, certs,
                                                                                             monkeypatch):
    # given: a principal bucket of two reads refilled at one a second (ARM's is 250 at 25), on the scaled clock
    monkeypatch.setattr(sim.state, "arm_reads", ArmReadLimits(2, 1.0, 15, time_scale=TIME_SCALE))
    request = request_for(sim, certs)
    client = cost_management_client(request.credential, **kwargs(sim, certs))
    # when: four list reads (budgets, scheduled actions, two reservation lookbacks)
    data = cost_config.collect(request, client=client).data
    # then: every list read, paced on x-ms-ratelimit-remaining-subscription-reads, never refused
    assert data["missing"] == {} and data["reads"] == {"calls": 4, "throttled": 0}
    assert not [r for r in sim.request_log if r.status == 429]


def test_a_read_without_reserve_waits_out_arms_429_as_retry_after_says(sim, certs, monkeypatch):
    # given: the same small bucket, and a reader that leaves no reads in reserve
    monkeypatch.setattr(sim.state, "arm_reads", ArmReadLimits(2, 1.0, 15, time_scale=TIME_SCALE))
    request = request_for(sim, certs)
    reader = ArmReader(cost_management_client(request.credential, **kwargs(sim, certs)).send_request, reserve=0)
    path = f"/subscriptions/{PROD}/providers/Microsoft.Consumption/budgets"
    # when
    started = time.monotonic()
    answers = [reader.get(path, "2023-05-01") for _ in range(3)]
    # then: the third read met ARM's 429 (SubscriptionRequestsThrottled), waited its Retry-After and was answered
    assert [a.status for a in answers] == [200, 200, 200] and reader.stats() == {"calls": 4, "throttled": 1}
    assert [r.status for r in sim.request_log if "budgets" in r.path] == [200, 200, 429, 200]
    assert time.monotonic() - started >= TIME_SCALE  # one whole second of ARM's time, scaled


def test_cost_configuration_is_collected_as_rest_lists_when_the_estate_has_some(sim, certs, monkeypatch):
    sub = sim.state.estate.subscription(PROD)
    recommendation: dict[str, Any] = {"name": "r60", "sku": "Standard_D4s_v5", "properties": {
        "lookBackPeriod": "Last60Days", "term": "P1Y", "scope": "Single", "recommendedQuantity": 5}}
    monkeypatch.setattr(sub, "budgets", [{"name": "monthly", "properties": {"category": "Cost", "amount": 900.0,
                                                                             "timeGrain": "Monthly"}}])
    monkeypatch.setattr(sub, "scheduled_actions", [{"name": "anomaly", "kind": "InsightAlert",
                                                    "properties": {"status": "Enabled"}}])
    monkeypatch.setattr(sub, "reservation_recommendations", [
        recommendation, {**recommendation, "name": "shared", "properties": {
            **recommendation["properties"], "scope": "Shared"}}])
    request = request_for(sim, certs)
    data = cost_config.collect(request, client=cost_management_client(request.credential, **kwargs(sim, certs))).data
    budget = data["budgets"][0]
    assert budget["id"].endswith("/providers/Microsoft.Consumption/budgets/monthly")
    assert budget["properties"]["currentSpend"]["unit"] == "GBP"  # the simulator's month to date
    assert [a["kind"] for a in data["scheduled_actions"]] == ["InsightAlert"]
    assert [r["name"] for r in data["reservation_recommendations"]] == ["r60"]  # Single scope, the 60-day read


def test_cost_configuration_reads_refused_without_a_role_are_missing_not_none(sim, certs):
    for role in ("Reader", "Cost Management Reader"):
        sim.remove_role(CONTOSO, READER[2], role)
    request = request_for(sim, certs)
    data = cost_config.collect(request, client=cost_management_client(request.credential, **kwargs(sim, certs))).data
    assert set(data["missing"]) == {"budgets", "scheduled_actions", "reservation_recommendations"}
    assert "budgets" not in data and "HTTP 403 AuthorizationFailed" in data["missing"]["budgets"]


def test_protected_items_and_management_group_assignments_are_read_when_the_tables_hold_them(sim, certs,
                                                                                            monkeypatch):
    vault = f"/subscriptions/{DEV}/resourceGroups/rg-bk/providers/Microsoft.RecoveryServices/vaults/rsv"
    item = {"id": f"{vault}/backupFabrics/Azure/protectionContainers/c/protectedItems/VM;i", "name": "VM;i",
            "type": "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems",
            "resourceGroup": "rg-bk", "subscriptionId": DEV, "properties": {"lastBackupTime": "2026-01-01T00:00:00Z"}}
    mg_scope = "/providers/Microsoft.Management/managementGroups/mg-contoso"
    assignment = {"id": f"{mg_scope}/providers/Microsoft.Authorization/policyAssignments/uk", "name": "uk",
                  "type": "microsoft.authorization/policyassignments", "subscriptionId": "", "resourceGroup": "",
                  "properties": {"scope": mg_scope}}
    monkeypatch.setattr(sim.state.estate.subscription(DEV), "recovery_services", [item])
    monkeypatch.setattr(sim.state.estate.tenants[0].management_groups[0], "policy_assignments", [assignment])
    # Reader reaches Dev/Test through the management group; 2022-10-01 honours the scope filter
    data = graph(sim, certs, DEV, api_version="2022-10-01").data
    assert [r["name"] for r in data["recovery_services"]] == ["VM;i"]
    assert [r["name"] for r in data["policy_assignments"]] == ["uk"]
    # an older api-version ignores the filter, so the management group's assignment is not seen
    assert graph(sim, certs, DEV, api_version="2021-03-01").data["policy_assignments"] == []


def test_pages_too_large_for_resource_graph_are_asked_again_smaller_when_it_refuses(sim, certs, monkeypatch):
    # given: a response limit smaller than a page of this estate's rows
    monkeypatch.setattr(sim.state, "options", dataclasses.replace(sim.state.options, arg_max_response_bytes=2500))
    # when
    data = graph(sim, certs).data
    # then: the whole inventory, after 400 ResponsePayloadTooLarge answers
    assert len(data["resources"]) == 5
    assert any(r.status == 400 for r in sim.request_log if "ResourceGraph" in r.path)


def test_unregistered_advisor_fails_its_task_with_a_plain_reason_and_nothing_dead_letters(sim, certs, monkeypatch):
    # given: the subscription registered only the providers Azure registers by default
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "registered_providers", [])
    world = make_world(with_customer=False)
    world.add_customer(a_customer(CUSTOMER_ID, tenant=CONTOSO, subscriptions=(PROD,)))
    world.credentials.credential = secret_credential(sim, certs, CONTOSO, READER[0], READER[1])
    kw = kwargs(sim, certs)
    world.services.collectors = {
        "advisor": lambda r: advisor.collect(r, client=advisor_client(r.credential, r.subscription_id, **kw))}
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    tasks = {t.source: t for t in plan_scan(ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id),
                                            world.services)}
    # when
    outcome = collect_task(tasks["advisor"], world.services)
    # then: failed for good with the reason, the customer still active, the registration never sent
    task = world.services.scans.task(CUSTOMER_ID, scan_id, PROD, "advisor")
    assert outcome == "failed" and task.outcome == "failed"
    assert task.reason is not None and "has not registered Microsoft.Advisor" in task.reason
    assert world.customers.get(CUSTOMER_ID).state == "active"
    assert [r.status for r in sim.request_log if "Microsoft.Advisor" in r.path] == [409]
    assert sim.refused_writes == 0
