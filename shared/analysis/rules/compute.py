"""Compute rules: virtual machines that bill for nothing useful (VM-1, VM-2, VM-3).

VM-4 (Advisor right-size and shutdown) comes from Advisor itself: see shared/analysis/advisor.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import Command, arg, by_id, final_snapshot
from shared.analysis.findings import Alternative, Finding
from shared.analysis.rules.base import (
    InventoryRule,
    RuleContext,
    known_props,
    props,
    ref_ids,
    rule,
    sku_name,
    subscription_of,
)

VM_TYPE = "microsoft.compute/virtualmachines"
COMPUTE_METER = "Virtual Machines"
# Keeping a long-deallocated VM but moving its disks to Standard HDD saves this share of each disk's bill:
# 1 - S30/P30 and 1 - S30/E30 at pay-as-you-go list prices (P30 $135.17, E30 $76.80: TechTarget and
# lucidity.cloud; S30 $40.96 [U]: confirm on the Azure Disks pricing page).
HDD_DOWNGRADE_SAVING = {"premium": 0.70, "standardssd": 0.47}


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


def vm_size(row: dict[str, Any]) -> str:
    """The VM's size name (Standard_D4s_v5), or ''."""
    return str((props(row).get("hardwareProfile") or {}).get("vmSize") or "")


def long_deallocated_vm(ctx: RuleContext, row: dict[str, Any]) -> bool:
    """Deallocated, and the bill (collected) shows no compute for it in the last 30 days."""
    rid = str(row["id"])
    return (power_state(row) == "deallocated" and ctx.index.cost_known(rid)
            and ctx.index.cost30_meter(rid, COMPUTE_METER) <= 0)


def nics_of(row: dict[str, Any]) -> list[str]:
    """Lower-cased ids of the VM's network interfaces."""
    return ref_ids((props(row).get("networkProfile") or {}).get("networkInterfaces"))


def public_ips_of(ctx: RuleContext, row: dict[str, Any]) -> list[str]:
    """Lower-cased ids of public IPs on the VM's network interfaces."""
    out: list[str] = []
    for nic_id in nics_of(row):
        nic = ctx.index.resources.get(nic_id)
        for config in props(nic).get("ipConfigurations") or [] if nic else []:
            out += ref_ids((config.get("properties") or {}).get("publicIPAddress"))
    return out


@rule("VM-1", title="Virtual machine stopped but not deallocated", kind="counted",
      narrative="a virtual machine stopped but still billed for compute")
def stopped_not_deallocated(ctx: RuleContext) -> Iterator[Finding]:
    """VM-1: a VM stopped from inside the guest keeps its compute reservation and bills the full hourly rate.

    Deallocating it (az vm deallocate) stops the compute charge; the saving is the VM's own compute cost.
    """
    for row in ctx.index.of_type(VM_TYPE):
        if known_props(row) is None or power_state(row) != "stopped":
            continue
        rid = str(row["id"])
        compute = round(ctx.index.cost30_meter(rid, COMPUTE_METER), 2)
        yield Finding(
            rule="VM-1", family="vm-usage", category="waste", title="Virtual machine stopped but not deallocated",
            resource_id=rid, subscription_id=subscription_of(rid), monthly_savings=compute, currency=ctx.currency,
            basis="actual_cost", confidence="high",
            formula="the VM's own compute cost (Virtual Machines meters) over the last 30 days",
            action="Deallocate it (stop paying for its compute), or delete it if it is no longer used",
            commands=(by_id("vm", "deallocate", rid),),
            cost_to_date=round(ctx.index.cost_to_date(rid), 2),
            evidence={"power_state": "stopped", "compute_cost_30d": compute, "vm_size": vm_size(row),
                      "location": str(row.get("location") or "").lower()},
            priced=(rid.lower(),), resources=(rid,), sources=("rule:VM-1",),
        )


def _hdd_alternative(ctx: RuleContext, disks: list[str]) -> Alternative | None:
    """Keeping the VM but moving its Premium/Standard SSD disks to Standard HDD, priced from their bill."""
    movable = [(d, HDD_DOWNGRADE_SAVING.get(sku_name(ctx.index.resources.get(d) or {}).split("_")[0].lower(), 0.0))
               for d in disks]
    movable = [(d, share) for d, share in movable if share > 0]
    if not movable:
        return None
    saving = round(sum(ctx.index.cost30(d) * share for d, share in movable), 2)
    ids = [str((ctx.index.resources.get(d) or {}).get("id") or d) for d, _ in movable]
    return Alternative(
        rule="VM-2", title="Keep the VM; move its SSD disks to Standard HDD while it is not used",
        monthly_savings=saving, currency=ctx.currency, basis="estimate",
        formula="each SSD disk's last-30-day cost x the Standard HDD discount (70% from Premium SSD, 47% from "
                "Standard SSD, list prices of the 1 TiB tiers)",
        action="Keep the VM and move its SSD disks to Standard HDD while it is not used",
        commands=tuple(by_id("disk", "update", i, arg("--sku", "Standard_LRS")) for i in ids))


def _delete_commands(ctx: RuleContext, vm_id: str, disks: list[str], nics: list[str],
                     ips: list[str]) -> tuple[Command, ...]:
    """`az vm delete` detaches disks, NICs and IPs unless they were created with deleteOption Delete: name them,
    in the order that frees them (the VM, then its NICs, then the IPs the NICs held, then the disks). Before
    the deletes, an optional (commented) final snapshot of each data disk."""
    def real(i: str) -> str:
        return str((ctx.index.resources.get(i) or {}).get("id") or i)

    snapshots = [c for d in disks[1:] for c in final_snapshot(real(d))]
    return (*snapshots, by_id("vm", "delete", vm_id, arg("--yes")),
            *(by_id("network nic", "delete", real(n)) for n in nics),
            *(by_id("network public-ip", "delete", real(i),
                    warnings=("the address cannot be recovered: check DNS records and allow-lists",)) for i in ips),
            *(by_id("disk", "delete", real(d), arg("--yes"), warnings=("deletes data for good",)) for d in disks))


@rule("VM-2", title="Virtual machine deallocated for 30 days or more; its disks and IPs still bill", kind="counted",
      narrative="a long-deallocated virtual machine whose disks and addresses still bill")
def long_deallocated(ctx: RuleContext) -> Iterator[Finding]:
    """VM-2: a VM deallocated with no compute billed for 30 days still pays for its disks and public IPs.

    Deleting it with its disks, NICs and IPs (after a snapshot if needed) saves what those cost; keeping it
    with its disks on Standard HDD is listed as the alternative.
    """
    for row in ctx.index.of_type(VM_TYPE):
        if known_props(row) is None or not long_deallocated_vm(ctx, row):
            continue
        rid = str(row["id"])
        disks, nics, ips = attached_disks(row), nics_of(row), public_ips_of(ctx, row)
        priced = (rid.lower(), *disks, *ips)
        saving = round(sum(ctx.index.cost30(r) for r in priced), 2)
        alternative = _hdd_alternative(ctx, disks)
        yield Finding(
            rule="VM-2", family="vm-usage", category="waste",
            title="Virtual machine deallocated for 30 days or more; its disks and IPs still bill",
            resource_id=rid, subscription_id=subscription_of(rid), monthly_savings=saving, currency=ctx.currency,
            basis="actual_cost", confidence="high",
            formula="last-30-day cost of the VM, its attached disks and its public IPs (no compute billed in 30 days)",
            action="Decommission it with its disks, network interfaces and public IPs (snapshot a disk first if "
                   "its data may be needed)",
            commands=_delete_commands(ctx, rid, disks, nics, ips),
            cost_to_date=round(sum(ctx.index.cost_to_date(r) for r in priced), 2),
            evidence={"power_state": "deallocated", "compute_cost_30d": 0.0, "disks": len(disks),
                      "public_ips": len(ips)},
            priced=priced, resources=(rid, *disks, *nics, *ips), sources=("rule:VM-2",),
            alternatives=(alternative,) if alternative else (),
        )


@rule("VM-3", title="Premium SSD attached to a virtual machine that is not running", kind="counted",
      narrative="a Premium SSD on a virtual machine that is not running")
def premium_disks_on_idle_vm(ctx: RuleContext) -> Iterator[Finding]:
    """VM-3: Premium SSDs bill their full provisioned price while the VM that uses them is not running.

    Downgrading such a disk to Standard SSD while the VM is idle roughly halves its cost (AOE's heuristic).
    A long-deallocated VM is VM-2's (delete it with its disks), so its disks are left to that finding.
    """
    for row in ctx.index.of_type(VM_TYPE):
        state = power_state(row)
        if state not in ("stopped", "deallocated") or long_deallocated_vm(ctx, row):
            continue
        for disk_id in attached_disks(row):
            disk = ctx.index.resources.get(disk_id)
            if disk is None or not sku_name(disk).startswith("Premium_"):
                continue
            rid = str(disk["id"])
            cost = ctx.index.cost30(rid)
            yield Finding(
                rule="VM-3", family="disk-tier", category="rightsizing",
                title="Premium SSD attached to a virtual machine that is not running",
                resource_id=rid, subscription_id=subscription_of(rid), monthly_savings=round(cost / 2, 2),
                currency=ctx.currency, basis="estimate", confidence="medium",
                formula="half the disk's last-30-day cost (Standard SSD is about half the price of Premium SSD)",
                action="Change it to Standard SSD while its VM is not running",
                commands=(by_id("disk", "update", rid, arg("--sku", "StandardSSD_LRS"),
                                warnings=("only while the VM is deallocated; reversible",)),),
                cost_to_date=round(ctx.index.cost_to_date(rid), 2),
                evidence={"vm_power_state": state, "sku": sku_name(disk), "disk_cost_30d": round(cost, 2)},
                priced=(rid.lower(),), resources=(rid, str(row["id"])), sources=("rule:VM-3",),
            )


RULES: tuple[InventoryRule, ...] = (stopped_not_deallocated, long_deallocated, premium_disks_on_idle_vm)
