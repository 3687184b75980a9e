"""Network tier rules: retired SKUs (risks), and capacity or protection bought above what the estate uses.

NET-2 and NET-6 are risks: the retired SKUs must move, and the successor can cost more, so no saving is
claimed. NET-7 and NET-25 are review items priced from the bill; NET-26 is counted from the overage meter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import arg, by_id, delete
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, props, ref_ids, rule, sku_name
from shared.analysis.rules.build import review_finding, risk_finding
from shared.analysis.rules.netshapes import NET

# learn.microsoft.com "Upgrade a basic public IP address" / "Upgrade a basic load balancer": both retired.
BASIC_RETIRED = "30 September 2025"
# docs.azure.cn "Migrate Application Gateway v1 to v2": v1 retired.
V1_RETIRED = "28 April 2026"
_V1_TIERS = ("standard", "waf")
_V2_TIERS = ("standard_v2", "waf_v2")
MIN_GATEWAY_INSTANCES = 2
# FinOps toolkit Query-PIP-DDoSProtection: about 15 protected IPs is the break-even between the tiers.
DDOS_BREAK_EVEN_IPS = 15
DDOS_CATEGORY = "Azure DDOS Protection"


def _basic_lb_frontends(ctx: RuleContext) -> dict[str, str]:
    """Public IP id -> the Basic load balancer whose frontend it is."""
    out: dict[str, str] = {}
    for lb in ctx.index.of_type(NET + "loadbalancers"):
        if sku_name(lb) == "Basic":
            for frontend in props(lb).get("frontendIPConfigurations") or []:
                for ip in ref_ids((frontend.get("properties") or {}).get("publicIPAddress")):
                    out[ip] = str(lb["id"])
    return out


@rule("NET-2", title="Basic SKU public IP or load balancer past its retirement", kind="risk")
def basic_sku_retired(ctx: RuleContext) -> Iterator[Finding]:
    """NET-2: Basic public IPs and load balancers were retired; a Basic frontend IP moves with its load balancer.

    No saving: a Standard IP bills even while unattached and a Standard load balancer bills per rule.
    """
    frontends = _basic_lb_frontends(ctx)
    for lb in ctx.index.of_type(NET + "loadbalancers"):
        if sku_name(lb) != "Basic":
            continue
        ips = tuple(str((ctx.index.resources.get(i) or {}).get("id") or i) for i, owner in frontends.items()
                    if owner == str(lb["id"]))
        yield risk_finding(
            ctx, str(lb["id"]), rule="NET-2", title="Basic load balancer past its retirement",
            formula=f"Basic load balancers were retired on {BASIC_RETIRED}; Standard bills per rule, so the move "
                    "can cost more",
            action="Upgrade it with its frontend IPs using Microsoft's Basic load balancer upgrade module "
                   "(AzureBasicLoadBalancerUpgrade, Start-AzBasicLoadBalancerUpgrade)",
            evidence={"sku": "Basic", "frontend_public_ips": len(ips)}, resources=ips)
    for ip in ctx.index.of_type(NET + "publicipaddresses"):
        if sku_name(ip) != "Basic" or str(ip["id"]).lower() in frontends:
            continue
        p = props(ip)
        empty = str(p.get("publicIPAllocationMethod")) == "Dynamic" and not p.get("ipAddress") \
            and known_props(ip) is not None
        rid = str(ip["id"])
        yield risk_finding(
            ctx, rid, rule="NET-2", title="Basic public IP address past its retirement",
            formula=f"Basic public IPs were retired on {BASIC_RETIRED}; a Standard IP bills even while unattached",
            action="It holds no address: delete it rather than upgrade it" if empty else "Upgrade it to Standard",
            commands=(delete(rid),) if empty else (by_id("network public-ip", "update", rid, arg("--sku", "Standard"),
                                                         warnings=("a Standard IP bills even while unattached",)),),
            evidence={"sku": "Basic", "no_address": empty})


def _gateway_sku(row: dict[str, Any]) -> dict[str, Any]:
    # An application gateway's SKU sits under properties.sku; the top-level sku is null in Resource Graph.
    sku = props(row).get("sku")
    return sku if isinstance(sku, dict) else {}


@rule("NET-6", title="Application gateway v1 past its retirement", kind="risk")
def app_gateway_v1(ctx: RuleContext) -> Iterator[Finding]:
    """NET-6: Application Gateway v1 (Standard, WAF) was retired; v2 prices fixed plus capacity units."""
    for row in ctx.index.of_type(NET + "applicationgateways"):
        tier = str(_gateway_sku(row).get("tier") or "").lower()
        if tier not in _V1_TIERS:
            continue
        yield risk_finding(
            ctx, str(row["id"]), rule="NET-6", title="Application gateway v1 past its retirement",
            formula=f"Application Gateway v1 was retired on {V1_RETIRED}; v2 is priced as a fixed charge plus "
                    "capacity units and may cost more",
            action="Migrate it to Standard_v2 or WAF_v2 (Microsoft's v1-to-v2 migration script copies the "
                   "configuration to a new gateway)",
            evidence={"tier": tier})


@rule("NET-7", title="Application gateway v2 at a fixed capacity above 2", kind="review")
def fixed_capacity_gateways(ctx: RuleContext) -> Iterator[Finding]:
    """NET-7: a running v2 gateway without autoscale pays for its fixed instance count around the clock.

    A review item (peak load is unknown without metrics): up to the capacity-unit cost above 2 instances.
    """
    for row in ctx.index.of_type(NET + "applicationgateways"):
        p, sku = known_props(row), _gateway_sku(row)
        capacity = sku.get("capacity")
        if p is None or str(sku.get("tier") or "").lower() not in _V2_TIERS or p.get("autoscaleConfiguration") \
                or str(p.get("operationalState") or "") != "Running" or not isinstance(capacity, int) \
                or capacity <= MIN_GATEWAY_INSTANCES:
            continue
        rid = str(row["id"])
        units = sum(v for m, v in (ctx.index.cost30_meters(rid) or {}).items() if "capacity unit" in m.lower())
        base = units if units > 0 else ctx.index.cost30(rid)
        share = (capacity - MIN_GATEWAY_INSTANCES) / capacity
        yield review_finding(
            ctx, rid, rule="NET-7", family="gateway-capacity", category="rightsizing",
            title="Application gateway v2 at a fixed capacity above 2", high=base * share, basis="actual_cost",
            formula=f"range 0 to ({capacity} - 2) / {capacity} of the gateway's last-30-day "
                    + ("capacity-unit meters" if units > 0 else "cost (no capacity-unit meter in the bill's "
                       "meter split, or the split was not collected)"),
            action=f"Enable autoscaling with a minimum of 2 and a maximum of {capacity} instances "
                   "(Configuration > Capacity type: Autoscale)",
            evidence={"capacity": capacity, "autoscale": False, "tier": str(sku.get("tier") or "")})


def _ip_protected(row: dict[str, Any]) -> bool:
    return str((props(row).get("ddosSettings") or {}).get("protectionMode") or "") == "Enabled"


@rule("NET-25", title="DDoS protection tier does not match the number of protected IPs", kind="review")
def ddos_tier_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """NET-25: below about 15 protected public IPs IP Protection is cheaper than a Network Protection plan;
    above it, the plan is. A review item: Network Protection adds rapid response and cost protection."""
    plans = 0
    for plan in ctx.index.of_type(NET + "ddosprotectionplans"):
        p = known_props(plan)
        if p is None or not p.get("virtualNetworks"):
            continue  # no VNet: NET-12 deletes it
        plans += 1
        ips = p.get("publicIPAddresses")
        if not isinstance(ips, list) or len(ips) >= DDOS_BREAK_EVEN_IPS:
            continue
        rid = str(plan["id"])
        yield review_finding(
            ctx, rid, rule="NET-25", family="ddos-tier", category="rightsizing",
            title="DDoS Network Protection plan protecting fewer public IPs than its break-even",
            high=ctx.index.cost30(rid) * (1 - len(ips) / DDOS_BREAK_EVEN_IPS), basis="actual_cost",
            formula=f"range 0 to the plan's last-30-day cost x (1 - {len(ips)} / {DDOS_BREAK_EVEN_IPS}), the "
                    "documented break-even between the tiers",
            action="Compare with DDoS IP Protection on each public IP; one plan can also cover virtual networks "
                   "of other subscriptions in the tenant",
            evidence={"protected_public_ips": len(ips)})
    by_subscription: dict[str, list[dict[str, Any]]] = {}
    for ip in ctx.index.of_type(NET + "publicipaddresses"):
        if _ip_protected(ip):
            by_subscription.setdefault(str(ip.get("subscriptionId") or "").lower(), []).append(ip)
    for sub, ips in sorted(by_subscription.items()):
        if len(ips) <= DDOS_BREAK_EVEN_IPS:
            continue
        cost = sum(ctx.index.cost30_meter(str(ip["id"]), DDOS_CATEGORY) for ip in ips)
        yield review_finding(
            ctx, f"/subscriptions/{sub}", rule="NET-25", family="ddos-tier", category="rightsizing",
            title="Many public IPs on DDoS IP Protection: a Network Protection plan may be cheaper",
            high=cost * (1 - DDOS_BREAK_EVEN_IPS / len(ips)), basis="actual_cost", variant="ip-protection",
            formula=f"range 0 to the IPs' last-30-day DDoS cost x (1 - {DDOS_BREAK_EVEN_IPS} / {len(ips)})",
            action="Compare with DDoS Network Protection for their virtual networks" + (
                ": link them to the plan the estate already has" if plans else " (one plan)"),
            evidence={"ip_protected_public_ips": len(ips)}, resources=tuple(str(ip["id"]) for ip in ips))


RULES: tuple[InventoryRule, ...] = (basic_sku_retired, app_gateway_v1, fixed_capacity_gateways, ddos_tier_mismatch)
