"""Sizing a commitment on the compute that remains after the report's own findings (issue 15 section 3).

Advisor sizes a reservation or savings plan on the last lookback period's usage. If the same report also
stops (VM-1) or shrinks (VM-4) VMs that usage included, counting both would claim the same capacity twice:
once as "stop paying for it" and once as "pay less for it". So, after de-duplication:

* **Reservation (CMT-1, virtual machines).** Capacity is counted in instance-size-flexibility units (vCPUs
  of the size: D4s_v5 = 4) within one series (D4s_v5 -> "ds_v5") and region. Q = recommended quantity x
  units per instance; X = the units the counted findings in the offer's scope remove (VM-1: the whole VM;
  VM-4: current size minus target size, or the whole VM for a shutdown). Advisor sized Q on usage that
  included those VMs, so X comes out of Q itself (report-design D7.2 step 4, accepted by the lead in D17 q3):
  q' = floor((Q - X) / units per instance) whole instances; the units left below one instance stay on demand.
  Saving x q'/q.
* **Savings plan (CMT-2).** C = the on-demand spend the plan covers (its hourly commitment x 730 + its
  saving); X = the monthly savings of the counted VM-1/VM-4 findings in scope (the on-demand cost they remove).
  C' = max(0, C - X); the saving and the commitment scale by C'/C (its savings rate is unchanged).

VM-2 (long-deallocated VMs) is left out: with no compute billed for 30 days it was never in the lookback.
Only counted findings reduce a commitment; plan against reservations is then decided on the new figures.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from shared.analysis.advisor import AdvisorRec
from shared.analysis.findings import Finding
from shared.analysis.rules.base import RuleContext, props, sku_name, subscription_of
from shared.analysis.rules.licensing import HOURS_PER_MONTH, vcpus_of

COMPUTE_METER = "Virtual Machines"
_VM_TYPES = ("microsoft.compute/virtualmachines", "microsoft.compute/virtualmachinescalesets")
_SIZE_NUMBER = re.compile(r"\d+(?:-\d+)?")
SHARED = "shared"


def series_of(size: str) -> str:
    """The instance-size-flexibility series of a VM size: Standard_D4s_v5 -> 'ds_v5' ('' when unknown)."""
    lowered = size.lower().removeprefix("standard_").removeprefix("basic_")
    return _SIZE_NUMBER.sub("", lowered, count=1) if _SIZE_NUMBER.search(lowered) else ""


def _scope(rec: AdvisorRec) -> str:
    """The subscription (lower-case) a single-scope offer applies to, or 'shared'."""
    if rec.extended.get("scope", "").lower() == SHARED:
        return SHARED
    return (rec.extended.get("subId") or subscription_of(rec.resource_id)).lower()


def _in_scope(subscription: str, scope: str) -> bool:
    return scope == SHARED or subscription.lower() == scope


def reservation_evidence(ctx: RuleContext, rec: AdvisorRec) -> dict[str, str | float | int | bool]:
    """What re-sizing a VM reservation needs: series, region, quantity, units and the running capacity."""
    ext = rec.extended
    size = ext.get("vmSize") or ext.get("displaySKU") or ""
    if ext.get("reservedResourceType", "").lower() != "virtualmachines" or not series_of(size) or not vcpus_of(size):
        return {}
    series, region, scope = series_of(size), (ext.get("region") or ext.get("location") or "").lower(), _scope(rec)
    running = 0
    for arm_type in _VM_TYPES:
        for row in ctx.index.of_type(arm_type):
            rid = str(row["id"])
            row_size = sku_name(row) if "scalesets" in arm_type else str(
                (props(row).get("hardwareProfile") or {}).get("vmSize") or "")
            if series_of(row_size) != series or str(row.get("location") or "").lower() != region \
                    or not _in_scope(subscription_of(rid), scope) or ctx.index.cost30_meter(rid, COMPUTE_METER) <= 0:
                continue
            count = int((row.get("sku") or {}).get("capacity") or 0) if "scalesets" in arm_type else 1
            running += count * vcpus_of(row_size)
    try:
        quantity = float(ext.get("displayQty") or ext.get("qty") or 0)
    except ValueError:
        quantity = 0.0
    return {"series": series, "region": region, "reservation_scope": scope, "quantity": quantity,
            "units_per_instance": vcpus_of(size), "running_units": running}


def plan_evidence(ctx: RuleContext, rec: AdvisorRec) -> dict[str, str | float | int | bool]:
    """What re-sizing a savings plan needs: its monthly commitment and the scope's compute spend."""
    scope = _scope(rec)
    try:
        hourly = float(rec.extended.get("commitmentAmount") or 0)
    except ValueError:
        hourly = 0.0
    monthly = hourly * HOURS_PER_MONTH if rec.extended.get("commitmentGranularity", "Hourly") == "Hourly" else 0.0
    spend = sum(ctx.index.cost30_meter(str(row["id"]), COMPUTE_METER) for arm_type in _VM_TYPES
                for row in ctx.index.of_type(arm_type) if _in_scope(subscription_of(str(row["id"])), scope))
    return {"reservation_scope": scope, "commitment_monthly": round(monthly, 2), "scope_compute_30d": round(spend, 2)}


@dataclass(frozen=True)
class Reduction:
    """Compute a counted finding removes: its subscription, series, region, vCPU units and monthly saving."""

    finding_id: str
    subscription: str
    series: str
    region: str
    units: int
    saving: float
    currency: str


def reductions(findings: list[Finding]) -> list[Reduction]:
    """What the counted findings that stop (VM-1) or shrink or shut down (VM-4) VMs take away."""
    out = []
    for f in findings:
        if not f.counted or f.monthly_savings <= 0 or f.rule not in ("VM-1", "VM-4"):
            continue
        size = str(f.evidence.get("vm_size") or f.evidence.get("currentSku") or "")
        target = str(f.evidence.get("targetSku") or "") if f.rule == "VM-4" else ""
        units = vcpus_of(size) - (vcpus_of(target) if series_of(target) == series_of(size) else 0)
        out.append(Reduction(f.id, f.subscription_id.lower(), series_of(size), str(f.evidence.get("location") or ""),
                             max(units, 0), f.monthly_savings, f.currency))
    return out


@dataclass(frozen=True)
class Kept:
    """What a commitment keeps after the cuts: its share, the findings that cut it, and for a reservation the
    whole instances left and the units below one instance that stay on demand."""

    share: float
    by: list[Reduction]
    quantity: int | None = None
    leftover_units: float = 0.0


def reservation_kept(finding: Finding, cuts: list[Reduction]) -> Kept:
    """The whole instances of a VM reservation still used after the cuts, as a share of Advisor's quantity."""
    ev = finding.evidence
    quantity, per = float(ev.get("quantity") or 0), int(ev.get("units_per_instance") or 0)
    if not quantity or not per:
        return Kept(1.0, [])
    scope = str(ev.get("reservation_scope"))
    mine = [c for c in cuts if c.series == ev.get("series") and c.region == ev.get("region")
            and _in_scope(c.subscription, scope) and c.units > 0]
    if not mine:
        return Kept(1.0, [], int(quantity))
    units = max(0.0, quantity * per - sum(c.units for c in mine))
    whole = math.floor(units / per + 1e-9)
    return Kept(whole / quantity, mine, whole, units - whole * per)


def plan_kept(finding: Finding, cuts: list[Reduction]) -> Kept:
    """The share of a savings plan's covered on-demand spend still used after the cuts (C'/C)."""
    ev = finding.evidence
    scope = str(ev.get("reservation_scope"))
    mine = [c for c in cuts if _in_scope(c.subscription, scope) and c.currency == finding.currency]
    covered = float(ev.get("commitment_monthly") or 0) + finding.monthly_savings
    if not mine or covered <= 0:
        return Kept(1.0, [])
    return Kept(max(0.0, covered - sum(c.saving for c in mine)) / covered, mine)
