"""The money section of report.html and the analytics block of report.json v2 for Pennine (report-design D8, D10,
D13.2): every view the practitioner asked for is printed, from the same figures report.json carries."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from shared.analysis.rules.registry import CATALOGUE
from tests.unit.analysis.builders import a_row, analyse, cost_line, scan
from tests.unit.analysis.demo_inputs import load_demo, scan_inputs


@lru_cache(maxsize=2)
def rendered(name: str) -> tuple[dict[str, Any], str]:
    """report.json (parsed) and report.html of one demo tenant."""
    tenant = next(t for t in load_demo().tenants if t.display_name.startswith(name))
    bundle = analyse(scan_inputs(tenant))
    return json.loads(bundle.report_json), bundle.report_html.decode()


def money_section(html: str) -> str:
    return html[html.index('<section id="money">'):html.index('<section id="appendix-a">')]


def test_report_json_carries_the_analytics_block_and_the_headline_takes_its_run_rate() -> None:
    report, _ = rendered("Pennine")
    insights = report["analytics"]["insights"]
    assert [(m["month"], m["partial"]) for m in insights["months"]] == [
        ("2026-09", True), ("2026-10", False), ("2026-11", False), ("2026-12", True)]
    assert [s["date"] for s in insights["level_shifts"]] == ["2026-10-29"]
    assert [(a["date"], a["one_off"]) for a in insights["anomalies"]] == [("2026-11-24", 645.73)]
    rate, headline = insights["run_rate"], report["headline"]["run_rate"]
    assert (headline["daily"], headline["monthly"], headline["from"], headline["days"]) == (
        rate["daily"], rate["monthly"], rate["from"], rate["days"]) == (423.67, 12710.17, "2026-11-08", 28)
    assert [s["type"] for s in report["analytics"]["signals"]] == ["level_shift", "anomaly", "growth", "forecast",
                                                                   "untagged"]
    governance = {g["subscription_id"]: g for g in insights["governance"]}
    findings = {f["id"]: f["rule"] for f in report["findings"]}
    for g in governance.values():
        assert [findings[i] for i in g["finding_ids"]] == g["recommendation_ids"]


def test_money_section_prints_months_run_rate_events_movers_and_new_costs() -> None:
    section = money_section(rendered("Pennine")[1])
    for text in ("Sep 2026", "24 of 30", "partial: data from 7 Sep", "month to date; forecast £13,238.67",
                 "Run-rate £423.67 a day (£12,710.17 a month", "+£95.48 a day (+29%)",
                 "ddos-sandbox-trial +£74.57 (78%)",
                 "29 Oct: +£80.10 a day (+23.9%), 93.1% ddos-sandbox-trial",
                 "Bandwidth (data transfer out) from stpenninedatalake", "Log Analytics up 56% in 30 days",
                 "Last 30 days £13,331.89 against £10,641.89", "started 29 Oct", "stopped 27 Nov"):
        assert text in section, text


def test_money_section_prints_spend_views_tags_cash_and_guardrails() -> None:
    section = money_section(rendered("Pennine")[1])
    for text in ("Pennine Freight Production", "Enterprise Agreement", "Pay-As-You-Go (outside your agreement)",
                 "Development", "Other (15 services)", "The top 6 of 19 resource groups",
                 "costCentre", "via its group", "Tags as billed (Cost Management) were not collected",
                 "Actual (cash) cost was not collected", "a budget, an anomaly alert, deny costly types"):
        assert text in section, text
    assert "4cc7ce7c-7cda-5cd6-a1c8-072ce8ef91fd" not in section  # subscription names, never GUIDs (C4.14)
    # The daily chart's annotations are printed text, not tooltips (D8.10, C4.5-C4.7).
    for text in ("29 Oct: +£80 a day, ddos-sandbox-trial", "24 Nov: one-off £646, Bandwidth", "run-rate £424 a day",
                 "7-day average", "forecast £13,239 for December", ">Oct<", "£1,250"):
        assert text in section, text


def test_body_before_the_appendices_names_no_rule_id() -> None:
    body = rendered("Pennine")[1].split('id="appendix-a"', 1)[0]
    found = {rule for rule in CATALOGUE if re.search(rf"\b{re.escape(rule)}\b", body)}
    assert found == set()


def test_tamar_money_section_says_steady_and_sizes_its_budget() -> None:
    report, html = rendered("Tamar")
    section = money_section(html)
    assert report["analytics"]["insights"]["level_shifts"] == [] and "Run-rate £9.66 a day" in section
    assert "a £310 budget, an anomaly alert" in html


def test_service_table_adds_an_other_row_so_rows_sum_to_the_total_and_escapes_labels() -> None:
    # report-design D13.5's second cut: spend by service is a table (it was a chart); the chart's test moved here.
    report, html = rendered("Pennine")
    insights = report["analytics"]["insights"]
    shown = insights["by_service"][:8]
    rest = sum(a["amount"] for a in insights["by_service"][8:]) + insights["by_service_other"]
    assert abs(sum(a["amount"] for a in shown) + rest - insights["spend_30d"]) < 0.05
    section = money_section(html)
    count = len(insights["by_service"][8:]) + insights["services_other_count"]
    assert f"Other ({count} services)" in section
    hostile = analyse_hostile_service()
    assert "&lt;b&gt;Bad&lt;/b&gt;" in hostile and "<b>Bad</b>" not in hostile


def analyse_hostile_service() -> str:
    """The money section of a review whose only meter category is a hostile string."""
    vm = a_row("Microsoft.Compute/virtualMachines", "vm1")
    bundle = analyse(scan([vm], cost_rows=cost_line(vm["id"], 10.0, "<b>Bad</b>")))
    return money_section(bundle.report_html.decode())
