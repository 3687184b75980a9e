"""Pure parts of the simulator: quota windows, query parsing, the AI schema walker and strict-schema rules,
the propagation clock, role grants and provider namespaces."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from local.estates.model import Estate, parse_estate
from local.simulator.ai import INJECTED_URL, INVENTED_ALIAS, WRONG_NUMBER, _Walker
from local.simulator.authz import READ_SUBSCRIPTION, access
from local.simulator.clock import SimClock
from local.simulator.cost_query import QueryError, parse_definition
from local.simulator.grants import Moment, grants
from local.simulator.providers import namespace as provider_namespace
from local.simulator.quotas import SlidingWindows, hhmmss
from local.simulator.strict_schema import SchemaRefused
from local.simulator.strict_schema import validate as strict_validate

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


def _custom(start: dt.date, end: dt.date) -> dict[str, object]:
    return {"type": "ActualCost", "timeframe": "Custom",
            "timePeriod": {"from": f"{start}T00:00:00Z", "to": f"{end}T23:59:59Z"},
            "dataset": {"granularity": "None"}}


def test_custom_window_of_365_days_is_accepted_and_366_refused_when_parsed():
    end = TODAY - dt.timedelta(days=1)
    assert parse_definition(_custom(end - dt.timedelta(days=364), end), TODAY).start == end - dt.timedelta(days=364)
    with pytest.raises(QueryError, match=r"cannot exceed 1 year\(s\)"):
        parse_definition(_custom(end - dt.timedelta(days=365), end), TODAY)


def test_window_starting_more_than_37_months_ago_is_refused_when_parsed():
    with pytest.raises(QueryError, match="37 months"):
        parse_definition(_custom(dt.date(2023, 9, 30), dt.date(2023, 10, 30)), TODAY)
    assert parse_definition(_custom(dt.date(2023, 10, 1), dt.date(2023, 10, 30)), TODAY).start == dt.date(2023, 10, 1)


def test_clock_advances_pins_and_resets_without_sleeping():
    wall = FakeClock()
    clock = SimClock(wall)
    wall.now += 2
    clock.advance(600)
    clock.pin(None)
    moved = clock.now()
    clock.pin(10)
    wall.now += 50
    pinned = clock.now()
    clock.pin(None)
    wall.now += 1
    resumed = clock.now()
    clock.reset()
    assert (moved, pinned, resumed, clock.now()) == (602, 10, 11, 0)
    with pytest.raises(ValueError):
        clock.advance(-1)


def _tenant(**assignment: object) -> Estate:
    return parse_estate({"caleta": {"tenant_id": "c", "app_client_id": "a", "managed_identity_client_id": "m",
                                    "managed_identity_object_id": "o"},
                         "tenants": [{"tenant_id": "t", "display_name": "T",
                                      "groups": [{"object_id": "g1", "members": ["g2"]},
                                                 {"object_id": "g2", "members": ["sp"]}],
                                      "subscriptions": [{"subscription_id": "s", "display_name": "S",
                                                         "role_assignments": [{"role": "Reader", **assignment}]}]}]},
                        TODAY)


def test_assignment_is_seen_by_arm_and_graph_on_their_own_delays_when_made_before_load():
    estate = _tenant(principal_id="sp", created_seconds_ago=20, graph_delay_seconds=5)
    grant = grants(estate.tenants[0])[0]
    at = [Moment(now, 600.0, 30.0) for now in (-15.1, -15.0, 579.9, 580.0)]
    assert [grant.seen_by_graph(m) for m in at] == [False, True, True, True]
    assert [grant.seen_by_arm(m) for m in at] == [False, False, False, True]
    assert grant.seen_by_arm(None) and grant.seen_by_graph(None)


def test_assignment_without_creation_time_is_seen_at_once_when_loaded():
    grant = grants(_tenant(principal_id="sp").tenants[0])[0]
    assert grant.seen_by_arm(Moment(0.0, 600.0, 30.0)) and grant.seen_by_graph(Moment(0.0, 600.0, 30.0))


def test_group_role_reaches_members_transitively_when_access_is_computed():
    estate = _tenant(principal_id="g1")
    assert access(estate, "t", "sp", READ_SUBSCRIPTION).subscriptions == {"s"}
    assert access(estate, "t", "stranger", READ_SUBSCRIPTION).subscriptions == set()
    assert grants(estate.tenants[0])[0].principal_type == "Group"


@pytest.mark.parametrize(("path", "namespace"), [
    ("/subscriptions/s/providers/Microsoft.Advisor/recommendations", "Microsoft.Advisor"),
    ("/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/d/providers/Microsoft.Advisor/"
     "recommendations/x", "Microsoft.Advisor"),
    ("/subscriptions/s", None)])
def test_provider_namespace_is_the_last_providers_segment_when_parsed(path, namespace):
    assert provider_namespace(path) == namespace


STRICT_OK: dict[str, object] = {
    "type": "object", "additionalProperties": False, "required": ["a", "b"],
    "properties": {"a": {"type": "string", "enum": ["x"]},
                   "b": {"type": "array", "items": {"$ref": "#/$defs/item"}}},
    "$defs": {"item": {"type": "object", "additionalProperties": False, "required": [], "properties": {}}}}


def test_strict_schema_that_follows_the_rules_is_accepted_when_validated():
    strict_validate("ok", STRICT_OK)


@pytest.mark.parametrize(("change", "message"), [
    ({"type": "array"}, "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"array\"'"),
    ({"additionalProperties": True},
     "In context=(), 'additionalProperties' is required to be supplied and to be false"),
    ({"required": ["a"]}, "Missing 'b'"),
    ({"required": ["a", "b", "c"]}, "Extra required key 'c' supplied"),
    ({"properties": {"a": {"type": "string", "enum": []}, "b": {"type": "string"}}},
     "In context=('properties', 'a'), 'enum' must be a non-empty array"),
    ({"properties": {"a": {"$ref": "#/$defs/nowhere"}, "b": {"type": "string"}}}, "cannot be resolved"),
    ({"$defs": {"item": {"type": "object", "properties": {}}}}, "In context=('$defs', 'item'), 'additionalProperties'"),
])
def test_strict_schema_breaking_a_rule_is_refused_when_validated(change, message):
    with pytest.raises(SchemaRefused, match=re.escape(message)):
        strict_validate("review", {**STRICT_OK, **change})


BRANCHES = {"type": "object", "required": ["a", "b", "c"], "additionalProperties": False,
            "properties": {k: {"$ref": "#/$defs/pick"} for k in ("a", "b", "c")},
            "$defs": {"pick": {"anyOf": [{"type": "string", "enum": [v]} for v in ("x", "y", "z", "w")]}}}


def test_walker_picks_among_any_of_branches_when_seeds_differ():
    firsts = {_Walker(BRANCHES, seed, "ok").value(BRANCHES)["a"] for seed in range(20)}
    assert len(firsts) > 1


def test_walker_gives_sibling_slots_of_one_schema_distinct_choices_when_enough_remain():
    for seed in range(20):
        value = _Walker(BRANCHES, seed, "ok").value(BRANCHES)
        assert len({value["a"], value["b"], value["c"]}) == 3


def test_walker_plants_misbehaviour_in_the_first_enum_slot_when_schema_has_enums():
    planted = [_Walker(BRANCHES, 3, mode).value(BRANCHES)["a"] for mode in ("wrong_number", "invented_alias",
                                                                             "injected_url")]
    assert planted == [WRONG_NUMBER, INVENTED_ALIAS, INJECTED_URL]


def test_a_compiled_filter_answers_as_row_matches_when_it_names_many_resources():
    from local.estates.model import CostRow
    from local.simulator.cost_filters import compile_filter
    from local.simulator.cost_query import row_matches

    def row(rid: str, category: str, tags: dict[str, str]) -> CostRow:
        return CostRow(dt.date(2026, 11, 1), 1.0, 1.27, "GBP", {"ResourceId": rid, "MeterCategory": category}, tags)

    wanted = [f"/subscriptions/s/r/{i}" for i in range(300)]
    node = {"or": [{"and": [{"dimensions": {"name": "ResourceId", "operator": "In", "values": wanted[:200]}},
                            {"dimensions": {"name": "MeterCategory", "operator": "In", "values": ["Storage"]}}]},
                   {"dimensions": {"name": "resourceid", "operator": "In", "values": wanted[200:]}},
                   {"not": {"tags": {"name": "env", "operator": "In", "values": ["prod"]}}}]}
    rows = [row(f"/subscriptions/s/r/{i}".upper() if i % 2 else f"/subscriptions/s/r/{i}", cat, tags)
            for i in range(0, 400, 7) for cat in ("Storage", "Bandwidth") for tags in ({}, {"ENV": "Prod"})]
    assert [compile_filter(node)(r) for r in rows] == [row_matches(node, r) for r in rows]
    assert any(compile_filter(node)(r) for r in rows) and not all(compile_filter(node)(r) for r in rows)
