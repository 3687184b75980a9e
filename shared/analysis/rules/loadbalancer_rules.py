"""NET-26: load-balancing rules that reach no backend, on a Standard load balancer that otherwise serves.

A Standard load balancer's first five load-balancing and outbound rules are one hourly charge; each rule
beyond five bills on the overage meter (Retail meters "Standard Included LB Rules and Outbound Rules" and
"Standard Overage LB Rules and Outbound Rules"). Removing rules that reach nothing saves overage only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import arg, by_name
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, ref_ids, rule, sku_name, subscription_of
from shared.analysis.rules.netshapes import NET, pool_members

INCLUDED_RULES = 5


def _idle_rules(p: dict[str, Any]) -> list[dict[str, Any]]:
    """Load-balancing rules with no pool, a pool id that does not exist, or a pool with no members."""
    members = {str(pool.get("id") or "").lower(): pool_members(pool) for pool in p.get("backendAddressPools") or []}
    idle = []
    for lb_rule in p.get("loadBalancingRules") or []:
        rp = lb_rule.get("properties") or {}
        pools = ref_ids(rp.get("backendAddressPool")) + ref_ids(rp.get("backendAddressPools"))
        if not pools or not any(members.get(pool, 0) for pool in pools):
            idle.append(lb_rule)
    return idle


def _duplicates(p: dict[str, Any]) -> int:
    """Rules sharing frontend, port and protocol (ARM refuses most: a guard, not a source of findings)."""
    keys = Counter((str(((r.get("properties") or {}).get("frontendIPConfiguration") or {}).get("id") or "").lower(),
                    (r.get("properties") or {}).get("frontendPort"), (r.get("properties") or {}).get("protocol"))
                   for r in p.get("loadBalancingRules") or [])
    return sum(n - 1 for n in keys.values() if n > 1)


@rule("NET-26", title="Load-balancing rules that reach no backend", kind="counted",
      narrative="load-balancing rules that reach no backend")
def idle_lb_rules(ctx: RuleContext) -> Iterator[Finding]:
    """NET-26: rules without a backend pool, or pointing at a missing or empty pool, balance nothing.

    Counted at 0 within the five included rules; beyond five, at the overage meter's cost per overage rule
    for each idle rule removed (never more than the overage). A load balancer with no pool members at all is
    NET-4's (delete it); Basic ones are NET-2's.
    """
    for row in ctx.index.of_type(NET + "loadbalancers"):
        p = known_props(row)
        if p is None or sku_name(row) != "Standard":
            continue
        if not sum(pool_members(pool) for pool in p.get("backendAddressPools") or []):
            continue
        idle = _idle_rules(p)
        if not idle:
            continue
        rid = str(row["id"])
        total = len(p.get("loadBalancingRules") or []) + len(p.get("outboundRules") or [])
        overage_rules = max(0, total - INCLUDED_RULES)
        meters = ctx.index.cost30_meters(rid)
        overage_cost = sum(v for m, v in (meters or {}).items() if "overage" in m.lower())
        removable = min(len(idle), overage_rules)
        saving = round(overage_cost / overage_rules * removable, 2) if overage_rules and overage_cost > 0 else 0.0
        if not overage_rules:
            formula = f"{total} rules: within the {INCLUDED_RULES} included in the hourly charge, so no saving"
        elif meters is None:
            formula = "no saving counted: the overage meter needs the cost-by-meter data, not collected"
        else:
            formula = (f"the overage meter's last-30-day cost / {overage_rules} overage rules x {removable} idle "
                       "rules removed")
        group = str(row.get("resourceGroup") or "")
        commands = tuple(by_name("network lb rule", "delete", f"{rid}/loadBalancingRules/{r.get('name') or ''}",
                                 arg("--subscription", subscription_of(rid)), arg("--resource-group", group),
                                 arg("--lb-name", str(row.get("name") or "")), arg("--name", str(r.get("name") or "")))
                         for r in idle)
        yield Finding(
            rule="NET-26", family="lb-rules", category="waste", title="Load-balancing rules that reach no backend",
            resource_id=rid, subscription_id=subscription_of(rid), monthly_savings=saving, currency=ctx.currency,
            basis="actual_cost", confidence="high" if saving else "medium", formula=formula,
            action="Remove the load-balancing rules that reach nothing", commands=commands,
            cost_to_date=round(ctx.index.cost_to_date(rid), 2),
            evidence={"rules": total, "idle_rules": len(idle), "duplicate_rules": _duplicates(p)},
            priced=(rid.lower() + "|overage",) if saving else (), resources=(rid,), sources=("rule:NET-26",))


RULES: tuple[InventoryRule, ...] = (idle_lb_rules,)
