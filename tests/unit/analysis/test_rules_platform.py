"""APP-1, DB-2, STO-1, STO-3, GOV-1, LIC-1, LIC-2."""

from __future__ import annotations

from shared.analysis.rules.governance import empty_resource_groups
from shared.analysis.rules.licensing import sql_without_ahb, windows_without_ahb
from shared.analysis.rules.platform import empty_app_service_plans, empty_elastic_pools
from shared.analysis.rules.storage import legacy_storage_kinds, no_lifecycle_policy
from tests.unit.analysis.builders import SUB, a_row, a_vm, context, cost_line, meter_line, scan


def test_app_service_plan_flagged_when_paid_tier_hosts_no_apps() -> None:
    plan = a_row("Microsoft.Web/serverfarms", "asp1", sku={"tier": "PremiumV2"}, properties={"numberOfSites": 0})
    rows = cost_line(plan["id"], 2.0, "Azure App Service")
    found = list(empty_app_service_plans(context(scan([plan], cost_rows=rows))))
    assert [(f.rule, f.basis, f.monthly_savings) for f in found] == [("APP-1", "actual_cost", 60.0)]


def test_app_service_plan_not_flagged_when_free_tier() -> None:
    plan = a_row("Microsoft.Web/serverfarms", "asp1", sku={"tier": "Free"}, properties={"numberOfSites": 0})
    assert not list(empty_app_service_plans(context(scan([plan]))))


def test_elastic_pool_flagged_when_no_database_uses_it() -> None:
    pool = a_row("Microsoft.Sql/servers/elasticPools", "srv/pool1")
    assert [f.rule for f in empty_elastic_pools(context(scan([pool])))] == ["DB-2"]


def test_elastic_pool_not_flagged_when_a_database_uses_it() -> None:
    pool = a_row("Microsoft.Sql/servers/elasticPools", "srv/pool1")
    db = a_row("Microsoft.Sql/servers/databases", "srv/db1", properties={"elasticPoolId": pool["id"].upper()})
    assert not list(empty_elastic_pools(context(scan([pool, db]))))


def test_storage_account_is_a_review_item_on_capacity_when_policy_read_says_none() -> None:
    # issue 15 section 2: the policy comes from the ARM read; egress (Bandwidth) never enters the range.
    account = a_row("Microsoft.Storage/storageAccounts", "st1", kind="StorageV2")
    rows = cost_line(account["id"], 4.0) + cost_line(account["id"], 20.0, "Bandwidth")
    policies = {account["id"].lower(): {"status": 404}}
    found = list(no_lifecycle_policy(context(scan([account], cost_rows=rows,
                                                  graph_extra={"management_policies": policies}))))
    assert [(f.rule, f.kind, f.counted, f.monthly_savings, f.savings_high) for f in found] == [
        ("STO-1", "review", False, 0.0, 30.0)]


def test_storage_account_review_priced_from_data_stored_meters_when_cost_by_meter_collected() -> None:
    account = a_row("Microsoft.Storage/storageAccounts", "st1", kind="StorageV2")
    meters = meter_line(account["id"], 2.0, "Hot LRS Data Stored") + meter_line(account["id"], 3.0, "Write Operations")
    policies = {account["id"].lower(): {"status": 200, "policy": {"rules": [{"enabled": False, "name": "t"}]}}}
    found = list(no_lifecycle_policy(context(scan([account], cost_rows=cost_line(account["id"], 5.0),
                                                  meter_rows=meters, graph_extra={"management_policies": policies}))))
    assert [(f.savings_high, f.evidence["lifecycle_policy"]) for f in found] == [(15.0, "no enabled rule")]


def test_storage_account_not_flagged_when_no_policy_read_was_collected() -> None:
    # A managementPolicies row inside `resources` is not evidence (Resource Graph never returns one).
    account = a_row("Microsoft.Storage/storageAccounts", "st1", kind="StorageV2")
    policy = a_row("Microsoft.Storage/storageAccounts/managementPolicies", "st1/default",
                   properties={"policy": {"rules": [{"enabled": False, "name": "tier"}]}})
    rows = cost_line(account["id"], 4.0)
    assert not list(no_lifecycle_policy(context(scan([account, policy], cost_rows=rows))))


def test_storage_account_not_flagged_when_policy_read_failed() -> None:
    account = a_row("Microsoft.Storage/storageAccounts", "st1", kind="StorageV2")
    policies = {account["id"].lower(): {"status": 429}}
    inputs = scan([account], cost_rows=cost_line(account["id"], 4.0), graph_extra={"management_policies": policies})
    assert not list(no_lifecycle_policy(context(inputs)))


def test_legacy_storage_flagged_when_kind_is_general_purpose_v1() -> None:
    account = a_row("Microsoft.Storage/storageAccounts", "st1", kind="Storage")
    assert [f.rule for f in legacy_storage_kinds(context(scan([account])))] == ["STO-3"]


def test_storage_v2_not_flagged_as_legacy_when_kind_is_storage_v2() -> None:
    account = a_row("Microsoft.Storage/storageAccounts", "st1", kind="StorageV2")
    assert not list(legacy_storage_kinds(context(scan([account]))))


def _group(name: str) -> dict[str, object]:
    return {"id": f"/subscriptions/{SUB}/resourceGroups/{name}", "name": name,
            "type": "microsoft.resources/subscriptions/resourcegroups", "subscriptionId": SUB}


def test_resource_group_flagged_when_empty() -> None:
    found = list(empty_resource_groups(context(scan([a_row("Microsoft.Network/natGateways", "n1", rg="rg-a")],
                                                    containers=[_group("rg-a"), _group("rg-empty")]))))
    assert [(f.rule, f.resource_id.rsplit("/", 1)[-1]) for f in found] == [("GOV-1", "rg-empty")]


def test_windows_vm_flagged_with_estimate_when_no_hybrid_benefit() -> None:
    vm = a_vm("w1", os_type="Windows", publisher="MicrosoftWindowsServer")
    found = list(windows_without_ahb(context(scan([vm], cost_rows=cost_line(vm["id"], 10.0, "Virtual Machines")))))
    assert [(f.rule, f.basis, f.monthly_savings) for f in found] == [("LIC-1", "estimate", 120.0)]


def test_windows_vm_not_flagged_when_hybrid_benefit_on() -> None:
    vm = a_vm("w1", os_type="Windows", publisher="MicrosoftWindowsServer", license_type="Windows_Server")
    assert not list(windows_without_ahb(context(scan([vm]))))


def test_windows_vm_not_flagged_when_subscription_is_dev_test() -> None:
    vm = a_vm("w1", os_type="Windows", publisher="MicrosoftWindowsServer")
    assert not list(windows_without_ahb(context(scan([vm], quota="MSDNDevTest_2014-09-01"))))


def test_windows_desktop_not_flagged_when_image_is_windows_client() -> None:
    vm = a_vm("w1", os_type="Windows", publisher="MicrosoftWindowsDesktop")
    assert not list(windows_without_ahb(context(scan([vm]))))


def _sql_vm(vm_id: str, licence: str, edition: str) -> dict[str, object]:
    return a_row("Microsoft.SqlVirtualMachine/sqlVirtualMachines", "s1", properties={
        "virtualMachineResourceId": vm_id, "sqlServerLicenseType": licence, "sqlImageSku": edition})


def test_sql_vm_flagged_with_list_price_estimate_when_payg_enterprise() -> None:
    vm = a_vm("s1", os_type="Windows", size="Standard_E4s_v5", license_type="Windows_Server")
    rows = cost_line(vm["id"], 5.0, "Virtual Machines")
    found = list(sql_without_ahb(context(scan([vm, _sql_vm(vm["id"], "PAYG", "Enterprise")], cost_rows=rows))))
    assert [(f.rule, f.basis, f.monthly_savings) for f in found] == [("LIC-2", "estimate", 814.68)]


def test_sql_vm_not_flagged_when_already_ahub() -> None:
    vm = a_vm("s1", os_type="Windows")
    assert not list(sql_without_ahb(context(scan([vm, _sql_vm(vm["id"], "AHUB", "Enterprise")]))))


def test_sql_vm_not_flagged_when_developer_edition() -> None:
    vm = a_vm("s1", os_type="Windows")
    assert not list(sql_without_ahb(context(scan([vm, _sql_vm(vm["id"], "PAYG", "Developer")]))))
