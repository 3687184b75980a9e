"""report_reader: every stored report.json version reads as today's Report, or as only some of its fields
(read_fields); a later version is refused clearly, by both readers alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shared.analysis.previous_model import PREVIOUS_REPORT
from shared.analysis.render import render_json
from shared.analysis.report_model import REPORT_SCHEMA_VERSION
from shared.analysis.report_reader import (
    UPGRADES,
    ReportUnreadable,
    ReportVersionUnsupported,
    read_fields,
    read_report,
    upgrade,
)
from tests.unit.analysis.builders import a_disk, analyse, cost_line, scan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "reports"
STORED = sorted(FIXTURES.glob("v*/*.json"))
PENNINE_V1 = FIXTURES / "v1" / "pennine-report.json"


def _slim(data: bytes) -> object:
    return read_fields(data, PREVIOUS_REPORT)


# The whole Report, and only the fields the next review compares: the same documents are refused the same way.
READERS: list[Callable[[bytes], object]] = [read_report, _slim]
BY = pytest.mark.parametrize("read", READERS, ids=["report", "fields"])


def _document(path: Path = PENNINE_V1) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_bytes())
    return document


def _bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_stored_report_reads_as_current_model_when_written_by_any_known_version(path: Path) -> None:
    report = read_report(path.read_bytes())
    assert report.schema_version == REPORT_SCHEMA_VERSION
    assert report.findings


def test_v1_fixture_keeps_its_content_when_read() -> None:
    # given
    raw = _document()
    # when
    report = read_report(PENNINE_V1.read_bytes())
    # then
    assert (raw["schema_version"], report.company, report.scan_id) == (1, "Pennine Freight Ltd", "scan-demo")
    assert (report.totals.monthly_savings, report.totals.counted_findings) == (4907.81, 26)
    # COST-1/3/5 are cost signals in v2 (report-design D2.1): every other finding keeps its id and order.
    signal_rules = ("COST-1", "COST-3", "COST-5")
    assert [f.id for f in report.findings] == [f["id"] for f in raw["findings"] if f["rule"] not in signal_rules]
    assert sorted(s.resource_id or "" for s in report.analytics.signals) == sorted(
        f["resource_id"].lower() for f in raw["findings"] if f["rule"] in signal_rules)
    assert [f.rule for f in report.findings][:3] == ["NET-12", "LIC-2", "LIC-1"]
    assert report.narrative.source == "deterministic"
    # v1's paragraphs are `legacy` slots, summary then highlights, each citing the same facts.
    highlights = [s for s in report.narrative.slots if s.slot == "legacy"][len(raw["narrative"]["summary"]):]
    assert highlights[0].text == ("ddos-sandbox-trial: a DDoS protection plan protecting nothing, "
                                  "saving £2,237.18 a month.")


LEGACY_NARRATIVE = [p for p in STORED if "summary" in json.loads(p.read_bytes())["narrative"]]


def test_both_narrative_shapes_of_version_2_are_stored_when_listed() -> None:
    shapes = {("summary" in json.loads(p.read_bytes())["narrative"]) for p in STORED if p.parent.name == "v2"}
    assert shapes == {True, False}


@pytest.mark.parametrize("path", LEGACY_NARRATIVE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_narrative_written_before_checked_claims_reads_as_legacy_slots_losing_no_word(path: Path) -> None:
    # given: v1, and v2 before its narrative block became claims, wrote paragraphs and {id: text} facts
    old = _document(path)["narrative"]
    # when
    narrative = read_report(path.read_bytes()).narrative
    # then
    paragraphs = [*old["summary"], *old["highlights"]]
    assert [(s.slot, s.claim, s.text, s.fact_ids) for s in narrative.slots] == [
        ("legacy", "legacy_text", p["text"], p["facts"]) for p in paragraphs]
    assert [(f.id, f.key, f.text, f.unit) for f in narrative.facts] == [
        (fid, "legacy", text, "label") for fid, text in old["facts"].items()]
    assert (narrative.fallback_reason, narrative.footnote) == (
        "no_model", "Written from fixed templates, before Caleta checked each statement.")
    assert [text for text, _ in narrative.paragraphs()] == [p["text"] for p in paragraphs]


def test_new_v2_narrative_block_is_not_taken_for_a_legacy_one_when_read() -> None:
    # given: a report written by this release (checked claims)
    disk = a_disk("d1")
    written = analyse(scan([disk], cost_rows=cost_line(disk["id"], 3.0))).report_json
    # when
    narrative = read_report(written).narrative
    # then
    assert narrative.slots and {s.slot for s in narrative.slots} >= {"opening", "certainty"}
    assert narrative.model_dump() == json.loads(written)["narrative"]


def test_v1_report_written_before_kinds_reads_with_kind_from_its_rule_and_no_range() -> None:
    report = read_report(PENNINE_V1.read_bytes())
    assert {f.rule: f.kind for f in report.findings}["NET-12"] == "counted"
    assert {f.kind for f in report.findings if f.rule == "COST-2"} == {"risk"}
    assert {(f.savings_low, f.savings_high) for f in report.findings} == {(None, None)}


def test_v1_report_upgraded_with_lower_case_ids_typed_evidence_and_tiers_when_read() -> None:
    report = read_report(PENNINE_V1.read_bytes())
    assert all(f.resource_id == f.resource_id.lower() for f in report.findings)
    assert all(s.subscription_id == s.subscription_id.lower() for s in report.subscriptions)
    sql = next(f for f in report.findings if f.rule == "LIC-2")
    # v1 priced it at list price (its formula says so): the basis reads list_price.
    units = {e.key: e.unit for e in sql.evidence}
    assert (sql.tier, sql.basis, units["vcpus"]) == ("conditional", "list_price", "count")
    assert sql.cost_since is not None and sql.cost_since.label == "cost in the last 90 days"
    assert report.headline.counted_monthly == report.totals.monthly_savings


def test_fixture_exists_for_current_version_when_schema_is_bumped() -> None:
    assert list((FIXTURES / f"v{REPORT_SCHEMA_VERSION}").glob("*.json")), "store a report of the new version"


def test_every_older_version_has_an_upgrade_when_listed() -> None:
    assert set(UPGRADES) == set(range(1, REPORT_SCHEMA_VERSION))


def test_report_written_today_reads_back_byte_identical_when_rendered_again() -> None:
    disk = a_disk("disk-<b>&'1", tags={"team": "finance"})
    written = analyse(scan([disk], cost_rows=cost_line(disk["id"], 2.0))).report_json
    assert render_json(read_report(written)) == written


@BY
def test_later_version_refused_with_both_versions_named_when_read(read: Callable[[bytes], object]) -> None:
    document = _document() | {"schema_version": REPORT_SCHEMA_VERSION + 1}
    with pytest.raises(ReportVersionUnsupported) as caught:
        read(_bytes(document))
    assert (caught.value.version, caught.value.newest) == (REPORT_SCHEMA_VERSION + 1, REPORT_SCHEMA_VERSION)
    assert f"schema_version {REPORT_SCHEMA_VERSION + 1} is newer" in str(caught.value)


@BY
@pytest.mark.parametrize("version", [None, 0, -1, "1", 1.0, True])
def test_report_refused_when_schema_version_is_missing_or_not_a_positive_integer(
        version: object, read: Callable[[bytes], object]) -> None:
    document = _document()
    if version is None:
        del document["schema_version"]
    else:
        document["schema_version"] = version
    with pytest.raises(ReportUnreadable, match="no valid schema_version"):
        read(_bytes(document))


@BY
@pytest.mark.parametrize("data", [b"", b"{not json", b"\xff\xfe\x00", b"[1, 2]"])
def test_report_refused_when_bytes_are_not_a_json_object(data: bytes, read: Callable[[bytes], object]) -> None:
    with pytest.raises(ReportUnreadable):
        read(data)


@BY
@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_error_names_the_field_but_not_the_value_when_a_field_is_malformed(
        path: Path, read: Callable[[bytes], object]) -> None:
    # given
    document = _document(path)
    document["findings"][0]["monthly_savings"] = "CANARY-7f3a"
    # when
    with pytest.raises(ReportUnreadable) as caught:
        read(_bytes(document))
    # then
    assert "findings.0.monthly_savings" in str(caught.value)
    assert "CANARY" not in str(caught.value)


@BY
def test_unknown_field_ignored_when_a_later_release_added_it_under_the_same_version(
        read: Callable[[bytes], object]) -> None:
    document = _document()
    document["since_last_review"] = {"new": 3}
    document["findings"][0]["first_seen"] = "2026-10-01"
    assert read(_bytes(document)) == read(PENNINE_V1.read_bytes())


def test_upgrades_applied_in_order_when_document_is_older() -> None:
    # given: a fictional history in which version 3 is current
    def to_2(document: dict[str, Any]) -> dict[str, Any]:
        return document | {"schema_version": 2, "steps": [*document["steps"], 2]}

    def to_3(document: dict[str, Any]) -> dict[str, Any]:
        return document | {"schema_version": 3, "steps": [*document["steps"], 3]}

    # when
    upgraded = upgrade({"schema_version": 1, "steps": []}, 1, newest=3, upgrades={1: to_2, 2: to_3})
    # then
    assert upgraded == {"schema_version": 3, "steps": [2, 3]}


def test_upgrade_refused_when_a_step_is_missing() -> None:
    with pytest.raises(ReportUnreadable, match=r"no upgrade from report\.json schema_version 2 to 3"):
        upgrade({"schema_version": 1}, 1, newest=3, upgrades={1: lambda d: d | {"schema_version": 2}})
