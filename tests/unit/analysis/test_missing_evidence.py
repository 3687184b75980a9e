"""Missing evidence is unknown, never waste (issue 15 section 2b): rows without `properties`, sources that were
not collected, and the optional data of docs/data-contract.md read as "unknown" when absent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shared.analysis.columnar import ColumnarRows
from shared.analysis.index import build_index, read_policy
from shared.analysis.rules.registry import all_rules
from tests.unit.analysis.builders import END, a_row, context, cost_line, meter_line, rid, scan

# Every type an inventory rule judges by what the row's properties say (attached, linked, in use).
JUDGED_TYPES = [
    "Microsoft.Network/publicIPAddresses", "Microsoft.Network/networkInterfaces", "Microsoft.Network/loadBalancers",
    "Microsoft.Network/applicationGateways", "Microsoft.Network/virtualNetworkGateways",
    "Microsoft.Network/natGateways",
    "Microsoft.Network/privateEndpoints", "Microsoft.Network/privateDnsZones", "Microsoft.Network/ddosProtectionPlans",
    "Microsoft.Network/networkSecurityGroups", "Microsoft.Network/routeTables", "Microsoft.Network/ipGroups",
    "Microsoft.Network/frontdoorWebApplicationFirewallPolicies", "Microsoft.Network/trafficManagerProfiles",
    "Microsoft.Network/virtualNetworks", "Microsoft.Network/expressRouteCircuits", "Microsoft.Network/azureFirewalls",
    "Microsoft.Compute/virtualMachines", "Microsoft.Compute/disks", "Microsoft.Compute/availabilitySets",
    "Microsoft.Compute/virtualMachineScaleSets", "Microsoft.Web/serverfarms", "Microsoft.Web/connections",
    "Microsoft.Web/certificates", "Microsoft.Sql/servers/databases", "Microsoft.Sql/servers/elasticPools",
    "Microsoft.Storage/storageAccounts", "Microsoft.RecoveryServices/vaults", "Microsoft.Synapse/workspaces",
    "Microsoft.DocumentDB/databaseAccounts", "Microsoft.HybridCompute/machines",
    "Microsoft.SqlVirtualMachine/sqlVirtualMachines", "Microsoft.ContainerService/managedClusters",
]
# Judged from top-level fields Resource Graph always returns (sku, kind), not from properties.
TOP_LEVEL_RULES = {"NET-2", "DSK-4", "STO-3"}


def _bare(arm_type: str) -> dict[str, Any]:
    name = "x/y" if arm_type.count("/") == 2 else "x"
    row = a_row(arm_type, name, sku={"name": "Standard", "tier": "Standard"}, kind="StorageV2")
    row["properties"] = None
    return row


@pytest.mark.parametrize("arm_type", JUDGED_TYPES)
def test_row_without_properties_raises_nothing_when_every_rule_runs(arm_type: str) -> None:
    row = _bare(arm_type)
    ctx = context(scan([row], cost_rows=cost_line(row["id"], 3.0)))
    found = [f for check in all_rules() if check.spec.id not in TOP_LEVEL_RULES for f in check(ctx)]
    assert [(f.rule, f.resource_id) for f in found if f.resource_id == row["id"]] == []


def test_policy_reads_mean_what_arm_answered() -> None:
    rules = {"rules": [{"name": "a", "enabled": False}, {"name": "b"}]}
    assert [read_policy(x) for x in (None, {"status": 404}, {"status": 403}, {"status": 200, "policy": rules},
                                     {"status": 200, "policy": {"rules": [{"enabled": False}]}},
                                     {"status": 200, "policy": {"properties": {"policy": rules}}},
                                     {"status": 200})] == [
        "unknown", "absent", "unknown", "enabled", "no-enabled-rule", "enabled", "unknown"]


def test_optional_sources_read_unknown_when_a_scan_did_not_collect_them() -> None:
    account = a_row("Microsoft.Storage/storageAccounts", "st1", kind="StorageV2")
    index = build_index(scan([account], cost_rows=cost_line(account["id"], 1.0)))
    assert (index.management_policy(account["id"]), index.protected_items(), index.cost30_meters(account["id"]),
            index.capacity_daily(account["id"]), index.advisor_configurations) == ("unknown", None, None, None, None)


def test_meter_costs_roll_up_to_the_resource_and_keep_capacity_days_when_rows_are_columnar() -> None:
    account = a_row("Microsoft.Storage/storageAccounts", "st1", kind="StorageV2")
    child = account["id"] + "/blobServices/default"
    meters = meter_line(child, 2.0, "Hot LRS Data Stored") + meter_line(account["id"], 1.0, "Write Operations")
    inputs = scan([account], meter_rows=meters)
    inputs.subscriptions[0].raw["cost"].data["meters"]["rows"] = ColumnarRows(meters)
    index = build_index(inputs)
    assert index.cost30_meters(account["id"]) == pytest.approx({"Hot LRS Data Stored": 60.0, "Write Operations": 30.0})
    assert index.capacity_daily(account["id"]) == {}  # the capacity series stays on the row it was billed to
    assert sum((index.capacity_daily(child) or {}).values()) == pytest.approx(60.0)


def test_daily_costs_of_a_few_resources_read_from_columnar_rows() -> None:
    vm = rid("Microsoft.Compute/virtualMachines", "vm1")
    rows = cost_line(vm, 4.0, "Virtual Machines", days=(40, 0)) + cost_line(vm, 1.0, "Storage", days=(40, 0))
    inputs = scan([], cost_rows=rows)
    inputs.subscriptions[0].raw["cost"].data["rows"] = ColumnarRows(rows)
    series = build_index(inputs).daily_costs({vm.lower()}, {"Virtual Machines"})[vm.lower()]
    assert (len(series), min(series), set(series.values())) == (30, END - dt.timedelta(days=29), {4.0})


def test_billed_before_last_30_days_unknown_when_the_bill_was_not_collected_or_is_short() -> None:
    circuit = rid("Microsoft.Network/expressRouteCircuits", "c1")
    long_bill = build_index(scan([], cost_rows=cost_line(circuit, 1.0)))
    short = scan([], cost_rows=cost_line(circuit, 1.0, days=(29, 0)))
    short.subscriptions[0].raw["cost"].data["window"]["from"] = (END - dt.timedelta(days=29)).isoformat()
    assert (long_bill.billed_before_last30(circuit), build_index(short).billed_before_last30(circuit),
            long_bill.billed_before_last30(circuit.replace(circuit.split("/")[2], "other"))) == (True, None, None)


def test_cost_by_meter_is_unknown_for_a_resource_when_some_of_its_cost_has_no_meter_name():
    account = rid("Microsoft.Storage/storageAccounts", "st1")
    other = rid("Microsoft.Storage/storageAccounts", "st2")
    meters = meter_line(account, 2.0, "Hot LRS Data Stored") + meter_line(account, 1.0, "") + \
        meter_line(other, 3.0, "Hot LRS Data Stored")
    index = build_index(scan([], cost_rows=cost_line(account, 3.0) + cost_line(other, 3.0), meter_rows=meters))
    assert index.cost30_meters(account) is None
    assert index.cost30_meters(other) == pytest.approx({"Hot LRS Data Stored": 90.0})
