"""The estate's inventory beyond `resources`: defaults, legacy policy rows moved to the ARM read, validation,
placeholders and completed Resource Graph columns."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from local.estates import parse_estate

SMALL = Path(__file__).resolve().parents[2] / "fixtures" / "estates" / "small.json"
TODAY = dt.date(2026, 11, 27)
SUB = "11111111-1111-0000-0000-000000000001"
ACCOUNT = f"/subscriptions/{SUB}/resourceGroups/rg-data-prod/providers/Microsoft.Storage/storageAccounts/stlegacy"
POLICY = {"rules": [{"enabled": True, "name": "cool", "type": "Lifecycle", "definition": {}}]}


def doc() -> dict[str, Any]:
    return copy.deepcopy(json.loads(SMALL.read_text()))


def sub_of(document: dict[str, Any]) -> dict[str, Any]:
    return dict(document["tenants"][0]["subscriptions"][0])


def test_older_estate_loads_with_empty_inventory_fields_when_none_are_written():
    sub = parse_estate(doc(), TODAY).tenants[0].subscriptions[0]
    assert (sub.recovery_services, sub.policy_assignments, sub.budgets, sub.scheduled_actions,
            sub.reservation_recommendations, sub.advisor_configurations, sub.management_policies) == (
        [], [], [], [], [], [], {})


def test_legacy_policy_rows_leave_resources_and_become_the_accounts_policy_when_loaded():
    # given: an older estate wrote the policy as a child row, which Resource Graph never returns
    document = doc()
    rows = document["tenants"][0]["subscriptions"][0]["resources"]
    count = len(rows)
    rows.append({"id": f"{ACCOUNT}/managementPolicies/default", "name": "default",
                 "type": "Microsoft.Storage/storageAccounts/managementPolicies",
                 "properties": {"policy": POLICY, "lastModifiedTime": "{{days_ago:3}}"}})
    # when
    sub = parse_estate(document, TODAY).tenants[0].subscriptions[0]
    # then
    assert len(sub.resources) == count
    assert sub.management_policies == {ACCOUNT: {"policy": POLICY, "lastModifiedTime": "2026-11-24T00:00:00Z"}}


def test_written_policies_win_and_legacy_rows_stay_when_both_are_given():
    document = doc()
    target = document["tenants"][0]["subscriptions"][0]
    target["management_policies"] = {}
    target["resources"].append({"id": f"{ACCOUNT}/managementPolicies/default", "name": "default",
                                "type": "Microsoft.Storage/storageAccounts/managementPolicies",
                                "properties": {"policy": POLICY}})
    sub = parse_estate(document, TODAY).tenants[0].subscriptions[0]
    assert sub.management_policies == {}


@pytest.mark.parametrize(("field", "value", "why"), [
    ("management_policies", {"/subscriptions/x/resourceGroups/r/providers/Microsoft.Compute/disks/d": {
        "policy": POLICY}}, "not a storage account id"),
    ("management_policies", {ACCOUNT: {"rules": []}}, "needs 'policy'"),
    ("budgets", [{"properties": {}}], "string 'name'"),
    ("recovery_services", [{"id": "/x", "name": "y"}], "'type'"),
])
def test_load_fails_naming_the_problem_when_an_inventory_field_is_malformed(field: str, value: Any, why: str):
    document = doc()
    document["tenants"][0]["subscriptions"][0][field] = value
    with pytest.raises(ValidationError, match=why):
        parse_estate(document, TODAY)


def test_table_rows_get_resource_graph_columns_and_placeholders_resolve_when_loaded():
    document = doc()
    vault = f"/subscriptions/{SUB}/resourceGroups/rg-bk/providers/Microsoft.RecoveryServices/vaults/v1"
    document["tenants"][0]["subscriptions"][0]["recovery_services"] = [{
        "id": f"{vault}/backupFabrics/Azure/protectionContainers/c/protectedItems/VM;i", "name": "VM;i",
        "type": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
        "properties": {"lastBackupTime": "{{days_ago:40}}"}}]
    document["tenants"][0]["management_groups"] = [{"id": "mg1", "subscription_ids": [SUB], "policy_assignments": [{
        "id": "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/"
              "policyAssignments/a", "name": "a", "type": "Microsoft.Authorization/policyAssignments"}]}]
    tenant = parse_estate(document, TODAY).tenants[0]
    item = tenant.subscriptions[0].recovery_services[0]
    assert (item["resourceGroup"], item["subscriptionId"], item["type"]) == (
        "rg-bk", SUB, "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems")
    assert item["properties"]["lastBackupTime"] == "2026-10-18T00:00:00Z"
    assigned = tenant.management_groups[0].policy_assignments[0]
    assert (assigned["subscriptionId"], assigned["properties"]["scope"]) == (
        "", "/providers/Microsoft.Management/managementGroups/mg1")
