"""Backup review items: protected items that stopped backing up (data still retained and billed), and
geo-redundant vaults for non-production data.

Protected items come from Resource Graph's `recoveryservicesresources` table (`recovery_services` in the
resource-graph envelope, docs/data-contract.md); without it BKP-1 raises nothing. Retention may be a
compliance duty, so both are review items.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import arg, by_id
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, parse_time, rule
from shared.analysis.rules.build import review_finding
from shared.analysis.rules.environment import environment_of

IDLE_BACKUP_DAYS = 30
GEO_TO_LOCAL_SAVING = 0.5  # FTK-WB backupStorageReplication: "LRS instead of GRS halves the cost"
BACKUP_CATEGORY = "Backup"


def _vault_of(item: dict[str, Any]) -> str:
    vault = str((known_props(item) or {}).get("vaultId") or "")
    return (vault or str(item.get("id") or "").split("/backupFabrics/", 1)[0]).lower()


@rule("BKP-1", title="Protected backup item with no recent backup", kind="review")
def idle_backup_items(ctx: RuleContext) -> Iterator[Finding]:
    """BKP-1: an item with no backup for over 30 days keeps its recovery points, billed in the vault, usually
    because its source was deleted. Initial backups pending carry the 2001-01-01 sentinel: left alone."""
    items = ctx.index.protected_items()
    if not items:
        return
    per_vault = Counter(_vault_of(item) for item in items)
    for item in items:
        p = known_props(item)
        last = parse_time((p or {}).get("lastBackupTime"))
        if p is None or last is None or str(p.get("protectionState") or "") == "IRPending":
            continue
        idle = (ctx.today - last.date()).days
        if idle <= IDLE_BACKUP_DAYS:
            continue
        vault = _vault_of(item)
        vault_row = ctx.index.resources.get(vault)
        vault_cost = ctx.index.cost30(vault)
        source = str(p.get("sourceResourceId") or "").lower()
        gone = bool(source) and source not in ctx.index.resources
        yield review_finding(
            ctx, str(item["id"]), rule="BKP-1", family="backup-retention", category="waste",
            title="Protected backup item with no recent backup", high=vault_cost / per_vault[vault],
            basis="estimate", confidence="high" if gone else "medium",
            formula=f"range 0 to the vault's last-30-day cost / its {per_vault[vault]} protected items (an equal "
                    "share: the bill does not split a vault by item)",
            action="If its recovery points need not be kept, stop protection and delete the backup data",
            commands=(by_id("backup protection", "disable", str(item["id"]), arg("--delete-backup-data", "true"),
                            arg("--yes"), warnings=("deletes the recovery points for good",)),),
            evidence={"days_since_last_backup": idle, "protection_state": str(p.get("protectionState") or ""),
                      "source_deleted": gone},
            resources=(str(vault_row["id"]),) if vault_row else ())


@rule("BKP-2", title="Geo-redundant backup vault for non-production data", kind="review")
def geo_redundant_nonprod_vaults(ctx: RuleContext) -> Iterator[Finding]:
    """BKP-2: geo-redundant backup storage doubles the storage cost of data that is not production."""
    for row in ctx.index.of_type("microsoft.recoveryservices/vaults"):
        p = known_props(row)
        redundancy = str(((p or {}).get("redundancySettings") or {}).get("standardTierStorageRedundancy") or "")
        if p is None or redundancy != "GeoRedundant" or environment_of(ctx, row) != "non-production":
            continue
        rid = str(row["id"])
        meters = ctx.index.cost30_meters(rid)
        stored = sum(v for m, v in (meters or {}).items() if "data stored" in m.lower())
        base = stored if stored > 0 else ctx.index.cost30_meter(rid, BACKUP_CATEGORY)
        yield review_finding(
            ctx, rid, rule="BKP-2", family="backup-redundancy", category="rightsizing",
            title="Geo-redundant backup vault for non-production data", high=base * GEO_TO_LOCAL_SAVING,
            basis="estimate",
            formula="range 0 to half the vault's last-30-day " + ("backup storage meters" if stored > 0 else
                                                                 "Backup cost (protected-instance fees included: "
                                                                 "the meter split was not collected)"),
            action="Use locally redundant storage (changeable only before items are protected [U]; otherwise back "
                   "up new items to an LRS vault)",
            commands=(by_id("backup vault backup-properties", "set", rid,
                            arg("--backup-storage-redundancy", "LocallyRedundant")),),
            evidence={"storage_redundancy": redundancy, "environment": "non-production"})


RULES: tuple[InventoryRule, ...] = (idle_backup_items, geo_redundant_nonprod_vaults)
