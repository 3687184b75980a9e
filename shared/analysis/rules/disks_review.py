"""Disk risks and review items: unmanaged (VHD) disks past their retirement, performance bought above a disk's
baseline, and very large Premium disks whose used space only the guest knows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import arg, by_id
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, props, rule, sku_name
from shared.analysis.rules.build import review_finding, risk_finding
from shared.analysis.rules.disks import DISK_TYPE
from shared.analysis.rules.environment import platform_owner

# Microsoft retired unmanaged disks (announcement quoted in actions/runner-images#8221).
UNMANAGED_RETIRED = "30 September 2025"
# Premium SSD v2 includes 3,000 IOPS and 125 MB/s in its capacity price; Ultra is held to the same line.
V2_BASELINE_IOPS, V2_BASELINE_MBPS = 3000, 125
LARGE_DISK_GIB = 1024
# One Premium size tier down roughly halves the price (P30 135.17 vs P20 73.22 USD list) [U: other tiers].
ONE_TIER_DOWN_SAVING = 0.5
# Premium SSD tiers: largest size (GiB) of each tier (learn "Azure managed disk types"), and the monthly list
# price in USD (P10 19.71, P20 73.22, P30 135.17 from TechTarget's billing article; the others [U]: confirm
# on the Azure Disks pricing page). Only ratios are used, so the currency does not matter.
PREMIUM_TIERS: tuple[tuple[str, int, float], ...] = (
    ("P1", 4, 0.77), ("P2", 8, 1.54), ("P3", 16, 3.01), ("P4", 32, 5.28), ("P6", 64, 10.21), ("P10", 128, 19.71),
    ("P15", 256, 38.01), ("P20", 512, 73.22), ("P30", 1024, 135.17), ("P40", 2048, 259.05), ("P50", 4096, 495.57),
    ("P60", 8192, 946.08), ("P70", 16384, 1802.10), ("P80", 32767, 3604.20))
_PRICE = {name: price for name, _size, price in PREMIUM_TIERS}


def baseline_tier(size_gib: int) -> str | None:
    """The Premium SSD tier a disk of this size bills at by default."""
    return next((name for name, size, _price in PREMIUM_TIERS if size_gib <= size), None)


def _attached(row: dict[str, Any]) -> bool:
    return bool(row.get("managedBy")) and str(props(row).get("diskState") or "") != "Unattached"


@rule("DSK-6", title="Virtual machine or scale set on unmanaged disks", kind="risk")
def unmanaged_disks(ctx: RuleContext) -> Iterator[Finding]:
    """DSK-6: a VM whose OS or data disk is a VHD in a storage account (or a scale set on VHD containers).

    An ephemeral OS disk has no managed disk id either, but no VHD: only a VHD uri counts.
    """
    for row in [*ctx.index.of_type("microsoft.compute/virtualmachines"),
                *ctx.index.of_type("microsoft.compute/virtualmachinescalesets")]:
        p = known_props(row)
        if p is None:
            continue
        storage = (p.get("virtualMachineProfile") or p).get("storageProfile") or {}
        disks = [storage.get("osDisk") or {}, *(storage.get("dataDisks") or [])]
        vhds = sum(1 for d in disks
                   if isinstance(d, dict) and ((d.get("vhd") or {}).get("uri") or d.get("vhdContainers")))
        if not vhds:
            continue
        yield risk_finding(
            ctx, str(row["id"]), rule="DSK-6", title="Virtual machine or scale set on unmanaged disks",
            formula=f"unmanaged disks were retired on {UNMANAGED_RETIRED}: such VMs may fail to start",
            action="Convert to managed disks" if "scalesets" not in str(row.get("type"))
            else "Recreate the scale set on managed disks",
            commands=(by_id("vm", "convert", str(row["id"]), warnings=("deallocate the VM first",)),)
            if "scalesets" not in str(row.get("type")) else (),
            evidence={"unmanaged_disks": vhds})


def _v2_review(ctx: RuleContext, row: dict[str, Any], p: dict[str, Any]) -> Finding | None:
    iops, mbps = int(p.get("diskIOPSReadWrite") or 0), int(p.get("diskMBpsReadWrite") or 0)
    if iops <= V2_BASELINE_IOPS and mbps <= V2_BASELINE_MBPS:
        return None
    rid = str(row["id"])
    meters = ctx.index.cost30_meters(rid)
    paid = None if meters is None else sum(v for m, v in meters.items()
                                           if "provisioned iops" in m.lower() or "provisioned throughput" in m.lower())
    return review_finding(
        ctx, rid, rule="DSK-8", family="disk-performance", category="rightsizing",
        title="Disk performance provisioned above its baseline", high=paid, basis="actual_cost",
        formula="range 0 to the disk's last-30-day provisioned IOPS and throughput meters" if paid is not None
        else "not priced: the provisioned IOPS and throughput meters need the cost-by-meter data, not collected",
        action="Check the disk's used IOPS and throughput (Azure Monitor), then lower them",
        commands=(by_id("disk", "update", rid, arg("--disk-iops-read-write", str(V2_BASELINE_IOPS)),
                        arg("--disk-mbps-read-write", str(V2_BASELINE_MBPS))),),
        evidence={"sku": sku_name(row), "iops": iops, "mbps": mbps})


def _tier_review(ctx: RuleContext, row: dict[str, Any], p: dict[str, Any]) -> Finding | None:
    tier, base = str(p.get("tier") or "").upper(), baseline_tier(int(p.get("diskSizeGB") or 0))
    if base is None or tier not in _PRICE or _PRICE[tier] <= _PRICE[base]:
        return None
    rid = str(row["id"])
    share = 1 - _PRICE[base] / _PRICE[tier]
    return review_finding(
        ctx, rid, rule="DSK-8", family="disk-performance", category="rightsizing",
        title="Disk performance provisioned above its baseline", high=ctx.index.cost30(rid) * share,
        formula=f"range 0 to the disk's last-30-day cost x (1 - {base}/{tier} list price): back to the tier its size "
                "bills at", action=f"Check the disk's used IOPS, then set its performance tier back to {base}",
        commands=(by_id("disk", "update", rid, arg("--set", f"tier={base}")),),
        evidence={"sku": sku_name(row), "tier": tier, "baseline_tier": base})


@rule("DSK-8", title="Disk performance provisioned above its baseline", kind="review")
def performance_above_baseline(ctx: RuleContext) -> Iterator[Finding]:
    """DSK-8: attached Premium SSD v2 or Ultra disks above the free baseline, and Premium SSDs on a paid
    performance tier above the one their size bills at. Needed IOPS are unknown without metrics: a review."""
    for row in ctx.index.of_type(DISK_TYPE):
        p = known_props(row)
        if p is None or not _attached(row) or platform_owner(row):
            continue
        sku = sku_name(row).lower()
        finding = _v2_review(ctx, row, p) if sku.startswith(("premiumv2", "ultra")) else \
            _tier_review(ctx, row, p) if sku.startswith("premium_") else None
        if finding is not None:
            yield finding


@rule("DSK-9", title="Very large Premium disk", kind="review")
def large_premium_disks(ctx: RuleContext) -> Iterator[Finding]:
    """DSK-9: an attached Premium, Premium v2 or Ultra disk of 1 TiB or more; its used space needs the guest.

    A review item: one size tier down roughly halves the price.
    """
    for row in ctx.index.of_type(DISK_TYPE):
        p = known_props(row)
        size = int((p or {}).get("diskSizeGB") or 0)
        if p is None or not _attached(row) or platform_owner(row) or size < LARGE_DISK_GIB \
                or not sku_name(row).lower().startswith(("premium", "ultra")):
            continue
        rid = str(row["id"])
        yield review_finding(
            ctx, rid, rule="DSK-9", family="disk-size", category="rightsizing", title="Very large Premium disk",
            high=ctx.index.cost30(rid) * ONE_TIER_DOWN_SAVING, basis="estimate",
            formula="range 0 to half the disk's last-30-day cost (one size tier down roughly halves the price)",
            action="Check the used space in the guest; if well under half, copy the data to a smaller disk",
            evidence={"size_gb": size, "sku": sku_name(row)})


RULES: tuple[InventoryRule, ...] = (unmanaged_disks, performance_above_baseline, large_premium_disks)
