"""Estate parts beyond `resources`: Resource Graph's other tables and what ARM's configuration GETs answer.

A subscription may list rows of `recoveryservicesresources` (protected backup items) and `policyresources`
(policy assignments; a management group lists its own), each storage account's lifecycle policy, its Advisor
configurations, Consumption budgets, Cost Management scheduled actions and Consumption reservation
recommendations, all in the REST shapes Azure returns (sources in docs/estate-format.md, "Inventory beyond
resources"). Every field is optional; an older estate loads unchanged and answers as before (legacy
`managementPolicies` rows inside `resources` become the account's policy, see `split_legacy_policies`).
"""

from __future__ import annotations

import re
from typing import Any

# Resource Graph never returns this type in `resources` (supported-tables-resources.md lists none); older estates
# wrote policies as such rows, and the loader moves them to `management_policies`.
POLICY_ROW_TYPE = "microsoft.storage/storageaccounts/managementpolicies"
_ACCOUNT_ID = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Storage/"
                         r"storageAccounts/[^/]+$", re.IGNORECASE)


def check_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resource Graph rows need string `id`, `name` and `type`, as `resources` rows do."""
    for row in rows:
        for key in ("id", "name", "type"):
            if not isinstance(row.get(key), str) or not row[key]:
                raise ValueError(f"every row needs a string {key!r}")
    return rows


def check_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """REST list items (budgets, scheduled actions, recommendations, configurations) need a string `name`."""
    for item in items:
        if not isinstance(item.get("name"), str) or not item["name"]:
            raise ValueError("every item needs a string 'name', as the REST list returns it")
        if "properties" in item and not isinstance(item["properties"], dict):
            raise ValueError(f"item {item['name']!r}: 'properties' must be an object")
    return items


def check_policies(policies: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]] | None:
    """Keys are storage account ids; values are the policy GET's `properties`: {"policy": {"rules": [...]}, ...}."""
    for account_id, properties in (policies or {}).items():
        if not _ACCOUNT_ID.match(account_id):
            raise ValueError(f"management_policies key {account_id!r} is not a storage account id")
        policy = properties.get("policy")
        if not isinstance(policy, dict) or not isinstance(policy.get("rules"), list):
            raise ValueError(f"management_policies[{account_id!r}] needs 'policy': {{'rules': [...]}}")
    return policies


def split_legacy_policies(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """(rows without managementPolicies rows, account id -> the rows' `properties`): the older form of a policy."""
    kept: list[dict[str, Any]] = []
    policies: dict[str, dict[str, Any]] = {}
    for row in rows:
        if str(row.get("type", "")).lower() != POLICY_ROW_TYPE:
            kept.append(row)
            continue
        account_id = re.split(r"/managementpolicies/", str(row["id"]), flags=re.IGNORECASE)[0]
        properties = row.get("properties") or {}
        if isinstance(properties.get("policy"), dict):
            policies[account_id] = dict(properties)
    return kept, policies


def management_group_row(group_id: str, tenant_id: str, row: dict[str, Any]) -> dict[str, Any]:
    """A management group's policy assignment as a `policyresources` row (no subscription, no resource group)."""
    out = dict(row)
    out["type"] = str(row["type"]).lower()
    out.setdefault("tenantId", tenant_id)
    out.setdefault("subscriptionId", "")
    out.setdefault("resourceGroup", "")
    for key, default in (("kind", ""), ("location", ""), ("managedBy", ""), ("sku", None), ("zones", None),
                         ("identity", None), ("plan", None)):
        out.setdefault(key, default)
    out.setdefault("tags", {})
    out.setdefault("properties", {})
    out["properties"].setdefault("scope", f"/providers/Microsoft.Management/managementGroups/{group_id}")
    return out
