"""Licensing rules: Windows and SQL Server licences paid by the hour that the customer may already own.

Azure Hybrid Benefit lets a customer with Software Assurance use its own licences; we cannot see its
licence inventory with Reader, so these findings say "if you hold the licences".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import Command, arg, by_id
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, props, rule, subscription_of

# Windows Server's share of a pay-as-you-go Windows VM's compute price (UK South list prices of D/E v5
# sizes put it between about 35% and 45%); used only where the bill does not separate the licence.
WINDOWS_LICENCE_SHARE = 0.40
_DESKTOP_PUBLISHERS = ("microsoftwindowsdesktop", "microsoftvisualstudio")
_FREE_SQL_EDITIONS = ("developer", "express")
HOURS_PER_MONTH = 730
# Marketplace software charges (SQL Server, RHEL, SLES) bill on this meter category of the VM itself.
LICENCE_METER = "Virtual Machines Licenses"
SQL_VM_TYPE = "microsoft.sqlvirtualmachine/sqlvirtualmachines"
# SQL Server licence list prices per vCPU-hour on Azure VMs (pay-as-you-go), by edition and currency.
SQL_LICENCE_PER_VCPU_HOUR: dict[str, dict[str, float]] = {
    "enterprise": {"USD": 0.375, "GBP": 0.2790, "EUR": 0.3450},
    "standard": {"USD": 0.100, "GBP": 0.0744, "EUR": 0.0920},
    "web": {"USD": 0.010, "GBP": 0.0074, "EUR": 0.0092},
}
_SIZE_VCPUS = re.compile(r"^(?:standard|basic)_[a-z]+?(\d+)", re.IGNORECASE)


def dev_test(ctx: RuleContext, resource_id: str) -> bool:
    quota = ctx.index.quota_by_subscription.get(subscription_of(resource_id), "").lower()
    return "devtest" in quota or "msdn" in quota


def _windows_profile(row: dict[str, Any]) -> tuple[bool, str]:
    """(is a Windows server image, licenseType) for a VM or a scale set."""
    p = props(row)
    profile = p.get("virtualMachineProfile") or p
    storage = profile.get("storageProfile") or {}
    os_type = str((storage.get("osDisk") or {}).get("osType") or "")
    publisher = str((storage.get("imageReference") or {}).get("publisher") or "").lower()
    licence = str(profile.get("licenseType") or p.get("licenseType") or "")
    return os_type.lower() == "windows" and publisher not in _DESKTOP_PUBLISHERS, licence


def sql_vm_hosts(ctx: RuleContext) -> set[str]:
    """Lower-cased ids of the VMs a SQL Server VM resource sits on (their licence meter is SQL's)."""
    return {str(props(r).get("virtualMachineResourceId") or "").lower() for r in ctx.index.of_type(SQL_VM_TYPE)}


def _windows_commands(row: dict[str, Any], rid: str) -> tuple[Command, ...]:
    """`az vm update`, or for a scale set `az vmss update` and, under the Manual upgrade policy (the default when
    none is set), `az vmss update-instances` to apply it to the existing instances."""
    warning = ("only with Windows Server licences and Software Assurance",)
    if "scalesets" not in str(row.get("type")):
        return (by_id("vm", "update", rid, arg("--license-type", "Windows_Server"), warnings=warning),)
    update = by_id("vmss", "update", rid, arg("--license-type", "Windows_Server"), warnings=warning)
    mode = str((props(row).get("upgradePolicy") or {}).get("mode") or "Manual")
    if mode.lower() != "manual":
        return (update,)
    return (update, by_id("vmss", "update-instances", rid, arg("--instance-ids", "*"),
                          warnings=("update-instances restarts the instances",)))


@rule("LIC-1", title="Windows virtual machine or scale set without Azure Hybrid Benefit", kind="counted",
      narrative="Windows compute paying for a licence by the hour")
def windows_without_ahb(ctx: RuleContext) -> Iterator[Finding]:
    """LIC-1: Windows VMs and scale sets without Hybrid Benefit pay for a Windows Server licence every hour.

    With Hybrid Benefit the VM bills at the Linux rate. The saving is the VM's own licence meter when the bill
    has one for a first-party Windows Server image with no SQL Server on it [U: Windows charges may sit in the
    compute meter instead], else the licence share of the compute cost.
    """
    rows = ctx.index.of_type("microsoft.compute/virtualmachines") + ctx.index.of_type(
        "microsoft.compute/virtualmachinescalesets")
    sql_hosts = sql_vm_hosts(ctx)
    for row in rows:
        windows, licence = _windows_profile(row)
        rid = str(row["id"])
        if known_props(row) is None or not windows or licence.lower().startswith("windows") or dev_test(ctx, rid):
            continue
        compute = ctx.index.cost30_meter(rid, "Virtual Machines")
        metered = ctx.index.cost30_meter(rid, LICENCE_METER) if _first_party_windows(row) and rid.lower() \
            not in sql_hosts else 0.0
        kind = "scale set" if "scalesets" in str(row.get("type")) else "virtual machine"
        saving, meter = (metered, LICENCE_METER) if metered > 0 else (compute * WINDOWS_LICENCE_SHARE,
                                                                       "Virtual Machines")
        yield Finding(
            rule="LIC-1", family="licensing", category="licensing",
            title=f"Windows {kind} without Azure Hybrid Benefit", resource_id=rid,
            subscription_id=subscription_of(rid), monthly_savings=round(saving, 2),
            currency=ctx.currency, basis="actual_cost" if metered > 0 else "estimate", confidence="medium",
            formula=("the VM's own licence meter (Virtual Machines Licenses) over the last 30 days" if metered > 0
                     else f"{WINDOWS_LICENCE_SHARE:.0%} of the last-30-day compute cost (Windows Server licence "
                          "share of the pay-as-you-go price)") + ", if you hold the licences",
            action="If you have Windows Server licences with Software Assurance, switch on Azure Hybrid Benefit",
            commands=_windows_commands(row, rid),
            cost_to_date=round(ctx.index.cost_to_date(rid), 2),
            evidence={"os": "Windows", "license_type": licence or "none", "compute_cost_30d": round(compute, 2)},
            priced=(f"{rid.lower()}|{meter}",), resources=(rid,), sources=("rule:LIC-1",),
        )


def _first_party_windows(row: dict[str, Any]) -> bool:
    p = props(row)
    storage = (p.get("virtualMachineProfile") or p).get("storageProfile") or {}
    return str((storage.get("imageReference") or {}).get("publisher") or "").lower() == "microsoftwindowsserver"


def vcpus_of(size: str) -> int:
    """vCPUs from an Azure size name (Standard_E4s_v5 -> 4, Standard_D2as_v4 -> 2); 0 when unknown."""
    match = _SIZE_VCPUS.match(size)
    return int(match.group(1)) if match else 0


@rule("LIC-2", title="SQL Server VM without Azure Hybrid Benefit", kind="counted",
      narrative="SQL Server paying for a licence by the hour")
def sql_without_ahb(ctx: RuleContext) -> Iterator[Finding]:
    """LIC-2: SQL Server VMs on pay-as-you-go licensing pay the SQL licence by the hour.

    Switching to AHUB with owned licences removes that charge: priced from the VM's own licence meter
    (Virtual Machines Licenses) when the bill has one, else at list price per vCPU for 730 hours while it runs.
    """
    for row in ctx.index.of_type(SQL_VM_TYPE):
        p = known_props(row)
        if p is None:
            continue
        licence = str(p.get("sqlServerLicenseType") or "")
        edition = str(p.get("sqlImageSku") or "").lower()
        if licence.upper() in ("AHUB", "DR") or edition in _FREE_SQL_EDITIONS or dev_test(ctx, str(row["id"])):
            continue
        rid = str(row["id"])
        vm_id = str(p.get("virtualMachineResourceId") or "").lower()
        vm = ctx.index.resources.get(vm_id) or {}
        vcpus = vcpus_of(str((props(vm).get("hardwareProfile") or {}).get("vmSize") or ""))
        rate = SQL_LICENCE_PER_VCPU_HOUR.get(edition, {}).get(ctx.currency, 0.0)
        running = ctx.index.cost30_meter(vm_id, "Virtual Machines") > 0
        metered = round(ctx.index.cost30_meter(vm_id, LICENCE_METER), 2) if vm_id else 0.0
        listed = round(vcpus * rate * HOURS_PER_MONTH, 2) if running else 0.0
        saving = metered or listed
        yield Finding(
            rule="LIC-2", family="licensing", category="licensing", title="SQL Server VM without Azure Hybrid Benefit",
            resource_id=rid, subscription_id=subscription_of(rid), monthly_savings=saving,
            currency=ctx.currency, basis="actual_cost" if metered else "estimate",
            confidence="medium" if saving else "low",
            formula=("the VM's own SQL Server licence meter (Virtual Machines Licenses) over the last 30 days"
                     if metered else f"{vcpus} vCPUs x {rate} {ctx.currency} per vCPU-hour (SQL Server "
                     f"{edition or 'unknown'} pay-as-you-go list price) x {HOURS_PER_MONTH} hours")
            + ", if you hold the licences",
            action="If you have SQL Server licences with Software Assurance, switch on Azure Hybrid Benefit",
            commands=(by_id("sql vm", "update", rid, arg("--license-type", "AHUB"),
                            warnings=("only with SQL Server licences and Software Assurance",)),),
            cost_to_date=round(ctx.index.cost_to_date(vm_id), 2) if vm_id else 0.0,
            evidence={"license_type": licence or "PAYG", "edition": edition or "unknown", "vcpus": vcpus,
                      "vm_running": running, "licence_meter_30d": metered},
            priced=(f"{vm_id}|{LICENCE_METER}",) if metered else (rid.lower(),),
            resources=(rid, *((vm_id,) if vm_id else ())), sources=("rule:LIC-2",),
        )


RULES: tuple[InventoryRule, ...] = (windows_without_ahb, sql_without_ahb)
