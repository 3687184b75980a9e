"""Typed evidence (report-design D12.3): every evidence key a rule writes has a label, a unit and a source.

Advisor's strings are parsed ("11.6" -> 11.6 percent, "30" -> 30 days); booleans and states read as sentences.
A key missing from the table keeps its raw value with unit `text`; tests/unit/analysis/test_evidence.py fails
listing it, so a new rule adds its keys here.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.analysis.money import money
from shared.analysis.report_model_findings import EvidenceItem, Unit

Source = str
Raw = str | float | int | bool


@dataclass(frozen=True, slots=True)
class Key:
    """How one evidence key is published."""

    label: str
    unit: Unit
    source: Source = "inventory"


def _k(label: str, unit: Unit = "text", source: Source = "inventory") -> Key:
    return Key(label, unit, source)


_BILL, _ADV = "bill", "advisor"
KEYS: dict[str, Key] = {
    # inventory states and counts
    "power_state": _k("Power state"), "vm_power_state": _k("VM power state"), "disk_state": _k("Disk state"),
    "sku": _k("SKU", "sku"), "size_gb": _k("Size", "gb"), "kind": _k("Kind"), "tier": _k("Tier"),
    "vm_size": _k("VM size", "sku"), "location": _k("Region"), "os": _k("Operating system"),
    "license_type": _k("Licence type"), "edition": _k("Edition"), "vcpus": _k("vCPUs", "count"),
    "vcores": _k("vCores", "count"), "vm_running": _k("VM running", "bool"), "publisher": _k("Image publisher"),
    "disks": _k("Disks", "count"), "public_ips": _k("Public IPs", "count"), "age_days": _k("Age", "days"),
    "detached_since": _k("Detached since", "date"), "source_disk_exists": _k("Source disk exists", "bool"),
    "attached": _k("Attached", "bool"), "backend_targets": _k("Backend targets", "count"),
    "backend_members": _k("Backend members", "count"), "rules": _k("Rules", "count"),
    "idle_rules": _k("Rules reaching no backend", "count"), "duplicate_rules": _k("Duplicate rules", "count"),
    "connections": _k("Connections", "count"), "point_to_site": _k("Point-to-site", "bool"),
    "subnets": _k("Subnets", "count"), "connection_state": _k("Connection state"),
    "virtual_network_links": _k("Virtual network links", "count"), "virtual_networks": _k("Virtual networks", "count"),
    "allocation": _k("Allocation"), "on_orphaned_nic": _k("On an orphaned network interface", "bool"),
    "no_address": _k("Holds no address", "bool"), "apps": _k("Apps", "count"), "apps_running": _k("Apps running",
                                                                                                   "count"),
    "databases": _k("Databases", "count"), "pools": _k("Pools", "count"), "workflows": _k("Workflows", "count"),
    "virtual_machines": _k("Virtual machines", "count"), "network_interfaces": _k("Network interfaces", "count"),
    "ip_configurations": _k("IP configurations", "count"), "delegations": _k("Delegations", "count"),
    "endpoints": _k("Endpoints", "count"), "links": _k("Links", "count"), "resources": _k("Resources", "count"),
    "firewalls": _k("Firewalls", "count"), "firewall_policies": _k("Firewall policies", "count"),
    "frontend_public_ips": _k("Frontend public IPs", "count"), "protected_public_ips": _k("Protected public IPs",
                                                                                          "count"),
    "ip_protected_public_ips": _k("Public IPs on IP Protection", "count"), "provider_state": _k("Provider state"),
    "capacity": _k("Capacity", "count"), "autoscale": _k("Autoscaling", "bool"), "autoscaling": _k("Autoscaling",
                                                                                                   "bool"),
    "iops": _k("Provisioned IOPS", "count"), "mbps": _k("Provisioned MB/s", "count"),
    "baseline_tier": _k("Baseline tier"), "unmanaged_disks": _k("Unmanaged disks", "count"),
    "storage_redundancy": _k("Storage redundancy"), "environment": _k("Environment"), "policy": _k("Policy"),
    "lifecycle_policy": _k("Lifecycle policy"), "compute_model": _k("Compute model"),
    "backup_copies": _k("Backup copies kept", "count"), "interval_minutes": _k("Backup interval (minutes)", "count"),
    "retention_hours": _k("Retention (hours)", "count"), "software_assurance": _k("Software Assurance", "bool"),
    "dr_context": _k("Disaster-recovery context"), "pool_mode": _k("Pool mode"), "priority": _k("Priority"),
    "days_billed_of_last_30": _k("Days billed of the last 30", "count", _BILL), "weekend_dip": _k("Weekend dip",
                                                                                                 "bool", _BILL),
    "protection_state": _k("Protection state"), "days_since_last_backup": _k("Days since last backup", "days"),
    "source_deleted": _k("Source deleted", "bool"), "billed_over_30_days": _k("Billed for over 30 days", "bool",
                                                                                _BILL),
    # from the bill
    "compute_cost_30d": _k("Compute cost, last 30 days", "money", _BILL),
    "disk_cost_30d": _k("Disk cost, last 30 days", "money", _BILL), "cost_30d": _k("Cost, last 30 days", "money",
                                                                                     _BILL),
    "capacity_cost_30d": _k("Capacity cost, last 30 days", "money", _BILL),
    "licence_meter_30d": _k("Licence meter, last 30 days", "money", _BILL),
    "cost_since_detached": _k("Cost since detached", "money", _BILL),
    "scope_compute_30d": _k("Compute cost in scope, last 30 days", "money", _BILL),
    "prior_30d": _k("Cost, the 30 days before", "money", _BILL),
    "user_pool_cost_30d": _k("User pools' compute cost, last 30 days", "money", _BILL),
    "first_week_cost": _k("Cost, first week of the last 30 days", "money", _BILL),
    "last_week_cost": _k("Cost, last week", "money", _BILL), "growth": _k("Growth", "percent", _BILL),
    "day": _k("Day", "date", _BILL), "day_cost": _k("Spend that day", "money", _BILL),
    "expected": _k("Expected spend", "money", _BILL), "driver_change": _k("Change on the main driver", "money",
                                                                          _BILL),
    "forecast": _k("Forecast for the month", "money", _BILL), "last_month": _k("Last month", "money", _BILL),
    "untagged_cost_30d": _k("Untagged cost, last 30 days", "money", _BILL), "share": _k("Share", "percent", _BILL),
    "quantity_after": _k("Quantity after clean-up and right-sizing", "count", _ADV),
    "capacity_first_day": _k("Capacity cost, first day of the last 30", "money", _BILL),
    "capacity_last_day": _k("Capacity cost, last day", "money", _BILL),
    "capacity_growth_30d": _k("Capacity growth over 30 days", "percent", _BILL),
    "days_expired": _k("Expired for", "days"), "expired_on": _k("Expired on", "date"),
    "firewalls_in_region": _k("Firewalls in the region", "count"), "instances": _k("Instances", "count"),
    "topology": _k("Topology"),
    "leftover_units": _k("vCPUs left on demand", "count", _ADV),
    # from Advisor
    "currentSku": _k("Current size", "sku", _ADV), "targetSku": _k("Advisor's target size", "sku", _ADV),
    "MaxCpuP95": _k("CPU, 95th percentile", "percent", _ADV), "MaxMemoryP95": _k("Memory, 95th percentile",
                                                                                 "percent", _ADV),
    "recommendationType": _k("Advisor recommendation", "text", _ADV), "diskSku": _k("Disk SKU", "sku", _ADV),
    "advisor_savings": _k("Advisor's saving a month", "money", _ADV), "advisor_currency": _k("Advisor's currency",
                                                                                             "text", _ADV),
    "term": _k("Term", "text", _ADV), "lookbackPeriod": _k("Lookback", "days", _ADV),
    "displayQty": _k("Quantity", "count", _ADV), "vmSize": _k("VM size", "sku", _ADV),
    "displaySKU": _k("SKU", "sku", _ADV), "region": _k("Region", "text", _ADV),
    "reservedResourceType": _k("Reserved resource type", "text", _ADV), "scope": _k("Scope", "text", _ADV),
    "commitmentAmount": _k("Hourly commitment", "money", _ADV), "commitmentGranularity": _k("Commitment granularity",
                                                                                            "text", _ADV),
    "series": _k("Size series", "text", _ADV), "reservation_scope": _k("Scope", "text", _ADV),
    "quantity": _k("Advisor's quantity", "count", _ADV), "units_per_instance": _k("vCPUs per instance", "count",
                                                                                  _ADV),
    "running_units": _k("vCPUs running in scope", "count", _ADV), "commitment_monthly": _k("Monthly commitment",
                                                                                          "money", _ADV),
    "kept_share": _k("Share kept after clean-up and right-sizing", "percent", _ADV),
    "resized_by": _k("Re-sized by findings", "text", _ADV),
    # governance recommendations (D10.2)
    "recommendation": _k("Why"), "budget_amount": _k("Suggested monthly budget", "money", _BILL),
    "tag_keys": _k("Tag keys"), "not_read": _k("Not read, so not checked"),
}
SENTENCES: dict[tuple[str, str], str] = {
    ("power_state", "stopped"): "Stopped from inside the VM: compute still bills",
    ("power_state", "deallocated"): "Deallocated", ("lifecycle_policy", "none set"): "No lifecycle policy",
    ("lifecycle_policy", "no enabled rule"): "A lifecycle policy with no enabled rule",
    ("source_disk_exists", "False"): "Its source disk no longer exists", ("attached", "False"): "Attached to nothing",
    ("vm_running", "True"): "The VM is running",
}


def _parse(value: Raw, unit: Unit) -> Raw:
    if isinstance(value, str) and unit in ("percent", "money", "count", "days", "gb"):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if unit in ("count", "days") and number.is_integer() else number
    return value


def typed(evidence: dict[str, Raw]) -> list[EvidenceItem]:
    """Every evidence item with its label, unit and source (unknown keys: raw value, unit text)."""
    out = []
    for key, value in evidence.items():
        spec = KEYS.get(key, Key(key.replace("_", " ").capitalize(), "text"))
        out.append(EvidenceItem(key=key, label=spec.label, value=_parse(value, spec.unit), unit=spec.unit,
                                source=spec.source))  # type: ignore[arg-type]
    return out


def sentence(item: EvidenceItem, currency: str) -> str:
    """One evidence item in words."""
    fixed = SENTENCES.get((item.key, str(item.value)))
    if fixed:
        return fixed
    value = item.value
    if item.unit == "bool":
        return f"{item.label}: {'yes' if value else 'no'}"
    if item.unit == "money" and isinstance(value, int | float):
        return f"{item.label}: {money(float(value), currency)}"
    if item.unit == "percent" and isinstance(value, int | float):
        shown = value * 100 if item.key == "kept_share" else value
        return f"{item.label}: {shown:g}%"
    if item.unit == "days":
        return f"{item.label}: {value} days"
    if item.unit == "gb":
        return f"{item.label}: {value} GB"
    return f"{item.label}: {value}"
