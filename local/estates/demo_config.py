"""The demo's configuration beyond `resources`: budgets, anomaly alerts, reservation recommendations, policy
assignments and backup items (report-design D10 and D15; docs/checks.md BKP-1).

Pennine Production has a £11,000 monthly budget and an anomaly alert, Dev/Test a £1,500 budget and no alert, the
Sandbox and Tamar neither. Production's Consumption reservation recommendations match Advisor's offer (five
D4s_v5 for 1 and 3 years, 30 and 60-day lookbacks). Pennine's management group assigns "Allowed locations" (not a
tag policy: GV-T still applies). Production's VMs are backed up nightly; Wessex Larder's vault still keeps the
backups of a VM deleted months ago (BKP-1).
"""

from __future__ import annotations

from local.estates.demo_kit import SubscriptionBuilder
from local.estates.demo_platform import simple
from local.estates.generator_config import (
    ALLOWED_LOCATIONS,
    anomaly_alert,
    assignment,
    budget,
    protected_item,
    reservation_recommendation,
)

ADVISOR_MONTHLY = {"P1Y": 142.31, "P3Y": 267.18}  # demo_prod.commitment_offers: Advisor's own figures


def production_config(sb: SubscriptionBuilder) -> None:
    """Pennine Production: budget, anomaly alert, reservation recommendations, nightly VM backups."""
    sb.extra["budgets"] = [budget(sb.subscription_id, 11000, "pennine-production-monthly")]
    sb.extra["scheduled_actions"] = [anomaly_alert(sb.subscription_id)]
    sb.extra["reservation_recommendations"] = [
        reservation_recommendation(sb.subscription_id, lookback, term, 5, monthly)
        for term, monthly in ADVISOR_MONTHLY.items() for lookback in ("Last30Days", "Last60Days")]
    vault = sb.rid("rg-backup-prod", "Microsoft.RecoveryServices/vaults", "rsv-pennine-prod")
    items = []
    for rg, name in (("rg-tms-prod", "vm-tms-app-01"), ("rg-tms-prod", "vm-tms-app-02"),
                     ("rg-erp-prod", "vm-erp-app-01"), ("rg-erp-prod", "vm-erp-sql-01")):
        vm_id = sb.rid(rg, "Microsoft.Compute/virtualMachines", name)
        items.append(protected_item(vault, vm_id, rg, name, 1))
        sb.expect("BKP-1", items[-1]["id"], "not_flagged", None, "VM backed up last night")
    sb.extra["recovery_services"] = items


def devtest_config(sb: SubscriptionBuilder) -> None:
    """Pennine Dev/Test: a budget, no anomaly alert."""
    sb.extra["budgets"] = [budget(sb.subscription_id, 1500, "pennine-devtest-monthly")]


def pennine_policies(group_id: str) -> list[dict[str, object]]:
    """The management group's assignments: UK regions only."""
    return [assignment(f"/providers/Microsoft.Management/managementGroups/{group_id}", "uk-regions-only",
                       ALLOWED_LOCATIONS, {"listOfAllowedLocations": {"value": ["uksouth", "ukwest"]}})]


def wessex_backups(sb: SubscriptionBuilder, rg: str, tags: dict[str, str]) -> None:
    """A locally redundant vault backing up the WMS VMs, still keeping a decommissioned VM's recovery points."""
    vault = simple(sb, rg, "Microsoft.RecoveryServices/vaults", "rsv-wessex-ops",
                   ("Backup", "", "Azure VM Protected Instances"), 0.9120, sku={"name": "RS0", "tier": "Standard"},
                   props={"redundancySettings": {"standardTierStorageRedundancy": "LocallyRedundant"}}, tags=tags)
    wms = "rg-wms-ops"
    live = protected_item(vault, sb.rid(wms, "Microsoft.Compute/virtualMachines", "vm-wms-app-01"), wms,
                          "vm-wms-app-01", 1)
    sb.expect("BKP-1", live["id"], "not_flagged", None, "third tenant: VM backed up last night")
    gone = protected_item(vault, sb.rid(wms, "Microsoft.Compute/virtualMachines", "vm-wms-legacy-01"), wms,
                          "vm-wms-legacy-01", 163)
    sb.expect("BKP-1", gone["id"], "flagged", "estimate",
              "third tenant: backups of a VM deleted 163 days ago still kept (and billed) in the vault")
    sb.extra["recovery_services"] = [live, gone]
