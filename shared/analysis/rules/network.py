"""Network rules: gateways, addresses and endpoints that bill by the hour while serving nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared.analysis.findings import Finding
from shared.analysis.rules.base import (
    InventoryRule,
    RuleContext,
    delete_finding,
    hygiene_finding,
    props,
    ref_ids,
    rule,
    sku_name,
)

NET = "microsoft.network/"


@rule("NET-1", title="Public IP address not attached to anything", narrative="a public IP address attached to nothing")
def unattached_public_ips(ctx: RuleContext) -> Iterator[Finding]:
    """NET-1: a Standard or static public IP bills by the hour even when nothing uses it."""
    for row in ctx.index.of_type(NET + "publicipaddresses"):
        p = props(row)
        if p.get("ipConfiguration") or p.get("natGateway"):
            continue
        yield delete_finding(
            ctx, row, rule="NET-1", title="Public IP address not attached to anything",
            action="Delete it if no DNS record or allow-list depends on it: "
                   f"az network public-ip delete --ids {row['id']}",
            evidence={"sku": sku_name(row), "allocation": str(p.get("publicIPAllocationMethod") or "")},
        )


@rule("NET-3", title="Network interface not attached to any VM")
def orphaned_nics(ctx: RuleContext) -> Iterator[Finding]:
    """NET-3: a NIC with no VM and no private endpoint is clutter (no charge) that holds a private IP."""
    for row in ctx.index.of_type(NET + "networkinterfaces"):
        p = props(row)
        if p.get("virtualMachine") or p.get("privateEndpoint") or p.get("privateLinkService") or p.get(
                "hostedWorkloads"):
            continue
        yield hygiene_finding(ctx, row, rule="NET-3", title="Network interface not attached to any VM",
                              action=f"Delete it: az network nic delete --ids {row['id']}",
                              evidence={"attached": False})


def _pool_members(pool: dict[str, Any]) -> int:
    p = pool.get("properties") or {}
    return sum(len(p.get(k) or []) for k in ("backendIPConfigurations", "loadBalancerBackendAddresses",
                                               "backendAddresses"))


@rule("NET-4", title="Load balancer without backend members", narrative="a load balancer with no backends")
def idle_load_balancers(ctx: RuleContext) -> Iterator[Finding]:
    """NET-4: a Standard load balancer with rules bills hourly; with no backends it balances nothing."""
    for row in ctx.index.of_type(NET + "loadbalancers"):
        p = props(row)
        members = sum(_pool_members(pool) for pool in p.get("backendAddressPools") or [])
        if members or p.get("inboundNatRules") or p.get("inboundNatPools") or sku_name(row) == "Basic":
            continue
        yield delete_finding(
            ctx, row, rule="NET-4", title="Load balancer without backend members",
            action=f"Delete it if nothing will be added: az network lb delete --ids {row['id']}",
            evidence={"backend_members": 0, "sku": sku_name(row)},
        )


@rule("NET-5", title="Application gateway without backend targets", narrative="an application gateway with no backends")
def idle_app_gateways(ctx: RuleContext) -> Iterator[Finding]:
    """NET-5: an application gateway bills a fixed hourly charge even when its pools have no targets."""
    for row in ctx.index.of_type(NET + "applicationgateways"):
        members = sum(_pool_members(pool) for pool in props(row).get("backendAddressPools") or [])
        if members:
            continue
        yield delete_finding(
            ctx, row, rule="NET-5", title="Application gateway without backend targets",
            action=f"Delete it if no site will use it: az network application-gateway delete --ids {row['id']}",
            evidence={"backend_targets": 0},
        )


@rule("NET-8", title="Virtual network gateway without connections", narrative="a VPN gateway with no connections")
def idle_vnet_gateways(ctx: RuleContext) -> Iterator[Finding]:
    """NET-8: a VPN or ExpressRoute gateway bills hourly; with no connections and no P2S it links nothing."""
    connected: set[str] = set()
    for conn in ctx.index.of_type(NET + "connections"):
        p = props(conn)
        connected.update(ref_ids(p.get("virtualNetworkGateway1")) + ref_ids(p.get("virtualNetworkGateway2")))
    for row in ctx.index.of_type(NET + "virtualnetworkgateways"):
        if str(row["id"]).lower() in connected or props(row).get("vpnClientConfiguration"):
            continue
        yield delete_finding(
            ctx, row, rule="NET-8", title="Virtual network gateway without connections",
            action=f"Delete it if no site or user connects: az network vnet-gateway delete --ids {row['id']}",
            evidence={"connections": 0, "point_to_site": False},
        )


@rule("NET-9", title="NAT gateway not associated with any subnet", narrative="a NAT gateway serving no subnet")
def idle_nat_gateways(ctx: RuleContext) -> Iterator[Finding]:
    """NET-9: a NAT gateway bills hourly; without subnets no traffic can use it."""
    for row in ctx.index.of_type(NET + "natgateways"):
        if props(row).get("subnets"):
            continue
        yield delete_finding(ctx, row, rule="NET-9", title="NAT gateway not associated with any subnet",
                             action=f"Delete it: az network nat gateway delete --ids {row['id']}",
                             evidence={"subnets": 0})


def _connection_status(connection: dict[str, Any]) -> str:
    state = (connection.get("properties") or {}).get("privateLinkServiceConnectionState") or {}
    return str(state.get("status") or "")


@rule("NET-10", title="Private endpoint disconnected from its target", narrative="a private endpoint with no target")
def disconnected_private_endpoints(ctx: RuleContext) -> Iterator[Finding]:
    """NET-10: a private endpoint whose target is gone still bills hourly for a connection to nothing."""
    for row in ctx.index.of_type(NET + "privateendpoints"):
        p = props(row)
        connections = [*(p.get("privateLinkServiceConnections") or []),
                       *(p.get("manualPrivateLinkServiceConnections") or [])]
        states = [_connection_status(c) for c in connections]
        if states and any(s != "Disconnected" for s in states):
            continue
        yield delete_finding(ctx, row, rule="NET-10", title="Private endpoint disconnected from its target",
                             action=f"Delete it: az network private-endpoint delete --ids {row['id']}",
                             evidence={"connection_state": "Disconnected" if states else "none"})


@rule("NET-11", title="Private DNS zone with no virtual network links",
      narrative="a private DNS zone linked to no network")
def unlinked_private_dns_zones(ctx: RuleContext) -> Iterator[Finding]:
    """NET-11: a private DNS zone linked to no virtual network answers no one but bills monthly."""
    links: dict[str, int] = {}
    for link in ctx.index.of_type(NET + "privatednszones/virtualnetworklinks"):
        zone = str(link["id"]).lower().rsplit("/virtualnetworklinks/", 1)[0]
        links[zone] = links.get(zone, 0) + 1
    for row in ctx.index.of_type(NET + "privatednszones"):
        declared = props(row).get("numberOfVirtualNetworkLinks")
        count = int(declared) if isinstance(declared, int) else links.get(str(row["id"]).lower(), 0)
        if count or links.get(str(row["id"]).lower()):
            continue
        yield delete_finding(ctx, row, rule="NET-11", title="Private DNS zone with no virtual network links",
                             action="Delete it if nothing will link it: "
                                    f"az network private-dns zone delete --ids {row['id']}",
                             evidence={"virtual_network_links": 0})


@rule("NET-12", title="DDoS protection plan protecting no virtual network",
      narrative="a DDoS protection plan protecting nothing")
def unused_ddos_plans(ctx: RuleContext) -> Iterator[Finding]:
    """NET-12: a DDoS Network Protection plan costs thousands a month; protecting no VNet it buys nothing."""
    for row in ctx.index.of_type(NET + "ddosprotectionplans"):
        if props(row).get("virtualNetworks"):
            continue
        yield delete_finding(ctx, row, rule="NET-12", title="DDoS protection plan protecting no virtual network",
                             action=f"Delete it: az network ddos-protection delete --ids {row['id']}",
                             evidence={"virtual_networks": 0})


RULES: tuple[InventoryRule, ...] = (
    unattached_public_ips, orphaned_nics, idle_load_balancers, idle_app_gateways, idle_vnet_gateways, idle_nat_gateways,
    disconnected_private_endpoints, unlinked_private_dns_zones, unused_ddos_plans)
