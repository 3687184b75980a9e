"""Compute review items and clutter: Spot left unused, non-production VMs running around the clock, empty
availability sets.

VM-6 and VM-9 are judgement calls (interruption tolerance, working hours) shown as ranges, never counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import Command, arg, by_id, by_name, delete
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, parse_time, props, rule
from shared.analysis.rules.build import hygiene_finding, review_finding
from shared.analysis.rules.compute import COMPUTE_METER, VM_TYPE, power_state
from shared.analysis.rules.environment import environment_of, platform_owner

VMSS_TYPE = "microsoft.compute/virtualmachinescalesets"
AKS_POOL_TAG = "aks-managed-poolname"
# Microsoft's Spot description: "up to 90%" off pay-as-you-go.
SPOT_DISCOUNT = 0.90
# A 12-hour, 5-day schedule runs 60 of the week's 168 hours.
SCHEDULED_HOURS, WEEK_HOURS = 60, 168
LONG_RUNNING_DAYS = 30


def _pool_tag(row: dict[str, Any]) -> str:
    tags = row.get("tags")
    return next((str(v) for k, v in tags.items() if str(k).lower() == AKS_POOL_TAG), "") if isinstance(tags, dict) \
        else ""


def _spot_review(ctx: RuleContext, rid: str, cost: float, evidence: dict[str, str | float | int | bool],
                 action: str, resources: tuple[str, ...] = (), commands: tuple[Command, ...] = ()) -> Finding:
    return review_finding(
        ctx, rid, rule="VM-6", family="spot", category="rightsizing", title="Interruptible capacity not on Spot",
        high=cost * SPOT_DISCOUNT, basis="actual_cost",
        formula=f"range 0 to {SPOT_DISCOUNT:.0%} of the scale set's last-30-day compute cost (Spot is up to 90% "
                "cheaper; only interruption-tolerant work fits)",
        action=action, evidence=evidence, resources=resources, commands=commands)


@rule("VM-6", title="Interruptible capacity not on Spot", kind="review")
def spot_not_used(ctx: RuleContext) -> Iterator[Finding]:
    """VM-6: autoscaling AKS user pools, and scale sets on regular priority that autoscale or are not production,
    priced from their scale set. System pools cannot be Spot; an AKS-managed scale set is judged once, through
    its cluster's pool.
    """
    scale_sets = ctx.index.of_type(VMSS_TYPE)
    autoscaled = {str(props(a).get("targetResourceUri") or "").lower()
                  for a in ctx.index.of_type("microsoft.insights/autoscalesettings")
                  if props(a).get("enabled", True) is not False}
    for cluster in ctx.index.of_type("microsoft.containerservice/managedclusters"):
        p = known_props(cluster)
        if p is None:
            continue
        node_group = str(p.get("nodeResourceGroup") or "").lower()
        for pool in p.get("agentPoolProfiles") or []:
            if str(pool.get("mode") or "").lower() != "user" or pool.get("enableAutoScaling") is not True \
                    or str(pool.get("scaleSetPriority") or "Regular").lower() == "spot":
                continue
            backing = [s for s in scale_sets if str(s.get("resourceGroup") or "").lower() == node_group
                       and _pool_tag(s) == str(pool.get("name") or "")]
            cost = sum(ctx.index.cost30_meter(str(s["id"]), COMPUTE_METER) for s in backing)
            if cost <= 0:
                continue
            yield _spot_review(
                ctx, f"{cluster['id']}/agentPools/{pool.get('name')}", cost,
                {"pool_mode": "User", "autoscaling": True, "vm_size": str(pool.get("vmSize") or "")},
                "Add a Spot user pool for interruption-tolerant workloads",
                commands=(by_name("aks nodepool", "add", f"{cluster['id']}/agentPools/spot",
                                  arg("--subscription", str(cluster.get("subscriptionId") or "")),
                                  arg("--resource-group", str(cluster.get("resourceGroup") or "")),
                                  arg("--cluster-name", str(cluster.get("name") or "")), arg("--name", "spot"),
                                  arg("--priority", "Spot"), arg("--eviction-policy", "Delete"),
                                  arg("--spot-max-price", "-1"),
                                  arg("--node-vm-size", str(pool.get("vmSize") or ""))),),
                resources=tuple(str(s["id"]) for s in backing))
    for row in scale_sets:
        profile = (known_props(row) or {}).get("virtualMachineProfile")
        rid = str(row["id"])
        if not isinstance(profile, dict) or _pool_tag(row) or platform_owner(row) == "AKS" \
                or str(profile.get("priority") or "Regular").lower() == "spot" \
                or (known_props(row) or {}).get("priorityMixPolicy") \
                or (environment_of(ctx, row) != "non-production" and rid.lower() not in autoscaled):
            continue
        cost = ctx.index.cost30_meter(rid, COMPUTE_METER)
        if cost > 0:
            yield _spot_review(ctx, rid, cost, {"priority": "Regular"},
                               "If the work tolerates eviction, recreate the scale set with priority Spot (the "
                               "priority cannot be changed in place) or add a Spot priority mix")


def _shutdown_scheduled(ctx: RuleContext) -> set[str]:
    """Lower-cased ids of VMs with an enabled auto-shutdown schedule (DevTest Labs ComputeVmShutdownTask)."""
    out = set()
    for schedule in ctx.index.of_type("microsoft.devtestlab/schedules"):
        p = props(schedule)
        if str(p.get("taskType") or "") == "ComputeVmShutdownTask" and str(p.get("status") or "") == "Enabled":
            out.add(str(p.get("targetResourceId") or "").lower())
    return out


def _around_the_clock(daily: dict[dt.date, float], since: dt.date) -> bool:
    """Compute billed every day of the last 30, weekends no cheaper than weekdays (no schedule visible)."""
    days = [since + dt.timedelta(days=i) for i in range(LONG_RUNNING_DAYS)]
    if any(daily.get(d, 0.0) <= 0 for d in days):
        return False
    weekend = [daily[d] for d in days if d.weekday() >= 5]
    weekday = [daily[d] for d in days if d.weekday() < 5]
    return sum(weekend) / len(weekend) >= sum(weekday) / len(weekday) * 0.999


@rule("VM-9", title="Non-production virtual machine running around the clock", kind="review")
def long_running_non_production(ctx: RuleContext) -> Iterator[Finding]:
    """VM-9: a non-production VM older than 30 days, billed every day with no weekend dip and no shutdown
    schedule, probably runs nights and weekends for nobody. Production VMs are a commitment question."""
    scheduled = _shutdown_scheduled(ctx)
    candidates = {}
    for row in ctx.index.of_type(VM_TYPE):
        created = parse_time(props(row).get("timeCreated"))
        rid = str(row["id"]).lower()
        if known_props(row) is None or power_state(row) != "running" or created is None \
                or (ctx.today - created.date()).days <= LONG_RUNNING_DAYS or rid in scheduled \
                or environment_of(ctx, row) != "non-production":
            continue
        candidates[rid] = row
    since = ctx.index.cost.last30_from
    if not candidates or since is None:
        return
    series = ctx.index.daily_costs(set(candidates), {COMPUTE_METER})
    for rid, row in candidates.items():
        if not _around_the_clock(series.get(rid, {}), since):
            continue
        compute = ctx.index.cost30_meter(rid, COMPUTE_METER)
        yield review_finding(
            ctx, str(row["id"]), rule="VM-9", family="vm-schedule", category="waste",
            title="Non-production virtual machine running around the clock",
            high=compute * (1 - SCHEDULED_HOURS / WEEK_HOURS), basis="actual_cost",
            formula=f"range 0 to (1 - {SCHEDULED_HOURS}/{WEEK_HOURS}) of the VM's last-30-day compute cost (a 12-hour, "
                    "5-day schedule instead of all week)",
            action="Add an auto-shutdown schedule (or start/stop automation) for working hours",
            commands=(by_id("vm", "auto-shutdown", str(row["id"]), arg("--time", "1900"),
                            warnings=("19:00 UTC every day; start it again when it is needed",)),),
            evidence={"days_billed_of_last_30": LONG_RUNNING_DAYS, "weekend_dip": False,
                      "environment": "non-production"})


@rule("VM-12", title="Availability set with no virtual machines", kind="counted")
def empty_availability_sets(ctx: RuleContext) -> Iterator[Finding]:
    """VM-12: an availability set with no VM bills nothing but clutters placement; Site Recovery's are left."""
    for row in ctx.index.of_type("microsoft.compute/availabilitysets"):
        p = known_props(row)
        if p is None or p.get("virtualMachines") or platform_owner(row):
            continue
        yield hygiene_finding(ctx, row, rule="VM-12", title="Availability set with no virtual machines",
                              action="Delete it", commands=(delete(str(row["id"])),),
                              evidence={"virtual_machines": 0})


RULES: tuple[InventoryRule, ...] = (spot_not_used, long_running_non_production, empty_availability_sets)
