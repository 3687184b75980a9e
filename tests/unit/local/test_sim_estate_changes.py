"""The simulator's estate hooks (issue 15): the calendar moves on with every bill keeping its dates; resources
are deleted, resized and added "today"; reset undoes it all; the /_sim/estate endpoints drive the same."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from local.estates import expand_costs, parse_estate
from local.estates.demo_wessex import second_review_changes
from local.estates.model import Estate, Subscription
from local.simulator import control
from local.simulator.estate_changes import EstateCalendar
from local.simulator.http import Request
from local.simulator.options import SimOptions
from local.simulator.state import SimState

SMALL = Path(__file__).resolve().parents[2] / "fixtures" / "estates" / "small.json"
TODAY = dt.date(2026, 11, 27)
SUB = "11111111-1111-0000-0000-000000000001"
RG = f"/subscriptions/{SUB}/resourceGroups"
VM = f"{RG}/rg-web-prod/providers/Microsoft.Compute/virtualMachines/vm-web-01"
SQL = f"{RG}/rg-data-prod/providers/Microsoft.Sql/servers/sql-01"


def _doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SMALL.read_text())
    for line in doc["tenants"][0]["subscriptions"][0]["costs"]:
        if line["resource_id"].endswith("pip-idle"):
            line["to_days_ago"] = 10  # a line that stopped ten days ago
    return doc


@pytest.fixture
def estate() -> Estate:
    return parse_estate(_doc(), TODAY)


def _sub(estate: Estate) -> Subscription:
    sub = estate.subscription(SUB)
    assert sub is not None
    return sub


def _bill(sub: Subscription, today: dt.date) -> dict[tuple[dt.date, str], float]:
    out: dict[tuple[dt.date, str], float] = {}
    for row in expand_costs(sub, today, "AmortizedCost"):
        key = (row.date, row.dims["ResourceId"].lower())
        out[key] = round(out.get(key, 0.0) + row.cost, 4)
    return out


def test_every_bill_keeps_its_dates_when_the_calendar_moves_on(estate: Estate) -> None:
    before = _bill(_sub(estate), TODAY)
    calendar = EstateCalendar(TODAY)
    assert calendar.advance(estate, 10) == TODAY + dt.timedelta(days=10)
    after = _bill(_sub(estate), calendar.today)
    assert {k: v for k, v in after.items() if k in before} == before  # history (spike, growth) unchanged
    vm_days = sorted(d for d, rid in after if rid == VM.lower())
    assert vm_days[-1] == calendar.today - dt.timedelta(days=1)  # still billing, to the new yesterday
    pip_days = [d for d, rid in after if rid.endswith("pip-idle")]
    assert max(pip_days) == TODAY - dt.timedelta(days=10)  # stopped: same last day
    assert calendar.offset_days == 10


def test_deleted_resource_leaves_the_inventory_and_stops_billing_after_yesterday(estate: Estate) -> None:
    calendar = EstateCalendar(TODAY)
    assert calendar.delete(estate, VM) == {"resources_deleted": 1, "cost_lines_ended": 1}
    assert all(str(r["id"]).lower() != VM.lower() for r in _sub(estate).resources)
    calendar.advance(estate, 30)
    days = [d for d, rid in _bill(_sub(estate), calendar.today) if rid == VM.lower()]
    assert max(days) == TODAY - dt.timedelta(days=1)
    with pytest.raises(ValueError, match="no resource"):
        calendar.delete(estate, VM)


def test_resized_vm_bills_the_new_rate_from_today_when_resized(estate: Estate) -> None:
    calendar = EstateCalendar(TODAY)
    old = _bill(_sub(estate), TODAY)[(TODAY - dt.timedelta(days=1), VM.lower())]
    calendar.resize(estate, VM, "Standard_B2s", 0.25)
    row = next(r for r in _sub(estate).resources if str(r["id"]).lower() == VM.lower())
    assert row["properties"]["hardwareProfile"]["vmSize"] == "Standard_B2s"
    calendar.advance(estate, 5)
    bill = _bill(_sub(estate), calendar.today)
    assert bill[(TODAY - dt.timedelta(days=1), VM.lower())] == old
    assert bill[(TODAY, VM.lower())] == pytest.approx(old * 0.25, abs=1e-3)
    assert bill[(calendar.today - dt.timedelta(days=1), VM.lower())] == pytest.approx(old * 0.25, abs=1e-3)


def test_added_resource_appears_today_and_bills_from_today_when_added(estate: Estate) -> None:
    calendar = EstateCalendar(TODAY)
    new_id = f"{RG}/rg-web-prod/providers/Microsoft.Compute/disks/disk-new"
    resource = {"id": new_id, "name": "disk-new", "type": "Microsoft.Compute/disks", "sku": {"name": "Premium_LRS"},
                "properties": {"diskState": "Unattached", "timeCreated": "{{days_ago:0}}"}}
    calendar.add(estate, SUB, resource, [{"meter_category": "Storage", "daily_cost": 2.5}])
    row = next(r for r in _sub(estate).resources if r["id"] == new_id)
    assert row["properties"]["timeCreated"] == "2026-11-27T00:00:00Z" and row["resourceGroup"] == "rg-web-prod"
    calendar.advance(estate, 3)
    days = sorted(d for d, rid in _bill(_sub(estate), calendar.today) if rid == new_id.lower())
    assert days[0] == TODAY and days[-1] == calendar.today - dt.timedelta(days=1)
    with pytest.raises(ValueError, match="already exists"):
        calendar.add(estate, SUB, resource, [])


def test_restore_undoes_every_change_and_tells_listeners_when_reset(estate: Estate) -> None:
    original = copy.deepcopy(_bill(_sub(estate), TODAY))
    told: list[int] = []
    calendar = EstateCalendar(TODAY, listeners=[told.append])
    calendar.delete(estate, SQL)
    calendar.advance(estate, 7)
    calendar.restore()
    assert calendar.today == TODAY and told == [7, 0]
    assert _bill(_sub(estate), TODAY) == original
    assert any(str(r["id"]).lower() == SQL.lower() for r in _sub(estate).resources)
    with pytest.raises(ValueError, match="at least one day"):
        calendar.advance(estate, 0)


def _post(state: SimState, name: str, body: dict[str, Any]) -> tuple[int, Any]:
    answer = control.handle(state, Request("POST", f"/_sim/{name}", {}, json.dumps(body).encode()))
    return answer.status, json.loads(answer.body)


def test_estate_endpoints_change_the_estate_and_reset_restores_it_when_called(tmp_path: Path) -> None:
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(_doc()))
    state = SimState(path, SimOptions())
    today = state.today
    assert _post(state, "estate/delete", {"resource_id": VM}) == (200, {"resources_deleted": 1,
                                                                        "cost_lines_ended": 1})
    assert _post(state, "estate/advance-days", {"days": 45}) == (
        200, {"today": (today + dt.timedelta(days=45)).isoformat(), "offset_days": 45})
    assert _post(state, "estate/advance-days", {"days": "45"})[0] == 400
    assert _post(state, "estate/delete", {})[0] == 400  # the field is named in the error
    assert _post(state, "estate/rename", {})[0] == 404
    got = control.handle(state, Request("GET", "/_sim/estate/today", {}, b""))
    assert json.loads(got.body)["offset_days"] == 45
    state.reset()
    assert state.today == today and any(str(r["id"]) == VM for r in _sub(state.estate).resources)


def test_wessex_second_review_changes_apply_to_the_demo_estate_when_run() -> None:
    from tests.unit.analysis.demo_inputs import load_demo

    estate, calendar, plan = load_demo(), EstateCalendar(TODAY), second_review_changes()
    assert [len(plan[k]) for k in ("delete", "resize", "add")] == [1, 1, 1]
    assert calendar.delete(estate, plan["delete"][0])["cost_lines_ended"] == 1
    resize = plan["resize"][0]
    assert calendar.resize(estate, resize["resource_id"], resize["size"], resize["daily_cost_factor"]) == {
        "cost_lines_rebilled": 1}
    add = plan["add"][0]
    assert calendar.add(estate, add["subscription_id"], add["resource"], add["costs"])["cost_lines_added"] == 1
