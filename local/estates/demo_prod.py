"""The demo's EA production subscription: a healthy core plus the waste a real estate accumulates."""

from __future__ import annotations

from local.estates import demo_network as net
from local.estates.demo_advisor import RightSize, commitments, right_size
from local.estates.demo_backup import backups_and_dr, tags
from local.estates.demo_compute import VmSpec, disk, scale_set, sql_vm, vm
from local.estates.demo_config import production_config
from local.estates.demo_kit import SubscriptionBuilder, guid
from local.estates.demo_platform import (
    aks_cluster,
    app_service_plan,
    elastic_pool,
    log_workspace,
    simple,
    sql_database,
    sql_server,
    storage_account,
)


def build_prod(tenant_id: str) -> SubscriptionBuilder:
    """Pennine Freight Production (EnterpriseAgreement)."""
    sb = SubscriptionBuilder(tenant_id, guid("subscription", "pennine-prod"), "Pennine Freight Production",
                             "EnterpriseAgreement_2014-09-01")
    subnets = network(sb)
    web(sb, subnets)
    tms(sb, subnets)
    erp(sb, subnets)
    data_and_aks(sb, subnets)
    backups_and_dr(sb)
    commitment_offers(sb)
    production_config(sb)
    return sb


def network(sb: SubscriptionBuilder) -> dict[str, str]:
    """Hub and spoke in uksouth: a connected VPN gateway, a working NAT gateway, DDoS, private DNS."""
    rg = sb.rg("rg-network-prod", tags=tags("network"))
    t = tags("network")
    ddos_id = sb.rid(rg, "Microsoft.Network/ddosProtectionPlans", "ddos-pennine-prod")
    nat_id = sb.rid(rg, "Microsoft.Network/natGateways", "nat-spoke-tms-uksouth")
    hub = net.vnet(sb, rg, "vnet-hub-uksouth", "10.10.0.0/22", {"GatewaySubnet": "10.10.0.0/27",
                   "snet-shared": "10.10.1.0/24"}, ddos_plan=ddos_id, tags=t)
    spoke = net.vnet(sb, rg, "vnet-spoke-tms-uksouth", "10.20.0.0/20", {
        "snet-app": "10.20.0.0/24", "snet-data": "10.20.1.0/24", "snet-pe": "10.20.2.0/24", "snet-agw": "10.20.3.0/24",
        "snet-aks": "10.20.8.0/21"}, ddos_plan=ddos_id, nat_by_subnet={"snet-app": nat_id}, tags=t)
    net.ddos_plan(sb, rg, "ddos-pennine-prod", [hub["id"], spoke["id"]], tags=t)
    sb.bill(hub["id"], net.PEERING, 0.1342)
    nat_pip = net.public_ip(sb, rg, "pip-nat-spoke-tms", "51.140.44.17", nat_gateway=nat_id, tags=t)
    net.nat_gateway(sb, rg, "nat-spoke-tms-uksouth", [spoke["snet-app"]], [nat_pip], tags=t)
    sb.expect("NET-1", nat_pip, "not_flagged", None, "public IP attached to a NAT gateway (properties.natGateway)")
    gw = net.vpn_gateway(sb, rg, "vgw-hub-uksouth", hub["GatewaySubnet"], "pip-vgw-hub-uksouth", "51.140.44.9", tags=t)
    net.site_to_site(sb, rg, "cn-hub-to-leeds-dc", gw, "leeds-dc", "81.134.20.5", "192.168.0.0/16")
    sb.expect("NET-8", gw, "not_flagged", None, "VNet gateway with a connection to the Leeds data centre")
    net.nsg(sb, rg, "nsg-snet-app", tags=t)
    net.nsg(sb, rg, "nsg-snet-data", tags=t)
    net.private_dns_zone(sb, rg, "privatelink.database.windows.net", [hub["id"], spoke["id"]])
    net.private_dns_zone(sb, rg, "privatelink.blob.core.windows.net", [spoke["id"]])
    return {**{f"hub/{k}": v for k, v in hub.items()}, **spoke}


def web(sb: SubscriptionBuilder, subnets: dict[str, str]) -> None:
    """Customer portal and APIs on App Service behind a WAF application gateway."""
    rg = sb.rg("rg-web-prod", tags=tags("portal"))
    t = tags("portal")
    sites = ["app-pennine-portal", "app-pennine-tracking-api", "app-pennine-booking"]
    app_service_plan(sb, rg, "asp-web-prod", "P1v3", sites, tags=t)
    net.app_gateway(sb, rg, "agw-web-prod", subnets["snet-agw"], "pip-agw-web-prod", "51.140.44.30",
                    [f"{s}.azurewebsites.net" for s in sites], tags=t)
    simple(sb, rg, "Microsoft.Insights/components", "appi-web-prod", ("Application Insights", "", "Data Ingestion"),
           0.9120, kind="web", props={"Application_Type": "web", "IngestionMode": "LogAnalytics"}, tags=t)
    simple(sb, rg, "Microsoft.Cache/Redis", "redis-pennine-tracking", ("Redis Cache", "Standard", "C1 Cache Instance"),
           3.1060, props={"sku": {"name": "Standard", "family": "C", "capacity": 1}, "redisVersion": "6.0",
                          "enableNonSslPort": False, "minimumTlsVersion": "1.2"}, tags=t)
    simple(sb, rg, "Microsoft.ContainerRegistry/registries", "acrpenninefreight",
           ("Container Registry", "Standard", "Standard Registry Unit"), 0.5260,
           sku={"name": "Standard", "tier": "Standard"},
           props={"loginServer": "acrpenninefreight.azurecr.io", "adminUserEnabled": False}, tags=t)
    simple(sb, rg, "Microsoft.ManagedIdentity/userAssignedIdentities", "id-pennine-web-prod", None, 0.0,
           props={"principalId": guid(rg, "id-pennine-web-prod"), "clientId": guid(rg, "id-web", "client"),
                  "tenantId": sb.tenant_id}, tags=t)
    simple(sb, rg, "Microsoft.KeyVault/vaults", "kv-pennine-web-prod", ("Key Vault", "Standard", "Operations"),
           0.0213, props={"sku": {"family": "A", "name": "standard"}, "tenantId": sb.tenant_id,
                          "enableSoftDelete": True, "enableRbacAuthorization": True}, tags=t)


def tms(sb: SubscriptionBuilder, subnets: dict[str, str]) -> None:
    """The transport management system: three app VMs behind an internal LB and pooled SQL databases."""
    rg = sb.rg("rg-tms-prod", tags=tags("tms"))
    t = tags("tms")
    configs = []
    for n, size in ((1, "Standard_D4s_v5"), (2, "Standard_D4s_v5"), (3, "Standard_D8s_v5")):
        ids = vm(sb, rg, VmSpec(f"vm-tms-app-0{n}", size, subnets["snet-app"], f"10.20.0.{10 + n}",
                                data_disks=[(512, "Premium_LRS")], tags=t))
        configs.append(ids.ip_config)
    # Advisor: one right-size quoted in USD (shown apart), one suppressed by the customer, one plain.
    app = [sb.rid(rg, "Microsoft.Compute/virtualMachines", f"vm-tms-app-0{n}") for n in (1, 2, 3)]
    right_size(sb, app[0], RightSize("Standard_D4s_v5", "Standard_D2s_v5", 78.47, "4.1", currency="USD"))
    sb.expect("VM-4", app[0], "flagged", "advisor",
              "Advisor right-size quoted in USD: listed apart, not added to GBP totals")
    right_size(sb, app[1], RightSize("Standard_D4s_v5", "Standard_D2s_v5", 63.12, "3.8", suppressed=True))
    sb.expect("VM-4", app[1], "not_flagged", None, "Advisor recommendation suppressed (suppressionIds set)")
    right_size(sb, app[2], RightSize("Standard_D8s_v5", "Standard_D4s_v5", 126.24, "11.6"))
    sb.expect("VM-4", app[2], "flagged", "advisor", "Advisor right-size D8s_v5 -> D4s_v5 in GBP")
    net.load_balancer(sb, rg, "lb-tms-prod", subnets["snet-app"], configs, tags=t)
    server = "sql-pennine-tms-prod"
    server_id = sql_server(sb, rg, server, tags=t)
    pool = elastic_pool(sb, rg, server, "sqlpool-tms-prod", 100, tags=t)
    for db in ("sqldb-tms-orders", "sqldb-tms-routes", "sqldb-tms-fleet"):
        sql_database(sb, rg, server, db, pool_id=pool, tags=t)
    sb.expect("DB-2", pool, "not_flagged", None, "elastic pool holding three databases")
    net.private_endpoint(sb, rg, "pe-sql-tms-prod", subnets["snet-pe"], server_id, "sqlServer", "10.20.2.4", tags=t)


def erp(sb: SubscriptionBuilder, subnets: dict[str, str]) -> None:
    """Windows ERP estate: licensing done right and wrong, SQL Server on VMs, a Windows RDS scale set."""
    rg = sb.rg("rg-erp-prod", tags=tags("erp"))
    t = tags("erp")
    good = vm(sb, rg, VmSpec("vm-erp-app-01", "Standard_D4s_v5", subnets["snet-app"], "10.20.0.21", image="windows",
                             license_type="Windows_Server", tags=t))
    sb.expect("LIC-1", good.vm, "not_flagged", None, "Windows VM with licenseType Windows_Server (Hybrid Benefit)")
    bad = vm(sb, rg, VmSpec("vm-erp-app-02", "Standard_D4s_v5", subnets["snet-app"], "10.20.0.22", image="windows",
                            tags=t))
    sb.expect("LIC-1", bad.vm, "flagged", "estimate", "Windows VM without Hybrid Benefit in an EA subscription")
    sql1 = vm(sb, rg, VmSpec("vm-erp-sql-01", "Standard_E4s_v5", subnets["snet-data"], "10.20.1.11",
                             image="sql-enterprise", license_type="Windows_Server",
                             data_disks=[(1024, "Premium_LRS"), (512, "Premium_LRS")], tags=t))
    payg = sql_vm(sb, rg, sql1.vm, "vm-erp-sql-01", "PAYG", "sql-enterprise", 4)
    sb.expect("LIC-2", payg, "flagged", "actual_cost", "SQL Server Enterprise on a VM, pay-as-you-go licence")
    sql2 = vm(sb, rg, VmSpec("vm-erp-sql-02", "Standard_E4s_v5", subnets["snet-data"], "10.20.1.12",
                             image="sql-standard", license_type="Windows_Server", tags=t))
    ahub = sql_vm(sb, rg, sql2.vm, "vm-erp-sql-02", "AHUB", "sql-standard", 4)
    sb.expect("LIC-2", ahub, "not_flagged", None, "SQL VM already on AHUB")
    dev = vm(sb, rg, VmSpec("vm-erp-rpt-01", "Standard_D2s_v5", subnets["snet-data"], "10.20.1.13",
                            image="sql-developer", license_type="Windows_Server", tags=t))
    developer = sql_vm(sb, rg, dev.vm, "vm-erp-rpt-01", "PAYG", "sql-developer", 2)
    sb.expect("LIC-2", developer, "not_flagged", None, "SQL Server Developer edition carries no licence cost")
    rds = sb.rg("rg-rds-prod", tags=tags("rds"))
    vmss = scale_set(sb, rds, "vmss-rdsh-prod", "Standard_D4s_v5", 3, subnets["snet-app"], image="windows",
                     tags=tags("rds"))
    sb.expect("LIC-1", vmss, "flagged", "estimate", "Windows scale set without Hybrid Benefit (3 instances)")


def data_and_aks(sb: SubscriptionBuilder, subnets: dict[str, str]) -> None:
    """Storage (one spiking), a growing Log Analytics bill and an AKS cluster with its node resource group."""
    rg = sb.rg("rg-data-prod", tags=tags("data"))
    t = tags("data")
    lake = storage_account(sb, rg, "stpenninedatalake", "StorageV2", 6.1840, lifecycle=False, hns=True, tags=t,
                           spikes=[(12, 642.50)])
    sb.expect("STO-1", lake, "flagged", "estimate",
              "StorageV2 account without a lifecycle policy (ARM GET answers 404 ManagementPolicyNotFound)")
    sb.expect("COST-2", lake, "flagged", "actual_cost", "one-off egress spike of £642.50 twelve days ago")
    net.private_endpoint(sb, rg, "pe-stpenninedatalake-blob", subnets["snet-pe"], lake, "blob", "10.20.2.5", tags=t)
    docs = storage_account(sb, rg, "stpenninedocs", "StorageV2", 2.3110, lifecycle=True, tags=t)
    sb.expect("STO-1", docs, "not_flagged", None, "lifecycle policy with an enabled rule (ARM GET 200)")
    archive = storage_account(sb, rg, "stpenninearchive", "BlobStorage", 3.0450, lifecycle=True, tags=t)
    sb.expect("STO-3", archive, "flagged", "actual_cost", "legacy BlobStorage kind (no saving claimed)")
    legacy = storage_account(sb, rg, "stpenninelegacy01", "Storage", 0.8812, lifecycle=False, tags=t)
    sb.expect("STO-3", legacy, "flagged", "actual_cost", "general-purpose v1, kind Storage (no saving claimed)")
    simple(sb, rg, "Microsoft.DataFactory/factories", "adf-pennine-prod",
           ("Azure Data Factory v2", "Cloud Orchestration", "Cloud Orchestration Activity Run"), 1.1840, tags=t,
           weekend_factor=0.3)
    mon = sb.rg("rg-monitoring-prod", tags=tags("monitoring"))
    ws = log_workspace(sb, mon, "log-pennine-prod", 38.40, 0.015)
    sb.expect("COST-1", ws, "flagged", "actual_cost", "ingestion grows 1.5% a day (about 3.8x over 90 days)")
    simple(sb, mon, "Microsoft.Automation/automationAccounts", "aa-pennine-prod", ("Automation", "", "Basic Runtime"),
           0.0520, props={"sku": {"name": "Basic"}}, tags=tags("monitoring"))
    aks_rg = sb.rg("rg-aks-prod", tags=tags("aks"))
    node_rg = sb.rg("MC_rg-aks-prod_aks-pennine-prod_uksouth")
    aks_cluster(sb, aks_rg, "aks-pennine-prod", node_rg, [("system", "Standard_D4s_v5", 3),
                                                          ("user", "Standard_D8s_v5", 2)], tags=tags("aks"))
    aks_tags = {"aks-managed-cluster-name": "aks-pennine-prod", "aks-managed-cluster-rg": "rg-aks-prod"}
    system = scale_set(sb, node_rg, "aks-system-12345678-vmss", "Standard_D4s_v5", 3, subnets["snet-aks"],
                       tags=aks_tags)
    user = scale_set(sb, node_rg, "aks-user-12345678-vmss", "Standard_D8s_v5", 2, subnets["snet-aks"], tags=aks_tags,
                     reserved=True)
    net.load_balancer(sb, node_rg, "kubernetes", subnets["snet-aks"],
                      [f"{system}/virtualMachines/0/networkInterfaces/aks-system/ipConfigurations/ipconfig1",
                       f"{user}/virtualMachines/0/networkInterfaces/aks-user/ipConfigurations/ipconfig1"],
                      tags=aks_tags)
    pvc_tags = {**aks_tags, "kubernetes.io-created-for-pv-name": "pvc-3f1c9a2e-1d1b-4c51-9b7e-5f0a1c2d3e4f",
                "kubernetes.io-created-for-pvc-name": "data-postgres-0",
                "kubernetes.io-created-for-pvc-namespace": "tracking"}
    pv = disk(sb, node_rg, "pvc-3f1c9a2e-1d1b-4c51-9b7e-5f0a1c2d3e4f", 256, "Premium_LRS", tags=pvc_tags)
    sb.expect("DSK-1", pv, "not_flagged", None, "AKS persistent-volume disk (kubernetes.io-created-for-pvc tag)")
    disk(sb, node_rg, "pvc-8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d", 128, "Premium_LRS",
                       managed_by=f"{user}/virtualMachines/0", state="Attached",
                       tags={**pvc_tags, "kubernetes.io-created-for-pvc-name": "redis-data-0"})


def commitment_offers(sb: SubscriptionBuilder) -> None:
    """Advisor's 1-year and 3-year reservation and savings-plan offers for the same D-series usage."""
    commitments(sb, vm_size="Standard_D4s_v5", quantity=5, monthly={"P1Y": 142.31, "P3Y": 267.18, "SP": 231.90})
    sb.expect("CMT-1", sb.scope, "flagged", "advisor",
              "1-year (£142.31) and 3-year (£267.18) VM reservations: alternatives, the best counts once")
    sb.expect("CMT-2", sb.scope, "flagged", "advisor",
              "3-year savings plan (£231.90): mutually exclusive with the reservations, never added to them")
