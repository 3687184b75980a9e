"""Governance rules: clutter that costs nothing directly but hides real spend and invites mistakes."""

from __future__ import annotations

from collections.abc import Iterator

from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, hygiene_finding, rule

RG_TYPE = "microsoft.resources/subscriptions/resourcegroups"


@rule("GOV-1", title="Empty resource group")
def empty_resource_groups(ctx: RuleContext) -> Iterator[Finding]:
    """GOV-1: an empty resource group bills nothing, but clutter makes cost ownership harder to read."""
    used = {rid.split("/providers/", 1)[0] for rid in ctx.index.resources}
    for row in ctx.index.containers:
        if str(row.get("type") or "").lower() != RG_TYPE:
            continue
        if str(row.get("id") or "").lower() in used:
            continue
        yield hygiene_finding(ctx, row, rule="GOV-1", title="Empty resource group",
                              action=f"Delete it: az group delete --ids {row['id']}", evidence={"resources": 0})


RULES: tuple[InventoryRule, ...] = (empty_resource_groups,)
