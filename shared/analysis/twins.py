"""Twins: resources on the same bill, in the same region and of the same size or tier, that a change would bill
like (report-design D3.2). Found from inventory (VM size and OS, disk SKU and size tier, snapshot SKU), priced
from the bill (bill_rates.py): the rate is the median full-day rate across twins.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Any

from shared.analysis.bill_rates import BillRates, median_rate
from shared.analysis.index import EstateIndex
from shared.analysis.rules.base import props, sku_name

VM = "microsoft.compute/virtualmachines"
VMSS = "microsoft.compute/virtualmachinescalesets"
DISK = "microsoft.compute/disks"
SNAPSHOT = "microsoft.compute/snapshots"
# Managed disk size tiers (GiB upper bounds of P1/E1 .. P80/E80): a P10 and an E10 share the tier 128 GiB.
_DISK_TIERS = (4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767)


def vm_profile(row: dict[str, Any]) -> tuple[str, str, str, int]:
    """(size, os type lower case, region, instances) of a VM or a scale set, from inventory."""
    p = props(row)
    scale_set = str(row.get("type") or "").lower() == VMSS
    profile = (p.get("virtualMachineProfile") or {}) if scale_set else p
    os_type = str(((profile.get("storageProfile") or {}).get("osDisk") or {}).get("osType") or "").lower()
    size = sku_name(row) if scale_set else str((p.get("hardwareProfile") or {}).get("vmSize") or "")
    instances = int((row.get("sku") or {}).get("capacity") or 0) if scale_set else 1
    return size, os_type, str(row.get("location") or "").lower(), max(instances, 1)


def disk_tier(size_gb: int) -> int:
    """The index of the size tier a disk of this size bills at (-1 when unknown)."""
    return bisect.bisect_left(_DISK_TIERS, size_gb) if 0 < size_gb <= _DISK_TIERS[-1] else -1


class Twins:
    """Twin lookups over one estate's inventory and the rates read for them."""

    def __init__(self, index: EstateIndex) -> None:
        self.index = index
        self.machines = index.of_type(VM) + index.of_type(VMSS)
        self.disks = index.of_type(DISK)
        self.snapshots = index.of_type(SNAPSHOT)
        # Grouped once: each lookup reads its own group, not the whole inventory (an estate of 100,000 resources
        # asks for hundreds of rates). Inventory order is kept inside a group, so medians are unchanged.
        self._machines: dict[tuple[str, str, str], list[tuple[str, int]]] = defaultdict(list)
        for row in self.machines:
            size, os_type, region, instances = vm_profile(row)
            self._machines[(size.lower(), os_type, region)].append((str(row["id"]), instances))
        self._disks: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
        for row in self.disks:
            self._disks[(str(row.get("location") or "").lower(), disk_tier(int(props(row).get("diskSizeGB") or 0)))
                        ].append(row)
        self._snapshots: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self.snapshots:
            self._snapshots[str(row.get("location") or "").lower()].append(row)
        self._memo_rates: BillRates | None = None
        self._memo_results: dict[tuple[Any, ...], Any] = {}

    def compute_ids(self) -> set[str]:
        """Every VM and scale set: the candidates for compute twins."""
        return {str(r["id"]).lower() for r in self.machines}

    def storage_ids(self) -> set[str]:
        """Standard SSD disks and Standard snapshots: the candidates for storage twins."""
        return {str(r["id"]).lower() for r in self.disks if sku_name(r).startswith("StandardSSD")} | {
            str(r["id"]).lower() for r in self.snapshots if sku_name(r).startswith("Standard")}

    def _memo(self, rates: BillRates) -> dict[tuple[Any, ...], Any]:
        """Results already computed with these rates (a scan has one BillRates; another one starts afresh)."""
        if rates is not self._memo_rates:
            self._memo_rates, self._memo_results = rates, {}
        return self._memo_results

    def compute_rate(self, rates: BillRates, size: str, os_type: str, region: str, exclude: str = "") -> float | None:
        """The median full-day compute rate of machines of this size, OS and region (per instance)."""
        memo, key = self._memo(rates), ("compute", size.lower(), os_type, region)
        if key not in memo:
            memo[key] = [(rid.lower(), rate) for rid, instances in self._machines.get(key[1:], [])
                         if (rate := rates.compute_rate(rid, instances)) is not None]
        return median_rate([rate for rid, rate in memo[key] if rid != exclude.lower()])

    def disk_rate(self, rates: BillRates, sku_prefix: str, size_gb: int, region: str) -> float | None:
        """The median full-day rate of disks of this SKU family in the same size tier and region."""
        memo, tier = self._memo(rates), disk_tier(size_gb)
        key = ("disk", sku_prefix, tier, region)
        if key not in memo:
            memo[key] = median_rate([
                rate for row in (self._disks.get((region, tier), []) if tier >= 0 else [])
                if sku_name(row).startswith(sku_prefix) and (rate := rates.own_rate(str(row["id"]))) is not None])
        result: float | None = memo[key]
        return result

    def snapshot_gb_rate(self, rates: BillRates, sku_prefix: str, region: str) -> float | None:
        """The median full-day rate per GB of snapshots of this SKU family in the region."""
        memo, key = self._memo(rates), ("snapshot", sku_prefix, region)
        if key not in memo:
            found = []
            for row in self._snapshots.get(region, []):
                size = int(props(row).get("diskSizeGB") or 0)
                if not sku_name(row).startswith(sku_prefix) or size <= 0:
                    continue
                rate = rates.own_rate(str(row["id"]))
                if rate is not None:
                    found.append(rate / size)
            memo[key] = median_rate(found)
        result: float | None = memo[key]
        return result
