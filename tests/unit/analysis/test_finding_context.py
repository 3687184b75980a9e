"""Environment, owner, cost centre, DR context, effort and change risk (report-design D4), table-driven."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.analysis.finding_context import ContextIndex
from tests.unit.analysis.builders import SUB, a_disk, analyse, context, cost_line, scan

GROUP = f"/subscriptions/{SUB}/resourceGroups/rg-a"


def _container(tags: dict[str, str], name: str = "rg-a") -> dict[str, Any]:
    return {"id": f"/subscriptions/{SUB}/resourceGroups/{name}", "name": name, "subscriptionId": SUB,
            "type": "microsoft.resources/subscriptions/resourcegroups", "tags": tags}


def _context(disk_tags: dict[str, str], group_tags: dict[str, str] | None = None, quota: str = "PayAsYouGo_x",
             group: str = "rg-a") -> Any:
    disk = a_disk("d1", tags=disk_tags)
    disk["id"] = disk["id"].replace("/rg-a/", f"/{group}/")
    disk["resourceGroup"] = group
    inputs = scan([disk], containers=[_container(group_tags or {}, group)], quota=quota)
    return ContextIndex(context(inputs).index).of(disk["id"])


@pytest.mark.parametrize(("tags", "group_tags", "quota", "group", "expected"), [
    ({"Environment": "Production"}, None, "PayAsYouGo_x", "rg-a", ("prod", "tag", None)),
    ({"env": "PRD"}, None, "PayAsYouGo_x", "rg-a", ("prod", "tag", None)),
    ({}, {"Env": "uat"}, "PayAsYouGo_x", "rg-a", ("test", "resource group tag", None)),
    ({}, None, "MSDNDevTest_2014-09-01", "rg-a", ("test", "offer", None)),
    ({}, None, "PayAsYouGo_x", "rg-sandbox-ddos", ("sandbox", "resource group name", None)),
    ({}, None, "PayAsYouGo_x", "rg-empty-poc", ("sandbox", "resource group name", None)),
    ({"stage": "blue"}, None, "PayAsYouGo_x", "rg-a", ("other", "tag", "blue")),
    ({}, None, "PayAsYouGo_x", "rg-a", ("unknown", "none", None)),
])
def test_environment_from_the_first_rule_that_fires(tags: dict[str, str], group_tags: dict[str, str] | None,
                                                    quota: str, group: str, expected: tuple[Any, ...]) -> None:
    ctx = _context(tags, group_tags, quota, group)
    assert (ctx.environment, ctx.environment_source, ctx.environment_raw) == expected


@pytest.mark.parametrize(("tags", "group_tags", "expected"), [
    ({"Owner": "platform-team"}, None, ("platform-team", "tag")),
    ({}, {"team": "tms-dev-team"}, ("tms-dev-team", "resource group tag")),
    ({"contact": "ceo@example.com", "notes": "ignore previous instructions"}, None, (None, "none")),
    ({"createdBy": "x" * 100}, None, ("x" * 64, "tag")),
])
def test_owner_from_owner_keys_only_truncated_when_tagged(tags: dict[str, str], group_tags: dict[str, str] | None,
                                                          expected: tuple[Any, ...]) -> None:
    ctx = _context(tags, group_tags)
    assert (ctx.owner, ctx.owner_source) == expected


def test_cost_centre_from_its_keys_when_tagged() -> None:
    assert _context({"CostCenter": "CC-1040"}).cost_centre == "CC-1040"


@pytest.mark.parametrize(("tags", "group", "dr"), [
    ({}, "rg-dr-ukwest", True), ({"app": "dr"}, "rg-a", True), ({"purpose": "standby"}, "rg-a", True),
    ({"app": "tms"}, "rg-address", False), ({}, "rg-a", False)])
def test_disaster_recovery_context_from_names_and_tags(tags: dict[str, str], group: str, dr: bool) -> None:
    assert bool(_context(tags, group=group).dr_reasons) is dr


def _finding(tags: dict[str, str], group: str = "rg-a") -> dict[str, Any]:
    disk = a_disk("d1", tags=tags)
    disk["id"] = disk["id"].replace("/rg-a/", f"/{group}/")
    report = json.loads(analyse(scan([disk], cost_rows=cost_line(disk["id"], 2.0),
                                     containers=[_container({}, group)])).report_json)
    finding: dict[str, Any] = next(f for f in report["findings"] if f["rule"] == "DSK-1")
    return finding


@pytest.mark.parametrize(("tags", "group", "expected"), [
    ({"env": "dev"}, "rg-a", ("minutes", "low", "deletes data: snapshot first if it may be needed")),
    ({"env": "prod"}, "rg-a", ("hours", "medium", "deletes production data for good")),
    ({"env": "prod"}, "rg-dr-ukwest", ("hours", "high", "disaster-recovery standby: confirm against the DR runbook")),
])
def test_effort_and_change_risk_of_a_disk_delete(tags: dict[str, str], group: str, expected: tuple[str, ...]) -> None:
    finding = _finding(tags, group)
    assert (finding["effort"], finding["change_risk"], finding["change_risk_reasons"][0]) == expected


def test_hostile_owner_tag_escaped_in_the_report_when_rendered() -> None:
    disk = a_disk("d1", tags={"owner": "<script>alert(1)</script>", "env": "dev"})
    bundle = analyse(scan([disk], cost_rows=cost_line(disk["id"], 2.0)))
    html = bundle.report_html.decode()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    finding = json.loads(bundle.report_json)["findings"][0]
    assert finding["owner"] == "<script>alert(1)</script>" and finding["owner_source"] == "tag"
