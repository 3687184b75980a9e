"""Estimates that use the bill (report-design D3): twins, rules of thumb with ranges, young resources, one-off
days, dependants, re-pricing another currency, cost since."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.analysis.builders import SUB, a_disk, a_row, a_vm, an_advisor_rec, analyse, cost_line, rid, scan

RIGHT_SIZE = "e10b1381-5f0a-47ff-8c7b-37bd13d7c974"
WINDOWS, LINUX = 8.5632, 4.1472  # a D4s_v5's full-day compute rate on the Pennine bill


def _report(rows: list[dict[str, Any]], cost: list[list[Any]], **kw: Any) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(analyse(scan(rows, cost_rows=cost, quota="EnterpriseAgreement_2014-09-01",
                                                     **kw)).report_json)
    return report


def _finding(report: dict[str, Any], rule: str) -> dict[str, Any]:
    return next(f for f in report["findings"] if f["rule"] == rule)


def _windows_vm(name: str) -> dict[str, Any]:
    return a_vm(name, os_type="Windows", publisher="MicrosoftWindowsServer")


def test_windows_licence_priced_against_a_linux_twin_of_the_same_size_when_one_bills() -> None:
    windows, linux = _windows_vm("vm-win"), a_vm("vm-linux")
    cost = cost_line(windows["id"], WINDOWS, "Virtual Machines") + cost_line(linux["id"], LINUX, "Virtual Machines")
    finding = _finding(_report([windows, linux], cost), "LIC-1")
    assert (finding["basis"], finding["tier"]) == ("bill_twin", "conditional")
    assert finding["monthly_savings"] == pytest.approx(30 * WINDOWS * (1 - LINUX / WINDOWS), abs=0.01)
    assert finding["savings_low"] is None


def test_windows_licence_falls_back_to_a_named_share_with_a_range_when_no_twin_bills() -> None:
    windows = _windows_vm("vm-win")
    finding = _finding(_report([windows], cost_line(windows["id"], WINDOWS, "Virtual Machines")), "LIC-1")
    compute = 30 * WINDOWS
    assert finding["basis"] == "rule_of_thumb" and "no comparable resource on your bill" in finding["formula"]
    assert (finding["monthly_savings"], finding["savings_low"], finding["savings_high"]) == (
        round(compute * 0.40, 2), round(compute * 0.35, 2), round(compute * 0.45, 2))


def test_premium_disk_priced_against_a_standard_ssd_twin_of_its_size_tier_when_one_bills() -> None:
    disk = rid("Microsoft.Compute/disks", "os1")
    vm = a_vm("vm1", power="stopped", disks=[disk])
    premium = a_row("Microsoft.Compute/disks", "os1", sku={"name": "Premium_LRS"}, managed_by=vm["id"],
                    properties={"diskState": "Reserved", "diskSizeGB": 128})
    twin = a_row("Microsoft.Compute/disks", "e10", sku={"name": "StandardSSD_LRS"},
                 properties={"diskState": "Attached", "diskSizeGB": 128})
    cost = cost_line(disk, 0.5683) + cost_line(twin["id"], 0.2523) + cost_line(vm["id"], 4.0, "Virtual Machines")
    finding = _finding(_report([vm, premium, twin], cost), "VM-3")
    assert finding["basis"] == "bill_twin"
    assert finding["monthly_savings"] == pytest.approx(30 * (0.5683 - 0.2523), abs=0.01)


def test_resource_younger_than_thirty_days_priced_on_its_daily_rate_since_it_started() -> None:
    disk = a_disk("disk-new")
    finding = _finding(_report([disk], cost_line(disk["id"], 3.0, days=(11, 0))), "DSK-1")
    assert finding["monthly_savings"] == 90.0  # 30 x 3.00, not the 36.00 of 12 days
    assert finding["cost_since"]["label"].startswith("cost since ") and finding["cost_since"]["amount"] == 36.0


def test_no_finding_prices_a_one_off_day_when_the_bill_has_an_anomaly() -> None:
    disk = a_disk("disk-spike")
    cost = cost_line(disk["id"], 2.0)
    cost[-5][0] = 502.0  # a one-off day five days ago
    report = _report([disk], cost)
    assert report["analytics"]["anomalies"], "the day is outside the band"
    assert _finding(report, "DSK-1")["monthly_savings"] == 60.0


def test_cost_since_covers_the_window_and_is_never_zero_when_the_resource_billed() -> None:
    disk = a_disk("disk-old")
    finding = _finding(_report([disk], cost_line(disk["id"], 2.0)), "DSK-1")
    assert finding["cost_since"] == {"from": finding["cost_since"]["from"], "amount": 180.0,
                                     "label": "cost in the last 90 days"}


def test_advisor_right_size_in_another_currency_repriced_from_the_bill_and_counted() -> None:
    big, small = a_vm("vm-big", size="Standard_D8s_v5"), a_vm("vm-small", size="Standard_D4s_v5")
    rec = an_advisor_rec(big["id"], type_id=RIGHT_SIZE, impacted="Microsoft.Compute/virtualMachines", monthly=78.47,
                         currency="USD", extended={"currentSku": "Standard_D8s_v5", "targetSku": "Standard_D4s_v5"})
    cost = cost_line(big["id"], 2 * LINUX, "Virtual Machines") + cost_line(small["id"], LINUX, "Virtual Machines")
    finding = _finding(_report([big, small], cost, recs=[rec]), "VM-4")
    assert (finding["currency"], finding["counted"], finding["basis"], finding["tier"]) == (
        "GBP", True, "bill_twin", "estimated")
    assert finding["monthly_savings"] == pytest.approx(30 * LINUX, abs=0.01)
    assert {e["key"]: e["value"] for e in finding["evidence"]}["advisor_currency"] == "USD"


def test_advisor_figure_in_another_currency_without_a_rule_is_a_review_item_never_added() -> None:
    account = a_row("Microsoft.Storage/storageAccounts", "st1", kind="StorageV2", properties={})
    rec = an_advisor_rec(account["id"], type_id="other", impacted="Microsoft.Storage/storageAccounts",
                         monthly=40.0, currency="USD")
    report = _report([account], cost_line(account["id"], 1.0), recs=[rec])
    finding = _finding(report, "ADV")
    assert (finding["kind"], finding["counted"], finding["monthly_savings"]) == ("review", False, 0.0)
    assert report["totals"]["not_added_other_currency"] == [{"currency": "USD", "amount": 40.0, "findings": 1}]


def test_gateway_deleted_with_its_own_public_ip_and_both_priced_when_found() -> None:
    gateway = rid("Microsoft.Network/applicationGateways", "agw1")
    ip = a_row("Microsoft.Network/publicIPAddresses", "pip-agw1", sku={"name": "Standard"},
               properties={"ipConfiguration": {"id": f"{gateway}/frontendIPConfigurations/public"}})
    agw = a_row("Microsoft.Network/applicationGateways", "agw1", properties={
        "backendAddressPools": [], "frontendIPConfigurations": [
            {"properties": {"publicIPAddress": {"id": ip["id"]}}}]})
    finding = _finding(_report([agw, ip], cost_line(gateway, 5.0) + cost_line(ip["id"], 0.12)), "NET-5")
    assert finding["monthly_savings"] == pytest.approx(30 * 5.12, abs=0.01)
    assert ip["id"].lower() in finding["resources"]
    assert any(ip["id"] in c["text"] for c in finding["commands"])
    assert SUB in finding["subscription_id"]
