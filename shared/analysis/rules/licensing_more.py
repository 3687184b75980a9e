"""More licensing rules: RHEL/SLES pay-as-you-go, Arc servers without Software Assurance benefits, and Azure SQL
(database, elastic pool, managed instance) without Hybrid Benefit.

LIC-3 and LIC-5 are counted if the customer holds the subscriptions or licences (category `licensing`, so the
report can subtotal "needs licences"); LIC-4 depends on Software Assurance the customer may not have: a review.
Dev/Test offers are excluded, as for LIC-1 and LIC-2.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import Command, arg, by_id
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, props, rule, subscription_of
from shared.analysis.rules.build import review_finding
from shared.analysis.rules.licensing import (
    HOURS_PER_MONTH,
    LICENCE_METER,
    SQL_LICENCE_PER_VCPU_HOUR,
    dev_test,
    sql_vm_hosts,
)

_BYOS = {"redhat": "RHEL_BYOS", "suse": "SLES_BYOS"}
# Azure SQL: General Purpose and Hyperscale bill the Standard edition licence, Business Critical Enterprise.
_EDITION_BY_TIER = {"generalpurpose": "standard", "businesscritical": "enterprise"}
_SQL_TYPES = {"microsoft.sql/servers/databases": "sql db", "microsoft.sql/servers/elasticpools": "sql elastic-pool",
              "microsoft.sql/managedinstances": "sql mi"}


def _hybrid_benefit(command: str, rid: str) -> Command:
    """`az sql db|elastic-pool update` take no --license-type in azure-cli 2.91.0 (command_flags.py): set the
    property with the generic --set; `az sql mi update` has the option."""
    if command == "sql mi":
        return by_id("sql mi", "update", rid, arg("--license-type", "BasePrice"))
    return by_id(command, "update", rid, arg("--set", "licenseType=BasePrice"))


def _licensed_finding(ctx: RuleContext, rid: str, *, rule: str, title: str, saving: float, basis: str, formula: str,
                      action: str, evidence: dict[str, str | float | int | bool], priced: tuple[str, ...],
                      commands: tuple[Command, ...] = ()) -> Finding:
    return Finding(
        rule=rule, family="licensing", category="licensing", title=title, resource_id=rid,
        subscription_id=subscription_of(rid), monthly_savings=round(saving, 2), currency=ctx.currency,
        basis="actual_cost" if basis == "actual_cost" else "estimate", confidence="medium" if saving else "low",
        formula=formula, action=action, cost_to_date=round(ctx.index.cost_to_date(rid), 2), evidence=evidence,
        priced=priced if saving else (), resources=(rid,), sources=(f"rule:{rule}",), commands=commands)


@rule("LIC-3", title="RHEL or SLES virtual machine paying for its subscription by the hour", kind="counted",
      narrative="a RHEL or SLES virtual machine paying for its subscription by the hour")
def linux_payg(ctx: RuleContext) -> Iterator[Finding]:
    """LIC-3: a Red Hat or SUSE marketplace image without BYOS pays the vendor's subscription in the VM price.

    With existing Red Hat or SUSE subscriptions (Azure Hybrid Benefit for Linux) that charge goes: priced from
    the VM's own licence meter; no meter on the bill, no saving claimed.
    """
    sql_hosts = sql_vm_hosts(ctx)
    for row in ctx.index.of_type("microsoft.compute/virtualmachines"):
        p = known_props(row)
        image = ((p or {}).get("storageProfile") or {}).get("imageReference") or {}
        vendor = str(image.get("publisher") or "").lower()
        rid = str(row["id"])
        if p is None or vendor not in _BYOS or str(p.get("licenseType") or "") \
                or "byos" in f"{image.get('offer')} {image.get('sku')}".lower() or dev_test(ctx, rid):
            continue
        metered = ctx.index.cost30_meter(rid, LICENCE_METER) if rid.lower() not in sql_hosts else 0.0
        yield _licensed_finding(
            ctx, rid, rule="LIC-3", title="RHEL or SLES virtual machine paying for its subscription by the hour",
            saving=metered, basis="actual_cost",
            formula=("the VM's own licence meter (Virtual Machines Licenses) over the last 30 days" if metered else
                     "no saving claimed: the bill shows no licence meter on this VM")
            + ", if you hold the subscriptions",
            action="If you hold the subscriptions, switch the VM to bring-your-own-subscription licensing",
            commands=(by_id("vm", "update", rid, arg("--license-type", _BYOS[vendor])),),
            evidence={"publisher": vendor, "license_type": "none", "licence_meter_30d": round(metered, 2)},
            priced=(f"{rid.lower()}|{LICENCE_METER}",))


@rule("LIC-4", title="Arc-enabled Windows server without Software Assurance benefits", kind="review")
def arc_without_software_assurance(ctx: RuleContext) -> Iterator[Finding]:
    """LIC-4: an Arc Windows server billed for Arc services while no Software Assurance is attested.

    With Software Assurance, attesting it enables the benefits that waive those services' charges.
    """
    for row in ctx.index.of_type("microsoft.hybridcompute/machines"):
        p = known_props(row)
        if p is None or str(p.get("osType") or "").lower() != "windows" \
                or ((p.get("licenseProfile") or {}).get("softwareAssurance") or {}).get("softwareAssuranceCustomer"):
            continue
        rid = str(row["id"])
        charges = ctx.index.cost30(rid)
        if charges <= 0:
            continue
        yield review_finding(
            ctx, rid, rule="LIC-4", family="licensing", category="licensing",
            title="Arc-enabled Windows server without Software Assurance benefits", high=charges, basis="actual_cost",
            formula="range 0 to the machine's last-30-day Arc service charges, if you have Software Assurance",
            action="If the server's licence has Software Assurance, attest it on the machine (Windows Server "
                   "Management enabled by Azure Arc)", evidence={"software_assurance": False})


def _sql_candidate(row: dict[str, Any]) -> bool:
    """vCore, licence included, not serverless, not pooled, not a system, Hyperscale or warehouse database."""
    p, kind = props(row), str(row.get("kind") or "").lower()
    tier = str((row.get("sku") or {}).get("tier") or "").lower()
    if str(p.get("licenseType") or "") != "LicenseIncluded" or tier not in _EDITION_BY_TIER:
        return False
    if str(row.get("type")).lower() == "microsoft.sql/servers/databases":
        return "vcore" in kind and not {"serverless", "pool", "system"} & set(kind.split(",")) \
            and str(row.get("name") or "").lower() != "master" and not p.get("elasticPoolId")
    return True


@rule("LIC-5", title="Azure SQL database, pool or managed instance without Azure Hybrid Benefit", kind="counted",
      narrative="Azure SQL paying for a SQL Server licence by the hour")
def azure_sql_without_ahb(ctx: RuleContext) -> Iterator[Finding]:
    """LIC-5: a vCore database, elastic pool or managed instance with the licence included pays for SQL Server.

    Priced from its licence meters when the cost-by-meter data has them; else vCores x LIC-2's list rate x 730
    hours (General Purpose as Standard edition, Business Critical as Enterprise) while it bills.
    """
    for arm_type, command in _SQL_TYPES.items():
        for row in ctx.index.of_type(arm_type):
            rid = str(row["id"])
            if known_props(row) is None or not _sql_candidate(row) or dev_test(ctx, rid):
                continue
            tier = str((row.get("sku") or {}).get("tier") or "").lower()
            vcores = int((row.get("sku") or {}).get("capacity") or props(row).get("vCores") or 0)
            rate = SQL_LICENCE_PER_VCPU_HOUR[_EDITION_BY_TIER[tier]].get(ctx.currency, 0.0)
            meters = ctx.index.cost30_meters(rid) or {}
            metered = sum(v for m, v in meters.items() if "licen" in m.lower())
            listed = vcores * rate * HOURS_PER_MONTH if ctx.index.cost30(rid) > 0 else 0.0
            yield _licensed_finding(
                ctx, rid, rule="LIC-5", title="Azure SQL without Azure Hybrid Benefit",
                saving=metered or listed, basis="actual_cost" if metered else "estimate",
                formula=("its SQL licence meters over the last 30 days" if metered else
                         f"{vcores} vCores x {rate} {ctx.currency} per vCore-hour (SQL Server "
                         f"{_EDITION_BY_TIER[tier]} list price) x {HOURS_PER_MONTH} hours")
                + ", if you hold SQL Server licences with Software Assurance",
                action="If you hold SQL Server licences with Software Assurance, switch it to Azure Hybrid Benefit",
                commands=(_hybrid_benefit(command, rid),),
                evidence={"license_type": "LicenseIncluded", "tier": tier, "vcores": vcores},
                priced=(rid.lower(),))


RULES: tuple[InventoryRule, ...] = (linux_payg, arc_without_software_assurance, azure_sql_without_ahb)
