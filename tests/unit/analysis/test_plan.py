"""The action plan (report-design D5): Pennine's plan, batch ids, the hygiene fold, and the page bounds at 10,000
findings (HTML under 1 MB, at most 12 rows a section, 50 commands a script, every finding in the CSV)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from functools import lru_cache
from typing import Any

from shared.analysis.csv_out import BOM
from shared.analysis.plan import BOUNDS, batch_id, hygiene_threshold
from shared.analysis.report_model import Report
from tests.unit.analysis.builders import END, SUB, a_disk, analyse, scan
from tests.unit.analysis.test_golden_demo import demo_reports

ESTATE_FINDINGS = 10_000


def _plan(name: str) -> list[tuple[str, str, float, float]]:
    report = demo_reports()[name]
    return [(s["section"], r["title"], r["monthly"], r["monthly_high"]) for s in report["action_plan"]["sections"]
            for r in s["rows"]]


def test_pennine_do_this_week_rows_when_demo_analysed() -> None:
    rows = [r for r in _plan("Pennine Freight Ltd") if r[0] == "do_now"]
    assert rows[0] == ("do_now", "Delete the DDoS protection plan ddos-sandbox-trial", 2237.18, 2237.18)
    assert ("do_now", "Clean up 2 items in rg-web-dev (Pennine Freight Dev/Test)", 240.56, 240.56) in rows
    assert round(sum(r[2] for r in rows), 2) == 2981.28  # measured 2,912.94 less 7.95 in hygiene, + 76.29 estimated


def test_pennine_decisions_name_the_licences_and_the_commitment_when_demo_analysed() -> None:
    titles = [r[1] for r in _plan("Pennine Freight Ltd") if r[0] == "decide"]
    assert "Hybrid Benefit: up to £1,380 a month if you hold 4 SQL Server Enterprise core licences and 32 Windows " \
           "Server core licences (4 instances of up to 8 vCPUs), with Software Assurance" in titles
    assert any(t.startswith("Reserve 3 \u00d7 D4s_v5 for 1 year after clean-up and right-sizing") for t in titles)


def test_review_items_shown_with_their_range_and_never_counted_when_demo_analysed() -> None:
    report = demo_reports()["Pennine Freight Ltd"]
    rows = [r for s in report["action_plan"]["sections"] for r in s["rows"] if not r["counted"]]
    assert {(r["monthly"], r["monthly_high"]) for r in rows if "DDoS plan" in r["title"]} == {(0.0, 1783.51)}
    assert all(r["monthly"] == 0 for r in rows)


def test_hygiene_threshold_is_ten_units_or_a_thousandth_of_the_run_rate() -> None:
    assert (hygiene_threshold(12_710.16), hygiene_threshold(289.89)) == (12.71, 10.0)
    pennine = demo_reports()["Pennine Freight Ltd"]["action_plan"]["hygiene"]
    assert pennine["threshold"] == 12.71 and len(pennine["finding_ids"]) == 11


def test_batch_id_is_stable_across_scans_when_computed() -> None:
    key = ("E41EABDA-fc78", "RG-TMS-DEV", "tms-dev-team")
    expected = hashlib.sha256(b"batch|do_now|e41eabda-fc78|rg-tms-dev|tms-dev-team").hexdigest()[:16]
    assert batch_id("do_now", key) == expected


@lru_cache(maxsize=1)
def large_estate() -> tuple[Report, bytes, bytes]:
    """10,000 unattached disks in 40 resource groups, each billed once yesterday."""
    disks, rows = [], []
    for n in range(ESTATE_FINDINGS):
        disk = a_disk(f"disk-{n:05d}")
        group = f"rg-{n % 40:02d}"
        disk["id"] = disk["id"].replace("/resourceGroups/rg-a/", f"/resourceGroups/{group}/")
        disk["resourceGroup"] = group
        disks.append(disk)
        rows.append([1.0 + n % 7, int(END.strftime("%Y%m%d")), disk["id"].lower(), "Storage", "GBP"])
    bundle = analyse(scan(disks, cost_rows=rows))
    return Report.model_validate_json(bundle.report_json), bundle.report_html, bundle.findings_csv


# The one subscription's guardrails (a budget and an anomaly alert: report-design D10) join the disks.
GUARDRAILS = 2


def test_page_stays_bounded_when_estate_has_ten_thousand_findings() -> None:
    report, html, _ = large_estate()
    assert len(report.findings) == ESTATE_FINDINGS + GUARDRAILS
    assert sorted(f.rule for f in report.findings if f.rule.startswith("GV-")) == ["GV-A", "GV-B"]
    assert len(html) <= 1_000_000
    shown = [r for s in report.action_plan.sections for r in s.rows]
    assert all(s.rows_shown <= BOUNDS.rows_per_section for s in report.action_plan.sections)
    assert len(shown) <= 3 * BOUNDS.rows_per_section
    assert all(len(r.names) <= BOUNDS.batch_names for r in shown)
    blocks = re.findall(r'<div id="A-\d+">.*?<pre>(.*?)</pre>', html.decode(), re.S)
    assert blocks and all(sum(1 for line in b.splitlines() if line.startswith("az ")) <= 50 for b in blocks)


def test_hidden_rows_are_counted_and_their_money_stated_when_estate_is_large() -> None:
    report, _, _ = large_estate()
    do_now = report.action_plan.sections[0]
    assert do_now.rows_total == 40 and do_now.rows_shown == BOUNDS.rows_per_section
    shown = sum(r.monthly for r in do_now.rows)
    assert round(shown + do_now.monthly_not_shown, 2) == report.headline.counted_monthly


def test_csv_and_json_never_truncated_when_estate_is_large() -> None:
    report, _, data = large_estate()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8").removeprefix(BOM))))
    assert len(rows) == ESTATE_FINDINGS + GUARDRAILS == len(report.findings)
    commands = sum(len(r["commands"].splitlines()) for r in rows)
    assert commands >= ESTATE_FINDINGS
    assert all(r["subscription_id"] == SUB for r in rows[:5])


def _json(report: Report) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(report.model_dump_json(by_alias=True))
    return loaded
