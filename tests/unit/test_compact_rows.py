"""Cost rows held by column (shared/analysis/columnar.py): same rows, same order, same analysis."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from shared.analysis import ScanInputs, analyse_scan
from shared.analysis.columnar import ColumnarRows, compact_cost_data
from tests.unit.analysis.demo_inputs import load_demo, scan_inputs
from tests.unit.analysis.layout2_inputs import scan_both_ways

ROWS: list[list[Any]] = [[1.5, 20260101, "/subscriptions/s/a", "Virtual Machines", "GBP"],
        [0, 20260102, "/subscriptions/s/b", "Storage", "GBP"],
        [None, "2026-01-03T00:00:00", "", None, "USD"],
        [2.25, 20260101, "/subscriptions/s/a", "Virtual Machines", "GBP"]]


def test_iteration_yields_the_same_rows_when_values_are_mixed() -> None:
    assert list(ColumnarRows(ROWS)) == ROWS


def test_ints_and_nulls_keep_their_type_when_the_column_is_mostly_floats() -> None:
    rows = [[float(i) + 0.5, "x"] for i in range(20)] + [[0, "x"], [None, "y"]]
    assert [type(r[0]) for r in ColumnarRows(rows)] == [type(r[0]) for r in rows]


def test_indexing_matches_the_list_when_positive_negative_or_sliced() -> None:
    rows = ColumnarRows(ROWS)
    assert (rows[1], rows[-1], rows[1:3], len(rows)) == (ROWS[1], ROWS[-1], ROWS[1:3], 4)


def test_ragged_rows_stay_a_list_when_compacted() -> None:
    data = {"rows": [[1.0, 20260101], [2.0]]}
    assert compact_cost_data(data)["rows"] is data["rows"]


def test_empty_rows_stay_as_they_are_when_compacted() -> None:
    data: dict[str, object] = {"rows": []}
    assert compact_cost_data(data) is data


def test_every_layout2_section_is_held_by_column_with_equal_strings_shared_when_compacted() -> None:
    # given: two sections naming the same resource, each id decoded as its own string
    rid = "/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/disks/d1"
    totals = [[1.5, "".join(rid), "Storage", "GBP"]]
    meters = [[0.5, "".join(rid), "P10 LRS Disk", "GBP"]]
    data = {"layout": 2, "currency": "GBP", "sections": {
        "totals": {"columns": [], "rows": totals}, "meters": {"columns": [], "rows": meters}, "note": "x"}}
    # when
    sections = compact_cost_data(data, {})["sections"]
    # then: the same rows, by column, one string for the id; what is not a section stays as it was
    assert list(sections["totals"]["rows"]) == totals and list(sections["meters"]["rows"]) == meters
    assert isinstance(sections["totals"]["rows"], ColumnarRows) and sections["note"] == "x"
    assert next(sections["totals"]["rows"].column(1)) is next(sections["meters"]["rows"].column(1))


def _compacted(inputs: ScanInputs) -> ScanInputs:
    subs = []
    strings: dict[str, str] = {}
    for sub in inputs.subscriptions:
        raw = dict(sub.raw)
        if "cost" in raw:
            raw["cost"] = raw["cost"].model_copy(update={"data": compact_cost_data(raw["cost"].data, strings)})
        subs.append(dataclasses.replace(sub, raw=raw))
    return dataclasses.replace(inputs, subscriptions=subs)


def test_report_is_byte_identical_when_the_demo_cost_rows_are_held_by_column() -> None:
    for tenant in load_demo().tenants:
        inputs = scan_inputs(tenant)
        compacted = _compacted(inputs)
        assert any(isinstance(s.raw["cost"].data["rows"], ColumnarRows) for s in compacted.subscriptions
                   if "cost" in s.raw)
        assert analyse_scan(compacted, None).report_json == analyse_scan(inputs, None).report_json


@pytest.mark.parametrize("pages", [0, None], ids=["summary sections", "every resource's days"])
def test_report_is_byte_identical_when_layout2_demo_cost_sections_are_held_by_column(pages: int | None) -> None:
    for tenant in load_demo().tenants:
        _, inputs = scan_both_ways(tenant) if pages is None else scan_both_ways(tenant, every_day_max_pages=pages)
        compacted = _compacted(inputs)
        assert any(isinstance(part["rows"], ColumnarRows) for s in compacted.subscriptions if "cost" in s.raw
                   for part in s.raw["cost"].data["sections"].values())
        assert analyse_scan(compacted, None).report_json == analyse_scan(inputs, None).report_json
