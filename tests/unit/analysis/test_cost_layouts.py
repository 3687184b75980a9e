"""Both cost envelope layouts analyse to the same report: the demo estate collected both ways (issue 17 §3)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from shared.analysis.cost_sections import is_layout2
from shared.collectors.cost_plan import EVERY_DAY_MAX_PAGES
from tests.unit.analysis.builders import analyse
from tests.unit.analysis.demo_inputs import load_demo
from tests.unit.analysis.layout2_inputs import scan_both_ways

TENANTS = [t.display_name for t in load_demo().tenants]


@cache
def reports(name: str, every_day_max_pages: int = EVERY_DAY_MAX_PAGES) -> tuple[dict[str, Any], dict[str, Any], Any]:
    tenant = next(t for t in load_demo().tenants if t.display_name == name)
    old, new = scan_both_ways(tenant, every_day_max_pages=every_day_max_pages)
    return json.loads(analyse(old).report_json), json.loads(analyse(new).report_json), new


@pytest.mark.parametrize("name", TENANTS)
def test_the_same_report_when_the_same_estate_is_collected_in_either_layout(name: str) -> None:
    old, new, _ = reports(name)
    assert new == old


@pytest.mark.parametrize("name", TENANTS)
def test_a_small_subscription_reads_every_resources_days_and_no_summary_when_collected(name: str) -> None:
    _, _, inputs = reports(name)
    for sub in inputs.subscriptions:
        if "cost" in sub.raw:
            data = sub.raw["cost"].data
            assert is_layout2(data) and {"meters", "totals", "resource_days"} <= set(data["sections"])
            assert not {"daily", "earlier", "first_week", "last_week", "series", "anomaly_days"} & set(
                data["sections"])
            assert sum(s.startswith("resource_days:") for s in data["steps"]) == 4  # a query per calendar month


@pytest.mark.parametrize("name", TENANTS)
def test_spend_stays_the_same_and_the_review_says_what_is_left_out_when_read_by_summaries(name: str) -> None:
    # given: every subscription read as a large one is (the summary steps, no resource's days)
    old, new, inputs = reports(name, every_day_max_pages=0)
    # then: the same spend, day by day and by subscription and service; the checks and trends that read a
    # resource's days leave those subscriptions out, and the review says so for each
    assert new["headline"]["spend_30d"] == old["headline"]["spend_30d"]
    for key in ("total_last_30_days", "by_subscription", "by_service", "daily", "months"):
        assert new["analytics"][key] == old["analytics"][key], key
    collected = [s for s in inputs.subscriptions if "cost" in s.raw]
    assert collected and all("resource_days" not in s.raw["cost"].data["sections"] for s in collected)
    for sub in collected:
        assert any(sub.display_name in line and "a resource's daily cost" in line for line in new["limitations"])


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
