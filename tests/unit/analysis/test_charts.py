"""The D8.10 charts: axis ticks, gridlines, printed annotations and escaped names in the SVG."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from shared.analysis.chart_axes import nice_ticks, short_money
from shared.analysis.charts import daily_chart
from shared.analysis.index import build_index
from shared.analysis.insights import compute_insights
from shared.analysis.insights_views import CostInsights
from shared.analysis.report_analytics import insights_out
from shared.analysis.report_model import DailyCost, Report
from shared.analysis.waterfall import waterfall
from tests.unit.analysis.builders import END, a_row, analyse, cost_line, scan
from tests.unit.analysis.demo_inputs import load_demo, scan_inputs

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "ddos-<script>alert(1)</script>"


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well-formed
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def _insights() -> CostInsights:
    base = a_row("Microsoft.Compute/virtualMachines", "vm-app")
    ddos = a_row("Microsoft.Network/ddosProtectionPlans", HOSTILE.replace("/", ""))
    rows = cost_line(base["id"], 300.0, "Virtual Machines") + cost_line(ddos["id"], 80.0, "Azure DDOS Protection",
                                                                         days=(40, 0))
    rows.append([640.0, int((END - dt.timedelta(days=10)).strftime("%Y%m%d")), base["id"].lower(), "Bandwidth",
                 "GBP"])
    inputs = scan([base, ddos], cost_rows=rows)
    return compute_insights(inputs, build_index(inputs))


@pytest.mark.parametrize(("top", "ticks"), [
    (1072.46, [0, 250, 500, 750, 1000, 1250]), (9.68, [0, 2, 4, 6, 8, 10]), (428.0, [0, 100, 200, 300, 400, 500]),
    (51.0, [0, 20, 40, 60]), (101.0, [0, 25, 50, 75, 100, 125]), (12710.16, [0, 5000, 10000, 15000]),
    (100.0, [0, 20, 40, 60, 80, 100]), (0.0, [0, 1])])
def test_nice_ticks_are_one_two_two_and_a_half_or_five_times_a_power_of_ten(top: float, ticks: list[float]) -> None:
    assert nice_ticks(top) == ticks
    assert 4 <= len(nice_ticks(top)) <= 6 or top == 0.0


def test_short_money_keeps_whole_units_and_pence_below_ten() -> None:
    assert (short_money(12710.16, "GBP"), short_money(9.66, "GBP"), short_money(-27.4, "CHF")) == (
        "£12,710", "£9.66", "-27 CHF")


def _daily_chart(found: CostInsights) -> str:
    """The chart as the report draws it: from report.json's daily series and analytics block."""
    days = [DailyCost(date=d.date, cost=d.cost, anomaly=d.anomaly) for d in found.daily]
    return str(daily_chart(days, insights_out(found, []), found.currency))


def test_daily_chart_prints_ticks_months_run_rate_shift_one_off_and_forecast() -> None:
    found = _insights()
    svg = _daily_chart(found)
    texts = _texts(svg)
    assert {"£0", "£250", "£500", "£750", "£1,000"} <= set(texts)  # y ticks, with a gridline each
    assert svg.count('stroke="#e3e3e3"') >= len(nice_ticks(1020.0)) + 3  # tick lines and month lines
    assert {"Sep", "Oct", "Nov"} <= set(texts)
    assert any(t.startswith("run-rate £380 a day") for t in texts)
    shift = found.level_shifts[0]
    assert f"{shift.date.day} {shift.date.strftime('%b')}: +£80 a day, ddos-" in " ".join(texts)
    assert any(t.endswith(": one-off £640, Bandwidth") for t in texts)
    assert any(t.startswith("forecast £") for t in texts) and "7-day average" in texts
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_waterfall_labels_each_bar_and_draws_the_estimate_whisker() -> None:
    # Page 1's waterfall (waterfall.py) is the one the report draws; its test took over the analytics' own.
    pennine = next(t for t in load_demo().tenants if t.display_name.startswith("Pennine"))
    headline = Report.model_validate_json(analyse(scan_inputs(pennine)).report_json).headline
    svg = str(waterfall(headline))
    texts = _texts(svg)
    assert texts[:5] == ["Run-rate today", "£12,700", "After measured", "£9,800 (\u2212£2,910)", "After licences"]
    bars = ["£12,700", "£9,800 (\u2212£2,910)", "£8,420 (\u2212£1,380)", "£8,330 (\u2212£85)"]
    assert [t for t in texts if t in bars] == bars
    assert "£8,070 (\u2212£263)" in texts and "After estimates" in texts
    assert 'stroke="#333"' not in svg  # Pennine's estimates are priced on twins: no range, no whisker
    # A rule-of-thumb estimate with a range draws D8.10's whisker to the run-rate left at its upper bound.
    tiers = [t.model_copy(update={"monthly_high": t.monthly + 50.0}) if t.tier == "estimated" else t
             for t in headline.tiers]
    texts = _texts(str(waterfall(headline.model_copy(update={"tiers": tiers}))))
    assert "£8,070 (\u2212£263), as low as £8,020" in texts
    assert str(waterfall(headline.model_copy(update={"tiers": tiers}))).count('stroke="#333"') == 2


def test_charts_say_so_when_there_is_nothing_to_draw() -> None:
    empty = compute_insights(scan([], cost_rows=[]), build_index(scan([], cost_rows=[])))
    assert _daily_chart(empty) == "<p>No cost data.</p>"
