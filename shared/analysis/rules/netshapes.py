"""Shapes the network rules share: NICs behind IP configurations, backend pool members, DR downgrades."""

from __future__ import annotations

from typing import Any

from shared.analysis.findings import Finding
from shared.analysis.rules.base import RuleContext, known_props
from shared.analysis.rules.build import as_review
from shared.analysis.rules.environment import dr_context

NET = "microsoft.network/"
DR_REVIEW = "in a disaster-recovery context ({}): confirm against the DR runbook before deleting"


def nic_of(ip_configuration_id: str) -> str | None:
    """The lower-cased NIC id an ipConfiguration id belongs to, or None when it is not a NIC's."""
    lowered = ip_configuration_id.lower()
    at = lowered.find("/ipconfigurations/")
    return lowered[:at] if at > 0 and "/microsoft.network/networkinterfaces/" in lowered else None


def orphaned_nic(nic: dict[str, Any]) -> bool:
    """A NIC with properties and no VM, private endpoint, private link service or hosted workload."""
    p = known_props(nic)
    return p is not None and not (p.get("virtualMachine") or p.get("privateEndpoint") or p.get("privateLinkService")
                                  or p.get("hostedWorkloads"))


def with_dr_context(ctx: RuleContext, row: dict[str, Any], finding: Finding) -> Finding:
    """A counted finding on disaster-recovery standby becomes a review item (2026-12 review, NET-8)."""
    why = dr_context(ctx, row)
    if why is None:
        return finding
    return as_review(finding.with_(evidence={**finding.evidence, "dr_context": why}), DR_REVIEW.format(why))


def pool_members(pool: dict[str, Any]) -> int:
    """Members of one backend pool (NIC ip configurations, addresses, or application gateway targets)."""
    p = pool.get("properties") or {}
    return sum(len(p.get(k) or []) for k in ("backendIPConfigurations", "loadBalancerBackendAddresses",
                                               "backendAddresses"))


def _ids_at(value: Any, path: tuple[str, ...]) -> list[str]:
    """Lower-cased ids found by walking `path` (lists are walked through) from `value`."""
    if not path:
        if isinstance(value, dict) and value.get("id"):
            return [str(value["id"]).lower()]
        return [value.lower()] if isinstance(value, str) and value.startswith("/") else []
    if isinstance(value, list):
        return [i for item in value for i in _ids_at(item, path)]
    return _ids_at(value.get(path[0]), path[1:]) if isinstance(value, dict) else []


# Where other resources name the subnet they sit in (Resource Graph row properties).
_SUBNET_USERS: dict[str, tuple[tuple[str, ...], ...]] = {
    NET + "networkinterfaces": (("ipConfigurations", "properties", "subnet"),),
    NET + "privateendpoints": (("subnet",),),
    NET + "applicationgateways": (("gatewayIPConfigurations", "properties", "subnet"),),
    NET + "loadbalancers": (("frontendIPConfigurations", "properties", "subnet"),),
    NET + "azurefirewalls": (("ipConfigurations", "properties", "subnet"),),
    NET + "virtualnetworkgateways": (("ipConfigurations", "properties", "subnet"),),
    NET + "bastionhosts": (("ipConfigurations", "properties", "subnet"),),
    "microsoft.containerservice/managedclusters": (("agentPoolProfiles", "vnetSubnetID"),),
    "microsoft.web/sites": (("virtualNetworkSubnetId",),),
    "microsoft.sql/managedinstances": (("subnetId",),),
}


def used_subnets(ctx: RuleContext) -> set[str]:
    """Lower-cased subnet ids another resource of the inventory sits in (evidence beyond the VNet row)."""
    out: set[str] = set()
    for arm_type, paths in _SUBNET_USERS.items():
        for row in ctx.index.of_type(arm_type):
            for path in paths:
                out.update(_ids_at(known_props(row) or {}, path))
    return out


def subnet_links(ctx: RuleContext, key: str) -> set[str]:
    """Lower-cased ids of what subnets (and, for NSGs, NICs) point at under `key` (networkSecurityGroup, routeTable)."""
    out: set[str] = set()
    for vnet in ctx.index.of_type(NET + "virtualnetworks"):
        out.update(_ids_at(known_props(vnet) or {}, ("subnets", "properties", key)))
    if key == "networkSecurityGroup":
        for nic in ctx.index.of_type(NET + "networkinterfaces"):
            out.update(_ids_at(known_props(nic) or {}, (key,)))
    return out
