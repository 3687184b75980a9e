"""Dependants that keep billing after a delete (report-design D3.5).

Deleting an application gateway, a VNet gateway, a load balancer or a NAT gateway leaves its Standard public IPs
billing. A public IP whose only association is that resource is priced with it (its monthly run-rate is added,
its id joins `priced` and `resources`) and deleted after it. For a review item (a gateway in a disaster-recovery
context) the IP widens the range instead, and every command stays commented out: confirm against the DR runbook.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shared.analysis.bill_rates import BillRates
from shared.analysis.commands import Command, delete
from shared.analysis.findings import Finding
from shared.analysis.rules.base import RuleContext, props, ref_ids, sku_name
from shared.analysis.rules.registry import CATALOGUE

IP_LOST = "the address cannot be recovered: check DNS records and allow-lists"
DR_KEEP = {"NET-8": "a gateway takes about 45 minutes to create: keep it if the DR runbook needs it, or deploy it "
                    "from IaC at failover"}
_FRONTENDS = {"microsoft.network/applicationgateways": "frontendIPConfigurations",
              "microsoft.network/loadbalancers": "frontendIPConfigurations",
              "microsoft.network/virtualnetworkgateways": "ipConfigurations"}
_RULES = ("NET-4", "NET-5", "NET-8", "NET-9")


def dependent_ips(ctx: RuleContext, row: dict[str, Any]) -> list[dict[str, Any]]:
    """Standard public IPs whose only association is this gateway, load balancer or NAT gateway."""
    kind, p = str(row.get("type") or "").lower(), props(row)
    if kind == "microsoft.network/natgateways":
        candidates = ref_ids(p.get("publicIpAddresses"))
    else:
        candidates = [i for config in p.get(_FRONTENDS.get(kind, ""), []) or []
                      for i in ref_ids((config.get("properties") or {}).get("publicIPAddress"))]
    own = str(row["id"]).lower()
    out = []
    for ip_id in candidates:
        ip = ctx.index.resources.get(ip_id)
        if ip is None or sku_name(ip) != "Standard":
            continue
        ip_p = props(ip)
        link = str((ip_p.get("ipConfiguration") or {}).get("id") or (ip_p.get("natGateway") or {}).get("id") or "")
        if link.lower().startswith(own):
            out.append(ip)
    return out


def _ip_cost(ctx: RuleContext, ip_id: str, rates: BillRates) -> float:
    got = rates.run_rate(ip_id)
    return got[1] if got is not None else ctx.index.cost30(ip_id)


def _downgraded(f: Finding) -> bool:
    spec = CATALOGUE.get(f.rule)
    return f.kind == "review" and spec is not None and spec.kind == "counted"


def _commented(commands: tuple[Command, ...], warning: str) -> tuple[Command, ...]:
    return tuple(replace(c, optional=True, warnings=(*c.warnings, warning)) for c in commands)


def with_dependants(ctx: RuleContext, f: Finding, rates: BillRates) -> Finding:
    """The finding with its dependent public IPs priced and deleted (gateways, load balancers, NAT gateways)."""
    if f.rule not in _RULES:
        return f
    row = ctx.index.resources.get(f.resource_id.lower())
    ips = dependent_ips(ctx, row) if row is not None else []
    extra = round(sum(_ip_cost(ctx, str(ip["id"]), rates) for ip in ips), 2)
    commands = f.commands + tuple(delete(str(ip["id"]), warnings=(IP_LOST,)) for ip in ips)
    names = ", ".join(str(ip.get("name") or "") for ip in ips)
    ids = tuple(str(ip["id"]) for ip in ips)
    if _downgraded(f):
        high = round((f.savings_high or 0.0) + extra, 2)
        keep = DR_KEEP.get(f.rule, "disaster-recovery standby: confirm against the DR runbook")
        reason = (f.not_counted_reason or "").replace(f"{f.savings_high or 0.0:.2f}", f"{high:.2f}")
        return f.with_(savings_high=high, resources=f.resources + ids, commands=_commented(commands, keep),
                       formula=f.formula + (f"; with its public IP {names}" if ips else ""), not_counted_reason=reason)
    if not ips:
        return f
    return f.with_(monthly_savings=round(f.monthly_savings + extra, 2), priced=f.priced + tuple(i.lower() for i in ids),
                   resources=f.resources + ids, commands=commands,
                   formula=f.formula + f"; with its public IP {names}, which would keep billing")
