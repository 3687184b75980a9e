"""Issue 15 section 3: a commitment and the findings that stop or shrink the VMs it covers never count the
same capacity. Pennine-like inputs: five D4s_v5 VMs in UK South, Advisor's 5 x D4s_v5 reservation (1 and 3
years), its compute savings plan, a stopped-not-deallocated VM (VM-1) and a right-size to D2s_v5 (VM-4)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.analysis.rules.commitment_sizing import series_of
from tests.unit.analysis.builders import SUB, a_vm, an_advisor_rec, analyse, cost_line, scan

SCOPE = f"/subscriptions/{SUB}"
RIGHT_SIZE = "e10b1381-5f0a-47ff-8c7b-37bd13d7c974"
VM_COMPUTE_DAILY = 124.42 / 30  # a D4s_v5's compute bill in the Pennine demo


def _reservation(key: str, term: str, monthly: float) -> dict[str, Any]:
    return an_advisor_rec(SCOPE, type_id="84b1a508-fc21-49da-979e-96894f1665df",
                          impacted="Microsoft.Subscriptions/subscriptions", monthly=monthly, key=key,
                          solution="Buy virtual machine reserved instance",
                          extended={"term": term, "lookbackPeriod": "30", "region": "uksouth", "scope": "Single",
                                    "subId": SUB, "reservedResourceType": "virtualmachines",
                                    "vmSize": "Standard_D4s_v5", "displaySKU": "Standard_D4s_v5", "displayQty": "5"})


def _plan(monthly: float) -> dict[str, Any]:
    return an_advisor_rec(SCOPE, type_id="153bf237-98ec-5a2d-8c7e-a7bcdd30a249",
                          impacted="Microsoft.Subscriptions/subscriptions", monthly=monthly, key="plan",
                          solution="Buy a compute savings plan",
                          extended={"term": "P3Y", "region": "uksouth", "scope": "Single", "subId": SUB,
                                    "benefitType": "SavingsPlan", "commitmentAmount": "1.42",
                                    "commitmentGranularity": "Hourly"})


def _estate(*, extra_vms: int = 0, stopped: bool = True, right_size: bool = True,
            plan: bool = False) -> dict[str, Any]:
    vms = [a_vm(f"vm-tms-app-0{i}", power="stopped" if stopped and i == 1 else "running")
           for i in range(1, 6 + extra_vms)]
    rows = [row for vm in vms for row in cost_line(vm["id"], VM_COMPUTE_DAILY, "Virtual Machines")]
    recs = [_reservation("p1y", "P1Y", 142.31), _reservation("p3y", "P3Y", 267.18)]
    if right_size:
        recs.append(an_advisor_rec(vms[1]["id"], type_id=RIGHT_SIZE, impacted="Microsoft.Compute/virtualMachines",
                                   monthly=63.12, key="rs", extended={"currentSku": "Standard_D4s_v5",
                                                                      "targetSku": "Standard_D2s_v5"}))
    if plan:
        recs.append(_plan(231.9))
    report: dict[str, Any] = json.loads(analyse(scan(vms, cost_rows=rows, recs=recs)).report_json)
    return report


def _by_rule(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["rule"]: f for f in report["findings"]}


def test_series_is_the_size_without_its_vcpu_count_when_parsed() -> None:
    assert [series_of(s) for s in ("Standard_D4s_v5", "Standard_D8s_v5", "Standard_E4-2s_v5", "Standard_B2ms", "x")] \
        == ["ds_v5", "ds_v5", "es_v5", "bms", ""]


def test_reservation_resized_on_capacity_left_after_stop_and_right_size_when_estate_is_tight() -> None:
    # 5 x D4s_v5 = 20 units running; VM-1 frees 4, VM-4 (D4 -> D2) frees 2: 14 of the 20 reserved stay used.
    found = _by_rule(_estate())
    reservation = found["CMT-1"]
    assert (found["VM-1"]["counted"], found["VM-4"]["counted"]) == (True, True)
    assert reservation["monthly_savings"] == pytest.approx(267.18 * 14 / 20, abs=0.01)
    assert reservation["alternatives"][0]["monthly_savings"] == pytest.approx(142.31 * 14 / 20, abs=0.01)
    assert reservation["evidence"]["kept_share"] == 0.7 and reservation["evidence"]["advisor_savings"] == 267.18


def test_reservation_kept_whole_when_other_running_capacity_absorbs_the_findings() -> None:
    # Three more D4s_v5 (12 units) run unreserved: the 6 units the findings free come out of those first.
    reservation = _by_rule(_estate(extra_vms=3))["CMT-1"]
    assert (reservation["monthly_savings"], "kept_share" in reservation["evidence"]) == (267.18, False)


def test_reservation_unchanged_when_no_counted_finding_touches_its_series() -> None:
    reservation = _by_rule(_estate(stopped=False, right_size=False))["CMT-1"]
    assert reservation["monthly_savings"] == 267.18


def test_plan_and_reservation_decided_again_on_resized_figures() -> None:
    # Plan: 1.42/h = 1,036.60 a month committed, covering 1,268.50 of on-demand spend; the findings take 187.54
    # of the scope's 622.10 compute away, so it keeps (1,268.50 - 187.54) / 1,268.50 of its 231.90. The
    # reservation falls to 187.03, below the plan: the plan now counts and the reservation is listed with it.
    found = _by_rule(_estate(plan=True))
    plan, reservation = found["CMT-2"], found["CMT-1"]
    assert plan["monthly_savings"] == pytest.approx(231.9 * (1268.5 - 187.54) / 1268.5, abs=0.01)
    assert (plan["counted"], reservation["counted"]) == (True, False)
    assert "CMT-1" in {a["rule"] for a in plan["alternatives"]}


def test_headline_never_counts_a_stopped_vm_and_its_reserved_capacity_twice_when_analysed() -> None:
    report = _estate()
    counted = {f["rule"]: f["monthly_savings"] for f in report["findings"] if f["counted"]}
    assert report["totals"]["monthly_savings"] == pytest.approx(sum(counted.values()), abs=0.01)
    assert counted["CMT-1"] < 267.18
