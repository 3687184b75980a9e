"""Platform rules: App Service plans and SQL elastic pools that pay for capacity no one uses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import delete
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, props, ref_ids, rule
from shared.analysis.rules.build import delete_finding

_FREE_PLAN_TIERS = ("free", "shared", "dynamic", "flexconsumption")
SITE_TYPES = ("microsoft.web/sites", "microsoft.web/sites/slots")


def _dedicated(row: dict[str, Any]) -> bool:
    sku = row.get("sku") or {}
    return str(sku.get("tier") or "").lower() not in _FREE_PLAN_TIERS


@rule("APP-1", title="App Service plan with no apps", kind="counted", narrative="an App Service plan hosting no apps")
def empty_app_service_plans(ctx: RuleContext) -> Iterator[Finding]:
    """APP-1: a dedicated App Service plan bills for its instances even when it hosts no apps."""
    for row in ctx.index.of_type("microsoft.web/serverfarms"):
        p = known_props(row)
        sku = row.get("sku") or {}
        if p is None or "numberOfSites" not in p or int(p.get("numberOfSites") or 0) > 0 or not _dedicated(row):
            continue
        yield delete_finding(ctx, row, rule="APP-1", title="App Service plan with no apps",
                             action="Delete it", commands=(delete(str(row["id"])),),
                             evidence={"apps": 0, "tier": str(sku.get("tier") or ""),
                                       "instances": int(sku.get("capacity") or 1)})


@rule("DB-2", title="SQL elastic pool with no databases", kind="counted",
      narrative="an elastic pool holding no databases")
def empty_elastic_pools(ctx: RuleContext) -> Iterator[Finding]:
    """DB-2: an elastic pool bills for its reserved eDTUs or vCores whether or not databases use them.

    A database row without properties may be in any pool: then no pool of its server is judged.
    """
    databases = ctx.index.of_type("microsoft.sql/servers/databases")
    used = {str(props(db).get("elasticPoolId") or "").lower() for db in databases}
    unknown_servers = {str(db["id"]).lower().rsplit("/databases/", 1)[0] for db in databases
                       if known_props(db) is None}
    for row in ctx.index.of_type("microsoft.sql/servers/elasticpools"):
        rid = str(row["id"]).lower()
        if known_props(row) is None or rid in used or rid.rsplit("/elasticpools/", 1)[0] in unknown_servers:
            continue
        yield delete_finding(ctx, row, rule="DB-2", title="SQL elastic pool with no databases",
                             action="Delete it", commands=(delete(str(row["id"])),),
                             evidence={"databases": 0})


@rule("APP-5", title="App Service plan whose apps are all stopped", kind="counted",
      narrative="an App Service plan whose apps are all stopped")
def plans_with_only_stopped_apps(ctx: RuleContext) -> Iterator[Finding]:
    """APP-5: a stopped app still occupies the plan's paid instances; a plan whose every app and slot is
    stopped bills in full for nothing. An app or slot whose state we cannot read counts as running."""
    states: dict[str, list[str]] = {}
    for arm_type in SITE_TYPES:
        for site in ctx.index.of_type(arm_type):
            site_props = known_props(site) or {}
            farm = site_props.get("serverFarmId")
            for plan in ref_ids({"id": farm} if farm else None):
                states.setdefault(plan, []).append(str(site_props.get("state") or "unknown").lower())
    for row in ctx.index.of_type("microsoft.web/serverfarms"):
        p = known_props(row)
        apps = states.get(str(row["id"]).lower(), [])
        if p is None or not _dedicated(row) or int(p.get("numberOfSites") or 0) <= 0 or not apps \
                or any(state != "stopped" for state in apps):
            continue
        yield delete_finding(
            ctx, row, rule="APP-5", title="App Service plan whose apps are all stopped",
            action="Delete the stopped apps and the plan, or move them to a shared plan",
            commands=(delete(str(row["id"]), warnings=("deletes the plan's apps with it",)),),
            evidence={"apps": len(apps), "apps_running": 0, "tier": str((row.get("sku") or {}).get("tier") or "")})


RULES: tuple[InventoryRule, ...] = (empty_app_service_plans, plans_with_only_stopped_apps, empty_elastic_pools)
