"""The review history: the previous review handed to the analysis, the summary kept in the scan row, deleting
a review (blobs, rows, audit; 404 and 409), retention after 13 months, and the history view."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from shared import views
from shared.analysis.changes_model import Changes
from shared.analysis.model import ReportBundle, ScanInputs
from shared.errors import Conflict, NotFound
from shared.messages import SOURCES, AnalyseScan, ScanRequested
from shared.pipeline.analyse import analyse_scan
from shared.pipeline.collect import collect_task
from shared.pipeline.plan import plan_scan
from shared.pipeline.reviews import delete_review, enforce_retention, months_before
from shared.pipeline.scan import request_scan
from tests.unit.fakes import CUSTOMER_ID, World, a_customer, make_world

PENNINE_V1 = Path(__file__).resolve().parents[2] / "fixtures" / "reports" / "v1" / "pennine-report.json"
OTHER = "f" * 32


def reviewed(world: World) -> str:
    """One scan requested, collected and analysed; the clock then moves on an hour (the next id sorts later)."""
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    for task in plan_scan(ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services):
        collect_task(task, world.services)
    analyse_scan(AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services)
    world.clock.advance(hours=1)
    return scan_id


def report_json(world: World, scan_id: str) -> bytes:
    return world.blobs[(CUSTOMER_ID, f"reports/{scan_id}/report.json")]


def readable_reports(world: World) -> None:
    """The fake analysis publishes a report.json the next review can read: Pennine's v1 one, under its scan's id."""
    fake = world.services.analyse

    def analyse(inputs: ScanInputs) -> ReportBundle:
        document = json.loads(PENNINE_V1.read_bytes()) | {"scan_id": inputs.scan_id}
        return dataclasses.replace(fake(inputs), report_json=json.dumps(document).encode())

    world.services.analyse = analyse


def test_first_review_gets_no_previous_report_and_records_its_summary_when_analysed() -> None:
    world = make_world()
    scan_id = reviewed(world)
    assert world.analysis.inputs[0].previous is None
    [(scan, summary)] = world.scans.reviews(CUSTOMER_ID)
    assert scan.scan_id == scan_id and summary is not None
    assert (summary.findings, summary.currency, summary.new, summary.previous_scan_id) == (0, "GBP", None, None)


def test_second_review_gets_the_previous_report_when_analysed() -> None:
    world = make_world()
    readable_reports(world)
    first = reviewed(world)
    reviewed(world)
    # Read before the analysis, with only the fields compared: the report.json bytes are not handed on.
    previous = world.analysis.inputs[1].previous
    assert (previous.report.scan_id, previous.schema_version) == (first, 1)


def test_second_review_is_compared_with_none_when_the_previous_report_is_unreadable() -> None:
    world = make_world()
    first = reviewed(world)  # the fake analysis's report.json is not JSON
    reviewed(world)
    assert report_json(world, first) and world.analysis.inputs[1].previous is None


def test_previous_review_skips_a_deleted_one_when_the_latest_was_deleted() -> None:
    world = make_world()
    readable_reports(world)
    first = reviewed(world)
    second = reviewed(world)
    delete_review(world.services, CUSTOMER_ID, second)
    reviewed(world)
    assert world.analysis.inputs[2].previous.report.scan_id == first


def test_summary_carries_the_changes_when_the_analysis_found_some() -> None:
    world = make_world()
    first = reviewed(world)
    changes = Changes.model_validate({
        "previous_scan_id": first, "previous_generated_at": "2026-11-27T12:00:00Z", "previous_schema_version": 1,
        "days_since_previous": 30, "settled_through": "2026-11-30",
        "spend": {"currency": "GBP", "previous_30d": 100.0, "current_30d": 80.0, "delta": -20.0, "delta_pct": -0.2},
        "counts": {"new": 2, "persisting": 3, "resolved": 1, "not_reviewed": 0},
        "savings": {"currency": "GBP", "found_monthly": 50.0, "resolved_monthly": 12.0, "realised_monthly": 12.0,
                    "claimed_monthly": 0.0},
        "new": ["a", "b"], "persisting": [], "resolved": [], "not_reviewed": []})
    fake = world.services.analyse

    def with_changes(inputs: ScanInputs) -> ReportBundle:
        return dataclasses.replace(fake(inputs), changes=changes, spend_30d=80.0, total_monthly_savings=50.0)

    world.services.analyse = with_changes
    second = reviewed(world)
    summary = next(summary for scan, summary in world.scans.reviews(CUSTOMER_ID) if scan.scan_id == second)
    assert summary is not None
    assert (summary.new, summary.resolved, summary.realised_monthly, summary.spend_30d, summary.savings_monthly,
            summary.previous_scan_id) == (2, 1, 12.0, 80.0, 50.0, first)


def test_deleting_a_review_removes_its_blobs_rows_and_audits_when_asked() -> None:
    world = make_world()
    keep, gone = reviewed(world), reviewed(world)
    answer = delete_review(world.services, CUSTOMER_ID, gone)
    # 3 reports and one raw envelope per source of the one subscription
    assert answer["deleted"] is True and answer["blobs_deleted"] == 3 + len(SOURCES)
    assert not [n for (_, n) in world.blobs if gone in n]
    assert [n for (_, n) in world.blobs if keep in n]
    assert [s.scan_id for s, _ in world.scans.reviews(CUSTOMER_ID)] == [keep]
    assert not world.scans.tasks(CUSTOMER_ID, gone)
    event = world.services.audit.events(CUSTOMER_ID)[-1]
    assert (event["event"], event["details"]["scan_id"], event["details"]["by"]) == ("review_deleted", gone,
                                                                                       "customer")


def test_deleting_another_customers_or_a_running_review_is_refused_when_asked() -> None:
    world = make_world()
    world.add_customer(a_customer(OTHER))
    scan_id = reviewed(world)
    with pytest.raises(NotFound):
        delete_review(world.services, OTHER, scan_id)
    running = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    with pytest.raises(Conflict):
        delete_review(world.services, CUSTOMER_ID, running)
    assert len(world.scans.reviews(CUSTOMER_ID)) == 2


def test_retention_deletes_reviews_older_than_thirteen_months_when_the_timer_runs() -> None:
    world = make_world()
    old = reviewed(world)
    requested = world.scans.get(CUSTOMER_ID, old).created_at
    world.clock.advance(days=200)
    recent = reviewed(world)
    world.clock.now = months_before(requested, -13) + dt.timedelta(days=1)  # the old one is 13 months + 1 day old
    assert enforce_retention(world.services, 13) == {"deleted": 1, "summarised": 0, "failed": 0}
    assert [s.scan_id for s, _ in world.scans.reviews(CUSTOMER_ID)] == [recent]
    assert not [n for (_, n) in world.blobs if old in n]
    assert world.services.audit.events(CUSTOMER_ID)[-1]["details"]["by"] == "retention"


def test_retention_summarises_a_review_published_before_summaries_existed_when_the_timer_runs() -> None:
    world = make_world()
    scan_id = reviewed(world)
    world.account[f"c-{CUSTOMER_ID}"][f"reports/{scan_id}/report.json"] = PENNINE_V1.read_bytes()
    del world.tables["scans"].rows[(CUSTOMER_ID, scan_id)]["review"]
    assert views.reviews_of(world.services, CUSTOMER_ID, 13).reviews[0].spend_30d is None
    assert enforce_retention(world.services, 13)["summarised"] == 1
    review = views.reviews_of(world.services, CUSTOMER_ID, 13).reviews[0]
    # 33, not the 36 rows the v1 file lists: read_report upgrades it to v2, where the cost signals COST-1/3/5 are
    # analytics signals rather than findings, so the count compares with v2 reviews (findings_count is
    # len(report.findings) there); the money is v1's own total, kept by the upgrade.
    assert (review.spend_30d, review.savings_monthly, review.findings, review.new) == (13343.36, 4907.81, 33, None)
    v1 = json.loads(PENNINE_V1.read_bytes())["findings"]
    assert review.findings == sum(1 for f in v1 if f["rule"] not in ("COST-1", "COST-3", "COST-5")) == len(v1) - 3


def test_history_lists_published_reviews_newest_first_when_viewed() -> None:
    world = make_world()
    first, second = reviewed(world), reviewed(world)
    request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")  # still queued: not a review
    listing = views.reviews_of(world.services, CUSTOMER_ID, 13)
    assert [r.scan_id for r in listing.reviews] == [second, first]
    assert listing.retention_months == 13 and listing.reviews[0].reports == ["report.json", "report.html",
                                                                             "findings.csv"]
    assert views.reviews_of(world.services, OTHER, 13).reviews == []


@pytest.mark.parametrize(("now", "months", "expected"), [
    (dt.datetime(2027, 3, 31, tzinfo=dt.UTC), 1, dt.datetime(2027, 2, 28, tzinfo=dt.UTC)),
    (dt.datetime(2027, 1, 15, tzinfo=dt.UTC), 13, dt.datetime(2025, 12, 15, tzinfo=dt.UTC)),
    (dt.datetime(2028, 2, 29, tzinfo=dt.UTC), 12, dt.datetime(2027, 2, 28, tzinfo=dt.UTC)),
])
def test_months_before_keeps_the_day_or_the_months_last_when_counted(now: dt.datetime, months: int,
                                                                   expected: dt.datetime) -> None:
    assert months_before(now, months) == expected
