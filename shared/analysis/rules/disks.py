"""Disk and snapshot rules: storage that bills every month whether or not anything reads it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import arg, by_id, delete, final_snapshot
from shared.analysis.findings import Finding
from shared.analysis.rules.base import (
    InventoryRule,
    RuleContext,
    known_props,
    parse_time,
    props,
    rule,
    sku_name,
    subscription_of,
)
from shared.analysis.rules.build import delete_finding

DISK_TYPE = "microsoft.compute/disks"
SNAPSHOT_TYPE = "microsoft.compute/snapshots"
OLD_SNAPSHOT_DAYS = 90
# Advisor: moving a snapshot from Premium to Standard storage saves about 60%.
PREMIUM_SNAPSHOT_SAVING = 0.60
_ASR_NAME_SUFFIXES = ("-asrreplica",)
_ASR_NAME_PREFIXES = ("ms-asr-", "asrseeddisk-")
# Tag keys/values that mark disks owned by Site Recovery, AKS persistent volumes or Azure Backup.
_EXCLUDING_TAG_MARKERS = ("kubernetes.io-created-for-pv", "asr-replicadisk", "asrseeddisk", "rsvaultbackup",
                          "k8s-azure-created-by")


def excluded_disk(row: dict[str, Any]) -> str | None:
    """Why a detached disk must not be flagged (Site Recovery replica, AKS volume, backup), or None."""
    name = str(row.get("name") or "").lower()
    if name.endswith(_ASR_NAME_SUFFIXES) or name.startswith(_ASR_NAME_PREFIXES):
        return "Site Recovery replica"
    tags = row.get("tags") or {}
    text = " ".join(f"{k} {v}" for k, v in tags.items()).lower() if isinstance(tags, dict) else ""
    for marker in _EXCLUDING_TAG_MARKERS:
        if marker in text:
            return {"asr-replicadisk": "Site Recovery replica", "asrseeddisk": "Site Recovery replica",
                    "rsvaultbackup": "Azure Backup"}.get(marker, "AKS persistent volume")
    return None


def _detached_since(ctx: RuleContext, rows: list[dict[str, Any]]) -> dict[str, tuple[str, float | None]]:
    """Per detached disk: when it was last detached (LastOwnershipUpdateTime) and its cost since then.

    The cost is None when the disk was detached before the cost data starts (its cost_to_date is then the
    cost of the whole data window).
    """
    start = ctx.index.cost.window_from
    dates: dict[str, dt.date] = {}
    for row in rows:
        when = parse_time(props(row).get("LastOwnershipUpdateTime"))
        if when is not None:
            dates[str(row["id"]).lower()] = when.date()
    recent = {rid for rid, day in dates.items() if start is not None and day >= start}
    series = ctx.index.daily_costs(recent, since=min((dates[r] for r in recent), default=None)) if recent else {}
    return {rid: (day.isoformat(), round(sum(v for d, v in series.get(rid, {}).items() if d >= day), 2)
                  if rid in recent else None) for rid, day in dates.items()}


@rule("DSK-1", title="Managed disk not attached to any VM", kind="counted", narrative="a disk attached to nothing")
def unattached_disks(ctx: RuleContext) -> Iterator[Finding]:
    """DSK-1: a managed disk attached to nothing still bills its full provisioned size every month.

    Site Recovery replicas, AKS persistent volumes and backup disks look detached but are in use: skipped.
    The evidence says since when it is detached and what it has cost since (Orphans issue #50).
    """
    candidates = []
    for row in ctx.index.of_type(DISK_TYPE):
        if known_props(row) is None:
            continue
        state = str(props(row).get("diskState") or "")
        detached = (not row.get("managedBy") and state != "ActiveSAS") or state == "Unattached"
        if detached and state != "ActiveSAS" and not excluded_disk(row):
            candidates.append(row)
    since = _detached_since(ctx, candidates)
    for row in candidates:
        p = props(row)
        evidence: dict[str, str | float | int | bool] = {
            "disk_state": str(p.get("diskState") or "unknown"), "sku": sku_name(row),
            "size_gb": int(p.get("diskSizeGB") or 0)}
        detached_on, cost_since = since.get(str(row["id"]).lower(), ("", None))
        if detached_on:
            evidence["detached_since"] = detached_on
        if cost_since is not None:
            evidence["cost_since_detached"] = cost_since
        yield delete_finding(
            ctx, row, rule="DSK-1", title="Managed disk not attached to any VM",
            action="Delete it (snapshot it first if the data may be needed)",
            commands=(*final_snapshot(str(row["id"])), delete(str(row["id"]), warnings=("deletes data for good",))),
            evidence=evidence,
        )


def _snapshot_age(ctx: RuleContext, row: dict[str, Any]) -> int | None:
    created = parse_time(props(row).get("timeCreated"))
    if created is None:
        return None
    return (ctx.today - created.date()).days


@rule("DSK-3", title=f"Snapshot older than {OLD_SNAPSHOT_DAYS} days", kind="counted", narrative="an old snapshot")
def old_snapshots(ctx: RuleContext) -> Iterator[Finding]:
    """DSK-3: snapshots kept for months are usually forgotten copies that bill per GB every month."""
    for row in ctx.index.of_type(SNAPSHOT_TYPE):
        age = _snapshot_age(ctx, row)
        if age is None or age <= OLD_SNAPSHOT_DAYS:
            continue
        yield delete_finding(
            ctx, row, rule="DSK-3", family="snapshot", title=f"Snapshot older than {OLD_SNAPSHOT_DAYS} days",
            action="Delete it if no restore needs it",
            commands=(delete(str(row["id"]), warnings=("deletes a backup copy for good",)),),
            evidence={"age_days": age, "sku": sku_name(row)}, confidence="medium",
        )


@rule("DSK-4", title="Snapshot stored on Premium storage", kind="counted", narrative="a snapshot on Premium storage")
def premium_snapshots(ctx: RuleContext) -> Iterator[Finding]:
    """DSK-4: snapshots on Premium storage cost more than twice Standard for data that is rarely read."""
    for row in ctx.index.of_type(SNAPSHOT_TYPE):
        sku = row.get("sku") or {}
        if not (sku_name(row).startswith("Premium") or str(sku.get("tier") or "") == "Premium"):
            continue
        rid = str(row["id"])
        cost = ctx.index.cost30(rid)
        yield Finding(
            rule="DSK-4", family="snapshot", category="rightsizing", title="Snapshot stored on Premium storage",
            resource_id=rid, subscription_id=subscription_of(rid),
            monthly_savings=round(cost * PREMIUM_SNAPSHOT_SAVING, 2), currency=ctx.currency, basis="estimate",
            confidence="medium",
            formula=f"{PREMIUM_SNAPSHOT_SAVING:.0%} of the snapshot's last-30-day cost "
                    "(Advisor: Standard storage saves about 60%)",
            action="Move it to Standard storage",
            commands=(by_id("snapshot", "update", rid, arg("--sku", "Standard_LRS"),
                            warnings=("a restore from Standard storage is slower",)),),
            cost_to_date=round(ctx.index.cost_to_date(rid), 2), evidence={"sku": sku_name(row)},
            priced=(rid.lower(),), resources=(rid,), sources=("rule:DSK-4",),
        )


@rule("DSK-5", title="Snapshot whose source disk no longer exists", kind="counted",
      narrative="a snapshot whose source disk is gone")
def orphaned_snapshots(ctx: RuleContext) -> Iterator[Finding]:
    """DSK-5: a snapshot whose source disk was deleted is often the leftover of a decommissioned VM.

    A source disk in a subscription this scan did not read is unknown, not deleted: skipped.
    """
    disk_ids = {str(r["id"]).lower() for r in ctx.index.of_type(DISK_TYPE)}
    scanned = {subscription_of(rid) for rid in ctx.index.resources} | set(ctx.index.quota_by_subscription)
    for row in ctx.index.of_type(SNAPSHOT_TYPE):
        source = str((props(row).get("creationData") or {}).get("sourceResourceId") or "").lower()
        if not source or "/providers/microsoft.compute/disks/" not in source or source in disk_ids \
                or subscription_of(source) not in scanned:
            continue
        yield delete_finding(
            ctx, row, rule="DSK-5", family="snapshot", title="Snapshot whose source disk no longer exists",
            action="Delete it unless it is a deliberate archive",
            commands=(delete(str(row["id"]), warnings=("deletes a backup copy for good",)),),
            evidence={"source_disk_exists": False, "age_days": _snapshot_age(ctx, row) or 0},
            confidence="medium",
        )


RULES: tuple[InventoryRule, ...] = (unattached_disks, old_snapshots, premium_snapshots, orphaned_snapshots)
