"""Network resources for hand-written estates, shaped as Resource Graph returns them, with their bills."""

from __future__ import annotations

from typing import Any

from local.estates.demo_kit import SubscriptionBuilder, child_id, guid, ref

NET = "Microsoft.Network"
PUBLIC_IP = ("Virtual Network", "IP Addresses", "Standard IPv4 Static Public IP")
PRIVATE_ENDPOINT = ("Virtual Network", "Private Link", "Standard Private Endpoint")
PEERING = ("Virtual Network", "Peering", "Intra-Region Ingress")


def vnet(
    sb: SubscriptionBuilder, rg: str, name: str, prefix: str, subnets: dict[str, str], *,
    ddos_plan: str | None = None, nat_by_subnet: dict[str, str] | None = None, tags: dict[str, str] | None = None,
) -> dict[str, str]:
    """A virtual network; returns {subnet name: subnet id} plus "id" for the network itself."""
    vnet_id = sb.rid(rg, f"{NET}/virtualNetworks", name)
    ids = {"id": vnet_id}
    subnet_rows = []
    for subnet_name, subnet_prefix in subnets.items():
        subnet_id = child_id(vnet_id, "subnets", subnet_name)
        ids[subnet_name] = subnet_id
        props: dict[str, Any] = {"addressPrefix": subnet_prefix, "provisioningState": "Succeeded",
                                 "privateEndpointNetworkPolicies": "Disabled"}
        if nat_by_subnet and subnet_name in nat_by_subnet:
            props["natGateway"] = ref(nat_by_subnet[subnet_name])
        subnet_rows.append({"id": subnet_id, "name": subnet_name, "properties": props})
    props = {"addressSpace": {"addressPrefixes": [prefix]}, "subnets": subnet_rows, "provisioningState": "Succeeded",
             "enableDdosProtection": ddos_plan is not None, "resourceGuid": guid(vnet_id)}
    if ddos_plan:
        props["ddosProtectionPlan"] = ref(ddos_plan)
    sb.add(rg, f"{NET}/virtualNetworks", name, properties=props, tags=tags)
    return ids


def nsg(sb: SubscriptionBuilder, rg: str, name: str, tags: dict[str, str] | None = None) -> str:
    """A network security group with Azure's default rules only (no cost)."""
    return sb.add(rg, f"{NET}/networkSecurityGroups", name, tags=tags,
                  properties={"securityRules": [], "provisioningState": "Succeeded", "resourceGuid": guid(rg, name)})


def public_ip(
    sb: SubscriptionBuilder, rg: str, name: str, address: str, *, attached_to: str | None = None,
    nat_gateway: str | None = None, bill_days: tuple[int, int] = (90, 1), tags: dict[str, str] | None = None,
) -> str:
    """A Standard static public IP; attached_to is an ip configuration id; billed by the hour either way."""
    props: dict[str, Any] = {"publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4",
                             "ipAddress": address, "idleTimeoutInMinutes": 4, "provisioningState": "Succeeded",
                             "ipTags": [], "resourceGuid": guid(rg, name)}
    if attached_to:
        props["ipConfiguration"] = ref(attached_to)
    if nat_gateway:
        props["natGateway"] = ref(nat_gateway)
    pip_id = sb.add(rg, f"{NET}/publicIPAddresses", name, sku={"name": "Standard", "tier": "Regional"},
                    properties=props, zones=["1", "2", "3"], tags=tags)
    sb.bill(pip_id, PUBLIC_IP, 0.1183, days=bill_days)
    return pip_id


def nic(
    sb: SubscriptionBuilder, rg: str, name: str, subnet_id: str, private_ip: str, *, vm_id: str | None = None,
    public_ip_id: str | None = None, private_endpoint_id: str | None = None, tags: dict[str, str] | None = None,
) -> tuple[str, str]:
    """A network interface; returns (nic id, its ipconfig1 id). NICs are not billed."""
    nic_id = sb.rid(rg, f"{NET}/networkInterfaces", name)
    config_id = child_id(nic_id, "ipConfigurations", "ipconfig1")
    config_props: dict[str, Any] = {"privateIPAddress": private_ip, "privateIPAllocationMethod": "Dynamic",
                                    "privateIPAddressVersion": "IPv4", "subnet": ref(subnet_id), "primary": True,
                                    "provisioningState": "Succeeded"}
    if public_ip_id:
        config_props["publicIPAddress"] = ref(public_ip_id)
    props: dict[str, Any] = {
        "ipConfigurations": [{"id": config_id, "name": "ipconfig1", "properties": config_props}],
        "enableAcceleratedNetworking": private_endpoint_id is None, "enableIPForwarding": False,
        "nicType": "Standard", "provisioningState": "Succeeded", "resourceGuid": guid(nic_id),
    }
    if vm_id:
        props["virtualMachine"] = ref(vm_id)
        props["primary"] = True
    if private_endpoint_id:
        props["privateEndpoint"] = ref(private_endpoint_id)
    sb.add(rg, f"{NET}/networkInterfaces", name, properties=props, tags=tags)
    return nic_id, config_id


def load_balancer(
    sb: SubscriptionBuilder, rg: str, name: str, subnet_id: str, backends: list[str], *, daily: float = 0.5904,
    tags: dict[str, str] | None = None, bill_days: tuple[int, int] = (90, 1),
) -> str:
    """A Standard internal load balancer; backends are ip configuration ids (empty list = no backend pool)."""
    lb_id = sb.rid(rg, f"{NET}/loadBalancers", name)
    frontend = child_id(lb_id, "frontendIPConfigurations", "frontend")
    pools = []
    rules = []
    if backends:
        pool_id = child_id(lb_id, "backendAddressPools", "backend")
        pools.append({"id": pool_id, "name": "backend", "properties": {
            "backendIPConfigurations": [ref(b) for b in backends], "loadBalancerBackendAddresses": []}})
        rules.append({"id": child_id(lb_id, "loadBalancingRules", "https"), "name": "https", "properties": {
            "frontendIPConfiguration": ref(frontend), "backendAddressPool": ref(pool_id), "protocol": "Tcp",
            "frontendPort": 443, "backendPort": 443}})
    props = {"frontendIPConfigurations": [{"id": frontend, "name": "frontend", "properties": {
                 "privateIPAllocationMethod": "Dynamic", "subnet": ref(subnet_id)}}],
             "backendAddressPools": pools, "loadBalancingRules": rules, "probes": [], "inboundNatRules": [],
             "outboundRules": [], "provisioningState": "Succeeded", "resourceGuid": guid(lb_id)}
    sb.add(rg, f"{NET}/loadBalancers", name, sku={"name": "Standard", "tier": "Regional"}, properties=props, tags=tags)
    sb.bill(lb_id, ("Load Balancer", "Standard", "Standard Included LB Rules and Outbound Rules"), daily,
            days=bill_days)
    return lb_id


def app_gateway(
    sb: SubscriptionBuilder, rg: str, name: str, subnet_id: str, pip_name: str, address: str,
    backend_fqdns: list[str], *, tier: str = "WAF_v2", tags: dict[str, str] | None = None,
) -> str:
    """An application gateway v2 (with its public IP); an empty fqdn list leaves the one pool empty."""
    agw_id = sb.rid(rg, f"{NET}/applicationGateways", name)
    frontend = child_id(agw_id, "frontendIPConfigurations", "appGwPublicFrontendIp")
    pip_id = public_ip(sb, rg, pip_name, address, attached_to=frontend, tags=tags)
    pool = {"id": child_id(agw_id, "backendAddressPools", "pool-web"), "name": "pool-web",
            "properties": {"backendAddresses": [{"fqdn": f} for f in backend_fqdns], "provisioningState": "Succeeded"}}
    props = {"sku": {"name": tier, "tier": tier}, "autoscaleConfiguration": {"minCapacity": 1, "maxCapacity": 4},
             "operationalState": "Running", "provisioningState": "Succeeded", "resourceGuid": guid(agw_id),
             "gatewayIPConfigurations": [{"id": child_id(agw_id, "gatewayIPConfigurations", "appGatewayIpConfig"),
                                          "name": "appGatewayIpConfig", "properties": {"subnet": ref(subnet_id)}}],
             "frontendIPConfigurations": [{"id": frontend, "name": "appGwPublicFrontendIp",
                                           "properties": {"publicIPAddress": ref(pip_id)}}],
             "backendAddressPools": [pool], "httpListeners": [], "requestRoutingRules": []}
    sb.add(rg, f"{NET}/applicationGateways", name, properties=props, tags=tags, zones=["1", "2", "3"])
    fixed = 7.9152 if tier.startswith("WAF") else 4.3243
    sb.bill(agw_id, ("Application Gateway", tier.replace("_", " "), "Standard Fixed Cost"), fixed)
    sb.bill(agw_id, ("Application Gateway", tier.replace("_", " "), "Standard Capacity Units"), 1.4112,
            weekend_factor=0.6)
    return agw_id


def vpn_gateway(
    sb: SubscriptionBuilder, rg: str, name: str, subnet_id: str, pip_name: str, address: str,
    *, tags: dict[str, str] | None = None,
) -> str:
    """A route-based VpnGw1 virtual network gateway and its public IP (no point-to-site configuration)."""
    gw_id = sb.rid(rg, f"{NET}/virtualNetworkGateways", name)
    config = child_id(gw_id, "ipConfigurations", "default")
    pip_id = public_ip(sb, rg, pip_name, address, attached_to=config, tags=tags)
    props = {"gatewayType": "Vpn", "vpnType": "RouteBased", "vpnGatewayGeneration": "Generation1",
             "sku": {"name": "VpnGw1", "tier": "VpnGw1", "capacity": 2}, "activeActive": False, "enableBgp": False,
             "ipConfigurations": [{"id": config, "name": "default", "properties": {
                 "privateIPAllocationMethod": "Dynamic", "subnet": ref(subnet_id), "publicIPAddress": ref(pip_id)}}],
             "provisioningState": "Succeeded", "resourceGuid": guid(gw_id)}
    sb.add(rg, f"{NET}/virtualNetworkGateways", name, properties=props, tags=tags)
    sb.bill(gw_id, ("VPN Gateway", "VPN Gateway", "VpnGw1"), 3.3725)
    return gw_id


def site_to_site(
    sb: SubscriptionBuilder, rg: str, name: str, gateway_id: str, site: str, site_address: str, site_prefix: str,
) -> str:
    """A local network gateway for an office and the IPsec connection from the VNet gateway to it."""
    local_id = sb.add(rg, f"{NET}/localNetworkGateways", f"lgw-{site}", properties={
        "gatewayIpAddress": site_address, "localNetworkAddressSpace": {"addressPrefixes": [site_prefix]},
        "provisioningState": "Succeeded"})
    return sb.add(rg, f"{NET}/connections", name, properties={
        "connectionType": "IPsec", "connectionProtocol": "IKEv2", "routingWeight": 0, "enableBgp": False,
        "virtualNetworkGateway1": ref(gateway_id), "localNetworkGateway2": ref(local_id),
        "connectionStatus": "Connected", "provisioningState": "Succeeded"})


def nat_gateway(
    sb: SubscriptionBuilder, rg: str, name: str, subnets: list[str], public_ips: list[str],
    *, tags: dict[str, str] | None = None, bill_days: tuple[int, int] = (90, 1),
) -> str:
    """A Standard NAT gateway; no "subnets" key at all when it serves none (as Resource Graph shows it)."""
    props: dict[str, Any] = {"idleTimeoutInMinutes": 4, "provisioningState": "Succeeded",
                             "publicIpAddresses": [ref(p) for p in public_ips]}
    if subnets:
        props["subnets"] = [ref(s) for s in subnets]
    nat_id = sb.add(rg, f"{NET}/natGateways", name, sku={"name": "Standard"}, properties=props, tags=tags)
    sb.bill(nat_id, ("NAT Gateway", "NAT Gateway", "Standard Gateway"), 0.8966, days=bill_days)
    return nat_id


def private_endpoint(
    sb: SubscriptionBuilder, rg: str, name: str, subnet_id: str, target_id: str, group: str, private_ip: str,
    *, status: str = "Approved", tags: dict[str, str] | None = None,
) -> str:
    """A private endpoint with its managed NIC; status Disconnected once the target is gone."""
    pe_id = sb.rid(rg, f"{NET}/privateEndpoints", name)
    nic_id, _ = nic(sb, rg, f"{name}.nic.{guid(pe_id)}", subnet_id, private_ip, private_endpoint_id=pe_id)
    state = {"status": status, "actionsRequired": "None",
             "description": "Auto-Approved" if status == "Approved" else "Private link resource was deleted"}
    props = {"subnet": ref(subnet_id), "networkInterfaces": [ref(nic_id)], "customDnsConfigs": [],
             "manualPrivateLinkServiceConnections": [], "provisioningState": "Succeeded",
             "privateLinkServiceConnections": [{"id": child_id(pe_id, "privateLinkServiceConnections", name),
                                                "name": name, "properties": {
                                                    "privateLinkServiceId": target_id, "groupIds": [group],
                                                    "privateLinkServiceConnectionState": state}}]}
    sb.add(rg, f"{NET}/privateEndpoints", name, properties=props, tags=tags)
    sb.bill(pe_id, PRIVATE_ENDPOINT, 0.2367)
    return pe_id


def private_dns_zone(sb: SubscriptionBuilder, rg: str, zone: str, linked_vnets: list[str]) -> str:
    """A private DNS zone (location global) and one virtualNetworkLinks child row per linked VNet."""
    zone_id = sb.add(rg, f"{NET}/privateDnsZones", zone, location="global", properties={
        "numberOfVirtualNetworkLinks": len(linked_vnets), "numberOfVirtualNetworkLinksWithRegistration": 0,
        "numberOfRecordSets": 1 + len(linked_vnets), "maxNumberOfRecordSets": 25000,
        "maxNumberOfVirtualNetworkLinks": 1000, "provisioningState": "Succeeded"})
    for vnet_id in linked_vnets:
        link = f"link-{vnet_id.rsplit('/', 1)[-1]}"
        sb.add(rg, f"{NET}/privateDnsZones/virtualNetworkLinks", f"{zone}/{link}", location="global", properties={
            "virtualNetwork": ref(vnet_id), "registrationEnabled": False,
            "virtualNetworkLinkState": "Completed", "provisioningState": "Succeeded"})
    sb.bill(zone_id, ("Azure DNS", "Private Zones", "Private Zone"), 0.0128, location="global")
    return zone_id


def ddos_plan(
    sb: SubscriptionBuilder, rg: str, name: str, vnet_ids: list[str], *, bill_days: tuple[int, int] = (90, 1),
    tags: dict[str, str] | None = None,
) -> str:
    """A DDoS Network Protection plan (about £2,270 a month); no virtualNetworks key when it protects none."""
    props: dict[str, Any] = {"provisioningState": "Succeeded", "resourceGuid": guid(rg, name)}
    if vnet_ids:
        props["virtualNetworks"] = [ref(v) for v in vnet_ids]
    plan_id = sb.add(rg, f"{NET}/ddosProtectionPlans", name, properties=props, tags=tags)
    sb.bill(plan_id, ("Azure DDOS Protection", "Network Protection", "Network Protection Plan"), 74.5727,
            days=bill_days)
    return plan_id
