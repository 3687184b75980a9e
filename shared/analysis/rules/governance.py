"""Governance rules: clutter that costs nothing directly but hides real spend and invites mistakes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import arg, by_name, delete
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, parse_time, rule, subscription_of
from shared.analysis.rules.build import hygiene_finding

RG_TYPE = "microsoft.resources/subscriptions/resourcegroups"
CONNECTION_TYPE = "microsoft.web/connections"
WORKFLOW_TYPE = "microsoft.logic/workflows"


@rule("GOV-1", title="Empty resource group", kind="counted")
def empty_resource_groups(ctx: RuleContext) -> Iterator[Finding]:
    """GOV-1: an empty resource group bills nothing, but clutter makes cost ownership harder to read."""
    used = {rid.split("/providers/", 1)[0] for rid in ctx.index.resources}
    for row in ctx.index.containers:
        if str(row.get("type") or "").lower() != RG_TYPE:
            continue
        if str(row.get("id") or "").lower() in used:
            continue
        yield hygiene_finding(ctx, row, rule="GOV-1", title="Empty resource group",
                              action="Delete it", commands=(delete(str(row["id"])),),
                              evidence={"resources": 0})


def _referenced_connections(workflow: dict[str, Any]) -> set[str]:
    """Lower-cased connection ids a Consumption workflow names in parameters.$connections.value[*].connectionId."""
    connections = (((known_props(workflow) or {}).get("parameters") or {}).get("$connections") or {}).get("value")
    if not isinstance(connections, dict):
        return set()
    return {str(c.get("connectionId") or "").lower() for c in connections.values() if isinstance(c, dict)}


@rule("GOV-2", title="API connection used by no Logic App", kind="counted")
def unused_api_connections(ctx: RuleContext) -> Iterator[Finding]:
    """GOV-2: an API connection no workflow references holds credentials to another service for nothing.

    Judged across every subscription of the scan; a subscription with a workflow we cannot read judges none
    of its connections. V2 connections (Logic Apps Standard, through access policies) are left alone.
    """
    referenced: set[str] = set()
    unreadable: set[str] = set()
    for workflow in ctx.index.of_type(WORKFLOW_TYPE):
        if known_props(workflow) is None:
            unreadable.add(subscription_of(str(workflow["id"])))
        referenced |= _referenced_connections(workflow)
    for row in ctx.index.of_type(CONNECTION_TYPE):
        rid = str(row["id"])
        if known_props(row) is None or str(row.get("kind") or "").upper() == "V2" or rid.lower() in referenced \
                or subscription_of(rid) in unreadable:
            continue
        yield hygiene_finding(ctx, row, rule="GOV-2", title="API connection used by no Logic App",
                              action="Delete it", commands=(delete(rid),), evidence={"workflows": 0})


@rule("GOV-3", title="Expired App Service certificate", kind="counted")
def expired_certificates(ctx: RuleContext) -> Iterator[Finding]:
    """GOV-3: an expired certificate serves no one and is a TLS outage waiting to happen if still bound."""
    for row in ctx.index.of_type("microsoft.web/certificates"):
        expires = parse_time((known_props(row) or {}).get("expirationDate"))
        if expires is None or expires.date() >= ctx.today:
            continue
        yield hygiene_finding(ctx, row, rule="GOV-3", title="Expired App Service certificate",
                              action="Check no binding uses it, then delete it",
                              commands=(by_name("webapp config ssl", "delete", str(row["id"]),
                                                arg("--resource-group", str(row.get("resourceGroup") or "")),
                                                arg("--certificate-thumbprint", str(
                                                    (known_props(row) or {}).get("thumbprint") or ""))),),
                              evidence={"expired_on": expires.date().isoformat(),
                                        "days_expired": (ctx.today - expires.date()).days})


RULES: tuple[InventoryRule, ...] = (empty_resource_groups, unused_api_connections, expired_certificates)
