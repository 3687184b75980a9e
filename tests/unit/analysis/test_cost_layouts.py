"""Both cost envelope layouts analyse to the same report: the demo estate collected both ways (issue 17 §3)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from shared.analysis.cost_sections import is_layout2
from tests.unit.analysis.builders import analyse
from tests.unit.analysis.demo_inputs import load_demo
from tests.unit.analysis.layout2_inputs import scan_both_ways

TENANTS = [t.display_name for t in load_demo().tenants]


@cache
def reports(name: str) -> tuple[dict[str, Any], dict[str, Any], Any]:
    tenant = next(t for t in load_demo().tenants if t.display_name == name)
    old, new = scan_both_ways(tenant)
    return json.loads(analyse(old).report_json), json.loads(analyse(new).report_json), new


@pytest.mark.parametrize("name", TENANTS)
def test_the_same_report_when_the_same_estate_is_collected_in_either_layout(name: str) -> None:
    old, new, _ = reports(name)
    assert new == old


@pytest.mark.parametrize("name", TENANTS)
def test_layout_2_carries_far_fewer_rows_when_collected(name: str) -> None:
    _, _, inputs = reports(name)
    for sub in inputs.subscriptions:
        if "cost" in sub.raw:
            data = sub.raw["cost"].data
            assert is_layout2(data)
            rows = sum(len(s["rows"]) for s in data["sections"].values())
            assert rows > 0 and set(data["steps"]) >= {"totals", "earlier", "meters", "actual_cost"}


def test_anomaly_drivers_and_growth_survive_layout_2_when_pennine_is_analysed() -> None:
    old, new, _ = reports("Pennine Freight Ltd")
    assert new["analytics"]["anomalies"] and new["analytics"]["anomalies"][0]["drivers"]
    # COST-1's growth is a signal of report.json v2's analytics (it was a finding in v1)
    growth = [s for s in new["analytics"]["signals"] if s["type"] == "growth"]
    assert growth and growth == [s for s in old["analytics"]["signals"] if s["type"] == "growth"]


def test_the_same_report_when_a_generated_estate_is_collected_in_either_layout() -> None:
    # given: the bench's generator at a small size (growth, spikes, disks, SQL and VMs of every kind)
    from local.estates.generator import generate_estate
    from local.estates.model import parse_estate
    from tests.unit.analysis.demo_inputs import TODAY

    tenant = parse_estate(generate_estate(7, 3, 900, 90), TODAY).tenants[0]
    old, new = scan_both_ways(tenant)
    # when / then
    first, second = json.loads(analyse(old).report_json), json.loads(analyse(new).report_json)
    assert first["findings"] and second == first
