"""Storage account rules: data kept in the hot tier with no lifecycle rule, and legacy account kinds.

Resource Graph never returns lifecycle management policies: STO-1 and STO-2 read the policy fetched over
ARM (`management_policies` in the resource-graph envelope, docs/data-contract.md). Without that evidence,
or when the read failed (403, 429, 5xx), they raise nothing: unknown is not "absent".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import Command, arg, by_id, by_name
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, rule, subscription_of
from shared.analysis.rules.build import hygiene_finding, review_finding

ACCOUNT_TYPE = "microsoft.storage/storageaccounts"
# AOE's tiering and retention heuristic: lifecycle rules typically remove about a quarter of capacity cost.
LIFECYCLE_SAVING = 0.25
# AOE StorageAccountsGrowing: capacity cost up more than 5% in 30 days, last day above 50 a month / 30.
GROWTH_THRESHOLD = 0.05
GROWTH_MIN_DAILY = 50 / 30
_TIERABLE_KINDS = ("storagev2", "blobstorage", "blockblobstorage")
_LEGACY_KINDS = ("storage", "blobstorage")
_STORAGE_CATEGORY = "Storage"
# A starting point the customer adapts: cool after 30 days, archive after 180 (block blobs only, no deletion).
# report-design D6.3: cool after 30 days only; archive and delete rules are the owner's choice, not generated.
_POLICY = {"rules": [{"enabled": True, "name": "caleta-cool-after-30-days", "type": "Lifecycle", "definition": {
    "filters": {"blobTypes": ["blockBlob"]},
    "actions": {"baseBlob": {"tierToCool": {"daysAfterModificationGreaterThan": 30}}}}}]}
_POLICY_ACTION = ("Add a lifecycle policy that moves block blobs to the Cool tier 30 days after their last change "
                  "(add archive or delete rules to suit how the data is read)")


def capacity_cost(ctx: RuleContext, account_id: str) -> tuple[float, str]:
    """The account's last-30-day capacity cost and how it was read: its "Data Stored" meters when the
    cost-by-meter data was collected, else its Storage meter category (never Bandwidth: egress is not tiered)."""
    meters = ctx.index.cost30_meters(account_id)
    if meters is not None:
        return sum(v for m, v in meters.items() if m.lower().endswith("data stored")), "Data Stored meters"
    return ctx.index.cost30_meter(account_id, _STORAGE_CATEGORY), "Storage meter category (capacity and transactions)"


def _candidates(ctx: RuleContext) -> Iterator[tuple[dict[str, Any], str]]:
    """Tierable accounts whose policy read says none is set or none is enabled, with that reading."""
    for row in ctx.index.of_type(ACCOUNT_TYPE):
        if known_props(row) is None or str(row.get("kind") or "").lower() not in _TIERABLE_KINDS:
            continue
        policy = ctx.index.management_policy(str(row["id"]))
        if policy in ("absent", "no-enabled-rule"):
            yield row, policy


def _commands(row: dict[str, Any]) -> tuple[Command, ...]:
    rid = str(row["id"])
    return (by_name("storage account management-policy", "create", rid,
                    arg("--subscription", str(row.get("subscriptionId") or subscription_of(rid))),
                    arg("--resource-group", str(row.get("resourceGroup") or "")),
                    arg("--account-name", str(row.get("name") or "")),
                    arg("--policy", json.dumps(_POLICY, separators=(",", ":"))),
                    warnings=("cool tier: 30-day early-deletion and higher read prices; keep hot data that is read "
                              "often",)),)


@rule("STO-1", title="Storage account without a lifecycle management policy", kind="review",
      narrative="a storage account without lifecycle rules")
def no_lifecycle_policy(ctx: RuleContext) -> Iterator[Finding]:
    """STO-1: without an enabled lifecycle rule, blobs stay in the hot tier for ever at the highest GB rate.

    A review item: up to 25% of the capacity cost (AOE's heuristic), never egress or anomaly days.
    """
    for row, policy in _candidates(ctx):
        rid = str(row["id"])
        capacity, source = capacity_cost(ctx, rid)
        if capacity <= 0:
            continue  # nothing stored worth tiering
        yield review_finding(
            ctx, rid, rule="STO-1", family="storage-lifecycle", category="rightsizing",
            title="Storage account without a lifecycle management policy", high=capacity * LIFECYCLE_SAVING,
            formula=f"range 0 to {LIFECYCLE_SAVING:.0%} of the account's last-30-day capacity cost ({source}), "
                    "the FinOps toolkit optimization engine's tiering heuristic",
            action=_POLICY_ACTION, commands=_commands(row),
            evidence={"lifecycle_policy": "none set" if policy == "absent" else "no enabled rule",
                      "capacity_cost_30d": round(capacity, 2)},
        )


def growth_of(daily: dict[Any, float]) -> tuple[float, float] | None:
    """First and last day's capacity cost of a daily series (two days at least)."""
    days = sorted(daily)
    return (daily[days[0]], daily[days[-1]]) if len(days) >= 2 else None


@rule("STO-2", title="Storage capacity growing without a lifecycle policy", kind="review",
      narrative="a storage account growing without lifecycle rules")
def growing_without_policy(ctx: RuleContext) -> Iterator[Finding]:
    """STO-2: capacity cost up more than 5% in 30 days with no enabled lifecycle rule: the hot tier keeps growing.

    Needs the daily "Data Stored" series (cost by meter); it joins STO-1's finding on the same account.
    """
    for row, _policy in _candidates(ctx):
        rid = str(row["id"])
        daily = ctx.index.capacity_daily(rid)
        ends = growth_of(daily) if daily else None
        if daily is None or ends is None or ends[0] <= 0:
            continue
        first, last = ends
        growth = last / first - 1
        if growth <= GROWTH_THRESHOLD or last <= GROWTH_MIN_DAILY:
            continue
        capacity = sum(daily.values())
        yield review_finding(
            ctx, rid, rule="STO-2", family="storage-lifecycle", category="rightsizing",
            title="Storage capacity growing without a lifecycle policy", high=capacity * LIFECYCLE_SAVING,
            formula=f"range 0 to {LIFECYCLE_SAVING:.0%} of the last-30-day \"Data Stored\" cost; growth is the "
                    "last day's capacity cost against the first day's of the last 30",
            action=_POLICY_ACTION, commands=_commands(row),
            evidence={"capacity_growth_30d": round(growth, 3), "capacity_first_day": round(first, 2),
                      "capacity_last_day": round(last, 2)},
        )


@rule("STO-3", title="Legacy storage account kind (general-purpose v1 or BlobStorage)", kind="counted")
def legacy_storage_kinds(ctx: RuleContext) -> Iterator[Finding]:
    """STO-3: general-purpose v1 and legacy Blob storage accounts lack tiering and are being retired."""
    for row in ctx.index.of_type(ACCOUNT_TYPE):
        kind = str(row.get("kind") or "")
        if kind.lower() not in _LEGACY_KINDS:
            continue
        finding = hygiene_finding(
            ctx, row, rule="STO-3", title="Legacy storage account kind",
            action="Upgrade to general-purpose v2 (one way; check the transaction volume first)",
            commands=(by_id("storage account", "update", str(row["id"]), arg("--set", "kind=StorageV2"),
                            arg("--access-tier", "Hot"),
                            warnings=("one-way; general-purpose v2 transaction prices can be higher than v1: check "
                                      "the account's transaction volume first",)),),
            evidence={"kind": kind})
        yield finding.with_(family="storage-kind", formula="no direct saving: the upgrade enables tiering and "
                                                             "avoids the retirement of legacy kinds, but general-"
                                                             "purpose v2 transactions may cost more")


RULES: tuple[InventoryRule, ...] = (no_lifecycle_policy, growing_without_policy, legacy_storage_kinds)
