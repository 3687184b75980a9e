"""How sure each rule's money is (report-design D2.1): tier, plan category, action kind and decision per rule.

The table is the source of truth for every rule id in rules/registry.py:CATALOGUE (a test keeps them equal).
`tier` applies to counted findings only; `action` names what the change does, from which effort and change risk
follow (finding_context.py, D4.4 and D4.5); `decision` sends a finding to the plan's Decide section (D5.1).
Categories change from v1 in two places: VM-3, DSK-4 and the storage review items are `storage-tiering` (the
storage owner acts), and clutter that bills nothing is `hygiene`, no longer a savings category.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.analysis.findings import Finding, PriceBasis, Tier

ActionKind = Literal["delete", "delete_data", "delete_ip", "delete_vm", "deallocate", "storage_sku", "resize",
                     "lifecycle", "kind_upgrade", "licence", "commitment", "schedule", "advice", "signal", "policy",
                     "billing"]
Decision = Literal["none", "licence", "commitment", "dr", "governance", "judgement"]
PlanCategory = Literal["waste", "rightsizing", "storage-tiering", "licensing", "commitment", "hygiene", "anomaly",
                       "governance"]


@dataclass(frozen=True, slots=True)
class RuleClass:
    """A rule's tier (counted findings), plan category, action kind and decision."""

    tier: Tier | None
    category: PlanCategory
    action: ActionKind
    decision: Decision = "none"


_M: Tier = "measured"
_E: Tier = "estimated"
_C: Tier = "conditional"
_NONE: Tier | None = None


def _c(tier: Tier | None, category: PlanCategory, action: ActionKind, decision: Decision = "none") -> RuleClass:
    return RuleClass(tier, category, action, decision)


RULES: dict[str, RuleClass] = {
    "VM-1": _c(_M, "waste", "deallocate"), "VM-2": _c(_M, "waste", "delete_vm"),
    "VM-3": _c(_E, "storage-tiering", "storage_sku"), "VM-4": _c(_E, "rightsizing", "resize"),
    "VM-6": _c(_NONE, "rightsizing", "advice"), "VM-9": _c(_NONE, "rightsizing", "schedule"),
    "VM-12": _c(_M, "hygiene", "delete"),
    "LIC-1": _c(_C, "licensing", "licence", "licence"), "LIC-2": _c(_C, "licensing", "licence", "licence"),
    "LIC-3": _c(_C, "licensing", "licence", "licence"), "LIC-4": _c(_NONE, "licensing", "licence", "licence"),
    "LIC-5": _c(_C, "licensing", "licence", "licence"),
    "DSK-1": _c(_M, "waste", "delete_data"), "DSK-3": _c(_M, "waste", "delete_data"),
    "DSK-4": _c(_E, "storage-tiering", "storage_sku"), "DSK-5": _c(_M, "waste", "delete_data"),
    "DSK-6": _c(_NONE, "hygiene", "advice"), "DSK-8": _c(_NONE, "storage-tiering", "storage_sku"),
    "DSK-9": _c(_NONE, "storage-tiering", "advice"),
    "NET-1": _c(_M, "waste", "delete_ip"), "NET-2": _c(_NONE, "hygiene", "advice"),
    "NET-3": _c(_M, "hygiene", "delete"), "NET-4": _c(_M, "waste", "delete"), "NET-5": _c(_M, "waste", "delete"),
    "NET-6": _c(_NONE, "hygiene", "advice"), "NET-7": _c(_NONE, "rightsizing", "advice"),
    "NET-8": _c(_M, "waste", "delete"), "NET-9": _c(_M, "waste", "delete"), "NET-10": _c(_M, "waste", "delete"),
    "NET-11": _c(_M, "waste", "delete"), "NET-12": _c(_M, "waste", "delete"), "NET-13": _c(_M, "waste", "delete"),
    "NET-14": _c(_NONE, "rightsizing", "advice"),
    "NET-17": _c(_M, "hygiene", "delete"), "NET-18": _c(_M, "hygiene", "delete"),
    "NET-19": _c(_M, "hygiene", "delete"), "NET-20": _c(_M, "hygiene", "delete"),
    "NET-21": _c(_M, "hygiene", "delete"), "NET-22": _c(_M, "hygiene", "delete"),
    "NET-23": _c(_M, "hygiene", "delete"), "NET-24": _c(_NONE, "rightsizing", "advice"),
    "NET-25": _c(_NONE, "rightsizing", "advice"), "NET-26": _c(_M, "waste", "delete"),
    "APP-1": _c(_M, "waste", "delete"), "APP-5": _c(_M, "waste", "delete"), "DB-2": _c(_M, "waste", "delete"),
    "DB-6": _c(_NONE, "rightsizing", "advice"), "DB-7": _c(_NONE, "commitment", "advice"),
    "DB-9": _c(_NONE, "rightsizing", "advice"), "DB-10": _c(_M, "hygiene", "delete"),
    "BKP-1": _c(_NONE, "waste", "advice"), "BKP-2": _c(_NONE, "rightsizing", "advice"),
    "STO-1": _c(_E, "storage-tiering", "lifecycle"), "STO-2": _c(_NONE, "storage-tiering", "lifecycle"),
    "STO-3": _c(_M, "hygiene", "kind_upgrade"),
    "GOV-1": _c(_M, "hygiene", "delete"), "GOV-2": _c(_M, "hygiene", "delete"), "GOV-3": _c(_M, "hygiene", "delete"),
    "CMT-1": _c("commitment", "commitment", "commitment", "commitment"),
    "CMT-2": _c("commitment", "commitment", "commitment", "commitment"),
    "ADV": _c(_E, "waste", "advice"),
    "COST-1": _c(_NONE, "anomaly", "signal"), "COST-2": _c(_NONE, "anomaly", "signal"),
    "COST-3": _c(_NONE, "anomaly", "signal"), "COST-5": _c(_NONE, "governance", "signal"),
    "RV-DDOS": _c(_NONE, "rightsizing", "advice", "judgement"), "RV-LOGS": _c(_NONE, "rightsizing", "advice"),
    "RV-SQLED": _c(_NONE, "licensing", "advice"), "RV-AKS": _c(_NONE, "rightsizing", "advice"),
    "RV-DOMINANT": _c(_NONE, "commitment", "advice", "judgement"),
    "GV-B": _c(_NONE, "governance", "policy", "governance"), "GV-A": _c(_NONE, "governance", "policy", "governance"),
    "GV-P": _c(_NONE, "governance", "policy", "governance"), "GV-T": _c(_NONE, "governance", "policy", "governance"),
    "GV-I": _c(_NONE, "governance", "policy", "governance"), "GV-E": _c(_NONE, "governance", "billing", "governance"),
}
# Cost events of the bill published as analytics.signals, not as findings (D2.1, D8.11).
SIGNAL_RULES = frozenset({"COST-1", "COST-3", "COST-5"})
_UNKNOWN = RuleClass("estimated", "waste", "advice")
_V1_BASIS: dict[str, PriceBasis] = {"actual_cost": "bill", "advisor": "advisor", "estimate": "rule_of_thumb"}


def rule_class(rule: str) -> RuleClass:
    """The class of a rule id (a rule missing from the table is an estimate to investigate)."""
    return RULES.get(rule, _UNKNOWN)


def counts(finding: Finding) -> bool:
    """Whether the finding adds money to a tier: counted, in its own right, above zero (D5.3: £0 never counts)."""
    return finding.counted and finding.kind == "counted" and finding.monthly_savings > 0


def tier_of(finding: Finding) -> Tier | None:
    """The finding's tier, or None when it counts nothing (review items, risks, £0, overlapped, other currency)."""
    return rule_class(finding.rule).tier if counts(finding) else None


def basis_of(finding: Finding) -> PriceBasis:
    """How the figure was priced: the re-pricing's basis when set, else v1's basis in D3's words."""
    return finding.price_basis or _V1_BASIS.get(finding.basis, "rule_of_thumb")


def range_of(finding: Finding) -> tuple[float, float]:
    """The finding's monthly low and high: a review item's range, a rule of thumb's range, else its figure."""
    if finding.kind == "review":
        return finding.savings_low or 0.0, finding.savings_high or 0.0
    if not counts(finding):
        return 0.0, 0.0
    low = finding.savings_low if finding.savings_low is not None else finding.monthly_savings
    high = finding.savings_high if finding.savings_high is not None else finding.monthly_savings
    return low, high
