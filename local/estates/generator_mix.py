"""The resource mix of generated estates: lean Resource Graph rows, their cost lines and Advisor recs.

Rows carry the properties the cost rules read (and little else) so 100k resources stay small on disk and
in memory; the loader fills the columns left out (subscriptionId, resourceGroup, tenantId, ...).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from local.estates.demo_advisor import RIGHT_SIZE, UNATTACHED_DISK
from local.estates.demo_kit import HOSTILE_TAGS, days_ago
from local.estates.generator_config import lifecycle_policy, protected_item

SIZES = [("Standard_B2s", 0.95), ("Standard_D2s_v5", 2.07), ("Standard_D4s_v5", 4.15), ("Standard_D8s_v5", 8.29),
         ("Standard_E4s_v5", 5.44), ("Standard_F4s_v2", 3.86)]
DISKS = [("Premium_LRS", "P10", 128, 0.57), ("Premium_LRS", "P30", 1024, 3.91), ("StandardSSD_LRS", "E10", 128, 0.25),
         ("StandardSSD_LRS", "E30", 1024, 2.02), ("Standard_LRS", "S30", 1024, 1.10)]
EXCLUDED_DISK_TAGS = [{"ASR-ReplicaDisk": "source"}, {"kubernetes.io-created-for-pvc-name": "data-0"},
                      {"RSVaultBackup": "rsv-backup"}]


@dataclass
class Sub:
    """One generated subscription being filled."""

    sub_id: str
    rng: random.Random
    days: int
    resources: list[dict[str, Any]] = field(default_factory=list)
    costs: list[dict[str, Any]] = field(default_factory=list)
    advisor: list[dict[str, Any]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    nic_configs: list[str] = field(default_factory=list)
    disk_ids: list[str] = field(default_factory=list)
    counter: int = 0
    # Estate fields beyond `resources` (generator_config): lifecycle policies, protected items, the backup vault.
    # Their draws come from a generator of their own, so the rows and costs of a seed stay as they were.
    extra_rng: random.Random = field(default_factory=random.Random)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    backup_items: list[dict[str, Any]] = field(default_factory=list)
    vault_id: str = ""

    def rid(self, rg: str, arm_type: str, name: str) -> str:
        """The id of a resource (child types: "servers/databases" with name "srv/db")."""
        namespace, *types = arm_type.split("/")
        path = "/".join(f"{t}/{n}" for t, n in zip(types, name.split("/"), strict=True))
        return f"/subscriptions/{self.sub_id}/resourceGroups/{rg}/providers/{namespace}/{path}"

    def add(self, rg: str, arm_type: str, name: str, props: dict[str, Any], **extra: Any) -> str:
        """Append a lean row and return its id."""
        self.counter += 1
        rid = self.rid(rg, arm_type, name)
        row = {"id": rid, "name": name.rsplit("/", 1)[-1], "type": arm_type.lower(), "location": "uksouth",
               "tags": extra.pop("tags", None) or self.tags(rg), "properties": props, **extra}
        self.resources.append(row)
        return rid

    def tags(self, rg: str) -> dict[str, str]:
        """Usual tags, untagged for about one resource in eight."""
        if self.rng.random() < 0.125:
            return {}
        return {"env": rg.rsplit("-", 2)[-2], "app": rg.split("-")[1], "costCentre": f"CC-{len(rg) * 97 % 9000}"}

    def bill(self, rid: str, meter: tuple[str, str, str], daily: float, **extra: Any) -> None:
        """Append a compact cost line (lower-cased id, as Cost Management reports it)."""
        line = {"resource_id": rid.lower(), "meter_category": meter[0], "meter_subcategory": meter[1],
                "meter": meter[2], "daily_cost": round(daily * self.rng.uniform(0.85, 1.15), 4),
                "from_days_ago": self.days, **extra}
        self.costs.append(line)

    def advise(self, rid: str, type_id: str, field_value: tuple[str, str], savings: float, **ext: str) -> None:
        """Append an Advisor Cost recommendation (string extendedProperties, as the API returns them)."""
        name = f"{self.sub_id[:8]}-{len(self.advisor):04x}-4000-8000-{self.counter:012d}"
        currency = "USD" if self.rng.random() < 0.05 else "GBP"
        props: dict[str, Any] = {
            "category": "Cost", "impact": "High", "impactedField": field_value[0], "impactedValue": field_value[1],
            "lastUpdated": days_ago(1), "recommendationTypeId": type_id,
            "shortDescription": {"problem": "Cost saving opportunity", "solution": "Act on this recommendation"},
            "extendedProperties": {"savingsAmount": f"{savings:.2f}", "annualSavingsAmount": f"{savings * 12:.2f}",
                                   "savingsCurrency": currency, **ext},
            "resourceMetadata": {"resourceId": rid}}
        if self.rng.random() < 0.1:
            props["suppressionIds"] = [f"{self.sub_id[:8]}-5000-4000-8000-{self.counter:012d}"]
        self.advisor.append({"id": f"{rid}/providers/Microsoft.Advisor/recommendations/{name}", "name": name,
                             "type": "Microsoft.Advisor/recommendations", "properties": props})


def disk(s: Sub, rg: str, name: str, vm_id: str | None, state: str, os_type: str | None = None) -> str:
    """A managed disk (unattached when vm_id is None), billed for the whole window."""
    sku, tier, size, daily = s.rng.choice(DISKS)
    tags = s.tags(rg)
    if vm_id is None and s.rng.random() < 0.25:
        tags = {**tags, **s.rng.choice(EXCLUDED_DISK_TAGS)}
    props: dict[str, Any] = {"diskSizeGB": size, "diskState": state, "timeCreated": days_ago(s.rng.randint(5, 900))}
    if os_type:
        props["osType"] = os_type
    rid = s.add(rg, "Microsoft.Compute/disks", name, props, sku={"name": sku}, managedBy=vm_id or "", tags=tags)
    s.disk_ids.append(rid)
    s.bill(rid, ("Storage", f"{sku.split('_')[0]} Managed Disks", f"{tier} LRS Disk"), daily)
    if vm_id is None and s.rng.random() < 0.3:
        s.advise(rid, UNATTACHED_DISK, ("microsoft.compute/disks", name), daily * 30.4)
    return rid


def virtual_machine(s: Sub, rg: str, n: int) -> None:
    """VM + NIC + OS disk (+ data disk); a few stopped, deallocated long ago or unlicensed."""
    rng = s.rng
    name = f"vm-{rg[3:]}-{n:05d}"
    vm_id = s.rid(rg, "Microsoft.Compute/virtualMachines", name)
    config_id = s.rid(rg, "Microsoft.Network/networkInterfaces", f"{name}-nic") + "/ipConfigurations/ipconfig1"
    power = rng.choices(["running", "stopped", "deallocated"], [93, 2, 5])[0]
    state = "Reserved" if power == "deallocated" else "Attached"
    windows = rng.random() < 0.25
    nic_id = s.add(rg, "Microsoft.Network/networkInterfaces", f"{name}-nic", {"virtualMachine": {"id": vm_id},
                   "ipConfigurations": [{"id": config_id, "name": "ipconfig1"}]})
    s.nic_configs.append(config_id)
    os_disk = disk(s, rg, f"{name}-osdisk", vm_id, state, "Windows" if windows else "Linux")
    if rng.random() < 0.4:
        disk(s, rg, f"{name}-data01", vm_id, state)
    size, daily = rng.choice(SIZES)
    props: dict[str, Any] = {
        "hardwareProfile": {"vmSize": size},
        "storageProfile": {"osDisk": {"osType": "Windows" if windows else "Linux", "managedDisk": {
            "id": os_disk, "storageAccountType": "Premium_LRS"}}, "imageReference": {
            "publisher": "MicrosoftWindowsServer" if windows else "Canonical"}},
        "networkProfile": {"networkInterfaces": [{"id": nic_id}]},
        "extended": {"instanceView": {"powerState": {"code": f"PowerState/{power}"}}}}
    if windows and rng.random() < 0.6:
        props["licenseType"] = "Windows_Server"
    s.add(rg, "Microsoft.Compute/virtualMachines", name, props)
    if windows and rng.random() < 0.15:
        licence = rng.choice(["PAYG", "AHUB", "PAYG"])
        s.add(rg, "Microsoft.SqlVirtualMachine/SqlVirtualMachines", name, {
            "virtualMachineResourceId": vm_id, "sqlServerLicenseType": licence,
            "sqlImageSku": rng.choice(["Enterprise", "Standard", "Developer"])})
    meter = ("Virtual Machines", "Dsv5 Series Windows" if windows else "Dsv5 Series", size[9:].replace("_", " "))
    # Half the deallocated VMs stopped billing compute over 30 days ago (long-deallocated).
    long_ago = power == "deallocated" and s.days > 32 and rng.random() < 0.5
    end = rng.randint(31, s.days - 1) if long_ago else 1
    s.bill(vm_id, meter, daily * (1.9 if windows else 1.0), to_days_ago=end,
           weekend_factor=0.3 if "-dev-" in rg else 1.0)
    if "-prod-" in rg and s.extra_rng.random() < 0.3:
        backup(s, rg, vm_id, name)
    if power == "running" and rng.random() < 0.05:
        s.advise(vm_id, RIGHT_SIZE, ("Microsoft.Compute/virtualMachines", name), daily * 15.2,
                 currentSku=size, targetSku="Standard_D2s_v5", recommendationType="SkuChange")


def backup(s: Sub, rg: str, vm_id: str, vm_name: str) -> None:
    """A protected item for the VM in the subscription's vault (made on first use); one in ten of a VM long gone."""
    if not s.vault_id:
        s.vault_id = s.add(rg, "Microsoft.RecoveryServices/vaults", f"rsv-{rg[3:]}", {
            "redundancySettings": {"standardTierStorageRedundancy": "LocallyRedundant"}}, sku={"name": "RS0"})
        s.bill(s.vault_id, ("Backup", "", "Azure VM Protected Instances"), 2.4)
    if s.extra_rng.random() < 0.1:
        gone = f"{vm_name}-old"
        s.backup_items.append(protected_item(s.vault_id, s.rid(rg, "Microsoft.Compute/virtualMachines", gone), rg,
                                             gone, s.extra_rng.randint(45, 300)))
    s.backup_items.append(protected_item(s.vault_id, vm_id, rg, vm_name, 1))


def network_item(s: Sub, rg: str, n: int) -> None:
    """Public IPs, orphan NICs, load balancers, gateways and private endpoints, some idle."""
    rng = s.rng
    kinds = ["pip", "nic", "lb", "vgw", "nat", "pe", "dns", "agw", "ddos"]
    kind = rng.choices(kinds, [48, 8, 12, 4, 6, 14, 8, 3, 0.5])[0]
    base = f"{rg[3:]}-{n:05d}"
    if kind == "pip":
        props: dict[str, Any] = {"publicIPAllocationMethod": "Static"}
        if s.nic_configs and rng.random() < 0.85:
            props["ipConfiguration"] = {"id": rng.choice(s.nic_configs)}
        rid = s.add(rg, "Microsoft.Network/publicIPAddresses", f"pip-{base}", props, sku={"name": "Standard"})
        s.bill(rid, ("Virtual Network", "IP Addresses", "Standard IPv4 Static Public IP"), 0.118)
    elif kind == "nic":
        s.add(rg, "Microsoft.Network/networkInterfaces", f"nic-{base}", {"ipConfigurations": []})
    elif kind == "lb":
        pools = [] if rng.random() < 0.15 or not s.nic_configs else [{"name": "pool", "properties": {
            "backendIPConfigurations": [{"id": c} for c in rng.sample(s.nic_configs, min(2, len(s.nic_configs)))]}}]
        rid = s.add(rg, "Microsoft.Network/loadBalancers", f"lb-{base}", {"backendAddressPools": pools},
                    sku={"name": "Standard"})
        s.bill(rid, ("Load Balancer", "Standard", "Standard Included LB Rules and Outbound Rules"), 0.59)
    elif kind == "vgw":
        rid = s.add(rg, "Microsoft.Network/virtualNetworkGateways", f"vgw-{base}", {"gatewayType": "Vpn",
                    "sku": {"name": "VpnGw1"}})
        s.bill(rid, ("VPN Gateway", "VPN Gateway", "VpnGw1"), 3.37)
        if rng.random() < 0.7:
            s.add(rg, "Microsoft.Network/connections", f"cn-{base}", {"virtualNetworkGateway1": {"id": rid}})
    elif kind == "nat":
        props = {"subnets": [{"id": f"/subscriptions/{s.sub_id}/x/subnets/s{n}"}]} if rng.random() < 0.7 else {}
        rid = s.add(rg, "Microsoft.Network/natGateways", f"nat-{base}", props, sku={"name": "Standard"})
        s.bill(rid, ("NAT Gateway", "NAT Gateway", "Standard Gateway"), 0.9)
    elif kind == "pe":
        status = "Disconnected" if rng.random() < 0.1 else "Approved"
        rid = s.add(rg, "Microsoft.Network/privateEndpoints", f"pe-{base}", {"privateLinkServiceConnections": [
            {"properties": {"privateLinkServiceConnectionState": {"status": status}}}]})
        s.add(rg, "Microsoft.Network/networkInterfaces", f"pe-{base}.nic", {"privateEndpoint": {"id": rid}})
        s.bill(rid, ("Virtual Network", "Private Link", "Standard Private Endpoint"), 0.24)
    elif kind == "agw":
        addresses = [] if rng.random() < 0.3 else [{"fqdn": f"app-{base}.azurewebsites.net"}]
        rid = s.add(rg, "Microsoft.Network/applicationGateways", f"agw-{base}", {
            "sku": {"name": "Standard_v2", "tier": "Standard_v2"},
            "backendAddressPools": [{"name": "pool", "properties": {"backendAddresses": addresses}}]})
        s.bill(rid, ("Application Gateway", "Standard v2", "Standard Fixed Cost"), 4.32)
    elif kind == "ddos":
        props = {"virtualNetworks": [{"id": f"/subscriptions/{s.sub_id}/x/vnet{n}"}]} if rng.random() < 0.5 else {}
        rid = s.add(rg, "Microsoft.Network/ddosProtectionPlans", f"ddos-{base}", props)
        s.bill(rid, ("Azure DDOS Protection", "Network Protection", "Network Protection Plan"), 74.57)
    else:
        links = 0 if rng.random() < 0.2 else rng.randint(1, 3)
        rid = s.add(rg, "Microsoft.Network/privateDnsZones", f"privatelink{n}.example.internal",
                    {"numberOfVirtualNetworkLinks": links}, location="global")
        s.bill(rid, ("Azure DNS", "Private Zones", "Private Zone"), 0.013)


def platform_item(s: Sub, rg: str, n: int) -> None:
    """Storage accounts, App Service plans, SQL pools and databases, snapshots, scale sets, workspaces."""
    rng = s.rng
    kind = rng.choices(["st", "asp", "sql", "snap", "vmss", "log", "disk"], [40, 15, 15, 15, 8, 7, 12])[0]
    base = f"{rg[3:]}-{n:05d}"
    if kind == "disk":
        disk(s, rg, f"disk-{base}", None, "Unattached")
    elif kind == "st":
        name = f"st{rg[3:].replace('-', '')[:10]}{n:05d}"
        storage_kind = rng.choices(["StorageV2", "Storage", "BlobStorage"], [90, 6, 4])[0]
        rid = s.add(rg, "Microsoft.Storage/storageAccounts", name, {"accessTier": "Hot"}, kind=storage_kind,
                    sku={"name": "Standard_LRS"})
        if rng.random() < 0.5:  # read over ARM (GET .../managementPolicies/default): not a Resource Graph row
            s.policies[rid] = lifecycle_policy(s.extra_rng.choice([30, 60, 90]))
        growth = {"growth_per_day": 0.01} if rng.random() < 0.02 else {}
        s.bill(rid, ("Storage", "General Block Blob v2", "Hot LRS Data Stored"), rng.uniform(0.2, 9.0), **growth)
    elif kind == "asp":
        sku, daily = rng.choices([("F1", 0.0), ("B1", 0.39), ("P1v3", 3.42)], [10, 30, 60])[0]
        sites = 0 if rng.random() < 0.15 else rng.randint(1, 4)
        rid = s.add(rg, "Microsoft.Web/serverfarms", f"asp-{base}", {"numberOfSites": sites},
                    sku={"name": sku, "tier": {"F1": "Free", "B1": "Basic", "P1v3": "PremiumV3"}[sku]})
        if daily:
            plan = "Premium v3 Plan" if sku == "P1v3" else "Basic Plan"
            s.bill(rid, ("Azure App Service", plan, f"{sku} App"), daily)
    elif kind == "sql":
        server = f"sql-{base}"
        s.add(rg, "Microsoft.Sql/servers", server, {"version": "12.0"})
        pool = s.add(rg, "Microsoft.Sql/servers/elasticPools", f"{server}/pool", {"state": "Ready"},
                     sku={"name": "StandardPool", "capacity": 100})
        s.bill(pool, ("SQL Database", "Standard - Elastic Pool", "100 eDTUs"), 5.32)
        for d in range(0 if rng.random() < 0.1 else rng.randint(1, 3)):
            s.add(rg, "Microsoft.Sql/servers/databases", f"{server}/db{d}", {"elasticPoolId": pool})
    elif kind == "snap":
        deleted = s.rid(rg, "Microsoft.Compute/disks", f"disk-deleted-{n:05d}")
        source = rng.choice(s.disk_ids) if s.disk_ids and rng.random() < 0.9 else deleted
        premium = rng.random() < 0.15
        age = rng.randint(1, 400)
        rid = s.add(rg, "Microsoft.Compute/snapshots", f"snap-{base}", {"timeCreated": days_ago(age),
                    "creationData": {"sourceResourceId": source}, "diskSizeGB": 128},
                    sku={"name": "Premium_LRS" if premium else "Standard_LRS"})
        s.bill(rid, ("Storage", "Standard HDD Managed Disks", "LRS Snapshots"), 0.18, from_days_ago=min(age, s.days))
    elif kind == "vmss":
        windows = rng.random() < 0.3
        profile: dict[str, Any] = {"storageProfile": {"osDisk": {"osType": "Windows" if windows else "Linux"}}}
        if windows and rng.random() < 0.5:
            profile["licenseType"] = "Windows_Server"
        rid = s.add(rg, "Microsoft.Compute/virtualMachineScaleSets", f"vmss-{base}",
                    {"virtualMachineProfile": profile}, sku={"name": "Standard_D4s_v5", "capacity": 3})
        s.bill(rid, ("Virtual Machines", "Dsv5 Series", "D4s v5"), 12.45)
    else:
        rid = s.add(rg, "Microsoft.OperationalInsights/workspaces", f"log-{base}", {"sku": {"name": "PerGB2018"}},
                    tags={**s.tags(rg), **HOSTILE_TAGS} if n % 97 == 0 else None)
        spikes = {"spikes": [{"days_ago": rng.randint(2, s.days), "cost": 400.0}]} if rng.random() < 0.05 else {}
        s.bill(rid, ("Log Analytics", "Log Analytics", "Analytics Logs Data Ingestion"), rng.uniform(1, 20), **spikes)
