"""Review items (report-design D9): judgement calls shown with a range, never counted.

RV-DR (a delete held back by disaster-recovery context) is NET-5/8/13's own downgrade (rules/environment.py);
RV-ADV (an Advisor figure in another currency) is pricing.py's; VM-9 covers non-production VMs running around
the clock. The rest are here. Constants are published list prices and examples with their source beside them,
applied as ratios to the customer's own bill (lead's answer to D17 q5); their ranges are labelled estimates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.analysis.analytics import Analytics
from shared.analysis.bill_rates import BillRates
from shared.analysis.findings import Finding
from shared.analysis.rules.base import RuleContext, RuleSpec, props, ref_ids, sku_name
from shared.analysis.rules.build import review_finding
from shared.analysis.rules.licensing import SQL_LICENCE_PER_VCPU_HOUR
from shared.analysis.twins import VMSS, vm_profile

RV_DDOS = RuleSpec("RV-DDOS", title="DDoS Network Protection plan for a few public IPs", kind="review")
RV_LOGS = RuleSpec("RV-LOGS", title="Log Analytics cost growing", kind="review")
RV_SQLED = RuleSpec("RV-SQLED", title="SQL Server Enterprise where Standard may do", kind="review")
RV_AKS = RuleSpec("RV-AKS", title="AKS system pool costs more than the user pools", kind="review")
RV_DOMINANT = RuleSpec("RV-DOMINANT", title="One resource dominates the bill", kind="review")
SPECS = (RV_DDOS, RV_LOGS, RV_SQLED, RV_AKS, RV_DOMINANT)
# Azure DDoS Protection pricing as published: Network Protection $2,944 a month per plan (100 IPs), IP Protection
# $199 per protected IP a month; applied as a ratio to the plan's own bill, so currency and discounts carry over.
DDOS_PLAN, DDOS_PER_IP = 2944.0, 199.0
# Commitment bands for the dominant resource: Microsoft's "up to 72%" and its UK South example (1 year 37%,
# 3 years 57% for a D2 v3), taken as 20% (1-year low end) to 60% (3-year high end) of its compute.
DOMINANT_SHARE, COMMIT_LOW, COMMIT_HIGH = 0.40, 0.20, 0.60
LOGS_SHARE = 0.05
WORKSPACE = "microsoft.operationalinsights/workspaces"
COMPUTE = "Virtual Machines"


def review_candidates(ctx: RuleContext) -> set[str]:
    """Resources whose whole-window series the review items read (workspaces)."""
    return {str(r["id"]).lower() for r in ctx.index.of_type(WORKSPACE)}


def _subnet_vnets(value: Any) -> set[str]:
    """Virtual networks of every subnet id anywhere inside a resource's properties."""
    if isinstance(value, dict):
        return set().union(*(_subnet_vnets(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_subnet_vnets(v) for v in value)) if value else set()
    if isinstance(value, str) and "/subnets/" in value.lower():
        return {value.lower().split("/subnets/")[0]}
    return set()


def _ddos(ctx: RuleContext) -> list[Finding]:
    out = []
    for plan in ctx.index.of_type("microsoft.network/ddosprotectionplans"):
        vnets = set(ref_ids(props(plan).get("virtualNetworks")))
        if not vnets:
            continue
        count = 0
        for ip in ctx.index.of_type("microsoft.network/publicipaddresses"):
            p = props(ip)
            link = str((p.get("ipConfiguration") or {}).get("id") or (p.get("natGateway") or {}).get("id") or "")
            parent = ctx.index.resources.get("/".join(link.lower().split("/")[:9]))
            if sku_name(ip) == "Standard" and parent is not None and _subnet_vnets(props(parent)) & vnets:
                count += 1
        rid = str(plan["id"])
        high = ctx.index.cost30(rid) * (1 - count * DDOS_PER_IP / DDOS_PLAN)
        if count and high > 0:
            out.append(review_finding(
                ctx, rid, rule=RV_DDOS.id, family="ddos-tier", category="rightsizing",
                title=f"Production DDoS plan: per-IP protection for its {count} public IPs?", high=high,
                basis="actual_cost",
                formula=f"range 0 to the plan's last-30-day cost x (1 - {count} x {DDOS_PER_IP:.0f} / {DDOS_PLAN:.0f}),"
                        " Microsoft's list prices as a ratio to your bill",
                action="Compare with DDoS IP Protection on each public IP; keep the plan if you need DDoS rapid "
                       "response, cost protection or the WAF discount", evidence={"protected_public_ips": count}))
    return out


def _logs(ctx: RuleContext, findings: list[Finding], rates: BillRates, total: float) -> list[Finding]:
    growing = {f.resource_id.lower() for f in findings if f.rule == "COST-1"}
    end, out = ctx.index.cost.window_to, list[Finding]()
    if end is None:
        return out
    for row in ctx.index.of_type(WORKSPACE):
        rid = str(row["id"])
        last30 = ctx.index.cost30(rid)
        if rid.lower() not in growing and (not total or last30 / total < LOGS_SHARE):
            continue
        series = rates.all.get(rid.lower(), {})
        prior = sum(v for d, v in series.items() if end - dt.timedelta(days=59) <= d <= end - dt.timedelta(days=30))
        if prior <= 0 or last30 <= prior:
            continue
        out.append(review_finding(
            ctx, rid, rule=RV_LOGS.id, family="log-ingestion", category="rightsizing",
            title=f"Log Analytics up {last30 / prior - 1:.0%} in 30 days: run the query", high=last30 - prior,
            basis="actual_cost", formula="range 0 to the workspace's last 30 days minus the 30 days before",
            action="Run the ingestion query; move verbose tables to the Basic or Auxiliary plan, shorten their "
                   "retention, or cap daily ingestion outside production",
            evidence={"cost_30d": round(last30, 2), "prior_30d": round(prior, 2)}))
    return out


def _sql_edition(ctx: RuleContext, findings: list[Finding]) -> list[Finding]:
    rates = SQL_LICENCE_PER_VCPU_HOUR
    ratio = rates["standard"]["GBP"] / rates["enterprise"]["GBP"]
    return [review_finding(
        ctx, f.resource_id, rule=RV_SQLED.id, family="sql-edition", category="licensing",
        title="SQL Server Enterprise where Standard may do: run the query", high=f.monthly_savings * (1 - ratio),
        basis="actual_cost", formula=f"range 0 to the licence meter x (1 - {rates['standard']['GBP']} / "
        f"{rates['enterprise']['GBP']}), Standard against Enterprise list price per vCPU-hour; exclusive with "
        "Hybrid Benefit on the same VM", action="Run the edition query on the server; if no Enterprise feature is "
        "in use, move to Standard edition", evidence={"edition": "enterprise"})
        for f in findings if f.rule == "LIC-2" and f.evidence.get("edition") == "enterprise" and f.monthly_savings]


def _aks(ctx: RuleContext, rates: BillRates) -> list[Finding]:
    out = []
    for cluster in ctx.index.of_type("microsoft.containerservice/managedclusters"):
        node_group = str(props(cluster).get("nodeResourceGroup") or "").lower()
        pools = {str(p.get("name") or ""): str(p.get("mode") or "") for p in props(cluster).get("agentPoolProfiles")
                 or [] if isinstance(p, dict)}
        cost: dict[str, float] = {"System": 0.0, "User": 0.0}
        node_rate = None
        for vmss in ctx.index.of_type(VMSS):
            name = str(vmss.get("name") or "").lower()
            pool = next((p for p in pools if name.startswith(f"aks-{p.lower()}-")), None)
            if str(vmss.get("resourceGroup") or "").lower() != node_group or pool is None:
                continue
            cost[pools[pool]] = cost.get(pools[pool], 0.0) + ctx.index.cost30_meter(str(vmss["id"]), COMPUTE)
            if pools[pool] == "System":
                node_rate = rates.compute_rate(str(vmss["id"]), vm_profile(vmss)[3])
        if node_rate and cost["User"] and cost["System"] > cost["User"]:
            out.append(review_finding(
                ctx, str(cluster["id"]), rule=RV_AKS.id, family="aks-pools", category="rightsizing",
                title="AKS system pool costs more than the user pool", high=node_rate * 30, basis="actual_cost",
                formula="range 0 to one system node's full-day compute rate x 30",
                action="Check system-node use (kubectl top nodes -l kubernetes.azure.com/mode=system); lower the "
                       "autoscaler minimum; run user workloads on the user pool, or Spot for tolerant ones",
                evidence={"cost_30d": round(cost["System"], 2), "user_pool_cost_30d": round(cost["User"], 2)}))
    return out


def _dominant(ctx: RuleContext, analytics: Analytics, rates: BillRates) -> list[Finding]:
    out = []
    for rid, amount in analytics.top_resources[:1]:
        row = ctx.index.resources.get(rid)
        compute = ctx.index.cost30_meter(rid, COMPUTE)
        if row is None or not analytics.total_30d or amount / analytics.total_30d < DOMINANT_SHARE or compute <= 0:
            continue
        high = compute * COMMIT_HIGH
        rate = rates.compute_rate(rid, vm_profile(row)[3])
        if rate:
            hours = compute / rate * 24
            weekdays = sum(1 for n in range(30) if (ctx.today - dt.timedelta(days=n)).weekday() < 5)
            high = max(high, compute * (1 - 12 * weekdays / hours))
        out.append(review_finding(
            ctx, str(row["id"]), rule=RV_DOMINANT.id, family="dominant", category="commitment",
            title=f"Decide how {row.get('name')} runs: it is {amount / analytics.total_30d:.0%} of spend",
            high=high, basis="actual_cost", formula=f"range {COMMIT_LOW:.0%} of its compute (a 1-year commitment, low"
            f" end) to the larger of {COMMIT_HIGH:.0%} (3 years) and a 12-hour weekday schedule",
            action="Reserve it, cover it with a savings plan, or schedule it if it need not run at night",
            evidence={"cost_30d": round(amount, 2), "compute_cost_30d": round(compute, 2)}))
        low = round(compute * COMMIT_LOW, 2)
        out[-1] = out[-1].with_(savings_low=low, not_counted_reason=str(out[-1].not_counted_reason).replace(
            "0.00 to", f"{low:.2f} to"))
    return out


def review_items(ctx: RuleContext, findings: list[Finding], analytics: Analytics, rates: BillRates) -> list[Finding]:
    """Every review item of D9 that fires on this estate."""
    return (_ddos(ctx) + _logs(ctx, findings, rates, analytics.total_30d) + _sql_edition(ctx, findings)
            + _aks(ctx, rates) + _dominant(ctx, analytics, rates))
