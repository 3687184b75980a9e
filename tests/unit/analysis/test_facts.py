"""Facts: keyed by what they measure, worded in one table, never carrying a customer string."""

from __future__ import annotations

import pytest

from shared.analysis.analytics import compute_analytics
from shared.analysis.facts import Fact, FactKey, FactSheet, build_facts
from shared.analysis.findings import Finding
from tests.unit.analysis.builders import a_disk, context, cost_line, scan


def _sheet() -> FactSheet:
    disk = a_disk("disk-secret-name")
    inputs = scan([disk], cost_rows=cost_line(disk["id"], 2.0))
    ctx = context(inputs)
    finding = Finding(rule="DSK-1", family="remove", category="waste", title="t", resource_id=disk["id"],
                      subscription_id="s", monthly_savings=60.0, currency="GBP", basis="actual_cost",
                      confidence="high", formula="f", action="a", cost_to_date=180.0)
    return build_facts([finding], compute_analytics(inputs, ctx.index), "GBP", 60.0,
                       {disk["id"].lower(): "disk-secret-name"})


@pytest.mark.parametrize("key", list(FactKey))
def test_every_key_has_wording_and_unit_when_a_fact_is_made(key: FactKey) -> None:
    fact = Fact("F1", key, 1.0, "waste")
    assert fact.label and "{" not in fact.label
    assert fact.unit in ("money", "percent", "count")


def test_parameter_named_in_label_when_key_has_one() -> None:
    assert Fact("F9", FactKey.CATEGORY_SAVINGS, 5.0, "licensing").label == "monthly savings in category licensing"
    assert Fact("F9", FactKey.FINDING_SAVING, 5.0, "R3").label == "monthly saving of finding R3"


def test_fact_found_by_key_and_param_when_sheet_is_built() -> None:
    sheet = _sheet()
    total, waste = sheet.by_key(FactKey.TOTAL_MONTHLY_SAVINGS), sheet.by_key(FactKey.CATEGORY_SAVINGS, "waste")
    assert (total and total.id, total and total.value) == ("F1", 60.0)
    assert (waste and waste.value, sheet.by_key(FactKey.CATEGORY_SAVINGS, "licensing")) == (60.0, None)
    assert [f.param for f in sheet.all_of(FactKey.FINDING_SAVING)] == ["R1"]


def test_each_key_and_param_appears_once_when_sheet_is_built() -> None:
    keys = [(f.key, f.param) for f in _sheet().facts]
    assert len(keys) == len(set(keys))


def test_alias_points_at_its_saving_fact_when_sheet_is_built() -> None:
    sheet = _sheet()
    alias = sheet.aliases[0]
    saving = sheet.by_key(FactKey.FINDING_SAVING, alias.id)
    assert (saving and saving.id) == alias.saving_fact


def test_no_customer_string_in_any_label_when_sheet_is_built() -> None:
    assert not any("secret" in f.label for f in _sheet().facts)
