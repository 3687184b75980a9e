"""The bench end to end on tiny estates: one JSON summary with every key, bounds, ratios and deliveries.

TINY finishes every task. SLOW is one subscription whose cost data needs more pages (a QPU each) than one
delivery's scaled cap can read: before issue 17 its message dead-lettered after maxDeliveryCount whatever the
machine's speed; now each delivery keeps what it read and hands the rest to a scheduled continuation, and the
task completes with every row.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.bench.runner import BenchArgs, run_bench
from shared.messages import SOURCES

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

# Small cost pages so the tiny estate still needs more Cost Management calls than one quota window holds.
TINY = BenchArgs(seed=3, subscriptions=2, resources=120, days=30, time_scale=0.02, workers=4, cost_page_size=100)
SLOW = BenchArgs(seed=3, subscriptions=1, resources=60, days=30, time_scale=0.002, workers=2, cost_page_size=2)


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    return run_bench(TINY)


@pytest.fixture(scope="module")
def slow() -> dict[str, Any]:
    return run_bench(SLOW)


def test_summary_has_every_section_when_the_bench_runs(summary: dict[str, Any]) -> None:
    assert {"command", "machine", "date", "phases", "arm_calls", "qpu_used", "throttled_429", "bytes_written",
            "prompt_tokens", "lower_bounds", "ratios", "targets", "targets_met", "clocks", "service_bus", "rows",
            "projected", "cost_per_review", "report"} <= set(summary)
    assert {"collect", "analyse", "generate_s"} <= set(summary["phases"])
    assert {"peak_rss_mb", "wall_s"} <= set(summary["phases"]["analyse"])


def test_summary_is_json_when_serialised(summary: dict[str, Any]) -> None:
    assert json.loads(json.dumps(summary)) == summary


def test_minimum_calls_cover_every_api_when_collection_succeeds(summary: dict[str, Any]) -> None:
    calls = summary["lower_bounds"]["calls"]
    assert summary["rows"]["failed_tasks"] == 0
    # one page each of resources, containers, protected items and policy assignments
    assert calls["resource_graph"] == 4 * TINY.subscriptions
    assert calls["cost_management"] > 12  # more than one ten-second window of QPU
    # a lifecycle-policy GET per candidate account, four cost-config lists, Advisor's configurations
    assert calls["configuration"] >= 5 * TINY.subscriptions
    assert calls["total"] == (calls["resource_graph"] + calls["cost_management"] + calls["advisor"]
                              + calls["configuration"])
    assert summary["arm_calls"]["configuration"] == calls["configuration"]  # no read repeated or refused


def test_ratios_are_computed_when_the_quota_bound_is_positive(summary: dict[str, Any]) -> None:
    assert summary["lower_bounds"]["quota_time"]["collection_s"] > 0
    for name in ("collection_vs_quota_bound", "collection_vs_budget_bound", "arm_calls_vs_minimum",
                 "cost_calls_vs_minimum", "qpu_vs_minimum"):
        assert isinstance(summary["ratios"][name], float), name
    # No client can beat the fewest calls or the quota floor.
    assert summary["ratios"]["arm_calls_vs_minimum"] >= 1.0
    assert summary["ratios"]["collection_vs_quota_bound"] >= 1.0


def test_raw_data_is_compressed_when_written(summary: dict[str, Any]) -> None:
    written = summary["bytes_written"]
    assert 0 < written["raw_gzip"] < written["raw_uncompressed"]
    assert summary["targets_met"]["raw_data_compressed"] is True


def test_the_narrator_is_measured_when_the_simulator_answers(summary: dict[str, Any]) -> None:
    assert summary["llm_calls"] == 1
    assert summary["prompt_tokens"] > 0
    assert summary["analysis"]["narrative"] == "llm"


def test_every_message_is_delivered_once_and_every_target_of_a_complete_run_is_judged(summary: dict[str, Any]) -> None:
    bus = summary["service_bus"]
    # every task once, plus the cost tasks' continuations: each a new message, delivered once
    assert bus["messages"] == bus["deliveries"] == bus["completed"] >= len(SOURCES) * TINY.subscriptions
    assert bus["dead_lettered"] == 0 and summary["rows"]["missing_total"] == 0
    assert summary["rows"]["expected"]["cost"] == summary["rows"]["cost"] > 0
    met = summary["targets_met"]
    assert met["failed_tasks"] is True and met["missing_rows"] is True and met["throttled_429"] is True


def test_the_clocks_run_scaled_when_the_time_scale_is_below_one(summary: dict[str, Any]) -> None:
    clocks = summary["clocks"]
    for name in ("lock_s", "lock_renewal_s", "function_timeout_s", "cost_cap_s", "ledger_max_wait_s"):
        assert clocks["scaled"][name] == pytest.approx(clocks["real"][name] * TINY.time_scale), name


def test_the_projection_and_the_cost_per_review_are_computed_from_the_run(summary: dict[str, Any]) -> None:
    projected = summary["projected"]
    assert projected["report_real_s"] >= projected["lower_bound_real_s"] > 0
    assert projected["watchdog_wait_real_s"] == 0
    cost = summary["cost_per_review"]
    assert cost["functions"]["gb_s"] > 0 and cost["functions"]["executions"] == summary["service_bus"]["deliveries"] + 3
    assert cost["model"]["prompt_tokens"] == summary["prompt_tokens"] and cost["total_usd"] > 0
    report = summary["report"]
    assert set(report["bytes"]) == {"report.json", "report.html", "findings.csv"}
    assert report["render_s"]["total"] >= 0 and report["findings"] == summary["analysis"]["findings"]


def test_a_cost_task_that_needs_more_than_one_delivery_continues_and_completes_with_every_row(
        slow: dict[str, Any]) -> None:
    bus = slow["service_bus"]
    assert bus["dead_lettered"] == 0 and bus["redeliveries"] == 0
    outcomes = bus["by_source"]["cost"]
    assert outcomes.get("deferred", 0) >= 1 and outcomes.get("succeeded") == 1
    rows = slow["rows"]
    assert rows["failed_tasks"] == 0 and rows["missing_total"] == 0 and rows["cost"] > 0
    assert slow["projected"]["watchdog_wait_real_s"] == 0
    met = slow["targets_met"]
    assert met["failed_tasks"] is True and met["missing_rows"] is True and met["throttled_429"] is True
