"""NET-1..NET-12: network resources that serve nothing."""

from __future__ import annotations

from typing import Any

from shared.analysis.rules import network
from shared.analysis.rules.base import Rule
from tests.unit.analysis.builders import a_row, context, cost_line, scan

NET = "Microsoft.Network/"


def rules_of(rows: list[dict[str, Any]], rule: Rule) -> list[str]:
    return [f.rule for f in rule(context(scan(rows)))]


def test_public_ip_flagged_with_actual_cost_when_attached_to_nothing() -> None:
    pip = a_row(NET + "publicIPAddresses", "p1", sku={"name": "Standard"})
    found = list(network.unattached_public_ips(context(scan([pip], cost_rows=cost_line(pip["id"], 0.1)))))
    assert [(f.rule, f.basis, f.monthly_savings) for f in found] == [("NET-1", "actual_cost", 3.0)]


def test_public_ip_not_flagged_when_used_by_a_nat_gateway() -> None:
    assert not rules_of([a_row(NET + "publicIPAddresses", "p1", properties={"natGateway": {"id": "/n"}})],
                        network.unattached_public_ips)


def test_public_ip_not_flagged_when_attached_to_an_ip_configuration() -> None:
    assert not rules_of([a_row(NET + "publicIPAddresses", "p1", properties={"ipConfiguration": {"id": "/c"}})],
                        network.unattached_public_ips)


def test_nic_flagged_as_hygiene_when_it_has_no_vm_and_no_endpoint() -> None:
    found = list(network.orphaned_nics(context(scan([a_row(NET + "networkInterfaces", "n1")]))))
    assert [(f.rule, f.category, f.monthly_savings) for f in found] == [("NET-3", "hygiene", 0.0)]


def test_nic_not_flagged_when_owned_by_a_private_endpoint() -> None:
    assert not rules_of([a_row(NET + "networkInterfaces", "n1", properties={"privateEndpoint": {"id": "/pe"}})],
                        network.orphaned_nics)


def test_load_balancer_flagged_when_pools_are_empty() -> None:
    lb = a_row(NET + "loadBalancers", "lb1", sku={"name": "Standard"}, properties={"backendAddressPools": []})
    assert rules_of([lb], network.idle_load_balancers) == ["NET-4"]


def test_load_balancer_not_flagged_when_a_pool_has_members() -> None:
    pool = {"properties": {"backendIPConfigurations": [{"id": "/c"}]}}
    lb = a_row(NET + "loadBalancers", "lb1", sku={"name": "Standard"}, properties={"backendAddressPools": [pool]})
    assert not rules_of([lb], network.idle_load_balancers)


def test_app_gateway_flagged_when_no_backend_targets() -> None:
    agw = a_row(NET + "applicationGateways", "a1", properties={"backendAddressPools": [{"properties": {}}]})
    assert rules_of([agw], network.idle_app_gateways) == ["NET-5"]


def test_app_gateway_not_flagged_when_a_pool_has_an_fqdn() -> None:
    pool = {"properties": {"backendAddresses": [{"fqdn": "app.example"}]}}
    agw = a_row(NET + "applicationGateways", "a1", properties={"backendAddressPools": [pool]})
    assert not rules_of([agw], network.idle_app_gateways)


def test_vnet_gateway_flagged_when_nothing_connects() -> None:
    assert rules_of([a_row(NET + "virtualNetworkGateways", "g1")], network.idle_vnet_gateways) == ["NET-8"]


def test_vnet_gateway_not_flagged_when_a_connection_references_it() -> None:
    gw = a_row(NET + "virtualNetworkGateways", "g1")
    conn = a_row(NET + "connections", "c1", properties={"virtualNetworkGateway1": {"id": gw["id"].upper()}})
    assert not rules_of([gw, conn], network.idle_vnet_gateways)


def test_nat_gateway_flagged_when_no_subnets() -> None:
    assert rules_of([a_row(NET + "natGateways", "n1")], network.idle_nat_gateways) == ["NET-9"]


def test_nat_gateway_not_flagged_when_serving_a_subnet() -> None:
    assert not rules_of([a_row(NET + "natGateways", "n1", properties={"subnets": [{"id": "/s"}]})],
                        network.idle_nat_gateways)


def _endpoint(status: str) -> dict[str, Any]:
    conn = {"properties": {"privateLinkServiceConnectionState": {"status": status}}}
    return a_row(NET + "privateEndpoints", "pe1", properties={"privateLinkServiceConnections": [conn]})


def test_private_endpoint_flagged_when_disconnected() -> None:
    assert rules_of([_endpoint("Disconnected")], network.disconnected_private_endpoints) == ["NET-10"]


def test_private_endpoint_not_flagged_when_approved() -> None:
    assert not rules_of([_endpoint("Approved")], network.disconnected_private_endpoints)


def test_private_dns_zone_flagged_when_no_links() -> None:
    zone = a_row(NET + "privateDnsZones", "z.local", properties={"numberOfVirtualNetworkLinks": 0})
    assert rules_of([zone], network.unlinked_private_dns_zones) == ["NET-11"]


def test_private_dns_zone_not_flagged_when_linked() -> None:
    zone = a_row(NET + "privateDnsZones", "z.local", properties={"numberOfVirtualNetworkLinks": 1})
    assert not rules_of([zone], network.unlinked_private_dns_zones)


def test_ddos_plan_flagged_when_protecting_no_vnet() -> None:
    assert rules_of([a_row(NET + "ddosProtectionPlans", "d1")], network.unused_ddos_plans) == ["NET-12"]


def test_ddos_plan_not_flagged_when_protecting_a_vnet() -> None:
    plan = a_row(NET + "ddosProtectionPlans", "d1", properties={"virtualNetworks": [{"id": "/v"}]})
    assert not rules_of([plan], network.unused_ddos_plans)


def test_load_balancer_counted_at_its_bill_when_rules_exist_and_hygiene_when_neither() -> None:
    lb_rule = {"name": "r1", "properties": {"frontendPort": 80}}
    billed = a_row(NET + "loadBalancers", "lb1", sku={"name": "Standard"},
                   properties={"backendAddressPools": [], "loadBalancingRules": [lb_rule]})
    bare = a_row(NET + "loadBalancers", "lb2", sku={"name": "Standard"}, properties={"backendAddressPools": []})
    found = list(network.idle_load_balancers(context(scan([billed, bare], cost_rows=cost_line(billed["id"], 0.5)))))
    assert [(f.resource_id.rsplit("/", 1)[-1], f.category, f.monthly_savings) for f in found] == [
        ("lb1", "waste", 15.0), ("lb2", "hygiene", 0.0)]


def test_app_gateway_in_a_dr_resource_group_is_a_review_item_not_a_counted_saving() -> None:
    agw = a_row(NET + "applicationGateways", "agw-dr", rg="rg-dr-ukwest",
                properties={"backendAddressPools": [{"properties": {}}]})
    found = list(network.idle_app_gateways(context(scan([agw], cost_rows=cost_line(agw["id"], 2.0)))))
    assert [(f.kind, f.counted, f.monthly_savings, f.savings_high) for f in found] == [("review", False, 0.0, 60.0)]
    assert "DR runbook" in (found[0].not_counted_reason or "")


def test_public_ip_from_a_prefix_not_flagged_when_unattached() -> None:
    pip = a_row(NET + "publicIPAddresses", "p1", sku={"name": "Standard"},
                properties={"publicIPPrefix": {"id": "/subscriptions/s/prefix"}, "ipAddress": "20.0.0.1"})
    assert not rules_of([pip], network.unattached_public_ips)
