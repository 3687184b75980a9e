"""Platform resources for hand-written estates: App Service, SQL, storage, monitoring, vaults, AKS."""

from __future__ import annotations

from typing import Any

from local.estates.demo_kit import SubscriptionBuilder, days_ago, guid

PLAN_SKUS = {  # sku name -> (tier, family, GBP per day)
    "F1": ("Free", "F", 0.0), "B1": ("Basic", "B", 0.3945), "P1v2": ("PremiumV2", "Pv2", 2.3342),
    "P1v3": ("PremiumV3", "Pv3", 3.4159),
}


def app_service_plan(
    sb: SubscriptionBuilder, rg: str, name: str, sku: str, sites: list[str], *, tags: dict[str, str] | None = None,
) -> str:
    """A Linux App Service plan with its web apps (sites are billed through the plan, not themselves)."""
    tier, family, daily = PLAN_SKUS[sku]
    plan_id = sb.add(rg, "Microsoft.Web/serverfarms", name, kind="linux", tags=tags,
                     sku={"name": sku, "tier": tier, "size": sku, "family": family, "capacity": 1},
                     properties={"numberOfSites": len(sites), "status": "Ready", "reserved": True,
                                 "maximumNumberOfWorkers": 30 if tier != "Free" else 1, "currentNumberOfWorkers": 1,
                                 "provisioningState": "Succeeded", "zoneRedundant": False})
    for site in sites:
        sb.add(rg, "Microsoft.Web/sites", site, kind="app,linux", tags=tags, properties={
            "serverFarmId": plan_id, "state": "Running", "enabled": True, "httpsOnly": True,
            "defaultHostName": f"{site}.azurewebsites.net", "siteConfig": {"linuxFxVersion": "PYTHON|3.11"}})
    if daily:
        meter_name = " ".join(part for part in (sku[:2], sku[2:], "App") if part)
        meter = ("Azure App Service", f"{tier.replace('V', ' v')} Plan", meter_name)
        sb.bill(plan_id, meter, daily)
    return plan_id


def sql_server(sb: SubscriptionBuilder, rg: str, name: str, *, tags: dict[str, str] | None = None) -> str:
    """An Azure SQL logical server and its master database (neither is billed)."""
    server_id = sb.add(rg, "Microsoft.Sql/servers", name, kind="v12.0", tags=tags, properties={
        "administratorLogin": "pfsqladmin", "version": "12.0", "state": "Ready", "minimalTlsVersion": "1.2",
        "fullyQualifiedDomainName": f"{name}.database.windows.net", "publicNetworkAccess": "Disabled"})
    sb.add(rg, "Microsoft.Sql/servers/databases", f"{name}/master", kind="v12.0,system", tags=tags,
           sku={"name": "System", "tier": "System", "capacity": 0},
           properties={"status": "Online", "collation": "SQL_Latin1_General_CP1_CI_AS",
                       "currentServiceObjectiveName": "System0", "databaseId": guid(server_id, "master")})
    return server_id


def elastic_pool(
    sb: SubscriptionBuilder, rg: str, server: str, name: str, edtu: int, *, tags: dict[str, str] | None = None,
) -> str:
    """A Standard DTU elastic pool (billed whether or not it holds databases)."""
    pool_id = sb.add(rg, "Microsoft.Sql/servers/elasticPools", f"{server}/{name}", kind="pool", tags=tags,
                     sku={"name": "StandardPool", "tier": "Standard", "capacity": edtu},
                     properties={"state": "Ready", "maxSizeBytes": edtu * 1024**3, "zoneRedundant": False,
                                 "perDatabaseSettings": {"minCapacity": 0, "maxCapacity": min(edtu, 100)},
                                 "licenseType": None, "creationDate": days_ago(500)})
    sb.bill(pool_id, ("SQL Database", "Standard - Elastic Pool", f"{edtu} eDTUs"), edtu * 0.0532)
    return pool_id


def sql_database(
    sb: SubscriptionBuilder, rg: str, server: str, name: str, *, pool_id: str | None = None,
    objective: str = "S2", tags: dict[str, str] | None = None,
) -> str:
    """A database, either in an elastic pool (properties.elasticPoolId; billed via the pool) or single."""
    props: dict[str, Any] = {"status": "Online", "collation": "SQL_Latin1_General_CP1_CI_AS",
                             "maxSizeBytes": 250 * 1024**3, "zoneRedundant": False, "readScale": "Disabled",
                             "creationDate": days_ago(480), "requestedBackupStorageRedundancy": "Geo"}
    if pool_id:
        sku = {"name": "ElasticPool", "tier": "Standard", "capacity": 0}
        props.update(elasticPoolId=pool_id, currentServiceObjectiveName="ElasticPool")
    else:
        sku = {"name": "Standard", "tier": "Standard", "capacity": {"S1": 20, "S2": 50, "S3": 100}[objective]}
        props["currentServiceObjectiveName"] = objective
    db_id = sb.add(rg, "Microsoft.Sql/servers/databases", f"{server}/{name}", kind="v12.0,user", sku=sku,
                   properties=props, tags=tags)
    if not pool_id:
        daily = {"S1": 0.6516, "S2": 1.6290, "S3": 3.2580}[objective]
        sb.bill(db_id, ("SQL Database", "Single Standard", f"{objective} DTUs"), daily)
    return db_id


def storage_account(
    sb: SubscriptionBuilder, rg: str, name: str, kind: str, daily: float, *, lifecycle: bool,
    tags: dict[str, str] | None = None, hns: bool = False, spikes: list[tuple[int, float]] | None = None,
) -> str:
    """A storage account; its lifecycle policy is what ARM's GET .../managementPolicies/default answers (never a
    Resource Graph row: `resources` has no such type), so `lifecycle` writes it to the estate's management_policies."""
    props: dict[str, Any] = {
        "provisioningState": "Succeeded", "creationTime": days_ago(700), "supportsHttpsTrafficOnly": True,
        "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False, "isHnsEnabled": hns,
        "primaryLocation": sb.resource_groups[rg]["location"], "statusOfPrimary": "available",
        "primaryEndpoints": {"blob": f"https://{name}.blob.core.windows.net/"},
        "encryption": {"keySource": "Microsoft.Storage", "services": {"blob": {"enabled": True}}},
    }
    if kind != "Storage":
        props["accessTier"] = "Hot"
    account_id = sb.add(rg, "Microsoft.Storage/storageAccounts", name, kind=kind, tags=tags,
                        sku={"name": "Standard_LRS", "tier": "Standard"}, properties=props)
    if lifecycle:
        rule = {"enabled": True, "name": "cool-then-delete", "type": "Lifecycle", "definition": {
            "filters": {"blobTypes": ["blockBlob"]},
            "actions": {"baseBlob": {"tierToCool": {"daysAfterModificationGreaterThan": 30},
                                     "delete": {"daysAfterModificationGreaterThan": 365}}}}}
        sb.extra.setdefault("management_policies", {})[account_id] = {"policy": {"rules": [rule]},
                                                                      "lastModifiedTime": days_ago(200)}
    subcategory = {"StorageV2": "General Block Blob v2", "BlobStorage": "Blob Storage",
                   "Storage": "General Block Blob"}[kind]
    sb.bill(account_id, ("Storage", subcategory, "Hot LRS Data Stored"), daily)
    sb.bill(account_id, ("Storage", subcategory, "Hot Write Operations"), round(daily * 0.08, 4), weekend_factor=0.4)
    sb.bill(account_id, ("Bandwidth", "Rtn Preference: MGN", "Standard Data Transfer Out"), round(daily * 0.05, 4),
            spikes=spikes)
    return account_id


def log_workspace(sb: SubscriptionBuilder, rg: str, name: str, daily: float, growth: float) -> str:
    """A Log Analytics workspace on PerGB2018 whose ingestion grows by `growth` a day (compound)."""
    ws_id = sb.add(rg, "Microsoft.OperationalInsights/workspaces", name, properties={
        "sku": {"name": "PerGB2018"}, "retentionInDays": 90, "customerId": guid(rg, name),
        "workspaceCapping": {"dailyQuotaGb": -1.0}, "provisioningState": "Succeeded"})
    sb.bill(ws_id, ("Log Analytics", "Log Analytics", "Analytics Logs Data Ingestion"), daily, growth=growth)
    return ws_id


def simple(
    sb: SubscriptionBuilder, rg: str, arm_type: str, name: str, meter: tuple[str, str, str] | None, daily: float,
    *, kind: str = "", sku: dict[str, Any] | None = None, props: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None, weekend_factor: float = 1.0,
) -> str:
    """Any other resource with one meter (key vault, data factory, app insights, vaults...)."""
    resource_id = sb.add(rg, arm_type, name, kind=kind, sku=sku, tags=tags,
                         properties={"provisioningState": "Succeeded", **(props or {})})
    if meter:
        sb.bill(resource_id, meter, daily, weekend_factor=weekend_factor)
    return resource_id


def aks_cluster(
    sb: SubscriptionBuilder, rg: str, name: str, node_rg: str, pools: list[tuple[str, str, int]],
    *, tags: dict[str, str] | None = None,
) -> str:
    """A managed cluster on the Standard tier (uptime SLA billed); nodes live in node_rg as scale sets."""
    profiles = [{"name": pool, "count": count, "vmSize": size, "osType": "Linux", "osDiskSizeGB": 128,
                 "mode": "System" if pool == "system" else "User", "enableAutoScaling": True,
                 "minCount": 1, "maxCount": count + 2, "type": "VirtualMachineScaleSets",
                 "powerState": {"code": "Running"}} for pool, size, count in pools]
    cluster_id = sb.add(rg, "Microsoft.ContainerService/managedClusters", name, tags=tags,
                        sku={"name": "Base", "tier": "Standard"},
                        identity={"type": "SystemAssigned", "principalId": guid(name, "identity"),
                                  "tenantId": sb.tenant_id},
                        properties={"kubernetesVersion": "1.31.2", "dnsPrefix": name, "nodeResourceGroup": node_rg,
                                    "fqdn": f"{name}-dns.hcp.uksouth.azmk8s.io", "agentPoolProfiles": profiles,
                                    "powerState": {"code": "Running"}, "provisioningState": "Succeeded",
                                    "networkProfile": {"networkPlugin": "azure", "loadBalancerSku": "standard"}})
    sb.bill(cluster_id, ("Azure Kubernetes Service", "Standard", "Standard Uptime SLA"), 1.7539)
    return cluster_id
