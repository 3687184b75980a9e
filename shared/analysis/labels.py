"""Plain labels for what the report shows (report-design D13.3, D10.1): resource types, offers, bases, terms.

No ARM type, basis code or ISO duration reaches the body of the report: one table per kind of label, and an
unknown ARM type reads as its last segment split on capitals ("trafficManagerProfiles" -> "traffic manager
profiles").
"""

from __future__ import annotations

import re

TYPE_LABELS = {
    "microsoft.compute/virtualmachines": "virtual machine", "microsoft.compute/virtualmachinescalesets": "scale set",
    "microsoft.compute/disks": "managed disk", "microsoft.compute/snapshots": "snapshot",
    "microsoft.compute/availabilitysets": "availability set",
    "microsoft.network/publicipaddresses": "public IP address", "microsoft.network/networkinterfaces":
        "network interface", "microsoft.network/loadbalancers": "load balancer",
    "microsoft.network/applicationgateways": "application gateway",
    "microsoft.network/virtualnetworkgateways": "VPN gateway", "microsoft.network/natgateways": "NAT gateway",
    "microsoft.network/privateendpoints": "private endpoint", "microsoft.network/privatednszones": "private DNS zone",
    "microsoft.network/ddosprotectionplans": "DDoS protection plan",
    "microsoft.network/networksecuritygroups": "network security group",
    "microsoft.network/routetables": "route table", "microsoft.network/virtualnetworks": "virtual network",
    "microsoft.network/virtualnetworks/subnets": "subnet", "microsoft.network/expressroutecircuits":
        "ExpressRoute circuit", "microsoft.network/azurefirewalls": "Azure Firewall",
    "microsoft.web/serverfarms": "App Service plan", "microsoft.web/sites": "web app",
    "microsoft.sql/servers/elasticpools": "SQL elastic pool", "microsoft.sql/servers/databases": "SQL database",
    "microsoft.sql/managedinstances": "SQL managed instance",
    "microsoft.sqlvirtualmachine/sqlvirtualmachines": "SQL Server VM",
    "microsoft.storage/storageaccounts": "storage account",
    "microsoft.operationalinsights/workspaces": "Log Analytics workspace",
    "microsoft.containerservice/managedclusters": "AKS cluster", "microsoft.recoveryservices/vaults":
        "Recovery Services vault", "microsoft.resources/resourcegroups": "resource group",
    "microsoft.sql/servers": "SQL server", "microsoft.keyvault/vaults": "key vault",
    "microsoft.cache/redis": "Azure Cache for Redis", "microsoft.containerregistry/registries": "container registry",
    "microsoft.insights/components": "Application Insights", "microsoft.datafactory/factories": "data factory",
    "microsoft.automation/automationaccounts": "automation account",
    "subscription": "subscription",
}
BASIS_LABELS = {"bill": "from your bill", "bill_twin": "from your bill (a similar resource's price)",
                "advisor": "Advisor estimate", "rule_of_thumb": "rule of thumb", "list_price": "list price"}
TERM_LABELS = {"P1Y": "1 year", "P3Y": "3 years"}


def type_label(arm_type: str) -> str:
    """A plain name for an ARM type."""
    known = TYPE_LABELS.get(arm_type.lower())
    if known:
        return known
    last = arm_type.rsplit("/", 1)[-1]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", last).lower()
    return words or "resource"
