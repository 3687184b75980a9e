"""compute_insights on small hand-built scans: the second pass, new and stopped costs, movers, months, run-rate."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from shared.analysis.columnar import compact_cost_data
from shared.analysis.cost_profile import CostProfile, prepare_days
from shared.analysis.index import build_index
from shared.analysis.insights import compute_insights, findings_by_resource
from shared.analysis.insights_views import CostInsights
from shared.analysis.resource_days import build_resource_days
from tests.unit.analysis.builders import END, SUB, a_row, cost_line, scan

BASE = a_row("Microsoft.Compute/virtualMachines", "vm-app", tags={"env": "prod", "owner": "ops"})
DDOS = a_row("Microsoft.Network/ddosProtectionPlans", "ddos-trial", rg="rg-sandbox")
OLD = a_row("Microsoft.Compute/virtualMachines", "vm-old", tags={"env": "dev"})


def _estate() -> Any:
    rows = cost_line(BASE["id"], 100.0, "Virtual Machines")
    rows += cost_line(DDOS["id"], 50.0, "Azure DDOS Protection", days=(24, 0))  # first billed END - 24
    rows += cost_line(OLD["id"], 20.0, "Virtual Machines", days=(89, 10))  # last billed END - 10
    rows.append([5.0, int(END.strftime("%Y%m%d")), "", "Support", "GBP"])  # a charge without a resource id
    return scan([BASE, DDOS, OLD], cost_rows=rows, display_name="Sandbox <b>one</b>")


def _insights(inputs: Any = None, **kwargs: Any) -> CostInsights:
    inputs = inputs or _estate()
    return compute_insights(inputs, build_index(inputs), **kwargs)


def test_second_pass_holds_the_same_cost_as_the_first_when_rows_are_columnar() -> None:
    inputs = _estate()
    envelope = inputs.subscriptions[0].raw["cost"]
    inputs.subscriptions[0].raw["cost"] = envelope.model_copy(update={"data": compact_cost_data(envelope.data)})
    index = build_index(inputs)
    days = build_resource_days(inputs, index)
    assert days is not None and days.days == 90 and days.start == END - dt.timedelta(days=89)
    for rid, total in index.cost.window_total.items():
        assert days.total(days.row[rid], 0, days.days) == pytest.approx(total)
    assert sum(days.matrix) == pytest.approx(sum(index.cost.daily.values()))  # the id-less charge included
    assert days.total(days.row[f"/subscriptions/{SUB}"], 0, 90) == pytest.approx(5.0)


def test_new_recurring_cost_found_with_start_date_daily_monthly_and_cost_since() -> None:
    found = _insights()
    assert [(c.name, c.date, c.daily, c.monthly, c.cost_since, c.type_label) for c in found.new_costs] == [
        ("ddos-trial", END - dt.timedelta(days=24), 50.0, 1500.0, 1250.0, "DDoS protection plan")]


def test_stopped_cost_found_with_its_last_day_and_run_rate_before() -> None:
    found = _insights()
    assert [(c.name, c.date, c.monthly) for c in found.stopped_costs] == [("vm-old", END - dt.timedelta(days=10),
                                                                           600.0)]


def test_new_cost_below_the_threshold_is_not_listed() -> None:
    rows = cost_line(BASE["id"], 100.0) + cost_line(DDOS["id"], 0.2, days=(20, 0))
    found = _insights(scan([BASE, DDOS], cost_rows=rows))
    # max(0.5% of the monthly run-rate (30 x 100.13), H = 10)
    assert found.new_costs == () and found.new_cost_threshold == pytest.approx(15.02)


def test_new_cost_billed_on_too_few_days_is_not_recurring() -> None:
    rows = cost_line(BASE["id"], 100.0) + [r for i, r in enumerate(cost_line(DDOS["id"], 50.0, days=(20, 0)))
                                           if i % 3 == 0]
    assert _insights(scan([BASE, DDOS], cost_rows=rows)).new_costs == ()


def test_level_shifts_attributed_to_the_resources_that_started_and_stopped() -> None:
    found = _insights()
    assert [(s.date, s.delta_daily) for s in found.level_shifts] == [(END - dt.timedelta(days=24), 50.0),
                                                                     (END - dt.timedelta(days=9), -20.0)]
    up, down = found.level_shifts[0].drivers[0], found.level_shifts[1].drivers[0]
    assert (up.name, up.new, up.stopped, up.delta, up.share) == ("ddos-trial", True, False, 50.0, 1.0)
    assert (down.name, down.new, down.stopped, down.delta, down.share) == ("vm-old", False, True, -20.0, 1.0)


def test_run_rate_since_the_latest_shift_and_its_change_with_drivers() -> None:
    rate = _insights().run_rate
    assert rate is not None
    assert (rate.start, rate.days) == (END - dt.timedelta(days=9), 10)  # the shift 10 days ago, not 28 days
    assert rate.daily == 150.5  # the id-less £5 on the last day over 10 days
    assert (rate.monthly, rate.annual) == (4515.0, 54180.0)
    assert rate.base_daily == 120.0 and rate.base_from == END - dt.timedelta(days=89)
    assert (rate.change_daily, rate.change_pct) == (30.5, 0.2542)
    assert [(d.name, d.delta) for d in rate.drivers][:2] == [("ddos-trial", 50.0), ("vm-old", -20.0)]


def test_movers_mark_new_and_stopped_and_join_findings_on_lower_case_ids() -> None:
    findings = {DDOS["id"].upper(): ("net-12-x",)}
    movers = _insights(findings=findings).movers
    assert movers is not None
    by_name = {m.label: m for m in movers.resources}
    assert (by_name["ddos-trial"].status, by_name["ddos-trial"].delta_pct, by_name["ddos-trial"].finding_ids) == (
        "new", None, ("net-12-x",))
    assert by_name["vm-old"].last_cost == END - dt.timedelta(days=10)
    assert movers.total_now == pytest.approx(3000.0 + 25 * 50.0 + 20 * 20.0 + 5.0)
    assert {m.key for m in movers.services} >= {"Azure DDOS Protection", "Virtual Machines", "Support"}


def test_months_label_the_partial_first_and_the_month_to_date() -> None:
    months = _insights().months
    assert [(m.month, m.days_with_data, m.days_in_month, m.partial) for m in months] == [
        ("2026-08", 5, 31, True), ("2026-09", 30, 30, False), ("2026-10", 31, 31, False), ("2026-11", 24, 30, True)]
    assert months[0].note == "partial: data from 27 Aug"
    assert months[-1].note is not None and months[-1].note.startswith("month to date; forecast £")
    assert months[-1].forecast == pytest.approx(months[-1].total + 6 * (150.0 + 5 / 7), abs=0.01)
    assert "step up on 31 Oct (+£50.00 a day)" in (months[2].note or "")
    assert months[0].daily_average == 120.0


def test_views_sum_to_the_total_including_cost_without_a_resource_id() -> None:
    found = _insights()
    total = sum(s.amount for s in found.by_subscription)
    assert total == pytest.approx(sum(a.amount for a in found.by_environment))
    assert total == pytest.approx(sum(a.amount for a in found.by_service) + found.by_service_other)
    assert found.by_subscription[0].name == "Sandbox <b>one</b>"  # raw here; escaped where shown
    assert [r.name for r in found.top_resources][:2] == ["vm-app", "ddos-trial"]


def test_findings_by_resource_maps_every_resource_of_a_finding() -> None:
    @dataclasses.dataclass
    class F:
        id: str
        resource_id: str
        resources: tuple[str, ...]

    mapping = findings_by_resource([F("a", "/X", ("/X", "/Y")), F("b", "/Y", ())])
    assert mapping == {"/x": ("a",), "/y": ("a", "b")}


def test_to_dict_is_json_with_report_v2_analytics_keys() -> None:
    data = json.loads(json.dumps(_insights().to_dict()))
    for key in ("months", "level_shifts", "anomalies", "movers", "new_costs", "stopped_costs", "by_subscription",
                "by_environment", "by_resource_group", "resource_groups_total", "by_service_other", "top_resources",
                "tags", "actual_vs_amortized", "signals", "governance", "unit_economics", "run_rate", "daily"):
        assert key in data, key
    assert data["run_rate"]["from"] == (END - dt.timedelta(days=9)).isoformat()
    assert data["unit_economics"] is None
    assert data["tags"]["keys"][0]["by_subscription"][0]["subscription_id"] == SUB


def test_no_cost_data_gives_empty_views_that_say_so() -> None:
    inputs = scan([BASE], cost_rows=[])
    found = _insights(inputs)
    assert found.run_rate is None and found.months == () and found.movers is None
    assert found.actual_vs_amortized.actual_30d is None
    assert "No cost data" in found.tags.reconciliation
    assert not [g for g in found.guardrails if g.id in ("GV-B", "GV-A", "GV-T")]


def test_cost_profile_counts_children_and_prices_a_young_resource_on_its_days() -> None:
    server = a_row("Microsoft.Sql/servers", "sql1")
    child = server["id"] + "/databases/db1"
    rows = cost_line(server["id"], 1.0, "SQL Database") + cost_line(child, 4.0, "SQL Database", days=(9, 0))
    inputs = scan([server], cost_rows=rows)
    index = build_index(inputs)
    days = prepare_days(inputs, index)
    assert days is not None
    profile = CostProfile(days, index)
    assert profile.first_cost_day(server["id"].upper()) == END - dt.timedelta(days=89)
    assert profile.first_cost_day(child) == END - dt.timedelta(days=9)
    assert profile.monthly(child) == 120.0  # 10 days old: 30 x its mean since then, not its 30-day sum (40)
    assert profile.monthly(server["id"]) == 70.0  # with its child, billing all window: the last 30 days' sum
    since = profile.cost_since([child])
    assert since is not None and (since.start, since.amount) == (END - dt.timedelta(days=9), 40.0)
    assert profile.last_cost_day(server["id"]) == END
