"""Platform rules: App Service plans, SQL elastic pools and storage accounts that pay for capacity no one uses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.analysis.findings import Finding
from shared.analysis.rules.base import (
    InventoryRule,
    RuleContext,
    delete_finding,
    hygiene_finding,
    props,
    rule,
    subscription_of,
)

_FREE_PLAN_TIERS = ("free", "shared", "dynamic", "flexconsumption")
# AOE's storage-retention heuristic: tiering and expiry rules typically remove about a quarter of the cost.
LIFECYCLE_SAVING = 0.25
_TIERABLE_KINDS = ("storagev2", "blobstorage")
_LEGACY_KINDS = ("storage", "blobstorage")


@rule("APP-1", title="App Service plan with no apps", narrative="an App Service plan hosting no apps")
def empty_app_service_plans(ctx: RuleContext) -> Iterator[Finding]:
    """APP-1: a dedicated App Service plan bills for its instances even when it hosts no apps."""
    for row in ctx.index.of_type("microsoft.web/serverfarms"):
        p = props(row)
        sku = row.get("sku") or {}
        tier = str(sku.get("tier") or "").lower()
        if int(p.get("numberOfSites") or 0) > 0 or tier in _FREE_PLAN_TIERS:
            continue
        yield delete_finding(ctx, row, rule="APP-1", title="App Service plan with no apps",
                             action=f"Delete the plan: az appservice plan delete --ids {row['id']}",
                             evidence={"apps": 0, "tier": str(sku.get("tier") or ""),
                                       "instances": int(sku.get("capacity") or 1)})


@rule("DB-2", title="SQL elastic pool with no databases", narrative="an elastic pool holding no databases")
def empty_elastic_pools(ctx: RuleContext) -> Iterator[Finding]:
    """DB-2: an elastic pool bills for its reserved eDTUs or vCores whether or not databases use them."""
    databases = ctx.index.of_type("microsoft.sql/servers/databases")
    used = {str(props(db).get("elasticPoolId") or "").lower() for db in databases}
    for row in ctx.index.of_type("microsoft.sql/servers/elasticpools"):
        if str(row["id"]).lower() in used:
            continue
        yield delete_finding(ctx, row, rule="DB-2", title="SQL elastic pool with no databases",
                             action=f"Delete the pool: az sql elastic-pool delete --ids {row['id']}",
                             evidence={"databases": 0})


def _has_lifecycle_policy(ctx: RuleContext, row: dict[str, Any]) -> bool:
    policy_id = str(row["id"]).lower() + "/managementpolicies/default"
    policy = ctx.index.resources.get(policy_id)
    if policy is not None:
        rules = ((props(policy).get("policy") or {}).get("rules")) or []
        return any(r.get("enabled", True) for r in rules)
    # Some collectors fold the policy into the account row.
    inline = props(row).get("managementPolicy") or props(row).get("lifecyclePolicy")
    return bool(inline)


@rule("STO-1", title="Storage account without a lifecycle management policy",
      narrative="a storage account without lifecycle rules")
def no_lifecycle_policy(ctx: RuleContext) -> Iterator[Finding]:
    """STO-1: without a lifecycle policy blobs stay in the hot tier for ever, paying the highest GB rate."""
    for row in ctx.index.of_type("microsoft.storage/storageaccounts"):
        if str(row.get("kind") or "").lower() not in _TIERABLE_KINDS or _has_lifecycle_policy(ctx, row):
            continue
        rid = str(row["id"])
        cost = ctx.index.cost30(rid)
        if cost <= 0:
            continue  # nothing stored worth tiering
        yield Finding(
            rule="STO-1", family="storage-lifecycle", category="rightsizing",
            title="Storage account without a lifecycle management policy", resource_id=rid,
            subscription_id=subscription_of(rid), monthly_savings=round(cost * LIFECYCLE_SAVING, 2),
            currency=ctx.currency, basis="estimate", confidence="low",
            formula=f"{LIFECYCLE_SAVING:.0%} of the account's last-30-day cost (AOE's tiering and retention heuristic)",
            action="Add a lifecycle policy that moves old blobs to cool/archive and deletes expired ones: "
                   f"az storage account management-policy create --account-name <name> --policy @policy.json "
                   f"--resource-group {row.get('resourceGroup') or '<group>'}",
            cost_to_date=round(ctx.index.cost_to_date(rid), 2), evidence={"lifecycle_policy": False},
            priced=(rid.lower(),), resources=(rid,), sources=("rule:STO-1",),
        )


@rule("STO-3", title="Legacy storage account kind (general-purpose v1 or BlobStorage)")
def legacy_storage_kinds(ctx: RuleContext) -> Iterator[Finding]:
    """STO-3: general-purpose v1 and legacy Blob storage accounts lack tiering and are being retired."""
    for row in ctx.index.of_type("microsoft.storage/storageaccounts"):
        kind = str(row.get("kind") or "")
        if kind.lower() not in _LEGACY_KINDS:
            continue
        finding = hygiene_finding(
            ctx, row, rule="STO-3", title=f"Legacy storage account kind ({kind})",
            action=f"Upgrade to general-purpose v2: az storage account update --set kind=StorageV2 --ids {row['id']}",
            evidence={"kind": kind})
        yield finding.with_(family="storage-kind", formula="no direct saving: upgrade enables tiering and "
                                                             "avoids the retirement of legacy kinds")


RULES: tuple[InventoryRule, ...] = (
    empty_app_service_plans, empty_elastic_pools, no_lifecycle_policy, legacy_storage_kinds)
