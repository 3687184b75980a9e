"""Issue 15 section 3 and report-design D7.2: a commitment and the findings that stop or shrink the VMs it covers
never count the same capacity. Pennine-like inputs: five D4s_v5 VMs in UK South, Advisor's 5 x D4s_v5 reservation
(1 and 3 years), its compute savings plan, a stopped-not-deallocated VM (VM-1) and a right-size to D2s_v5 (VM-4).

D7.2 (accepted by the lead, D17 q3): the units the findings free come out of Advisor's quantity itself, rounded
down to whole instances; with less than 60 days of lookback only the 1-year option counts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.analysis.rules.commitment_sizing import series_of
from tests.unit.analysis.builders import SUB, a_vm, an_advisor_rec, analyse, cost_line, rid, scan
from tests.unit.analysis.test_golden_demo import demo_reports

SCOPE = f"/subscriptions/{SUB}"
RIGHT_SIZE = "e10b1381-5f0a-47ff-8c7b-37bd13d7c974"
VM_COMPUTE_DAILY = 124.42 / 30  # a D4s_v5's compute bill in the Pennine demo


def _reservation(key: str, term: str, monthly: float, lookback: str = "30") -> dict[str, Any]:
    return an_advisor_rec(SCOPE, type_id="84b1a508-fc21-49da-979e-96894f1665df",
                          impacted="Microsoft.Subscriptions/subscriptions", monthly=monthly, key=key,
                          solution="Buy virtual machine reserved instance",
                          extended={"term": term, "lookbackPeriod": lookback, "region": "uksouth", "scope": "Single",
                                    "subId": SUB, "reservedResourceType": "virtualmachines",
                                    "vmSize": "Standard_D4s_v5", "displaySKU": "Standard_D4s_v5", "displayQty": "5"})


def _plan(monthly: float, lookback: str = "30") -> dict[str, Any]:
    return an_advisor_rec(SCOPE, type_id="153bf237-98ec-5a2d-8c7e-a7bcdd30a249",
                          impacted="Microsoft.Subscriptions/subscriptions", monthly=monthly, key="plan",
                          solution="Buy a compute savings plan",
                          extended={"term": "P3Y", "lookbackPeriod": lookback, "region": "uksouth", "scope": "Single",
                                    "subId": SUB,
                                    "benefitType": "SavingsPlan", "commitmentAmount": "1.42",
                                    "commitmentGranularity": "Hourly"})


def _estate(*, extra_vms: int = 0, stopped: bool = True, right_size: bool = True,
            plan: bool = False, lookback: str = "30") -> dict[str, Any]:
    vms = [a_vm(f"vm-tms-app-0{i}", power="stopped" if stopped and i == 1 else "running")
           for i in range(1, 6 + extra_vms)]
    rows = [row for vm in vms for row in cost_line(vm["id"], VM_COMPUTE_DAILY, "Virtual Machines")]
    recs = [_reservation("p1y", "P1Y", 142.31, lookback), _reservation("p3y", "P3Y", 267.18, lookback)]
    if right_size:
        recs.append(an_advisor_rec(vms[1]["id"], type_id=RIGHT_SIZE, impacted="Microsoft.Compute/virtualMachines",
                                   monthly=63.12, key="rs", extended={"currentSku": "Standard_D4s_v5",
                                                                      "targetSku": "Standard_D2s_v5"}))
    if plan:
        recs.append(_plan(231.9, lookback))
    report: dict[str, Any] = json.loads(analyse(scan(vms, cost_rows=rows, recs=recs)).report_json)
    return report


def _by_rule(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["rule"]: f for f in report["findings"]}


def test_series_is_the_size_without_its_vcpu_count_when_parsed() -> None:
    assert [series_of(s) for s in ("Standard_D4s_v5", "Standard_D8s_v5", "Standard_E4-2s_v5", "Standard_B2ms", "x")] \
        == ["ds_v5", "ds_v5", "es_v5", "bms", ""]


def _evidence(finding: dict[str, Any]) -> dict[str, Any]:
    return {e["key"]: e["value"] for e in finding["evidence"]}


def test_reservation_resized_on_capacity_left_after_stop_and_right_size_when_estate_is_tight() -> None:
    # 5 x D4s_v5 = 20 units; VM-1 frees 4, VM-4 (D4 -> D2) frees 2: 14 units = 3 whole D4s_v5, 2 units on demand.
    # A 30-day lookback: the 1-year option counts, the 3-year one is upside (both x 3/5).
    found = _by_rule(_estate())
    reservation = found["CMT-1"]
    assert (found["VM-1"]["counted"], found["VM-4"]["counted"]) == (True, True)
    assert reservation["monthly_savings"] == pytest.approx(142.31 * 3 / 5, abs=0.01)
    assert reservation["alternatives"][0]["monthly_savings"] == pytest.approx(267.18 * 3 / 5, abs=0.01)
    evidence = _evidence(reservation)
    assert (evidence["kept_share"], evidence["advisor_savings"], evidence["quantity_after"],
            evidence["leftover_units"]) == (0.6, 142.31, 3, 2)


def test_reservation_reduced_by_the_findings_even_when_other_capacity_runs_unreserved() -> None:
    # Three more D4s_v5 run: Advisor sized its 5 on usage that included the VMs the findings stop or shrink, so the
    # 6 units come out of its quantity all the same (D7.2 step 4, D17 q3).
    reservation = _by_rule(_estate(extra_vms=3))["CMT-1"]
    assert (reservation["monthly_savings"], _evidence(reservation)["quantity_after"]) == (85.39, 3)


def test_reservation_unchanged_when_no_counted_finding_touches_its_series() -> None:
    reservation = _by_rule(_estate(stopped=False, right_size=False))["CMT-1"]
    assert reservation["monthly_savings"] == 142.31
    assert [a["monthly_savings"] for a in reservation["alternatives"]] == [267.18]


def test_three_year_option_counts_when_the_lookback_is_sixty_days_or_more() -> None:
    reservation = _by_rule(_estate(stopped=False, right_size=False, lookback="60"))["CMT-1"]
    assert (reservation["monthly_savings"], reservation["counted"]) == (267.18, True)


def test_plan_and_reservation_decided_again_on_resized_figures() -> None:
    # A 60-day lookback, so 3-year options may count. Plan: 1.42/h = 1,036.60 a month committed, covering 1,268.50
    # of on-demand spend; the findings remove 124.42 (VM-1) + 62.21 (VM-4, half a D4s_v5's compute) of on-demand
    # usage, so it keeps (1,268.50 - 186.63) / 1,268.50 of its 231.90. The 3-year reservation falls to 3/5 of
    # 267.18 = 160.31, below the plan: the plan now counts and the reservation is listed with it.
    found = _by_rule(_estate(plan=True, lookback="60"))
    plan, reservation = found["CMT-2"], found["CMT-1"]
    assert plan["monthly_savings"] == pytest.approx(231.9 * (1268.5 - 186.63) / 1268.5, abs=0.01)
    assert (plan["counted"], reservation["counted"]) == (True, False)
    assert "CMT-1" in {a["rule"] for a in plan["alternatives"]}


def test_headline_never_counts_a_stopped_vm_and_its_reserved_capacity_twice_when_analysed() -> None:
    report = _estate()
    counted = {f["rule"]: f["monthly_savings"] for f in report["findings"] if f["counted"]}
    assert report["totals"]["monthly_savings"] == pytest.approx(sum(counted.values()), abs=0.01)
    assert counted["CMT-1"] < 267.18


def test_right_size_in_another_subscription_leaves_the_reservation_whole() -> None:
    # A Single-scope offer for SUB; the D4s_v5 Advisor right-sizes lives in another subscription (D16).
    other = "99999999-2222-3333-4444-555555555555"
    vms = [a_vm(f"vm-tms-app-0{i}") for i in range(1, 6)]
    elsewhere = a_vm("vm-other")
    elsewhere["id"] = rid("Microsoft.Compute/virtualMachines", "vm-other", sub=other)
    rows = [row for vm in [*vms, elsewhere] for row in cost_line(vm["id"], VM_COMPUTE_DAILY, "Virtual Machines")]
    recs = [_reservation("p1y", "P1Y", 142.31), _reservation("p3y", "P3Y", 267.18),
            an_advisor_rec(elsewhere["id"], type_id=RIGHT_SIZE, impacted="Microsoft.Compute/virtualMachines",
                           monthly=63.12, key="rs", extended={"currentSku": "Standard_D4s_v5",
                                                              "targetSku": "Standard_D2s_v5"})]
    found = _by_rule(json.loads(analyse(scan([*vms, elsewhere], cost_rows=rows, recs=recs)).report_json))
    assert found["VM-4"]["counted"] and found["CMT-1"]["monthly_savings"] == 142.31


def test_pennine_commitment_table_equals_the_design_when_demo_analysed() -> None:
    # report-design D7.3: 3 x D4s_v5 after right-sizing at 124.416 a month each on the bill.
    report = demo_reports()["Pennine Freight Ltd"]
    reservation, plan = report["commitments"]["recommendations"]
    assert (reservation["quantity_after"], reservation["unit_price"], reservation["leftover_units"]) == (3, 124.416, 2)
    options = {(o["kind"], o["term"], o["status"]):
               (o["monthly_saving"], o["monthly_commitment"], o["break_even_month"])
               for o in reservation["options"] + plan["options"]}
    assert options[("reservation", "P1Y", "counted")] == (85.39, 287.86, 9.3)
    assert options[("reservation", "P3Y", "upside")] == (160.31, 212.94, 20.5)
    assert options[("savings_plan", "P3Y", "alternative")][:2] == (197.78, 884.08)
    assert options[("savings_plan", "P3Y", "next_step")][:2] == (129.54, 579.07)
