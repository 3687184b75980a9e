"""Since your last review: new, persisting (first seen), resolved (realised or claimed on the settled bill),
not reviewed, and the change in spend; the previous review read from a stored v1 report.json, and read with only
the fields compared (previous_model.py) exactly as the whole Report was."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from shared.analysis import ReportBundle, ScanInputs
from shared.analysis.changes import first_seen_before, read_previous
from shared.analysis.changes_model import Changes
from shared.analysis.previous_model import PreviousReport, PreviousReview
from shared.analysis.report_model import Report
from shared.analysis.report_reader import read_versioned
from tests.unit.analysis.builders import END, NOW, a_disk, analyse, scan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "reports"
STORED = sorted(FIXTURES.glob("v*/*.json"))  # every version and shape a release has stored
PENNINE_V1 = FIXTURES / "v1" / "pennine-report.json"
LATER = END + dt.timedelta(days=45)  # 2027-01-08: December has closed (settled from 6 January)
LATER_REVIEW = LATER + dt.timedelta(days=1)  # the second review runs the day after its last day of cost data


def _rows(resource_id: str, daily: float, first: dt.date, last: dt.date) -> list[list[Any]]:
    days = (last - first).days + 1
    return [[daily, int((first + dt.timedelta(days=n)).strftime("%Y%m%d")), resource_id.lower(), "Storage", "GBP"]
            for n in range(days)]


Read = Callable[[bytes | None], PreviousReview | None]


def _at(inputs: ScanInputs, end: dt.date, previous: ReportBundle | None = None, read: Read = read_previous
        ) -> ScanInputs:
    """The scan as collected the day after `end` (its cost window the 90 days up to `end`), compared with
    `previous` as the pipeline reads it (`read`)."""
    for sub in inputs.subscriptions:
        if "cost" in sub.raw:
            sub.raw["cost"].data["window"] = {"from": (end - dt.timedelta(days=89)).isoformat(),
                                              "to": end.isoformat()}
    when = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(6), tzinfo=dt.UTC)
    return dataclasses.replace(inputs, generated_at=when, previous=read(previous.report_json if previous else None))


def _changes(bundle: ReportBundle) -> Changes:
    assert bundle.changes is not None
    return bundle.changes


@pytest.fixture
def first() -> ReportBundle:
    """Two unattached disks, A (£2 a day) and B (£1 a day), billed for the 90 days to END."""
    start = END - dt.timedelta(days=89)
    a, b = a_disk("disk-a"), a_disk("disk-b")
    return analyse(scan([a, b], cost_rows=_rows(a["id"], 2.0, start, END) + _rows(b["id"], 1.0, start, END)))


def _second(first: ReportBundle, end: dt.date, *, b_attached: bool = True, deleted_on: dt.date = END,
            extra: list[dict[str, Any]] | None = None, read: Read = read_previous) -> ReportBundle:
    """Disk A deleted after `deleted_on`; disk B attached to a VM (the finding clears, the cost does not)."""
    start = end - dt.timedelta(days=89)
    a_id, b = a_disk("disk-a")["id"], a_disk("disk-b")
    if b_attached:
        b = a_disk("disk-b", state="Attached", managed_by="/subscriptions/x/vm")
    rows = [b, *(extra or [])]
    costs = _rows(a_id, 2.0, start, deleted_on) + _rows(b["id"], 1.0, start, end)
    costs += [r for row in extra or [] for r in _rows(row["id"], 3.0, END + dt.timedelta(days=1), end)]
    return analyse(_at(scan(rows, cost_rows=costs), end, first, read))


def test_first_review_has_no_changes_when_no_previous_report(first: ReportBundle) -> None:
    assert first.changes is None
    published = json.loads(first.report_json)
    assert (published["changes"], published["previous_scan_id"]) == (None, None)
    # First seen today, so the next review can carry the date; no change without a review to compare with.
    assert {(f["first_seen"], f["change"]) for f in published["findings"]} == {(NOW.date().isoformat(), None)}


def test_deleted_resource_is_resolved_and_realised_when_the_bill_has_settled(first: ReportBundle) -> None:
    changes = _changes(_second(first, LATER))
    gone = next(r for r in changes.resolved if r.resource_name == "disk-a")
    assert (gone.reason, gone.saving, gone.evidence) == ("resource_gone", "realised", "bill_confirms")
    assert gone.realised_monthly == gone.monthly_savings == 60.0
    assert gone.bill is not None and gone.bill.before_daily == 2.0 and gone.bill.after_daily == 0.0
    assert (gone.bill.after_from, gone.bill.after_to) == (dt.date(2026, 12, 25), dt.date(2026, 12, 31))
    assert changes.settled_through == dt.date(2026, 12, 31)
    assert changes.savings.realised_monthly == 60.0


def test_cleared_finding_stays_claimed_when_the_bill_shows_no_drop(first: ReportBundle) -> None:
    changes = _changes(_second(first, LATER))
    cleared = next(r for r in changes.resolved if r.resource_name == "disk-b")
    assert (cleared.reason, cleared.saving, cleared.evidence) == ("cleared", "claimed", "no_drop")
    assert cleared.realised_monthly is None and cleared.bill is not None and cleared.bill.drop_monthly == 0.0
    assert changes.savings.claimed_monthly == 30.0 and changes.savings.resolved_monthly == 90.0


def test_saving_stays_claimed_when_the_days_since_are_in_an_open_month(first: ReportBundle) -> None:
    # 20 December: November is settled (through 30 Nov), so only 6 settled days follow the 24 Nov review.
    changes = _changes(_second(first, dt.date(2026, 12, 19)))
    gone = next(r for r in changes.resolved if r.resource_name == "disk-a")
    assert (gone.saving, gone.evidence, gone.realised_monthly, gone.bill) == ("claimed", "not_settled", None, None)
    assert changes.settled_through == dt.date(2026, 11, 30)


def test_saving_is_realised_on_the_latest_settled_week_when_deleted_weeks_after_the_review(
        first: ReportBundle) -> None:
    # Deleted on 20 December: the last settled week (25-31 Dec) shows no cost, the month before the review £2.
    changes = _changes(_second(first, LATER, deleted_on=dt.date(2026, 12, 20)))
    assert next(r for r in changes.resolved if r.resource_name == "disk-a").saving == "realised"


def test_new_and_persisting_findings_carry_first_seen_when_compared(first: ReportBundle) -> None:
    new_disk = a_disk("disk-c")
    bundle = _second(first, LATER, b_attached=False, extra=[new_disk])
    changes = _changes(bundle)
    published = json.loads(bundle.report_json)
    ids = {(f["rule"], f["resource_name"]): f["id"] for f in published["findings"]}
    disk_b, disk_c = ids["DSK-1", "disk-b"], ids["DSK-1", "disk-c"]
    # The guardrails (a budget and an anomaly alert for the subscription, report-design D10) persist too.
    guardrails = {f["id"] for f in published["findings"] if f["rule"].startswith("GV-")}
    assert {f["rule"] for f in published["findings"] if f["id"] in guardrails} == {"GV-B", "GV-A"}
    assert changes.new == [disk_c]
    assert sorted((p.id, p.first_seen) for p in changes.persisting) == sorted(
        [(disk_b, NOW.date()), *((g, NOW.date()) for g in guardrails)])
    # Every published finding is new or persisting, and nothing else is: the untagged spend (COST-5) is a signal
    # in report v2 (analytics.signals), not a finding, so it is neither (report-design D2.1, D8.11).
    assert changes.change_map() == {disk_c: "new", disk_b: "persisting", **dict.fromkeys(guardrails, "persisting")}
    # report.json v2 carries it: the section, the previous scan, and each finding's change and first-seen date.
    assert {f["id"]: (f["change"], f["first_seen"]) for f in published["findings"]} == {
        disk_c: ("new", LATER_REVIEW.isoformat()), disk_b: ("persisting", NOW.date().isoformat()),
        **dict.fromkeys(guardrails, ("persisting", NOW.date().isoformat()))}
    assert published["previous_scan_id"] == published["changes"]["previous_scan_id"] == json.loads(
        first.report_json)["scan_id"]
    assert "untagged" in {s["type"] for s in published["analytics"]["signals"]}
    assert changes.first_seen_map(LATER) == {disk_c: LATER, disk_b: NOW.date(), **dict.fromkeys(guardrails, NOW.date())}
    assert (changes.counts.new, changes.counts.persisting, changes.counts.resolved) == (1, 3, 1)


def test_spend_change_compares_the_two_last_30_days_when_compared(first: ReportBundle) -> None:
    spend = _changes(_second(first, LATER)).spend
    assert (spend.previous_30d, spend.current_30d, spend.delta, spend.delta_pct) == (90.0, 30.0, -60.0, -0.6667)


def test_findings_of_an_unread_subscription_are_not_reviewed_when_its_inventory_is_missing(
        first: ReportBundle) -> None:
    inputs = _at(scan([], cost_rows=[]), LATER, first)
    sub = inputs.subscriptions[0]
    inputs = dataclasses.replace(inputs, subscriptions=[dataclasses.replace(
        sub, raw={k: v for k, v in sub.raw.items() if k != "resource-graph"}, missing={"resource-graph": "403"})])
    changes = _changes(analyse(inputs))
    # Disks A and B and the first review's two guardrails (GV-B, GV-A); its untagged spend (COST-5) is a signal
    # in report v2, not a finding.
    assert changes.resolved == [] and changes.counts.not_reviewed == len(changes.not_reviewed) == 4
    assert set(changes.not_reviewed) == {f["id"] for f in json.loads(first.report_json)["findings"]}


def test_first_seen_survives_many_reviews_when_the_previous_report_carries_changes(first: ReportBundle) -> None:
    second = _second(first, LATER, b_attached=False)
    assert Report.model_validate_json(second.report_json).changes == _changes(second)  # the section, typed
    previous = read_previous(second.report_json)
    assert previous is not None
    stored = previous.report
    b_id = next(f.id for f in stored.findings if f.resource_name == "disk-b")
    assert first_seen_before(stored)[b_id] == NOW.date()  # not the second review's date
    # The section's date wins over the finding's own field (both say the same here; the section is the record).
    blank = dataclasses.replace(stored, findings=[dataclasses.replace(f, first_seen=None) for f in stored.findings])
    assert first_seen_before(blank)[b_id] == NOW.date()


def test_previous_v1_report_reads_and_matches_by_id_when_pennine_is_reviewed_again() -> None:
    from tests.unit.analysis.demo_inputs import load_demo, scan_inputs

    data = PENNINE_V1.read_bytes()
    previous = read_previous(data)
    assert previous is not None and previous.schema_version == 1
    tenant = next(t for t in load_demo().tenants if t.display_name.startswith("Pennine"))
    bundle = analyse(dataclasses.replace(scan_inputs(tenant), previous=previous))
    changes = _changes(bundle)
    stored = json.loads(data)["findings"]
    # What report v2 still calls a finding: v1's cost signals (category anomaly, and COST-5's untagged spend, which
    # v1 filed as hygiene) are analytics signals after the upgrade (report-design D12.1), so never compared.
    actionable = {f["id"] for f in stored if f["category"] != "anomaly" and f["rule"] != "COST-5"}
    assert {p.id for p in changes.persisting} == actionable  # the same estate and day: nothing resolved
    assert not {i for i in changes.new if i in {f["id"] for f in stored}}  # nothing v1 listed comes back as new
    assert changes.resolved == []
    # The v1 file was written when the demo's last 30 days came to £13,343.36; the demo's day has moved since
    # (2026-12-06, report-design's worked day), so the spend change is the difference of the two reports' figures.
    before = json.loads(data)["analytics"]["total_last_30_days"]
    now = json.loads(bundle.report_json)["analytics"]["total_last_30_days"]
    assert (changes.spend.previous_30d, changes.spend.current_30d, changes.spend.delta) == (
        before, now, round(now - before, 2)) == (13343.36, 13331.89, -11.47)
    assert {p.first_seen for p in changes.persisting} == {dt.date(2026, 11, 25)}
    assert changes.previous_scan_id == json.loads(data)["scan_id"] and changes.previous_schema_version == 1


def test_unreadable_previous_report_gives_no_changes_when_analysed(first: ReportBundle) -> None:
    assert read_previous(b"{not json") is None
    assert read_previous(None) is None
    unreadable = read_previous(b'{"schema_version": 99}')  # a later release wrote it: logged, compared as none
    later = _at(scan([a_disk("disk-a")], cost_rows=[]), LATER)
    assert analyse(dataclasses.replace(later, previous=unreadable)).changes is None


def test_changes_serialise_to_the_documented_fields_when_dumped(first: ReportBundle) -> None:
    dumped = _changes(_second(first, LATER)).model_dump(mode="json")
    doc = (Path(__file__).resolve().parents[3] / "docs" / "report-format.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Since your last review"):]
    names = set(dumped) | set(dumped["spend"]) | set(dumped["counts"]) | set(dumped["savings"]) \
        | set(dumped["resolved"][0]) | set(dumped["resolved"][0]["bill"])
    assert [n for n in sorted(names) if f"`{n}`" not in section] == []
    assert Changes.model_validate(dumped) == _changes(_second(first, LATER))



def test_wessex_reviewed_twice_shows_deleted_realised_new_and_persisting_when_estate_changed() -> None:
    from local.estates.demo_wessex import second_review_changes
    from local.simulator.estate_changes import EstateCalendar
    from tests.unit.analysis.demo_inputs import TODAY, load_demo, scan_inputs

    estate = load_demo()
    wessex = next(t for t in estate.tenants if t.display_name == "Wessex Larder Ltd")
    first = analyse(scan_inputs(wessex))
    calendar, plan = EstateCalendar(TODAY), second_review_changes()
    calendar.delete(estate, plan["delete"][0])
    calendar.resize(estate, **plan["resize"][0])
    calendar.add(estate, **plan["add"][0])
    calendar.advance(estate, 45)
    later = dataclasses.replace(scan_inputs(wessex, calendar.today), previous=read_previous(first.report_json),
                                generated_at=dt.datetime.combine(calendar.today, dt.time(6), tzinfo=dt.UTC))
    second = analyse(later)
    changes = _changes(second)
    [gone] = changes.resolved
    assert (gone.rule, gone.resource_name, gone.reason, gone.saving) == (
        "DSK-1", "disk-wms-old-data", "resource_gone", "realised")
    names = {f["id"]: f["resource_name"] for f in json.loads(second.report_json)["findings"]}
    assert [names[i] for i in changes.new] == ["disk-wms-migration-scratch"]
    # Eight persist: the five of the first review's findings still standing, the idle backup of the VM deleted
    # long ago (BKP-1; the live VM's backups keep running while the calendar moves on, so it is never "new"), and
    # the two guardrails of the one subscription whose bill is read (a budget and an anomaly alert, D10).
    assert len(changes.persisting) == 8 and {p.first_seen for p in changes.persisting} == {TODAY}
    assert sorted(names[p.id] for p in changes.persisting if names[p.id] == "Wessex Larder Operations") == [
        "Wessex Larder Operations"] * 2
    assert changes.spend.delta is not None and changes.spend.delta < 0
    assert changes.savings.realised_monthly == gone.realised_monthly == gone.monthly_savings
    # The CSV: every finding's change, and the resolved one as a row of its own (its claim, not counted).
    rows = list(csv.DictReader(io.StringIO(second.findings_csv.decode("utf-8").removeprefix("\ufeff"))))
    assert sorted(r["change"] for r in rows if r["category"] != "anomaly") == ["new", *["persisting"] * 8,
                                                                                 "resolved"]
    resolved = next(r for r in rows if r["change"] == "resolved")
    assert (resolved["id"], resolved["resource_name"], resolved["counted"], resolved["section"]) == (
        gone.id, "disk-wms-old-data", "false", "")
    assert float(resolved["monthly_saving"]) == gone.monthly_savings
    assert resolved["evidence"].startswith(f"realised £{gone.monthly_savings:.2f} a month")
    assert json.loads(resolved["evidence_json"])["saving"] == "realised"
    # The HTML section, before the plan: resolved with what the bill shows, new, persisting since the first review.
    html = second.report_html.decode()
    since = html[html.index('<section id="since"'):html.index('<section id="plan"')]
    for text in ("1 resolved · 1 new · 8 persisting", "disk-wms-old-data", "realised £", "disk-wms-migration-scratch",
                 f"Persisting since {TODAY:%-d %b %Y}:</strong> 8 findings", "down £"):
        assert text in since, text
    assert '<section id="since"' not in first.report_html.decode()  # a first review has no such section


def _whole(data: bytes | None) -> PreviousReview | None:
    """The previous review as it was read before the slim types: the whole Report (it has every field they name)."""
    if data is None:
        return None
    report, version = read_versioned(data)
    return PreviousReview(cast(PreviousReport, report), version)


def _assert_same(slim: object, whole: object, where: str = "report") -> None:
    """Each field the slim types name has the whole model's value and type (a date is not a datetime)."""
    if dataclasses.is_dataclass(slim):
        for field in dataclasses.fields(slim):
            _assert_same(getattr(slim, field.name), getattr(whole, field.name), f"{where}.{field.name}")
    elif isinstance(slim, list):
        assert isinstance(whole, list) and len(slim) == len(whole), where
        for n, (mine, theirs) in enumerate(zip(slim, whole, strict=True)):
            _assert_same(mine, theirs, f"{where}.{n}")
    else:
        assert (type(slim), slim) == (type(whole), whole), where


def _assert_same_files(slim: ReportBundle, whole: ReportBundle) -> None:
    assert slim.changes == whole.changes
    assert (slim.report_json, slim.report_html, slim.findings_csv) == (
        whole.report_json, whole.report_html, whole.findings_csv)


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_slim_read_has_the_whole_reports_values_when_a_stored_version_is_read(path: Path) -> None:
    data = path.read_bytes()
    slim, whole = read_previous(data), _whole(data)
    assert slim is not None and whole is not None
    assert slim.schema_version == whole.schema_version == json.loads(data)["schema_version"]
    _assert_same(slim.report, whole.report)


@pytest.mark.parametrize("b_attached", [True, False], ids=["resolved", "new-and-persisting"])
def test_slim_read_has_the_whole_reports_values_when_reports_written_today_are_read(
        first: ReportBundle, b_attached: bool) -> None:
    second = _second(first, LATER, b_attached=b_attached, extra=None if b_attached else [a_disk("disk-c")])
    for data in (first.report_json, second.report_json):  # the second carries a `changes` section
        slim, whole = read_previous(data), _whole(data)
        assert slim is not None and whole is not None
        _assert_same(slim.report, whole.report)


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_comparison_and_files_unchanged_when_a_stored_version_is_read_slim(path: Path) -> None:
    from tests.unit.analysis.demo_inputs import load_demo, scan_inputs

    tenant = next(t for t in load_demo().tenants if t.display_name.startswith("Pennine"))
    inputs, data = scan_inputs(tenant), path.read_bytes()
    slim = analyse(dataclasses.replace(inputs, previous=read_previous(data)))
    _assert_same_files(slim, analyse(dataclasses.replace(inputs, previous=_whole(data))))


@pytest.mark.parametrize("b_attached", [True, False], ids=["resolved", "new-and-persisting"])
def test_comparison_and_files_unchanged_when_a_report_written_today_is_read_slim(
        first: ReportBundle, b_attached: bool) -> None:
    extra = None if b_attached else [a_disk("disk-c")]
    slim, whole = (_second(first, LATER, b_attached=b_attached, extra=extra, read=read)
                   for read in (read_previous, _whole))
    _assert_same_files(slim, whole)
    # A third review, compared with the second's `changes` section.
    third = [analyse(_at(scan([a_disk("disk-c")]), LATER + dt.timedelta(days=30), slim, read))
             for read in (read_previous, _whole)]
    _assert_same_files(*third)
    assert slim.changes is not None and third[0].changes is not None
