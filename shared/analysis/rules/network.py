"""Network rules: gateways, addresses and endpoints that bill by the hour while serving nothing.

A row without `properties` is unknown, never "attached to nothing": every rule here skips it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.analysis.commands import Command, delete
from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule, RuleContext, known_props, ref_ids, rule, sku_name
from shared.analysis.rules.build import delete_finding, hygiene_finding
from shared.analysis.rules.netshapes import NET, nic_of, orphaned_nic, pool_members, with_dr_context


@rule("NET-1", title="Public IP address not attached to anything", kind="counted",
      narrative="a public IP address attached to nothing")
def unattached_public_ips(ctx: RuleContext) -> Iterator[Finding]:
    """NET-1: a Standard or static public IP bills by the hour even when nothing uses it.

    An IP taken from a public IP prefix is billed through the prefix (deleting it saves nothing): skipped. A
    Basic dynamic IP with no address holds nothing and bills nothing (NET-2 raises its retirement). An IP on
    a NIC that has no VM or endpoint is as unused as a detached one: the action deletes the NIC and the IP.
    """
    for row in ctx.index.of_type(NET + "publicipaddresses"):
        p = known_props(row)
        if p is None or p.get("natGateway") or p.get("publicIPPrefix"):
            continue
        if sku_name(row) == "Basic" and str(p.get("publicIPAllocationMethod")) == "Dynamic" and not p.get(
                "ipAddress"):
            continue
        nic_id = nic_of(str((p.get("ipConfiguration") or {}).get("id") or "")) if p.get("ipConfiguration") else None
        nic = ctx.index.resources.get(nic_id) if nic_id else None
        if p.get("ipConfiguration") and (nic is None or not orphaned_nic(nic)):
            continue
        lost = ("the address cannot be recovered: check DNS records and allow-lists",)
        commands: tuple[Command, ...] = (delete(str(row["id"]), warnings=lost),)
        if nic is not None:
            commands = (delete(str(nic["id"])), *commands)
        yield delete_finding(
            ctx, row, rule="NET-1", title="Public IP address not attached to anything",
            action="Delete it if no DNS record or allow-list depends on it", commands=commands,
            evidence={"sku": sku_name(row), "allocation": str(p.get("publicIPAllocationMethod") or ""),
                      "on_orphaned_nic": nic is not None},
            resources=(str(nic["id"]),) if nic is not None else (),
        )


@rule("NET-3", title="Network interface not attached to any VM", kind="counted")
def orphaned_nics(ctx: RuleContext) -> Iterator[Finding]:
    """NET-3: a NIC with no VM and no private endpoint is clutter (no charge) that holds a private IP."""
    for row in ctx.index.of_type(NET + "networkinterfaces"):
        if not orphaned_nic(row):
            continue
        yield hygiene_finding(ctx, row, rule="NET-3", title="Network interface not attached to any VM",
                              action="Delete it", commands=(delete(str(row["id"])),),
                              evidence={"attached": False})


@rule("NET-4", title="Load balancer without backend members", kind="counted",
      narrative="a load balancer with no backends")
def idle_load_balancers(ctx: RuleContext) -> Iterator[Finding]:
    """NET-4: a Standard load balancer with rules bills hourly; with no backends it balances nothing.

    With no load-balancing or outbound rule it has no hourly charge (the rules are the meter): then, unless
    the bill shows a charge anyway, it is hygiene at 0 rather than a counted saving.
    """
    for row in ctx.index.of_type(NET + "loadbalancers"):
        p = known_props(row)
        if p is None or sku_name(row) == "Basic":
            continue
        members = sum(pool_members(pool) for pool in p.get("backendAddressPools") or [])
        if members or p.get("inboundNatRules") or p.get("inboundNatPools"):
            continue
        rules = len(p.get("loadBalancingRules") or []) + len(p.get("outboundRules") or [])
        action, commands = "Delete it if nothing will be added", (delete(str(row["id"])),)
        evidence: dict[str, str | float | int | bool] = {"backend_members": 0, "sku": sku_name(row), "rules": rules}
        if rules or ctx.index.cost30(str(row["id"])) > 0:
            yield delete_finding(ctx, row, rule="NET-4", title="Load balancer without backend members",
                                 action=action, evidence=evidence, commands=commands)
        else:
            yield hygiene_finding(ctx, row, rule="NET-4", title="Load balancer without backend members or rules",
                                  action=action, evidence=evidence, commands=commands)


@rule("NET-5", title="Application gateway without backend targets", kind="counted",
      narrative="an application gateway with no backends")
def idle_app_gateways(ctx: RuleContext) -> Iterator[Finding]:
    """NET-5: an application gateway bills a fixed hourly charge even when its pools have no targets."""
    for row in ctx.index.of_type(NET + "applicationgateways"):
        p = known_props(row)
        if p is None or any(pool_members(pool) > 0 for pool in p.get("backendAddressPools") or []):
            continue
        yield with_dr_context(ctx, row, delete_finding(
            ctx, row, rule="NET-5", title="Application gateway without backend targets",
            action="Delete it if no site will use it", commands=(delete(str(row["id"])),),
            evidence={"backend_targets": 0},
        ))


@rule("NET-8", title="Virtual network gateway without connections", kind="counted",
      narrative="a VPN gateway with no connections")
def idle_vnet_gateways(ctx: RuleContext) -> Iterator[Finding]:
    """NET-8: a VPN or ExpressRoute gateway bills hourly; with no connections and no P2S it links nothing."""
    connected: set[str] = set()
    for conn in ctx.index.of_type(NET + "connections"):
        p = known_props(conn)
        if p is None:
            return  # a connection we cannot read may be any gateway's: judge none
        connected.update(ref_ids(p.get("virtualNetworkGateway1")) + ref_ids(p.get("virtualNetworkGateway2")))
    for row in ctx.index.of_type(NET + "virtualnetworkgateways"):
        p = known_props(row)
        if p is None or str(row["id"]).lower() in connected or p.get("vpnClientConfiguration"):
            continue
        yield with_dr_context(ctx, row, delete_finding(
            ctx, row, rule="NET-8", title="Virtual network gateway without connections",
            action="Delete it if no site or user connects", commands=(delete(str(row["id"])),),
            evidence={"connections": 0, "point_to_site": False},
        ))


@rule("NET-9", title="NAT gateway not associated with any subnet", kind="counted",
      narrative="a NAT gateway serving no subnet")
def idle_nat_gateways(ctx: RuleContext) -> Iterator[Finding]:
    """NET-9: a NAT gateway bills hourly; without subnets no traffic can use it."""
    for row in ctx.index.of_type(NET + "natgateways"):
        p = known_props(row)
        if p is None or p.get("subnets"):
            continue
        yield delete_finding(ctx, row, rule="NET-9", title="NAT gateway not associated with any subnet",
                             action="Delete it", commands=(delete(str(row["id"])),),
                             evidence={"subnets": 0})


def _connection_status(connection: dict[str, Any]) -> str:
    state = (connection.get("properties") or {}).get("privateLinkServiceConnectionState") or {}
    return str(state.get("status") or "")


@rule("NET-10", title="Private endpoint disconnected from its target", kind="counted",
      narrative="a private endpoint with no target")
def disconnected_private_endpoints(ctx: RuleContext) -> Iterator[Finding]:
    """NET-10: a private endpoint whose target is gone still bills hourly for a connection to nothing."""
    for row in ctx.index.of_type(NET + "privateendpoints"):
        p = known_props(row)
        if p is None:
            continue
        connections = [*(p.get("privateLinkServiceConnections") or []),
                       *(p.get("manualPrivateLinkServiceConnections") or [])]
        states = [_connection_status(c) for c in connections]
        if states and any(s != "Disconnected" for s in states):
            continue
        yield delete_finding(ctx, row, rule="NET-10", title="Private endpoint disconnected from its target",
                             action="Delete it", commands=(delete(str(row["id"])),),
                             evidence={"connection_state": "Disconnected" if states else "none"})


@rule("NET-11", title="Private DNS zone with no virtual network links", kind="counted",
      narrative="a private DNS zone linked to no network")
def unlinked_private_dns_zones(ctx: RuleContext) -> Iterator[Finding]:
    """NET-11: a private DNS zone linked to no virtual network answers no one but bills monthly."""
    links: dict[str, int] = {}
    for link in ctx.index.of_type(NET + "privatednszones/virtualnetworklinks"):
        zone = str(link["id"]).lower().rsplit("/virtualnetworklinks/", 1)[0]
        links[zone] = links.get(zone, 0) + 1
    for row in ctx.index.of_type(NET + "privatednszones"):
        p = known_props(row)
        if p is None:
            continue
        declared = p.get("numberOfVirtualNetworkLinks")
        if (declared if isinstance(declared, int) else 0) or links.get(str(row["id"]).lower()):
            continue
        yield delete_finding(ctx, row, rule="NET-11", title="Private DNS zone with no virtual network links",
                             action="Delete it if nothing will link it", commands=(delete(str(row["id"])),),
                             evidence={"virtual_network_links": 0})


@rule("NET-12", title="DDoS protection plan protecting no virtual network", kind="counted",
      narrative="a DDoS protection plan protecting nothing")
def unused_ddos_plans(ctx: RuleContext) -> Iterator[Finding]:
    """NET-12: a DDoS Network Protection plan costs thousands a month; protecting no VNet it buys nothing."""
    for row in ctx.index.of_type(NET + "ddosprotectionplans"):
        p = known_props(row)
        if p is None or p.get("virtualNetworks"):
            continue
        yield delete_finding(ctx, row, rule="NET-12", title="DDoS protection plan protecting no virtual network",
                             action="Delete it", commands=(delete(str(row["id"])),),
                             evidence={"virtual_networks": 0})


RULES: tuple[InventoryRule, ...] = (
    unattached_public_ips, orphaned_nics, idle_load_balancers, idle_app_gateways, idle_vnet_gateways, idle_nat_gateways,
    disconnected_private_endpoints, unlinked_private_dns_zones, unused_ddos_plans)
