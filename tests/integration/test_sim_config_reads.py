"""The simulator's configuration GETs through a real SDK pipeline: lifecycle policies, budgets, scheduled actions,
reservation recommendations with their $filter, Advisor configurations; 403 without a reading role; the Resource
Graph tables beyond `resources`; the response-size refusal."""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.advisor import AdvisorManagementClient
from azure.mgmt.resourcegraph import ResourceGraphClient

from tests.integration.sim_fixtures import (
    CONTOSO,
    PROD,
    READER,
    TAGGER,
    secret_credential,
    sim,
    sim_certs,
    sim_server,
)

pytestmark = pytest.mark.integration
__all__ = ["sim", "sim_certs", "sim_server"]

ACCOUNT = f"/subscriptions/{PROD}/resourceGroups/rg-data-prod/providers/Microsoft.Storage/storageAccounts/stcontosodata"


def get(sim: Any, certs: Any, path: str, app: tuple[str, ...] = READER) -> Any:
    """One GET through the Advisor client's pipeline (bearer token, no product policy)."""
    cred = secret_credential(sim, certs, CONTOSO, app[0], app[1])
    client = AdvisorManagementClient(cred, PROD, base_url=sim.base_url, connection_verify=str(certs.ca),
                                     retry_total=0)
    return client._send_request(HttpRequest("GET", path))


def test_lifecycle_policy_answers_200_404_and_resource_not_found_when_asked(sim, sim_certs, monkeypatch):
    none_set = get(sim, sim_certs, f"{ACCOUNT}/managementPolicies/default?api-version=2024-01-01")
    assert (none_set.status_code, none_set.json()["error"]["code"]) == (404, "ManagementPolicyNotFound")
    policy = {"rules": [{"enabled": False, "name": "r", "type": "Lifecycle", "definition": {}}]}
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "management_policies", {ACCOUNT: {"policy": policy}})
    found = get(sim, sim_certs, f"{ACCOUNT}/managementPolicies/default?api-version=2024-01-01").json()
    assert (found["name"], found["properties"]["policy"]) == ("DefaultManagementPolicy", policy)
    gone = get(sim, sim_certs, f"{ACCOUNT}x/managementPolicies/default?api-version=2024-01-01")
    assert (gone.status_code, gone.json()["error"]["code"]) == (404, "ResourceNotFound")


@pytest.mark.parametrize("path", [
    f"{ACCOUNT}/managementPolicies/default?api-version=2024-01-01",
    f"/subscriptions/{PROD}/providers/Microsoft.Consumption/budgets?api-version=2023-05-01",
    f"/subscriptions/{PROD}/providers/Microsoft.CostManagement/scheduledActions?api-version=2023-11-01",
    f"/subscriptions/{PROD}/providers/Microsoft.Consumption/reservationRecommendations?api-version=2023-05-01",
    f"/subscriptions/{PROD}/providers/Microsoft.Advisor/configurations?api-version=2020-01-01",
])
def test_configuration_reads_are_refused_403_when_the_principal_reads_nothing(sim, sim_certs, path):
    answer = get(sim, sim_certs, path, app=TAGGER)
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "AuthorizationFailed")


def test_reservation_recommendations_filter_on_scope_and_lookback_with_the_documented_defaults(sim, sim_certs,
                                                                                               monkeypatch):
    def rec(name: str, **props: str) -> dict[str, Any]:
        return {"name": name, "properties": {"term": "P1Y", **props}}

    monkeypatch.setattr(sim.state.estate.subscription(PROD), "reservation_recommendations", [
        rec("d7"), rec("s30", scope="Shared", lookBackPeriod="Last30Days"),
        rec("60", scope="Single", lookBackPeriod="Last60Days")])
    base = f"/subscriptions/{PROD}/providers/Microsoft.Consumption/reservationRecommendations?api-version=2023-05-01"

    def names(query: str = "") -> list[str]:
        return [r["name"] for r in get(sim, sim_certs, base + query).json()["value"]]

    assert names() == ["d7"]  # Single scope and Last7Days by default
    assert names("&$filter=properties/scope eq 'Single' AND properties/lookBackPeriod eq 'Last60Days'") == ["60"]
    assert names("&$filter=properties/scope eq 'Shared' and properties/lookBackPeriod eq 'Last30Days'") == ["s30"]
    bad = get(sim, sim_certs, base + "&$filter=properties/term eq 'P1Y'")
    assert bad.status_code == 400


def test_budgets_actions_and_configurations_are_listed_with_ids_when_the_estate_has_them(sim, sim_certs,
                                                                                          monkeypatch):
    sub = sim.state.estate.subscription(PROD)
    monkeypatch.setattr(sub, "budgets", [{"name": "b", "properties": {"amount": 100.0, "currentSpend": {
        "amount": 12.5, "unit": "GBP"}}}])
    monkeypatch.setattr(sub, "scheduled_actions", [{"name": "a", "kind": "InsightAlert", "properties": {}}])
    monkeypatch.setattr(sub, "advisor_configurations", [{"name": "default", "properties": {"exclude": False}}])
    budgets = get(sim, sim_certs, f"/subscriptions/{PROD}/providers/Microsoft.Consumption/budgets"
                                  "?api-version=2023-05-01").json()["value"]
    assert budgets[0]["properties"]["currentSpend"]["amount"] == 12.5  # as written: not recomputed
    actions = get(sim, sim_certs, f"/subscriptions/{PROD}/providers/Microsoft.CostManagement/scheduledActions"
                                  "?api-version=2023-11-01").json()
    assert actions["value"][0]["id"] == f"subscriptions/{PROD}/providers/Microsoft.CostManagement/scheduledActions/a"
    configs = get(sim, sim_certs, f"/subscriptions/{PROD}/providers/Microsoft.Advisor/configurations"
                                  "?api-version=2020-01-01").json()["value"]
    assert configs[0]["type"] == "Microsoft.Advisor/configurations"


def graph_query(sim: Any, certs: Any, query: str) -> Any:
    cred = secret_credential(sim, certs, CONTOSO, READER[0], READER[1])
    client = ResourceGraphClient(cred, base_url=sim.base_url, connection_verify=str(certs.ca), retry_total=0)
    body = {"query": query, "subscriptions": [PROD], "options": {"$top": 1000}}
    return client.resources(io.BytesIO(json.dumps(body).encode("utf-8")), content_type="application/json")


def test_recovery_services_table_serves_the_estates_protected_items_when_queried(sim, sim_certs, monkeypatch):
    item = {"id": f"/subscriptions/{PROD}/resourceGroups/rg-bk/providers/Microsoft.RecoveryServices/vaults/v/"
                  "backupFabrics/Azure/protectionContainers/c/protectedItems/VM;i", "name": "VM;i",
            "type": "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems",
            "resourceGroup": "rg-bk", "subscriptionId": PROD, "properties": {"protectionState": "Protected"}}
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "recovery_services", [item])
    page = graph_query(sim, sim_certs, "recoveryservicesresources | where type =~ "
                       "'microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems' "
                       "| project id, properties")
    assert [r["id"] for r in page.data] == [item["id"]]


def test_a_page_over_the_response_limit_is_refused_with_resource_graphs_code_when_set_small(sim, sim_certs,
                                                                                           monkeypatch):
    monkeypatch.setattr(sim.state, "options", dataclasses.replace(sim.state.options, arg_max_response_bytes=100))
    with pytest.raises(HttpResponseError) as caught:
        graph_query(sim, sim_certs, "resources | project id, properties")
    assert caught.value.response is not None
    details = json.loads(caught.value.response.text())["error"]["details"]
    assert caught.value.status_code == 400 and details[0]["code"] == "ResponsePayloadTooLarge"
    assert "has exceeded the limit of 100." in details[0]["message"]
