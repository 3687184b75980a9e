"""report.json against its schema, report.html escaping and self-containment, findings.csv."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from shared.analysis import ReportBundle, ScanInputs, SubscriptionInputs
from shared.analysis.report_model import Report
from tests.unit.analysis.builders import a_disk, analyse, cost_line, scan

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "analysis" / "report.schema.json"
HOSTILE = '<img src=x onerror=alert(1)>"\'&'


def hostile_bundle() -> ReportBundle:
    disk = a_disk(f"disk-{HOSTILE}", tags={"team": HOSTILE})
    return analyse(scan([disk], cost_rows=cost_line(disk["id"], 2.0), display_name=f"Sub {HOSTILE}"))


def test_committed_schema_equals_model_schema_when_compared() -> None:
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == Report.model_json_schema()


def test_report_json_validates_against_model_when_rendered() -> None:
    report = Report.model_validate_json(hostile_bundle().report_json)
    assert (report.schema_version, report.totals.monthly_savings) == (1, 60.0)


def test_customer_strings_escaped_when_rendered_in_html() -> None:
    html = hostile_bundle().report_html.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_html_self_contained_when_rendered() -> None:
    html = hostile_bundle().report_html.decode()
    assert not re.search(r"<script|<link|@import|url\(|src=\"http|href=\"http", html, re.IGNORECASE)


def test_html_has_every_section_when_rendered() -> None:
    html = hostile_bundle().report_html.decode()
    for heading in ("Executive summary", "Savings by category", "Findings, largest saving first",
                    "Where the money goes", "Methodology and data sources", "What we could not see", "<svg"):
        assert heading in html


def test_csv_has_one_row_per_finding_when_rendered() -> None:
    bundle = hostile_bundle()
    rows = list(csv.DictReader(io.StringIO(bundle.findings_csv.decode())))
    assert len(rows) == bundle.findings_count


def test_csv_and_json_carry_each_finding_kind_when_rendered() -> None:
    bundle = hostile_bundle()
    rows = list(csv.DictReader(io.StringIO(bundle.findings_csv.decode())))
    report = Report.model_validate_json(bundle.report_json)
    assert [r["kind"] for r in rows] == [f.kind for f in report.findings] == ["counted"]
    assert list(rows[0])[-1] == "kind"  # appended: readers of the earlier columns by position are unaffected


def test_action_quotes_a_hostile_resource_id_when_rendered() -> None:
    report = Report.model_validate_json(hostile_bundle().report_json)
    action = report.findings[0].action
    assert "--ids '/subscriptions/" in action and HOSTILE.split("'")[0] in action


def test_csv_cell_neutralised_when_it_starts_like_a_formula() -> None:
    disk = a_disk("=HYPERLINK(1)")
    bundle = analyse(scan([disk], cost_rows=cost_line(disk["id"], 2.0)))
    row = next(csv.DictReader(io.StringIO(bundle.findings_csv.decode())))
    assert row["resource_name"] == "'=HYPERLINK(1)"


def test_report_rendered_with_limitations_when_no_source_was_collected() -> None:
    inputs = scan([])
    sub = inputs.subscriptions[0]
    bare = SubscriptionInputs(sub.subscription_id, None, None, {}, {"cost": "the offer has no cost data"})
    bundle = analyse(ScanInputs("c1", "s1", "Acme", inputs.generated_at, [bare]))
    report = Report.model_validate_json(bundle.report_json)
    assert (bundle.findings_count, any("the offer has no cost data" in x for x in report.limitations)) == (0, True)
