"""The bench's lower bounds: fewest pages and the least time sliding-window quotas allow."""

from __future__ import annotations

import pytest

from local.bench.bounds import (
    ARG_LIMITS,
    CM_LIMITS,
    min_arg_calls,
    min_cost_calls,
    min_cost_qpu,
    pages,
    quota_seconds,
    ratio,
)


def test_pages_is_one_when_there_are_no_rows() -> None:
    assert pages(0, 1000) == 1


def test_pages_rounds_up_when_the_last_page_is_partial() -> None:
    assert pages(1001, 1000) == 2


def test_min_arg_calls_counts_resources_and_containers_when_summed() -> None:
    assert min_arg_calls([(2000, 30), (1, 1)]) == 2 + 1 + 1 + 1


def test_min_arg_calls_counts_every_table_when_protected_items_and_assignments_are_read() -> None:
    # resources, containers, protected items, policy assignments: an empty table still takes one query
    assert min_arg_calls([(2000, 30, 0, 1), (1, 1, 1500, 0)]) == (2 + 1 + 1 + 1) + (1 + 1 + 2 + 1)


def test_min_cost_calls_counts_every_window_when_some_are_empty() -> None:
    assert min_cost_calls([12_000, 0, 5000], 5000) == 3 + 1 + 1


def test_quota_seconds_is_zero_when_the_calls_fit_one_window() -> None:
    assert quota_seconds(15, ARG_LIMITS) == 0.0


def test_quota_seconds_waits_whole_windows_when_the_burst_is_spent() -> None:
    assert quota_seconds(31, ARG_LIMITS) == 10.0


def test_quota_seconds_hits_the_hourly_cap_when_cost_queries_exceed_600() -> None:
    assert quota_seconds(601, CM_LIMITS) == 3600.0


def test_quota_seconds_follows_the_minute_cap_when_between_60_and_600() -> None:
    assert quota_seconds(61, CM_LIMITS) == 60.0


def test_ratio_is_none_when_the_bound_is_zero() -> None:
    assert ratio(3.0, 0.0) is None


def test_min_cost_qpu_is_one_per_page_or_one_per_window_by_charging_mode() -> None:
    assert min_cost_qpu([12_000, 0, 5000], 5000, per_page=True) == 5
    assert min_cost_qpu([12_000, 0, 5000], 5000, per_page=False) == 3


def test_quota_seconds_keep_the_ledgers_pace_when_a_gap_is_given() -> None:
    assert quota_seconds(0, CM_LIMITS, 1.2) == 0.0
    assert quota_seconds(11, ((10.0, 10), (60.0, 50), (3600.0, 500)), 1.2) == pytest.approx(12.0)  # 1.2 s apart


def test_design_qpu_charges_every_page_like_the_first_when_read_conservatively() -> None:
    from local.bench.bounds import design_qpu

    steps = [(12_000, 1), (0, 2), (4_999, 2)]
    assert design_qpu(steps, 5000, per_page=True) == 3 * 1 + 1 * 2 + 1 * 2
    assert design_qpu(steps, 5000, per_page=False) == 1 + 2 + 2
