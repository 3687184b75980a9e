"""Advisor Cost recommendations turned into findings: suppressions honoured, currency checked, rules mapped.

Advisor prices from retail rates and may quote a currency other than the bill's; such figures are shown
apart and never added to the totals. Reservation and savings-plan offers go to rules/commitments.py.
A `null` anywhere in a recommendation is treated as absent; a recommendation without
`resourceMetadata.resourceId` (optional in the REST spec) is attributed to the resource its own id is under.
The customer's Advisor configurations (subscription or group `exclude`, `lowCpuThreshold`) are re-applied,
as the FinOps toolkit's workbooks do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from shared.analysis.commands import Command, arg, by_id
from shared.analysis.findings import Category, Finding
from shared.analysis.rules.base import RuleContext, RuleSpec, subscription_of
from shared.analysis.rules.disks import unattached_disks
from shared.analysis.rules.network import idle_vnet_gateways, unattached_public_ips
from shared.analysis.rules.platform import empty_app_service_plans

logger = logging.getLogger(__name__)

VM_4 = RuleSpec("VM-4", title="Advisor: right-size or shut down an underused virtual machine", kind="counted",
                narrative="a virtual machine Advisor finds underused")
ADV = RuleSpec("ADV", title="Other Advisor Cost recommendation", kind="counted")
SPECS = (VM_4, ADV)
RIGHT_SIZE_TYPE = "e10b1381-5f0a-47ff-8c7b-37bd13d7c974"
_ADVISOR_SEGMENT = "/providers/microsoft.advisor/"
# Advisor recommendation types that restate one of our own rules, keyed by the impacted resource type.
_OWN_RULE_BY_TYPE: dict[str, tuple[str, str, Category]] = {
    "microsoft.compute/disks": (unattached_disks.spec.id, "remove", "waste"),
    "microsoft.network/publicipaddresses": (unattached_public_ips.spec.id, "remove", "waste"),
    "microsoft.web/serverfarms": (empty_app_service_plans.spec.id, "remove", "waste"),
    "microsoft.network/virtualnetworkgateways": (idle_vnet_gateways.spec.id, "remove", "waste"),
}


@dataclass(frozen=True)
class AdvisorRec:
    """The fields of one Cost recommendation that the analysis uses."""

    rec_id: str
    type_id: str
    resource_id: str
    impacted_type: str
    problem: str
    solution: str
    extended: dict[str, str]
    suppressed: bool
    monthly_savings: float | None
    currency: str

    @property
    def is_commitment(self) -> bool:
        """A reservation or savings-plan purchase offer."""
        text = f"{self.problem} {self.solution}".lower()
        return bool(self.extended.get("reservedResourceType") or self.extended.get("benefitType")) or (
            "reserved instance" in text or "savings plan" in text)

    @property
    def is_savings_plan(self) -> bool:
        """A savings-plan offer (as opposed to a reservation)."""
        if self.extended.get("benefitType", "").lower() == "savingsplan":
            return True
        text = f"{self.problem} {self.solution}".lower()
        return "savings plan" in text and not self.extended.get("reservedResourceType")


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def scope_of(advisor_id: str) -> str:
    """The resource an Advisor object's id is under (`<resource>/providers/Microsoft.Advisor/...`), or ''."""
    at = advisor_id.lower().find(_ADVISOR_SEGMENT)
    return advisor_id[:at] if at > 0 else ""


def parse_rec(raw: dict[str, Any]) -> AdvisorRec | None:
    """One REST-shaped recommendation, or None if it is not a Cost recommendation (or names no resource)."""
    p = raw.get("properties") or {}
    if str(p.get("category") or "").lower() != "cost":
        return None
    ext = {str(k): str(v) for k, v in (p.get("extendedProperties") or {}).items() if v is not None}
    annual = _float(ext.get("annualSavingsAmount"))
    monthly = round(annual / 12, 2) if annual is not None else _float(ext.get("savingsAmount"))
    resource_id = str((p.get("resourceMetadata") or {}).get("resourceId") or "") or scope_of(str(raw.get("id") or ""))
    if not resource_id:
        logger.warning("advisor recommendation without a resource id or a resource-scoped id; skipped")
        return None
    short = p.get("shortDescription") or {}
    return AdvisorRec(
        rec_id=str(raw.get("id") or ""), type_id=str(p.get("recommendationTypeId") or "").lower(),
        resource_id=resource_id, impacted_type=str(p.get("impactedField") or "").lower(),
        problem=str(short.get("problem") or ""), solution=str(short.get("solution") or ""), extended=ext,
        suppressed=bool(p.get("suppressionIds")), monthly_savings=monthly,
        currency=ext.get("savingsCurrency", "USD") or "USD",
    )


def _configuration(rec: AdvisorRec, configurations: list[dict[str, Any]]) -> dict[str, Any]:
    """The most specific Advisor configuration over the rec's resource (a group's overrides its subscription's)."""
    target = rec.resource_id.lower()
    best: tuple[int, dict[str, Any]] = (-1, {})
    for config in configurations:
        scope = scope_of(str(config.get("id") or "")).lower()
        if scope and (target == scope or target.startswith(scope + "/")) and len(scope) > best[0]:
            best = (len(scope), config.get("properties") or {})
    return best[1]


def excluded_by_configuration(rec: AdvisorRec, configurations: list[dict[str, Any]]) -> bool:
    """Whether the customer's Advisor configuration excludes the rec: an excluded scope, or a VM right-size rec
    whose P95 CPU is at or above the scope's lowCpuThreshold."""
    config = _configuration(rec, configurations)
    if config.get("exclude") is True:
        return True
    threshold, cpu = _float(str(config.get("lowCpuThreshold") or "")), _float(rec.extended.get("MaxCpuP95"))
    return rec.type_id == RIGHT_SIZE_TYPE and threshold is not None and cpu is not None and cpu >= threshold


def load_recs(raw_recs: list[dict[str, Any]],
              configurations: list[dict[str, Any]] | None = None) -> tuple[list[AdvisorRec], int]:
    """Active, de-duplicated Cost recommendations, and how many the customer suppressed or excluded."""
    seen: set[str] = set()
    out: list[AdvisorRec] = []
    suppressed = 0
    for raw in raw_recs:
        rec = parse_rec(raw)
        if rec is None or rec.rec_id.lower() in seen:
            continue
        seen.add(rec.rec_id.lower())
        if rec.suppressed or excluded_by_configuration(rec, configurations or []):
            suppressed += 1
            continue
        out.append(rec)
    return out, suppressed


def currency_note(rec: AdvisorRec, billing: str) -> str | None:
    """Why an Advisor figure cannot join the totals, or None when it can."""
    if rec.monthly_savings is None:
        return "Advisor gave no savings figure"
    if rec.currency != billing:
        return f"Advisor quoted {rec.currency}, the bill is in {billing}: shown apart, not added to totals"
    return None


def resize_commands(resource_id: str, target: str | None) -> tuple[Command, ...]:
    """Resize (or deallocate) a VM; a scale set takes the new size through `vmss update --set` and applies it
    with `update-instances` (report-design D6.3)."""
    restart = ("restarts the VM; check memory and disk limits of the new size",)
    if "/virtualmachinescalesets/" in resource_id.lower():
        if not target:
            return (by_id("vmss", "deallocate", resource_id),)
        return (by_id("vmss", "update", resource_id, arg("--set", f"sku.name={target}")),
                by_id("vmss", "update-instances", resource_id, arg("--instance-ids", "*"),
                      warnings=("update-instances restarts the instances",)))
    if not target:
        return (by_id("vm", "deallocate", resource_id),)
    return (by_id("vm", "resize", resource_id, arg("--size", target), warnings=restart),)


def advisor_finding(ctx: RuleContext, rec: AdvisorRec) -> Finding:
    """A non-commitment recommendation as a finding (basis advisor)."""
    rule, family, category = _OWN_RULE_BY_TYPE.get(rec.impacted_type, (ADV.id, f"advisor:{rec.type_id}", "waste"))
    title = rec.solution or rec.problem or "Advisor cost recommendation"
    action = rec.solution or "Review the recommendation in Azure Advisor"
    commands: tuple[Command, ...] = ()
    if rec.type_id == RIGHT_SIZE_TYPE or (rec.impacted_type == "microsoft.compute/virtualmachines"
                                          and "right-size" in rec.solution.lower()):
        rule, family, category = VM_4.id, "vm-usage", "rightsizing"
        target = rec.extended.get("targetSku")
        title = "Advisor: right-size or shut down an underused virtual machine"
        action = f"Resize it to {target}, the size Advisor names" if target else "Shut it down (deallocate it)"
        commands = resize_commands(rec.resource_id, target)
    note = currency_note(rec, ctx.currency)
    evidence: dict[str, str | float | int | bool] = {
        k: v for k, v in rec.extended.items()
        if k in ("currentSku", "targetSku", "MaxCpuP95", "MaxMemoryP95", "recommendationType", "diskSku")}
    evidence["advisor_savings"] = rec.monthly_savings or 0.0
    evidence["advisor_currency"] = rec.currency
    row = ctx.index.resources.get(rec.resource_id.lower())
    location = str((row or {}).get("location") or rec.extended.get("regionId") or rec.extended.get("region") or "")
    if location:
        evidence["location"] = location.lower()
    return Finding(
        rule=rule, family=family, category=category, title=title, resource_id=rec.resource_id,
        subscription_id=subscription_of(rec.resource_id), monthly_savings=rec.monthly_savings or 0.0,
        currency=rec.currency, basis="advisor", confidence="medium",
        formula="Advisor's estimated monthly saving (annualSavingsAmount / 12, retail prices)", action=action,
        cost_to_date=round(ctx.index.cost_to_date(rec.resource_id), 2), evidence=evidence,
        priced=(rec.resource_id.lower(),), resources=(rec.resource_id,), sources=(f"advisor:{rec.rec_id}",),
        counted=note is None, not_counted_reason=note, commands=commands,
    )
