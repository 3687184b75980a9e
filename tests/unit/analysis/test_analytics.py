"""Cost analytics and the cost-data rules (COST-1, COST-2, COST-3, COST-5), and reading cost columns by name."""

from __future__ import annotations

from typing import Any

from shared.analysis.analytics import compute_analytics
from shared.analysis.index import build_index
from shared.analysis.rules.costdata import anomalies, growing_costs, untagged_spend
from tests.unit.analysis.builders import END, a_row, context, cost_line, scan


def _spiky() -> Any:
    a = a_row("Microsoft.Storage/storageAccounts", "st1", tags={"env": "prod"})
    b = a_row("Microsoft.Network/natGateways", "n1", tags={"env": "prod"})
    rows = cost_line(a["id"], 10.0) + cost_line(b["id"], 10.0)
    rows.append([500.0, int(END.strftime("%Y%m%d")) - 5, a["id"].lower(), "Bandwidth", "GBP"])
    return scan([a, b], cost_rows=rows)


def test_anomaly_found_with_its_driver_when_one_day_spikes() -> None:
    inputs = _spiky()
    ctx = context(inputs)
    found = anomalies(ctx, compute_analytics(inputs, ctx.index))
    assert [(f.rule, f.resource_id.rsplit("/", 1)[-1], f.evidence["day_cost"]) for f in found] == [
        ("COST-2", "st1", 520.0)]


def test_no_anomaly_when_spend_is_flat() -> None:
    a = a_row("Microsoft.Network/natGateways", "n1")
    inputs = scan([a], cost_rows=cost_line(a["id"], 10.0))
    ctx = context(inputs)
    assert not anomalies(ctx, compute_analytics(inputs, ctx.index))


def test_growing_cost_flagged_when_last_week_exceeds_first_by_a_fifth() -> None:
    a = a_row("Microsoft.OperationalInsights/workspaces", "log1")
    rows = cost_line(a["id"], 10.0, days=(89, 7)) + cost_line(a["id"], 14.0, days=(6, 0))
    inputs = scan([a], cost_rows=rows)
    ctx = context(inputs)
    assert [f.rule for f in growing_costs(ctx, compute_analytics(inputs, ctx.index))] == ["COST-1"]


def test_new_resource_not_growth_when_it_started_billing_within_the_month() -> None:
    a = a_row("Microsoft.OperationalInsights/workspaces", "log1")
    inputs = scan([a], cost_rows=cost_line(a["id"], 10.0, days=(26, 0)))
    ctx = context(inputs)
    assert not growing_costs(ctx, compute_analytics(inputs, ctx.index))


def test_untagged_spend_flagged_when_over_a_tenth_of_the_subscription() -> None:
    a = a_row("Microsoft.Network/natGateways", "n1")
    inputs = scan([a], cost_rows=cost_line(a["id"], 10.0))
    ctx = context(inputs)
    found = untagged_spend(ctx, compute_analytics(inputs, ctx.index))
    assert [(f.rule, f.evidence["share"]) for f in found] == [("COST-5", 1.0)]


def test_forecast_adds_recent_daily_average_for_days_left_when_month_unfinished() -> None:
    a = a_row("Microsoft.Network/natGateways", "n1")
    inputs = scan([a], cost_rows=cost_line(a["id"], 10.0))
    analytics = compute_analytics(inputs, build_index(inputs))
    assert round(analytics.forecast_month_end, 2) == 300.0  # November: 24 days billed + 6 days x 10


def test_cost_read_by_column_name_when_columns_reordered_and_named_pretaxcost() -> None:
    a = a_row("Microsoft.Network/natGateways", "n1")
    inputs = scan([a], cost_rows=cost_line(a["id"], 2.0))
    data = inputs.subscriptions[0].raw["cost"].data
    data["columns"] = [{"name": n} for n in ("UsageDate", "MeterCategory", "ResourceId", "PreTaxCost", "Currency")]
    data["rows"] = [[r[1], r[3], r[2], r[0], r[4]] for r in data["rows"]]
    assert round(build_index(inputs).cost30(a["id"]), 2) == 60.0
