"""The bench end to end on a tiny estate: one JSON summary with every key, bounds and computed ratios."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.bench.runner import BenchArgs, run_bench

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

# Small cost pages so the tiny estate still needs more Cost Management calls than one quota window holds.
TINY = BenchArgs(seed=3, subscriptions=2, resources=120, days=30, time_scale=0.02, workers=4, cost_page_size=100)


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    return run_bench(TINY)


def test_summary_has_every_section_when_the_bench_runs(summary: dict[str, Any]) -> None:
    assert {"command", "machine", "date", "phases", "arm_calls", "qpu_used", "throttled_429", "bytes_written",
            "prompt_tokens", "lower_bounds", "ratios", "targets", "targets_met"} <= set(summary)
    assert {"collect", "analyse", "generate_s"} <= set(summary["phases"])
    assert {"peak_rss_mb", "wall_s"} <= set(summary["phases"]["analyse"])


def test_summary_is_json_when_serialised(summary: dict[str, Any]) -> None:
    assert json.loads(json.dumps(summary)) == summary


def test_minimum_calls_cover_every_api_when_collection_succeeds(summary: dict[str, Any]) -> None:
    calls = summary["lower_bounds"]["calls"]
    assert summary["rows"]["failed_tasks"] == 0
    assert calls["resource_graph"] == 2 * TINY.subscriptions  # one page of resources, one of containers each
    assert calls["cost_management"] > 12  # more than one ten-second window of QPU
    assert calls["total"] == calls["resource_graph"] + calls["cost_management"] + calls["advisor"]


def test_ratios_are_computed_when_the_quota_bound_is_positive(summary: dict[str, Any]) -> None:
    assert summary["lower_bounds"]["quota_time"]["collection_s"] > 0
    for name in ("collection_vs_quota_bound", "arm_calls_vs_minimum", "cost_calls_vs_minimum", "qpu_vs_minimum"):
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
