"""The demo estate served by the simulated tenant, read with the real Azure SDK clients."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any, cast

import pytest
from azure.identity import ClientSecretCredential
from azure.mgmt.advisor import AdvisorManagementClient
from azure.mgmt.costmanagement import CostManagementClient
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

from local.certs import CertPaths, make_certs
from local.estates.build_demo import DEMO_PATH
from local.simulator import SimOptions, Simulator

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
