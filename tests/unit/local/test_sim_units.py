"""Pure parts of the simulator: quota windows, Cost Management query parsing and the AI schema walker."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from local.simulator.ai import INVENTED_ALIAS, WRONG_NUMBER, _Walker
from local.simulator.cost_query import QueryError, parse_definition
from local.simulator.quotas import SlidingWindows, hhmmss

TODAY = dt.date(2026, 11, 27)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_charge_is_refused_with_wait_when_window_is_full():
    clock = FakeClock()
    windows = SlidingWindows(((3, 10.0),), clock)
    assert [windows.charge("t", 1).allowed for _ in range(3)] == [True, True, True]
    clock.now += 4
    verdict = windows.charge("t", 1)
    assert not verdict.allowed
    assert verdict.reset_after == pytest.approx(6.0)


def test_charge_succeeds_again_when_window_has_passed():
    clock = FakeClock()
    windows = SlidingWindows(((1, 5.0),), clock)
    windows.charge("t", 1)
    clock.now += 5.0
    assert windows.charge("t", 1).allowed


def test_every_window_must_have_room_when_several_apply():
    clock = FakeClock()
    windows = SlidingWindows(((12, 10.0), (20, 60.0)), clock)
    windows.charge("t", 12)
    clock.now += 11
    windows.charge("t", 8)
    clock.now += 11
    verdict = windows.charge("t", 1)
    assert not verdict.allowed
    assert verdict.reset_after == pytest.approx(38.0)


def test_keys_have_separate_budgets_when_charged():
    windows = SlidingWindows(((1, 5.0),), FakeClock())
    windows.charge("a", 1)
    assert windows.charge("b", 1).allowed


def test_hhmmss_rounds_up_when_fractional():
    assert (hhmmss(4.2), hhmmss(3725)) == ("00:00:05", "01:02:05")


def _body(**dataset: object) -> dict[str, object]:
    return {"type": "ActualCost", "timeframe": "TheLastMonth", "dataset": {"granularity": "None", **dataset}}


def test_last_month_covers_the_previous_calendar_month_when_asked():
    spec = parse_definition(_body(), TODAY)
    assert (spec.start, spec.end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def test_month_to_date_starts_on_the_first_when_asked():
    spec = parse_definition({**_body(), "timeframe": "MonthToDate"}, TODAY)
    assert (spec.start, spec.end) == (dt.date(2026, 11, 1), TODAY)


def test_dataset_key_is_case_insensitive_when_portal_spelling_is_used():
    body = {"type": "Usage", "timeframe": "TheLastMonth",
            "dataSet": {"granularity": "Daily", "aggregation": {"c": {"name": "PreTaxCost", "function": "Sum"}}}}
    assert [c["name"] for c in parse_definition(body, TODAY).columns()] == ["PreTaxCost", "UsageDate", "Currency"]


def test_unknown_dimension_is_refused_when_grouped():
    with pytest.raises(QueryError, match="Dimension"):
        parse_definition(_body(grouping=[{"type": "Dimension", "name": "Colour"}]), TODAY)


def test_three_aggregations_are_refused_when_sent():
    aggs = {k: {"name": "Cost", "function": "Sum"} for k in ("a", "b", "c")}
    with pytest.raises(QueryError, match="2 aggregations"):
        parse_definition(_body(aggregation=aggs), TODAY)


def test_filter_with_single_and_branch_is_refused_when_sent():
    only = {"dimensions": {"name": "ChargeType", "operator": "In", "values": ["Usage"]}}
    with pytest.raises(QueryError, match="at least 2"):
        parse_definition(_body(filter={"and": [only]}), TODAY)


SCHEMA = {"type": "object", "required": ["summary", "items", "score"],
          "properties": {"summary": {"type": "string", "maxLength": 20},
                         "items": {"type": "array", "minItems": 3, "items": {"enum": ["F1", "F2"]}},
                         "score": {"type": "integer", "minimum": 2}, "optional": {"type": "string"}}}


def test_walker_builds_required_properties_only_when_schema_has_optional_ones():
    value = _Walker(SCHEMA, 1, "ok").value(SCHEMA)
    assert set(value) == {"summary", "items", "score"} and value["score"] == 2


def test_walker_respects_max_length_and_min_items_when_generating():
    value = _Walker(SCHEMA, 7, "ok").value(SCHEMA)
    assert len(value["summary"]) <= 20 and len(value["items"]) == 3 and set(value["items"]) <= {"F1", "F2"}


def test_walker_plants_wrong_number_in_first_free_text_when_mode_asks():
    value = _Walker(SCHEMA, 1, "wrong_number").value(SCHEMA)
    assert WRONG_NUMBER in value["summary"]


def test_walker_invents_alias_once_when_mode_asks():
    value = _Walker(SCHEMA, 1, "invented_alias").value(SCHEMA)
    assert value["items"].count(INVENTED_ALIAS) == 1 and json.dumps(value)
