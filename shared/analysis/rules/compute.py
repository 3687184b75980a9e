"""Compute rules: virtual machines that bill for nothing useful (VM-1, VM-2, VM-3).

VM-4 (Advisor right-size and shutdown) comes from Advisor itself: see shared/analysis/advisor.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, props, ref_ids, rule, sku_name, subscription_of

VM_TYPE = "microsoft.compute/virtualmachines"
COMPUTE_METER = "Virtual Machines"


def power_state(row: dict[str, Any]) -> str:
    """'running' | 'stopped' | 'deallocated' | ... from the instance view Resource Graph adds, or ''."""
    view = (props(row).get("extended") or {}).get("instanceView") or {}
    code = str((view.get("powerState") or {}).get("code") or "").lower()
    if code.startswith("powerstate/"):
        return code.split("/", 1)[1]
    display = str((view.get("powerState") or {}).get("displayStatus") or "").lower()
    return display.removeprefix("vm ").strip()


def attached_disks(row: dict[str, Any]) -> list[str]:
    """Lower-cased ids of the VM's managed OS and data disks."""
    storage = props(row).get("storageProfile") or {}
    disks = ref_ids((storage.get("osDisk") or {}).get("managedDisk"))
    for data_disk in storage.get("dataDisks") or []:
        disks += ref_ids((data_disk or {}).get("managedDisk"))
    return disks


def public_ips_of(ctx: RuleContext, row: dict[str, Any]) -> list[str]:
    """Lower-cased ids of public IPs on the VM's network interfaces."""
    out: list[str] = []
    for nic_id in ref_ids((props(row).get("networkProfile") or {}).get("networkInterfaces")):
        nic = ctx.index.resources.get(nic_id)
        for config in props(nic).get("ipConfigurations") or [] if nic else []:
            out += ref_ids((config.get("properties") or {}).get("publicIPAddress"))
    return out


@rule("VM-1", title="Virtual machine stopped but not deallocated",
      narrative="a virtual machine stopped but still billed for compute")
def stopped_not_deallocated(ctx: RuleContext) -> Iterator[Finding]:
    """VM-1: a VM stopped from inside the guest keeps its compute reservation and bills the full hourly rate.

    Deallocating it (az vm deallocate) stops the compute charge; the saving is the VM's own compute cost.
    """
    for row in ctx.index.of_type(VM_TYPE):
        if power_state(row) != "stopped":
            continue
        rid = str(row["id"])
        compute = round(ctx.index.cost30_meter(rid, COMPUTE_METER), 2)
        yield Finding(
            rule="VM-1", family="vm-usage", category="waste", title="Virtual machine stopped but not deallocated",
            resource_id=rid, subscription_id=subscription_of(rid), monthly_savings=compute, currency=ctx.currency,
            basis="actual_cost", confidence="high",
            formula="the VM's own compute cost (Virtual Machines meters) over the last 30 days",
            action=f"Deallocate the VM, or delete it if unused: az vm deallocate --ids {rid}",
            cost_to_date=round(ctx.index.cost_to_date(rid), 2),
            evidence={"power_state": "stopped", "compute_cost_30d": compute},
            priced=(rid.lower(),), resources=(rid,), sources=("rule:VM-1",),
        )


@rule("VM-2", title="Virtual machine deallocated for 30 days or more; its disks and IPs still bill",
      narrative="a long-deallocated virtual machine whose disks and addresses still bill")
def long_deallocated(ctx: RuleContext) -> Iterator[Finding]:
    """VM-2: a VM deallocated with no compute billed for 30 days still pays for its disks and public IPs.

    Deleting it with its disks and IPs (after a snapshot if needed) saves what those cost the customer.
    """
    for row in ctx.index.of_type(VM_TYPE):
        if power_state(row) != "deallocated":
            continue
        rid = str(row["id"])
        if ctx.index.cost30_meter(rid, COMPUTE_METER) > 0:
            continue  # it ran within the last 30 days: not long-deallocated
        disks = attached_disks(row)
        ips = public_ips_of(ctx, row)
        priced = (rid.lower(), *disks, *ips)
        saving = round(sum(ctx.index.cost30(r) for r in priced), 2)
        yield Finding(
            rule="VM-2", family="vm-usage", category="waste",
            title="Virtual machine deallocated for 30 days or more; its disks and IPs still bill",
            resource_id=rid, subscription_id=subscription_of(rid), monthly_savings=saving, currency=ctx.currency,
            basis="actual_cost", confidence="high",
            formula="last-30-day cost of the VM, its attached disks and its public IPs (no compute billed in 30 days)",
            action=f"Delete the VM and its disks and IPs (snapshot first if needed): az vm delete --ids {rid}",
            cost_to_date=round(sum(ctx.index.cost_to_date(r) for r in priced), 2),
            evidence={"power_state": "deallocated", "compute_cost_30d": 0.0, "disks": len(disks),
                      "public_ips": len(ips)},
            priced=priced, resources=(rid, *disks, *ips), sources=("rule:VM-2",),
        )


@rule("VM-3", title="Premium SSD attached to a virtual machine that is not running",
      narrative="a Premium SSD on a virtual machine that is not running")
def premium_disks_on_idle_vm(ctx: RuleContext) -> Iterator[Finding]:
    """VM-3: Premium SSDs bill their full provisioned price while the VM that uses them is not running.

    Downgrading such a disk to Standard SSD while the VM is idle roughly halves its cost (AOE's heuristic).
    """
    for row in ctx.index.of_type(VM_TYPE):
        state = power_state(row)
        if state not in ("stopped", "deallocated"):
            continue
        for disk_id in attached_disks(row):
            disk = ctx.index.resources.get(disk_id)
            if disk is None or not sku_name(disk).startswith("Premium"):
                continue
            rid = str(disk["id"])
            cost = ctx.index.cost30(rid)
            yield Finding(
                rule="VM-3", family="disk-tier", category="rightsizing",
                title="Premium SSD attached to a virtual machine that is not running",
                resource_id=rid, subscription_id=subscription_of(rid), monthly_savings=round(cost / 2, 2),
                currency=ctx.currency, basis="estimate", confidence="medium",
                formula="half the disk's last-30-day cost (Standard SSD is about half the price of Premium SSD)",
                action=f"Change the disk to Standard SSD while the VM is idle: az disk update --sku StandardSSD_LRS "
                       f"--ids {rid}",
                cost_to_date=round(ctx.index.cost_to_date(rid), 2),
                evidence={"vm_power_state": state, "sku": sku_name(disk), "disk_cost_30d": round(cost, 2)},
                priced=(rid.lower(),), resources=(rid, str(row["id"])), sources=("rule:VM-3",),
            )


RULES: tuple[InventoryRule, ...] = (stopped_not_deallocated, long_deallocated, premium_disks_on_idle_vm)
