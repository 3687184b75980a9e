"""Network orphans: circuits never provisioned, and groups, tables, policies and profiles attached to nothing.

Most bill nothing (NSGs, route tables, IP groups, virtual networks, subnets): counted at 0 as hygiene. A
row without properties is unknown, never "attached to nothing".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import delete
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, rule
from shared.analysis.rules.build import delete_finding, hygiene_finding
from shared.analysis.rules.netshapes import NET, subnet_links, used_subnets, with_dr_context

_UNPROVISIONED = ("NotProvisioned", "Deprovisioning")
# Subnets Azure reserves by name for gateways, firewalls, Bastion and Route Server: empty on purpose.
RESERVED_SUBNETS = {"gatewaysubnet", "azurefirewallsubnet", "azurefirewallmanagementsubnet", "azurebastionsubnet",
                    "routeserversubnet"}
_SUBNET_USERS = ("ipConfigurations", "delegations", "applicationGatewayIPConfigurations", "privateEndpoints",
                 "serviceAssociationLinks", "resourceNavigationLinks", "ipConfigurationProfiles")


@rule("NET-13", title="ExpressRoute circuit not provisioned by its provider", kind="counted",
      narrative="an ExpressRoute circuit its provider never provisioned")
def unprovisioned_circuits(ctx: RuleContext) -> Iterator[Finding]:
    """NET-13: a circuit bills from creation even while the provider has not provisioned it.

    Left alone while new (it billed nothing before the last 30 days: providers take weeks), on ExpressRoute
    Direct ports (no provider step), and when the cost history cannot tell.
    """
    for row in ctx.index.of_type(NET + "expressroutecircuits"):
        p = known_props(row)
        if p is None or str(p.get("serviceProviderProvisioningState") or "") not in _UNPROVISIONED \
                or p.get("expressRoutePort") or not ctx.index.billed_before_last30(str(row["id"])):
            continue
        yield with_dr_context(ctx, row, delete_finding(
            ctx, row, rule="NET-13", title="ExpressRoute circuit not provisioned by its provider",
            action="Ask the provider to provision it, or delete it", commands=(delete(str(row["id"])),),
            evidence={"provider_state": str(p.get("serviceProviderProvisioningState")), "billed_over_30_days": True}))


def _unattached(ctx: RuleContext, arm_type: str, keys: tuple[str, ...],
                linked: set[str] | None = None) -> Iterator[dict[str, Any]]:
    """Rows whose own link lists are all empty and that no other row links to (`linked`)."""
    for row in ctx.index.of_type(arm_type):
        p = known_props(row)
        if p is not None and not any(p.get(k) for k in keys) and str(row["id"]).lower() not in (linked or set()):
            yield row


@rule("NET-17", title="Network security group attached to nothing", kind="counted")
def unattached_nsgs(ctx: RuleContext) -> Iterator[Finding]:
    """NET-17: an NSG on no subnet and no NIC filters nothing; it bills nothing but muddles the rule set."""
    linked = subnet_links(ctx, "networkSecurityGroup")
    for row in _unattached(ctx, NET + "networksecuritygroups", ("subnets", "networkInterfaces"), linked):
        yield hygiene_finding(ctx, row, rule="NET-17", title="Network security group attached to nothing",
                              action="Delete it", commands=(delete(str(row["id"])),),
                              evidence={"subnets": 0, "network_interfaces": 0})


@rule("NET-18", title="Route table attached to no subnet", kind="counted")
def unattached_route_tables(ctx: RuleContext) -> Iterator[Finding]:
    """NET-18: a route table on no subnet routes nothing."""
    for row in _unattached(ctx, NET + "routetables", ("subnets",), subnet_links(ctx, "routeTable")):
        yield hygiene_finding(ctx, row, rule="NET-18", title="Route table attached to no subnet",
                              action="Delete it", commands=(delete(str(row["id"])),),
                              evidence={"subnets": 0})


@rule("NET-19", title="IP group used by no firewall or policy", kind="counted")
def unused_ip_groups(ctx: RuleContext) -> Iterator[Finding]:
    """NET-19: an IP group no firewall or firewall policy references is a stale address list."""
    for row in _unattached(ctx, NET + "ipgroups", ("firewalls", "firewallPolicies")):
        yield hygiene_finding(ctx, row, rule="NET-19", title="IP group used by no firewall or policy",
                              action="Delete it", commands=(delete(str(row["id"])),),
                              evidence={"firewalls": 0, "firewall_policies": 0})


@rule("NET-20", title="Front Door WAF policy linked to nothing", kind="counted",
      narrative="a Front Door WAF policy protecting nothing")
def unlinked_front_door_waf(ctx: RuleContext) -> Iterator[Finding]:
    """NET-20: a WAF policy linked to no security policy, frontend endpoint or routing rule protects nothing.

    Classic Front Door links policies through frontendEndpointLinks: every link list is checked.
    """
    for row in _unattached(ctx, NET + "frontdoorwebapplicationfirewallpolicies",
                           ("securityPolicyLinks", "frontendEndpointLinks", "routingRuleLinks")):
        yield delete_finding(ctx, row, rule="NET-20", title="Front Door WAF policy linked to nothing",
                             action="Delete it", commands=(delete(str(row["id"])),),
                             evidence={"links": 0})


@rule("NET-21", title="Traffic Manager profile without endpoints", kind="counted",
      narrative="a Traffic Manager profile with no endpoints")
def empty_traffic_manager(ctx: RuleContext) -> Iterator[Finding]:
    """NET-21: a Traffic Manager profile with no endpoint answers DNS queries for nothing."""
    for row in _unattached(ctx, NET + "trafficmanagerprofiles", ("endpoints",)):
        yield delete_finding(ctx, row, rule="NET-21", title="Traffic Manager profile without endpoints",
                             action="Delete it", commands=(delete(str(row["id"])),),
                             evidence={"endpoints": 0})


@rule("NET-22", title="Virtual network without subnets", kind="counted")
def empty_virtual_networks(ctx: RuleContext) -> Iterator[Finding]:
    """NET-22: a virtual network with no subnet hosts nothing (VNets bill nothing; peering bills per GB)."""
    for row in _unattached(ctx, NET + "virtualnetworks", ("subnets",)):
        yield hygiene_finding(ctx, row, rule="NET-22", title="Virtual network without subnets",
                              action="Delete it", commands=(delete(str(row["id"])),),
                              evidence={"subnets": 0})


@rule("NET-23", title="Subnet with nothing in it", kind="counted")
def empty_subnets(ctx: RuleContext) -> Iterator[Finding]:
    """NET-23: a subnet with no IP configuration, delegation, endpoint or service link holds address space idle.

    Subnets reserved by name (GatewaySubnet, AzureFirewallSubnet, ...) are empty on purpose: left alone. A
    subnet another resource names as its own (a NIC, endpoint, gateway, cluster, app) is in use.
    """
    used = used_subnets(ctx)
    for vnet in ctx.index.of_type(NET + "virtualnetworks"):
        for subnet in (known_props(vnet) or {}).get("subnets") or []:
            if not isinstance(subnet, dict):
                continue
            sp, name, sid = subnet.get("properties"), str(subnet.get("name") or ""), str(subnet.get("id") or "")
            if not isinstance(sp, dict) or not sid or name.lower() in RESERVED_SUBNETS or sid.lower() in used \
                    or any(sp.get(k) for k in _SUBNET_USERS):
                continue
            yield hygiene_finding(ctx, vnet, rule="NET-23", title="Subnet with nothing in it", resource_id=sid,
                                  action="Delete it", commands=(delete(sid),),
                                  evidence={"ip_configurations": 0, "delegations": 0})


RULES: tuple[InventoryRule, ...] = (
    unprovisioned_circuits, unattached_nsgs, unattached_route_tables, unused_ip_groups, unlinked_front_door_waf,
    empty_traffic_manager, empty_virtual_networks, empty_subnets)
