"""Firewall rules: Premium features paid for and not used, and more firewalls per region than a hub needs.

Both are review items: Premium may be a compliance choice, and a second firewall a deliberate boundary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, props, ref_ids, rule
from shared.analysis.rules.build import review_finding
from shared.analysis.rules.environment import dr_context
from shared.analysis.rules.netshapes import NET

FIREWALL_TYPE = NET + "azurefirewalls"
POLICY_TYPE = NET + "firewallpolicies"
# Premium's deployment hour is about 40% above Standard's (1.75 vs 1.25 USD list, pointfive.co CER-0313,
# 2025; [U] confirm on the Azure Firewall pricing page): downgrading saves up to 1 - 1/1.4 of that charge.
PREMIUM_OVER_STANDARD = 1.4
_IDPS_IN_USE = ("alert", "deny")


def _premium_in_use(policy: dict[str, Any]) -> bool:
    """IDPS in Alert or Deny mode, or a TLS inspection certificate: Premium features the policy uses."""
    p = props(policy)
    idps = str((p.get("intrusionDetection") or {}).get("mode") or "").lower()
    return idps in _IDPS_IN_USE or bool((p.get("transportSecurity") or {}).get("certificateAuthority"))


def _deployment_cost(ctx: RuleContext, rid: str) -> tuple[float, str]:
    meters = ctx.index.cost30_meters(rid) or {}
    deployment = sum(v for m, v in meters.items() if "deployment" in m.lower())
    if deployment > 0:
        return deployment, "deployment-hour meter"
    return ctx.index.cost30(rid), "whole cost, data processing included (the meter split was not collected)"


@rule("NET-14", title="Premium firewall without Premium features in use", kind="review")
def premium_firewall_unused(ctx: RuleContext) -> Iterator[Finding]:
    """NET-14: a Premium firewall whose policy has IDPS off and no TLS inspection pays Premium for Standard.

    A Premium firewall with no policy at all uses no Premium feature either. A policy we cannot read is unknown.
    """
    for row in ctx.index.of_type(FIREWALL_TYPE):
        p = known_props(row)
        if p is None or str((p.get("sku") or {}).get("tier") or "").lower() != "premium":
            continue
        policy_ids = ref_ids(p.get("firewallPolicy"))
        policy = ctx.index.resources.get(policy_ids[0]) if policy_ids else None
        if policy_ids and (policy is None or known_props(policy) is None or _premium_in_use(policy)):
            continue
        rid = str(row["id"])
        cost, source = _deployment_cost(ctx, rid)
        yield review_finding(
            ctx, rid, rule="NET-14", family="firewall-tier", category="rightsizing",
            title="Premium firewall without Premium features in use", high=cost * (1 - 1 / PREMIUM_OVER_STANDARD),
            basis="actual_cost",
            formula=f"range 0 to the firewall's last-30-day {source} x (1 - 1/{PREMIUM_OVER_STANDARD}), Premium's "
                    "deployment price being about 40% above Standard's",
            action="If no compliance rule needs IDPS, TLS inspection or web categories, change the firewall and its "
                   "policy to Standard (Azure Firewall supports an in-place SKU change)",
            evidence={"tier": "Premium", "policy": "none" if not policy_ids else "IDPS off, no TLS inspection"},
            resources=tuple(str(policy["id"]) for policy in [policy] if policy is not None))


@rule("NET-24", title="Several firewalls in one region", kind="review")
def firewalls_per_region(ctx: RuleContext) -> Iterator[Finding]:
    """NET-24: one hub firewall per region usually serves every spoke; two or more of the same topology
    (VNet or Virtual WAN hub) in one region may be consolidated. A review item on the cheapest one."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in ctx.index.of_type(FIREWALL_TYPE):
        p = known_props(row)
        if p is None:
            continue
        topology = str((p.get("sku") or {}).get("name") or "AZFW_VNet").lower()
        groups[(str(row.get("location") or "").lower(), topology)].append(row)
    for (region, topology), rows in sorted(groups.items()):
        if len(rows) < 2:
            continue
        cheapest = min(rows, key=lambda r: (ctx.index.cost30(str(r["id"])), str(r["id"]).lower()))
        rid = str(cheapest["id"])
        evidence: dict[str, str | float | int | bool] = {"firewalls_in_region": len(rows), "region": region,
                                                         "topology": topology}
        if (why := dr_context(ctx, cheapest)) is not None:
            evidence["dr_context"] = why
        yield review_finding(
            ctx, rid, rule="NET-24", family="firewall-consolidation", category="waste",
            title="Several firewalls in one region", high=ctx.index.cost30(rid), basis="actual_cost",
            formula="range 0 to the cheapest firewall's last-30-day cost (consolidating onto one hub firewall)",
            action="Check whether the firewalls enforce separate boundaries; if not, route the spokes through one "
                   "hub firewall and remove the other",
            evidence=evidence, resources=tuple(str(r["id"]) for r in rows))


RULES: tuple[InventoryRule, ...] = (premium_firewall_unused, firewalls_per_region)
