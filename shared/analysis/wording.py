"""Small wording helpers for the analytics' own sentences: money, percentages, dates and plain type labels."""

from __future__ import annotations

import datetime as dt

_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
# Plain labels for the types a report names most; others fall back to the type's last segment.
TYPE_LABELS = {
    "microsoft.compute/virtualmachines": "Virtual machine",
    "microsoft.compute/virtualmachinescalesets": "VM scale set",
    "microsoft.compute/disks": "Managed disk",
    "microsoft.compute/snapshots": "Disk snapshot",
    "microsoft.network/publicipaddresses": "Public IP address",
    "microsoft.network/networkinterfaces": "Network interface",
    "microsoft.network/loadbalancers": "Load balancer",
    "microsoft.network/applicationgateways": "Application gateway",
    "microsoft.network/virtualnetworkgateways": "VPN gateway",
    "microsoft.network/natgateways": "NAT gateway",
    "microsoft.network/privateendpoints": "Private endpoint",
    "microsoft.network/privatednszones": "Private DNS zone",
    "microsoft.network/ddosprotectionplans": "DDoS protection plan",
    "microsoft.network/azurefirewalls": "Azure Firewall",
    "microsoft.network/expressroutecircuits": "ExpressRoute circuit",
    "microsoft.network/virtualnetworks": "Virtual network",
    "microsoft.web/serverfarms": "App Service plan",
    "microsoft.web/sites": "App Service app",
    "microsoft.sql/servers": "SQL server",
    "microsoft.sql/servers/databases": "SQL database",
    "microsoft.sql/servers/elasticpools": "SQL elastic pool",
    "microsoft.sqlvirtualmachine/sqlvirtualmachines": "SQL Server on a VM",
    "microsoft.storage/storageaccounts": "Storage account",
    "microsoft.operationalinsights/workspaces": "Log Analytics workspace",
    "microsoft.containerservice/managedclusters": "AKS cluster",
    "microsoft.recoveryservices/vaults": "Recovery Services vault",
    "microsoft.keyvault/vaults": "Key vault",
    "microsoft.cache/redis": "Azure Cache for Redis",
    "microsoft.containerregistry/registries": "Container registry",
    "microsoft.insights/components": "Application Insights",
    "microsoft.datafactory/factories": "Data factory",
    "microsoft.automation/automationaccounts": "Automation account",
}


def money_text(value: float, currency: str) -> str:
    """£1,234.56 (or `1,234.56 CHF` for a currency without a symbol we print); the sign in front."""
    symbol = _SYMBOLS.get(currency)
    sign = "-" if value < 0 else ""
    amount = f"{abs(value):,.2f}"
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}"


def signed_money(value: float, currency: str) -> str:
    """+£80.10 or -£27.37."""
    return ("+" if value >= 0 else "") + money_text(value, currency)


def pct_text(fraction: float, signed: bool = False) -> str:
    """0.239 -> 23.9% (+23.9% when signed)."""
    text = f"{100 * fraction:.1f}%"
    return ("+" + text) if signed and fraction >= 0 else text


def day_text(day: dt.date) -> str:
    """29 Oct."""
    return f"{day.day} {day.strftime('%b')}"


def resource_type_of(resource_id: str) -> str:
    """The lower-case ARM type of an id (namespace/type[/child]); '' for scopes such as a subscription."""
    parts = resource_id.lower().strip("/").split("/")
    if "providers" not in parts:
        return ""
    i = len(parts) - 1 - parts[::-1].index("providers")
    rest = parts[i + 1:]
    return "/".join([rest[0], *rest[1::2]]) if rest else ""


def type_label(arm_type: str) -> str:
    """A plain label for an ARM type ("Managed disk"); unknown types show their last segment."""
    known = TYPE_LABELS.get(arm_type.lower())
    if known:
        return known
    return arm_type.rsplit("/", 1)[-1] if arm_type else "Subscription charge"
