"""Typed evidence (report-design D12.3) and the one money format (D13.4, D2.2 rounding)."""

from __future__ import annotations

import re

import pytest

from shared.analysis.evidence import KEYS, sentence, typed
from shared.analysis.money import money, money_range, percent
from tests.unit.analysis.builders import analyse
from tests.unit.analysis.demo_inputs import load_demo, scan_inputs
from tests.unit.analysis.test_commands import all_findings
from tests.unit.analysis.test_golden_demo import demo_reports


def test_every_evidence_key_a_rule_writes_is_in_the_table_when_corpus_analysed() -> None:
    keys = {key for f in all_findings() for key in f.evidence}
    keys |= {e["key"] for r in demo_reports().values() for f in r["findings"] for e in f["evidence"]}
    assert sorted(keys - set(KEYS)) == [], "add these keys to shared/analysis/evidence.py:KEYS"


def test_advisor_strings_parsed_into_numbers_with_units_when_typed() -> None:
    items = {e.key: (e.value, e.unit, e.source) for e in typed({"MaxCpuP95": "11.6", "displayQty": "5",
                                                                "lookbackPeriod": "30", "vm_running": True})}
    assert items == {"MaxCpuP95": (11.6, "percent", "advisor"), "displayQty": (5, "count", "advisor"),
                     "lookbackPeriod": (30, "days", "advisor"), "vm_running": (True, "bool", "inventory")}


def test_states_and_booleans_read_as_sentences_when_typed() -> None:
    words = [sentence(e, "GBP") for e in typed({"lifecycle_policy": "none set", "power_state": "stopped",
                                                 "compute_cost_30d": 124.42, "source_disk_exists": False})]
    assert words == ["No lifecycle policy", "Stopped from inside the VM: compute still bills",
                     "Compute cost, last 30 days: £124.42", "Its source disk no longer exists"]


def test_unknown_key_keeps_its_raw_value_as_text_when_typed() -> None:
    (item,) = typed({"brand_new_key": "7"})
    assert (item.value, item.unit, item.label) == ("7", "text", "Brand new key")


@pytest.mark.parametrize(("value", "style", "shown"), [
    (2912.94, "summary", "£2,910"), (85.39, "summary", "£85"), (309.31, "summary", "£309"),
    (12710.16, "summary", "£12,700"), (4715.83, "summary", "£4,720"), (34955.28, "annual", "£35k"),
    (152521.97, "annual", "£153k"), (437.88, "annual", "£438"), (2237.18, "table", "£2,237.18"),
    (0.38, "table", "£0.38"), (-27.37, "table", "\u2212£27.37")])
def test_money_in_its_three_styles(value: float, style: str, shown: str) -> None:
    assert money(value, "GBP", style) == shown  # type: ignore[arg-type]


def test_money_without_a_symbol_puts_the_currency_after_when_formatted() -> None:
    assert (money(2237.18, "CHF"), money(2912.94, "CHF", "summary")) == ("2,237.18 CHF", "2,910 CHF")


def test_range_collapses_to_one_figure_and_percent_is_whole_when_formatted() -> None:
    assert money_range(36.49, 36.49, "GBP") == "£36"
    assert money_range(2912.94, 4715.83, "GBP") == "£2,910 \u2013 £4,720"
    assert (percent(0.2292), percent(0.3652), percent(0.0007)) == ("23%", "37%", "under 1%")


def test_html_prints_every_money_figure_in_one_shape_when_pennine_rendered() -> None:
    tenant = next(t for t in load_demo().tenants if t.display_name.startswith("Pennine"))
    html = analyse(scan_inputs(tenant)).report_html.decode()
    body = re.sub(r"<pre>.*?</pre>|<style>.*?</style>", "", html, flags=re.S)
    assert "GBP" not in body
    text = re.sub(r"<[^>]+>", " ", body)
    bare = re.findall(r"(?<![£\d.,\w])\d{1,3}(?:,\d{3})*\.\d{2}\b", text)
    assert bare == [], "every figure with pence carries its £"
