"""Generated estates' data beyond `resources`: lifecycle policies, backup items, budgets, anomaly alerts, policy
assignments and Consumption reservation recommendations, at rates that make the bench exercise every read.

Shapes follow the sources named in docs/estate-format.md ("Inventory beyond resources"); the draws use the
subscription's own random generator, so a seed still gives the same bytes.
"""

from __future__ import annotations

from typing import Any

from local.estates.demo_kit import days_ago

ALLOWED_LOCATIONS = "e56962a6-4747-49cd-b67b-bf8b01975c4c"  # built-in "Allowed locations"
REQUIRE_TAG = "871b6d14-10aa-478d-b590-94f262ecfa99"  # built-in "Require a tag on resources"
_ITEM = "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems"


def lifecycle_policy(days: int) -> dict[str, Any]:
    """A storage account's policy GET `properties`: one enabled tiering rule."""
    rule = {"enabled": True, "name": "tiering", "type": "Lifecycle", "definition": {
        "filters": {"blobTypes": ["blockBlob"]},
        "actions": {"baseBlob": {"tierToCool": {"daysAfterModificationGreaterThan": days}}}}}
    return {"policy": {"rules": [rule]}, "lastModifiedTime": days_ago(120)}


def protected_item(vault_id: str, vm_id: str, vm_rg: str, vm_name: str, last_backup_days: int) -> dict[str, Any]:
    """A `recoveryservicesresources` row: an Azure VM protected in `vault_id`, last backed up that many days ago."""
    container = f"iaasvmcontainerv2;{vm_rg};{vm_name}"
    return {"id": f"{vault_id}/backupFabrics/Azure/protectionContainers/IaasVMContainer;{container}/protectedItems/"
                  f"VM;{container}", "name": f"VM;{container}", "type": _ITEM,
            "properties": {"friendlyName": vm_name, "virtualMachineId": vm_id, "sourceResourceId": vm_id,
                           "vaultId": vault_id, "protectionState": "Protected" if last_backup_days < 2
                           else "ProtectionStopped", "lastBackupStatus": "Completed",
                           "lastBackupTime": days_ago(last_backup_days), "protectedItemType":
                           "Microsoft.Compute/virtualMachines", "backupManagementType": "AzureIaasVM",
                           "workloadType": "VM", "policyName": "DefaultPolicy"}}


def budget(sub_id: str, amount: float, name: str = "monthly") -> dict[str, Any]:
    """A monthly Consumption budget with one 80% actual-cost notification (currentSpend: the simulator's)."""
    return {"id": f"/subscriptions/{sub_id}/providers/Microsoft.Consumption/budgets/{name}", "name": name,
            "type": "Microsoft.Consumption/budgets",
            "properties": {"category": "Cost", "amount": round(amount, -1), "timeGrain": "Monthly",
                           "timePeriod": {"startDate": "2026-01-01T00:00:00Z"},
                           "notifications": {"Actual_GreaterThan_80_Percent": {
                               "enabled": True, "operator": "GreaterThan", "threshold": 80,
                               "contactRoles": ["Owner"], "contactEmails": ["finops@generated.example"]}}}}


def anomaly_alert(sub_id: str) -> dict[str, Any]:
    """A Cost Management anomaly alert: a shared scheduled action of kind InsightAlert."""
    return {"name": "daily-anomaly", "kind": "InsightAlert",
            "properties": {"displayName": "Daily anomaly by resource group", "status": "Enabled",
                           "scope": f"subscriptions/{sub_id}",
                           "viewId": "/providers/Microsoft.CostManagement/views/ms:DailyAnomalyByResourceGroup",
                           "notification": {"to": ["finops@generated.example"], "subject": "Cost anomaly"},
                           "schedule": {"frequency": "Daily", "startDate": "2026-01-01T00:00:00Z",
                                        "endDate": "2027-12-31T00:00:00Z"}}}


def assignment(scope: str, name: str, definition: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """A `policyresources` row: a policy assignment at `scope`."""
    return {"id": f"{scope}/providers/Microsoft.Authorization/policyAssignments/{name}", "name": name,
            "type": "microsoft.authorization/policyassignments",
            "properties": {"displayName": name, "scope": scope, "notScopes": [], "enforcementMode": "Default",
                           "policyDefinitionId": f"/providers/Microsoft.Authorization/policyDefinitions/{definition}",
                           "parameters": parameters}}


def reservation_recommendation(sub_id: str, lookback: str, term: str, quantity: int,
                               monthly_saving: float) -> dict[str, Any]:
    """A Consumption reservation recommendation (legacy kind, Single scope) for D4s_v5 VMs in UK South."""
    days = {"Last30Days": 30, "Last60Days": 60}[lookback]
    on_demand = quantity * 4.1472 * days  # the D4s_v5 full-day rate the generated bill uses
    saving = monthly_saving * days / 30
    return {"id": f"subscriptions/{sub_id}/providers/Microsoft.Consumption/reservationRecommendations/"
                  f"{lookback}-{term}", "name": f"{lookback}-{term}", "sku": "Standard_D4s_v5",
            "location": "uksouth", "kind": "legacy",
            "properties": {"lookBackPeriod": lookback, "term": term, "scope": "Single",
                           "resourceType": "VirtualMachines", "recommendedQuantity": quantity,
                           "costWithNoReservedInstances": round(on_demand, 2),
                           "totalCostWithReservedInstances": round(on_demand - saving, 2),
                           "netSavings": round(saving, 2), "firstUsageDate": days_ago(days + 30),
                           "instanceFlexibilityGroup": "DSv5 Series", "instanceFlexibilityRatio": 2,
                           "normalizedSize": "Standard_D2s_v5", "recommendedQuantityNormalized": quantity * 2,
                           "subscriptionId": sub_id}}
