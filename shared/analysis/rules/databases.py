"""Database review items and clutter: provisioned non-production SQL, long-running SQL compute without a
reservation, Cosmos DB periodic backups keeping many copies, and Synapse workspaces with nothing in them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from shared.analysis.advisor import load_recs
from shared.analysis.commands import arg, by_id, delete
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, parse_time, props, rule, subscription_of
from shared.analysis.rules.build import hygiene_finding, review_finding
from shared.analysis.rules.environment import environment_of

DB_TYPE = "microsoft.sql/servers/databases"
SQL_CATEGORIES = {"SQL Database", "SQL Managed Instance"}
LONG_RUNNING_SQL_DAYS = 90
# 1-year reserved capacity discount on General Purpose/Business Critical Gen5 compute (cloudscrooge.com,
# 2023-03-15; [U] confirm on Microsoft's reserved-capacity pricing).
SQL_RESERVATION_DISCOUNT = 0.35
_SQL_RESERVATION_TYPES = ("sqldatabases", "sqlmanagedinstance", "sqldb", "sqlmi")
FREE_PERIODIC_COPIES = 2


def _provisioned_vcore(row: dict[str, Any]) -> bool:
    """A single vCore database on provisioned compute (not serverless, not pooled, not master)."""
    parts = set(str(row.get("kind") or "").lower().split(","))
    return "vcore" in parts and not {"serverless", "pool", "system"} & parts and not props(row).get("elasticPoolId") \
        and str(row.get("name") or "").lower() != "master"


def _sql_compute(ctx: RuleContext, rid: str) -> tuple[float, str]:
    meters = ctx.index.cost30_meters(rid) or {}
    compute = sum(v for m, v in meters.items() if "vcore" in m.lower() and "licen" not in m.lower())
    if compute > 0:
        return compute, "vCore compute meters"
    return sum(ctx.index.cost30_meter(rid, c) for c in SQL_CATEGORIES), "SQL cost (storage and licence included)"


@rule("DB-6", title="Non-production SQL database on provisioned compute", kind="review")
def nonprod_provisioned_sql(ctx: RuleContext) -> Iterator[Finding]:
    """DB-6: a non-production vCore database on provisioned compute bills every hour; serverless auto-pauses.

    Non-production comes from tags, the resource group or a Dev/Test offer, never the name alone.
    """
    for row in ctx.index.of_type(DB_TYPE):
        if known_props(row) is None or not _provisioned_vcore(row) or environment_of(ctx, row) != "non-production":
            continue
        rid = str(row["id"])
        compute, source = _sql_compute(ctx, rid)
        yield review_finding(
            ctx, rid, rule="DB-6", family="sql-compute", category="rightsizing",
            title="Non-production SQL database on provisioned compute", high=compute, basis="actual_cost",
            formula=f"range 0 to the database's last-30-day {source} (serverless removes compute while paused)",
            action="Consider the serverless tier with auto-pause",
            commands=(by_id("sql db", "update", rid, arg("--compute-model", "Serverless"),
                            arg("--auto-pause-delay", "60")),),
            evidence={"environment": "non-production", "compute_model": "provisioned"})


def _reserved_scopes(ctx: RuleContext) -> set[str]:
    """Scopes (lower-case) with an Advisor SQL reservation offer: CMT-1 counts those, DB-7 stays silent."""
    recs, _ = load_recs(ctx.index.advisor_recs, ctx.index.advisor_configurations)
    return {rec.resource_id.lower() for rec in recs
            if rec.extended.get("reservedResourceType", "").lower() in _SQL_RESERVATION_TYPES}


def _billed_every_day(series: dict[dt.date, float], since: dt.date) -> bool:
    return all(series.get(since + dt.timedelta(days=i), 0.0) > 0 for i in range(30))


@rule("DB-7", title="Long-running SQL compute without reserved capacity", kind="review")
def sql_without_reservation(ctx: RuleContext) -> Iterator[Finding]:
    """DB-7: vCore SQL compute older than 90 days and billed every day of the last 30 runs steadily enough for
    reserved capacity. DTU and serverless cannot be reserved; Advisor's own offer is CMT-1's."""
    reserved = _reserved_scopes(ctx)
    since = ctx.index.cost.last30_from
    candidates = {}
    for arm_type in (DB_TYPE, "microsoft.sql/servers/elasticpools", "microsoft.sql/managedinstances"):
        for row in ctx.index.of_type(arm_type):
            p = known_props(row)
            created = parse_time((p or {}).get("creationDate"))
            rid = str(row["id"]).lower()
            vcore = _provisioned_vcore(row) if arm_type == DB_TYPE else "vcore" in str(row.get("kind") or "").lower() \
                or bool((p or {}).get("vCores"))
            if p is None or not vcore or created is None or (ctx.today - created.date()).days <= LONG_RUNNING_SQL_DAYS \
                    or {subscription_of(rid), f"/subscriptions/{subscription_of(rid)}"} & reserved:
                continue
            candidates[rid] = (row, (ctx.today - created.date()).days)
    if not candidates or since is None:
        return
    series = ctx.index.daily_costs(set(candidates), SQL_CATEGORIES)
    for rid, (row, age) in candidates.items():
        if not _billed_every_day(series.get(rid, {}), since):
            continue
        compute, source = _sql_compute(ctx, rid)
        yield review_finding(
            ctx, str(row["id"]), rule="DB-7", family="sql-commitment", category="commitment",
            title="Long-running SQL compute without reserved capacity", high=compute * SQL_RESERVATION_DISCOUNT,
            formula=f"range 0 to the last-30-day {source} x {SQL_RESERVATION_DISCOUNT:.0%} (1-year reserved capacity "
                    "discount on Gen5 compute)",
            action="Consider 1-year reserved capacity for this deployment type, tier and region (a purchase needs "
                   "billing rights; Caleta never buys anything)",
            evidence={"age_days": age, "days_billed_of_last_30": 30})


@rule("DB-9", title="Cosmos DB periodic backup keeping many copies", kind="review")
def cosmos_periodic_backup(ctx: RuleContext) -> Iterator[Finding]:
    """DB-9: periodic backup keeps retention / interval copies; beyond the two free ones each copy bills. A
    single-write-region account can move to continuous backup (7-day tier) instead."""
    for row in ctx.index.of_type("microsoft.documentdb/databaseaccounts"):
        p = known_props(row)
        policy = (p or {}).get("backupPolicy") or {}
        periodic = policy.get("periodicModeProperties") or {}
        interval, retention = periodic.get("backupIntervalInMinutes"), periodic.get("backupRetentionIntervalInHours")
        if p is None or str(policy.get("type") or "") != "Periodic" or p.get("enableMultipleWriteLocations") \
                or policy.get("migrationState") or not isinstance(interval, int) or not isinstance(retention, int) \
                or interval <= 0:
            continue
        copies = int(retention * 60 // interval)
        if not (copies >= 10 or (copies > FREE_PERIODIC_COPIES and retention <= 168)):
            continue
        rid = str(row["id"])
        meters = ctx.index.cost30_meters(rid)
        backup = None if meters is None else sum(v for m, v in meters.items() if "periodic backup" in m.lower())
        yield review_finding(
            ctx, rid, rule="DB-9", family="cosmos-backup", category="rightsizing",
            title="Cosmos DB periodic backup keeping many copies", high=backup, basis="actual_cost",
            formula="range 0 to the account's last-30-day periodic backup storage meter" if backup is not None else
            "not priced: the periodic backup meter needs the cost-by-meter data, not collected",
            action="Keep fewer copies, or move to continuous backup (7-day tier, priced per GB [U])",
            commands=(by_id("cosmosdb", "update", rid, arg("--backup-policy-type", "Continuous"),
                            arg("--continuous-tier", "Continuous7Days"),
                            warnings=("one way: an account cannot return to periodic backup",)),),
            evidence={"backup_copies": copies, "interval_minutes": interval, "retention_hours": retention})


@rule("DB-10", title="Synapse workspace with no pools and no usage", kind="counted")
def idle_synapse_workspaces(ctx: RuleContext) -> Iterator[Finding]:
    """DB-10: a Synapse workspace with no SQL or Spark pool that billed nothing in 30 days (serverless SQL and
    pipelines bill without pools) is an abandoned experiment."""
    children = {str(r["id"]).lower().split("/sqlpools/")[0].split("/bigdatapools/")[0]
                for t in ("microsoft.synapse/workspaces/sqlpools", "microsoft.synapse/workspaces/bigdatapools")
                for r in ctx.index.of_type(t)}
    for row in ctx.index.of_type("microsoft.synapse/workspaces"):
        rid = str(row["id"])
        if known_props(row) is None or rid.lower() in children or not ctx.index.cost_known(rid) \
                or ctx.index.cost30(rid) > 0:
            continue
        yield hygiene_finding(ctx, row, rule="DB-10", title="Synapse workspace with no pools and no usage",
                              action="Delete it if the experiment is over", commands=(delete(rid),),
                              evidence={"pools": 0, "cost_30d": 0.0})


RULES: tuple[InventoryRule, ...] = (
    nonprod_provisioned_sql, sql_without_reservation, cosmos_periodic_backup, idle_synapse_workspaces)
