"""report.json v2 against its schema, report.html escaping and self-containment, report.csv (report-design D12-D14)."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path

import pytest

from shared.analysis import ReportBundle, ScanInputs, SubscriptionInputs
from shared.analysis.csv_out import BOM, COLUMNS, neutralise
from shared.analysis.report_model import SCHEMA_URL, Report
from shared.analysis.report_model_v1 import Report as ReportV1
from tests.unit.analysis.builders import a_disk, analyse, cost_line, scan
from tests.unit.analysis.demo_inputs import load_demo, scan_inputs

ANALYSIS = Path(__file__).resolve().parents[3] / "shared" / "analysis"
HOSTILE = '<img src=x onerror=alert(1)>"\'&'


def hostile_bundle() -> ReportBundle:
    disk = a_disk(f"disk-{HOSTILE}", tags={"team": HOSTILE})
    return analyse(scan([disk], cost_rows=cost_line(disk["id"], 2.0), display_name=f"Sub {HOSTILE}"))


def _rows(bundle: ReportBundle) -> list[dict[str, str]]:
    text = bundle.findings_csv.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))


@pytest.mark.parametrize(("path", "model"), [("report.schema.json", Report), ("report.v1.schema.json", ReportV1)])
def test_committed_schema_equals_model_schema_when_compared(path: str, model: type[Report]) -> None:
    assert json.loads((ANALYSIS / path).read_text(encoding="utf-8")) == model.model_json_schema()


def test_report_json_names_its_schema_and_validates_when_rendered() -> None:
    data = json.loads(hostile_bundle().report_json)
    report = Report.model_validate(data)
    assert (data["$schema"], report.schema_version, report.totals.monthly_savings) == (SCHEMA_URL, 2, 60.0)
    assert Report.model_json_schema()["$id"] == data["$schema"]


def test_headline_counted_sum_equals_totals_when_rendered() -> None:
    report = Report.model_validate_json(hostile_bundle().report_json)
    assert report.headline.counted_monthly == report.totals.monthly_savings == 60.0
    assert {t.tier: t.monthly for t in report.headline.tiers}["measured"] == 60.0


def test_ids_lower_case_and_names_kept_when_rendered() -> None:
    finding = Report.model_validate_json(hostile_bundle().report_json).findings[0]
    assert finding.resource_id == finding.resource_id.lower()
    assert finding.resource_name == f"disk-{HOSTILE}"


def test_customer_strings_escaped_when_rendered_in_html() -> None:
    html = hostile_bundle().report_html.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_html_self_contained_when_rendered() -> None:
    html = hostile_bundle().report_html.decode()
    assert not re.search(r"<script|<link|@import|url\(|src=\"http|href=\"http", html, re.IGNORECASE)


def test_html_has_every_section_when_rendered() -> None:
    html = hostile_bundle().report_html.decode()
    for heading in ("a month", "How sure the money is", "Action plan", "Do this week", "Decide", "Investigate",
                    "Hygiene", "Where the money goes", "Appendix A: scripts", "Appendix B", "Appendix C",
                    "What we could not see", "<svg"):
        assert heading in html


def test_html_prints_no_rule_id_basis_code_or_arm_type_in_the_body_when_rendered() -> None:
    html = hostile_bundle().report_html.decode()
    body = html.split('id="appendix-a"', 1)[0]
    for jargon in ("DSK-1", "rule:", "actual_cost", "rule_of_thumb", "microsoft.compute", "P3Y", "AOE"):
        assert jargon not in body


def test_csv_has_bom_columns_in_design_order_and_one_row_per_finding_when_rendered() -> None:
    bundle = hostile_bundle()
    text = bundle.findings_csv.decode("utf-8")
    assert text.startswith(BOM) and "\r\n" in text
    rows = _rows(bundle)
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == bundle.findings_count
    # The disk, and its subscription's two guardrails (budget, anomaly alert); a first review: no change yet.
    assert [(r["status"], r["assignee"], r["due"], r["change"]) for r in rows] == [("", "", "", "")] * 3


def test_csv_and_json_carry_each_finding_kind_when_rendered() -> None:
    bundle = hostile_bundle()
    report = Report.model_validate_json(bundle.report_json)
    assert [r["kind"] for r in _rows(bundle)] == [f.kind for f in report.findings] == ["counted", "risk", "risk"]
    assert [f.rule for f in report.findings] == ["DSK-1", "GV-B", "GV-A"]


def test_command_quotes_a_hostile_resource_id_as_one_word_when_rendered() -> None:
    finding = Report.model_validate_json(hostile_bundle().report_json).findings[0]
    text = next(c.text for c in finding.commands if " delete " in c.text)
    target = next(r for r in finding.resources if "disk-" in r)
    words = shlex.split(text)
    assert words[words.index("--ids") + 1].lower() == target
    assert "--ids '/subscriptions/" in text


def test_csv_cell_neutralised_when_it_starts_like_a_formula() -> None:
    disk = a_disk("=HYPERLINK(1)")
    bundle = analyse(scan([disk], cost_rows=cost_line(disk["id"], 2.0)))
    row = _rows(bundle)[0]
    assert row["resource_name"] == "'=HYPERLINK(1)"
    assert row["monthly_saving"] == "60.00"


@pytest.mark.parametrize("text", ["=1+1", " =1+1", "\n=8+8", "\t=1", "\r=1", "|cmd", "\uff1d1+1", "+1", "-1", "@SUM(1)",
                                  "  \n @x", "\uff051"])
def test_formula_like_text_neutralised_when_a_cell_is_written(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["disk-1", "a=b", "", "£12.00", "1-2"])
def test_plain_text_left_alone_when_a_cell_is_written(text: str) -> None:
    assert neutralise(text) == text


def test_report_rendered_with_limitations_when_no_source_was_collected() -> None:
    inputs = scan([])
    sub = inputs.subscriptions[0]
    bare = SubscriptionInputs(sub.subscription_id, None, None, {}, {"cost": "the offer has no cost data"})
    bundle = analyse(ScanInputs("c1", "s1", "Acme", inputs.generated_at, [bare]))
    report = Report.model_validate_json(bundle.report_json)
    assert (bundle.findings_count, any("the offer has no cost data" in x for x in report.limitations)) == (0, True)


def test_csv_counts_nothing_at_zero_and_keeps_numbers_numeric_when_demo_rendered() -> None:
    tenant = next(t for t in load_demo().tenants if t.display_name.startswith("Pennine"))
    rows = _rows(analyse(scan_inputs(tenant)))
    zero = [r for r in rows if r["monthly_saving"] == "0.00"]
    assert zero and {r["counted"] for r in zero} == {"false"}
    for row in rows:
        for column in ("monthly_saving", "annual_saving", "cost_30d"):
            float(row[column])  # a number, never a text-prefixed cell
