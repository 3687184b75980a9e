"""Effort and change risk of a finding's action (report-design D4.4 and D4.5), apart from confidence in the money.

Effort follows the rule's action kind (tiers.py), one step more in production for deletes (a change window).
Change risk says how safe the change is, with plain reasons; disaster-recovery standby is always high.
"""

from __future__ import annotations

from typing import Any

from shared.analysis.finding_context import Context
from shared.analysis.findings import Finding
from shared.analysis.index import EstateIndex
from shared.analysis.tiers import ActionKind, rule_class

EFFORTS = ("minutes", "hours", "days", "weeks")
EFFORT_LABELS = {"minutes": "minutes", "hours": "an hour or two", "days": "a day or more, with testing",
                 "weeks": "weeks: procurement or finance"}
EFFORT_SHORT = {"minutes": "minutes", "hours": "1\u20132 hours", "days": "days", "weeks": "weeks"}
_BASE_EFFORT: dict[ActionKind, str] = {
    "delete": "minutes", "delete_data": "minutes", "delete_ip": "minutes", "delete_vm": "hours",
    "deallocate": "minutes", "storage_sku": "minutes", "resize": "hours", "lifecycle": "hours",
    "kind_upgrade": "minutes", "licence": "weeks", "commitment": "weeks", "schedule": "hours", "advice": "hours",
    "signal": "hours", "policy": "hours", "billing": "weeks"}
RISKS = ("low", "medium", "high")
DR_REASON = "disaster-recovery standby: confirm against the DR runbook"
IP_REASON = "the address cannot be recovered: check DNS records and allow-lists"


def effort_of(finding: Finding, context: Context) -> str:
    """minutes, hours, days or weeks."""
    action = rule_class(finding.rule).action
    base = _BASE_EFFORT[action]
    if action in ("delete", "delete_data", "delete_ip") and context.environment == "prod":
        return "hours"
    return base


def bigger_effort(efforts: list[str], items: int) -> str:
    """A batch takes the largest effort of its items, one level higher beyond 20 items (D4.4)."""
    top = max((EFFORTS.index(e) for e in efforts), default=0)
    return EFFORTS[min(top + (1 if items > 20 else 0), len(EFFORTS) - 1)]


def _dynamic_ip(index: EstateIndex, vm: dict[str, Any]) -> bool:
    for nic_ref in ((vm.get("properties") or {}).get("networkProfile") or {}).get("networkInterfaces") or []:
        nic = index.resources.get(str((nic_ref or {}).get("id") or "").lower()) or {}
        for config in (nic.get("properties") or {}).get("ipConfigurations") or []:
            ip_ref = ((config or {}).get("properties") or {}).get("publicIPAddress") or {}
            ip = index.resources.get(str(ip_ref.get("id") or "").lower()) or {}
            if str((ip.get("properties") or {}).get("publicIPAllocationMethod") or "") == "Dynamic":
                return True
    return False


def _risk(finding: Finding, context: Context, index: EstateIndex) -> tuple[str, list[str]]:
    action, prod = rule_class(finding.rule).action, context.environment == "prod"
    row = index.resources.get(finding.resource_id.lower()) or {}
    if action in ("delete_data", "delete_vm"):
        return ("medium", ["deletes production data for good"]) if prod else \
            ("low", ["deletes data: snapshot first if it may be needed"])
    if action == "delete_ip":
        return ("medium" if prod else "low"), [IP_REASON]
    if action == "deallocate":
        return "low", ["a dynamic public IP changes on restart"] if _dynamic_ip(index, row) else []
    if action == "storage_sku":
        return "low", ["reversible"]
    if action == "resize":
        return "medium", ["restarts the VM; check memory and disk limits of the new size"]
    if action == "licence":
        if any(c.verb == "update-instances" for c in finding.commands):
            return "medium", ["update-instances restarts the instances"]
        return "low", ["no restart; only valid with licences and Software Assurance"]
    if action == "kind_upgrade":
        return "medium", ["one-way; may raise transaction costs"]
    if action == "lifecycle":
        return "medium", ["moves data to a cooler tier with early-deletion and read charges"]
    if action == "commitment":
        return "medium", ["commits spend for the whole term: a billing administrator decides"]
    if action == "schedule":
        return "low", ["the VM stops out of hours: start it when it is needed"]
    if action == "policy":
        # A deny or require policy changes what everyone may create; budgets, alerts and settings only report.
        effects = [w for c in finding.commands if not c.optional and c.group.startswith("policy") for w in c.warnings]
        return ("medium", effects) if effects else ("low", [])
    if action == "billing":
        return "low", ["a billing change with your Microsoft account team: nothing in the subscription moves"]
    return "low", []


def change_risk_of(finding: Finding, context: Context, index: EstateIndex) -> tuple[str, list[str]]:
    """low, medium or high, with the reasons in plain sentences."""
    risk, reasons = _risk(finding, context, index)
    if context.dr_reasons:
        return "high", [DR_REASON, *reasons]
    return risk, reasons
