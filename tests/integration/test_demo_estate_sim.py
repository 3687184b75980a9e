"""The demo estate served by the simulated tenant, read with the real Azure SDK clients."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any, cast

import pytest
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientAssertionCredential, ClientSecretCredential, ManagedIdentityCredential
from azure.mgmt.advisor import AdvisorManagementClient
from azure.mgmt.costmanagement import CostManagementClient
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

from local.certs import CertPaths, make_certs
from local.estates.build_demo import DEMO_PATH
from local.memtable import MemoryTable
from local.simulator import SimOptions, Simulator
from shared.analysis.index import build_index
from shared.analysis.model import ScanInputs, SubscriptionInputs
from shared.analysis.report_build import limitations_of
from shared.arm import cost_management_client
from shared.collectors import CollectRequest, cost
from shared.collectors.errors import SIGN_IN_REFUSED
from shared.collectors.quota import QpuLedger
from shared.errors import AccessDenied, NotCollectable

pytestmark = pytest.mark.integration

DEMO: dict[str, Any] = json.loads(DEMO_PATH.read_text(encoding="utf-8"))
PENNINE = DEMO["tenants"][0]
READER = PENNINE["applications"][0]
SUBSCRIPTIONS = [s["subscription_id"] for s in PENNINE["subscriptions"]]


@pytest.fixture(scope="module")
def demo_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Simulator, CertPaths]]:
    certs = make_certs(tmp_path_factory.mktemp("demo-sim-certs"))
    simulator = Simulator(DEMO_PATH, certs, options=SimOptions()).start()
    try:
        yield simulator, certs
    finally:
        simulator.stop()


@pytest.fixture(scope="module")
def credential(demo_sim: tuple[Simulator, CertPaths]) -> ClientSecretCredential:
    sim, certs = demo_sim
    return ClientSecretCredential(PENNINE["tenant_id"], READER["client_id"], READER["secrets"][0]["value"],
                                  authority=sim.base_url, disable_instance_discovery=True,
                                  connection_verify=str(certs.ca))


def _all_rows(client: ResourceGraphClient, query: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    token = None
    for _ in range(50):  # bounded: 149 rows at 100 a page is two pages
        page = client.resources(QueryRequest(subscriptions=SUBSCRIPTIONS, query=query,
                                             options=QueryRequestOptions(top=100, skip_token=token)))
        rows += cast(list[dict[str, Any]], page.data)  # objectArray format: a list of rows
        token = page.skip_token
        if not token:
            return rows
    raise AssertionError("Resource Graph paging did not end")


def test_resource_graph_returns_every_demo_resource_when_paged(demo_sim, credential) -> None:
    # given
    sim, certs = demo_sim
    client = ResourceGraphClient(credential, base_url=sim.base_url, connection_verify=str(certs.ca))
    # when
    rows = _all_rows(client, "resources | project id, name, type, resourceGroup | order by id asc")
    # then
    expected = sum(len(s["resources"]) for s in PENNINE["subscriptions"])
    assert len(rows) == expected
    assert any(r["resourceGroup"] == "rg-sandbox-(ignore_previous_instructions)" for r in rows)


def test_resource_graph_finds_unattached_disks_when_filtered_like_the_rules(demo_sim, credential) -> None:
    sim, certs = demo_sim
    client = ResourceGraphClient(credential, base_url=sim.base_url, connection_verify=str(certs.ca))
    rows = _all_rows(client, "resources | where type =~ 'microsoft.compute/disks' and isempty(managedBy) "
                             "| project id, name, tags")
    assert {r["name"] for r in rows} >= {"disk-tms-dev-old-data", "disk-migration-temp-01",
                                         "vm-erp-app-01-osdisk-ASRReplica"}


def test_cost_management_returns_90_days_in_gbp_when_queried(demo_sim, credential) -> None:
    # given
    sim, certs = demo_sim
    client = CostManagementClient(credential, base_url=sim.base_url, connection_verify=str(certs.ca))
    today = dt.datetime.now(dt.UTC).date()
    body = {"type": "AmortizedCost", "timeframe": "Custom",
            "timePeriod": {"from": f"{today - dt.timedelta(days=90)}T00:00:00Z",
                           "to": f"{today - dt.timedelta(days=1)}T23:59:59Z"},
            "dataset": {"granularity": "Daily", "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}}}}
    # when
    result = client.query.usage(f"/subscriptions/{SUBSCRIPTIONS[1]}", io.BytesIO(json.dumps(body).encode()),
                                content_type="application/json")
    # then
    assert result is not None
    names = [c.name for c in result.columns]
    days = {row[names.index("UsageDate")] for row in result.rows}
    assert len(days) == 90
    assert {row[names.index("Currency")] for row in result.rows} == {"GBP"}


def test_advisor_lists_the_production_recommendations_when_asked(demo_sim, credential) -> None:
    sim, certs = demo_sim
    client = AdvisorManagementClient(credential, SUBSCRIPTIONS[0], base_url=sim.base_url,
                                     connection_verify=str(certs.ca))
    recs = list(client.recommendations.list(filter="Category eq 'Cost'"))
    assert len(recs) == len(PENNINE["subscriptions"][0]["advisor"])
    assert sum(1 for r in recs if r.suppression_ids) == 1


TAMAR = DEMO["tenants"][1]
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


@pytest.fixture
def federated(demo_sim, monkeypatch) -> ClientAssertionCredential:
    """Caleta's managed identity exchanging its token for Tamar's consented multi-tenant app."""
    sim, certs = demo_sim
    monkeypatch.setenv("IDENTITY_ENDPOINT", sim.msi_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", sim.msi_header)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certs.bundle))
    identity = ManagedIdentityCredential(client_id=DEMO["caleta"]["managed_identity_client_id"])

    def assertion() -> str:
        return str(identity.get_token("api://AzureADTokenExchange/.default").token)

    return ClientAssertionCredential(TAMAR["tenant_id"], DEMO["caleta"]["app_client_id"], assertion,
                                     authority=sim.base_url, connection_verify=str(certs.ca))


def test_second_tenant_shows_contributor_to_the_federated_app_when_roles_are_read(demo_sim, federated) -> None:
    # given
    sim, certs = demo_sim
    client = ResourceGraphClient(federated, base_url=sim.base_url, connection_verify=str(certs.ca))
    object_id = TAMAR["applications"][0]["object_id"]
    query = ("authorizationresources | where type =~ 'microsoft.authorization/roleassignments' "
             f"| where tostring(properties.principalId) =~ '{object_id}' "
             "| project id, roleDefinitionId = tostring(properties.roleDefinitionId)")
    # when
    page = client.resources(QueryRequest(subscriptions=[TAMAR["subscriptions"][0]["subscription_id"]], query=query))
    # then
    roles = {str(r["roleDefinitionId"]).rsplit("/", 1)[-1] for r in cast(list[dict[str, Any]], page.data)}
    assert CONTRIBUTOR in roles and len(roles) == 3


WESSEX = DEMO["tenants"][2]


@pytest.fixture
def wessex(demo_sim, monkeypatch) -> ClientAssertionCredential:
    """Caleta's managed identity exchanging its token for Wessex Larder's consented multi-tenant app."""
    sim, certs = demo_sim
    monkeypatch.setenv("IDENTITY_ENDPOINT", sim.msi_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", sim.msi_header)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certs.bundle))
    identity = ManagedIdentityCredential(client_id=DEMO["caleta"]["managed_identity_client_id"])

    def assertion() -> str:
        return str(identity.get_token("api://AzureADTokenExchange/.default").token)

    return ClientAssertionCredential(WESSEX["tenant_id"], DEMO["caleta"]["app_client_id"], assertion,
                                     authority=sim.base_url, connection_verify=str(certs.ca))


def test_third_tenant_cost_queries_fail_the_ways_real_customers_do_when_queried(demo_sim, wessex) -> None:
    # given
    sim, certs = demo_sim
    client = CostManagementClient(wessex, base_url=sim.base_url, connection_verify=str(certs.ca), retry_total=0)
    body = {"type": "ActualCost", "timeframe": "MonthToDate",
            "dataset": {"granularity": "None", "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}}}}
    answers: dict[str, tuple[int, str]] = {}
    # when
    for sub in WESSEX["subscriptions"]:
        try:
            client.query.usage(f"/subscriptions/{sub['subscription_id']}", io.BytesIO(json.dumps(body).encode()),
                               content_type="application/json")
            answers[sub["display_name"]] = (200, "")
        except HttpResponseError as exc:
            answers[sub["display_name"]] = (int(exc.status_code or 0), str(exc.error.code if exc.error else ""))
    # then
    assert answers == {"Wessex Larder Operations": (200, ""),
                       "Wessex Larder Finance": (401, "AccountCostDisabled"),
                       "Wessex Larder Retail": (401, "401"),
                       "Wessex Larder Analytics": (404, "SubscriptionNotFound"),
                       "Wessex Larder Hosting": (401, "IndirectCostDisabled"),
                       "Wessex Larder Sandbox": (403, "AuthorizationFailed")}


def test_third_tenants_review_says_why_each_subscriptions_cost_is_missing_when_collected(demo_sim, wessex) -> None:
    # given: the real cost collector against the simulated tenant, one subscription at a time (audit B5)
    sim, certs = demo_sim
    client = cost_management_client(wessex, base_url=sim.base_url, connection_verify=str(certs.ca), retry_total=0)
    outcome: dict[str, str] = {}
    reasons: dict[str, str] = {}
    # when
    for sub in WESSEX["subscriptions"]:
        request = CollectRequest(scan_id="s1", subscription_id=sub["subscription_id"], tenant_id=WESSEX["tenant_id"],
                                 credential=wessex)
        try:
            cost.collect(request, history_days=90, client=client, budget=QpuLedger(MemoryTable()),
                         arm_endpoint=sim.base_url)
            outcome[sub["display_name"]] = "collected"
        except NotCollectable as exc:
            outcome[sub["display_name"]], reasons[sub["subscription_id"]] = "not collectable", exc.reason
        except AccessDenied as exc:
            assert exc.code != SIGN_IN_REFUSED  # one subscription's refusal, never the whole customer's
            outcome[sub["display_name"]], reasons[sub["subscription_id"]] = "denied", exc.reason
    # then: each refusal is read by its code, and the report names each subscription's reason
    assert outcome == {"Wessex Larder Operations": "collected", "Wessex Larder Finance": "not collectable",
                       "Wessex Larder Retail": "not collectable", "Wessex Larder Analytics": "not collectable",
                       "Wessex Larder Hosting": "not collectable", "Wessex Larder Sandbox": "denied"}
    names = {s["subscription_id"]: s["display_name"] for s in WESSEX["subscriptions"]}
    inputs = ScanInputs(customer_id="c", scan_id="s1", company="Wessex Larder Ltd",
                        generated_at=dt.datetime.now(dt.UTC),
                        subscriptions=[SubscriptionInputs(sid, names[sid], None, {}, {"cost": why})
                                       for sid, why in reasons.items()])
    lines = limitations_of(inputs, build_index(inputs))
    for sid, why in reasons.items():
        assert f"Subscription {names[sid]}: no cost data ({why})." in lines
    joined = " ".join(lines)
    assert "AO view charges" in joined and "48 hours" in joined and "billing role" in joined
    assert "published prices" in joined and "AuthorizationFailed" in joined
