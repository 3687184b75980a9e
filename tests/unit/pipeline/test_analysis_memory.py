"""The analyses of one worker share the instance's memory: the estimate from compressed raw data covers what the
bench measured, two default estates run together, two estates read every day do not, one alone always runs."""

from __future__ import annotations

import threading

import pytest

from shared.errors import TransientError
from shared.pipeline.analysis_memory import MemoryShare, estimate_mb

SHARE_MB = 1640.0
# Compressed raw bytes per source and the peak above the worker, measured by the bench (docs/performance.md,
# 2026-12-07): the default estate (50 x 2,000 resources, summary read), 200 x 500 read every day, 1 x 50,000.
MEASURED = [
    ({"resource-graph": 4.10, "cost": 2.99, "advisor": 0.10, "cost-config": 0.04}, 681.2),
    ({"resource-graph": 3.96, "cost": 77.36, "advisor": 0.21, "cost-config": 0.14}, 1183.4),
    ({"resource-graph": 2.15, "cost": 2.06, "advisor": 0.03, "cost-config": 0.0}, 346.4),
]


def in_bytes(sizes_mb: dict[str, float]) -> dict[str, int]:
    return {source: int(size * 1_000_000) for source, size in sizes_mb.items()}  # the bench printed decimal MB


@pytest.mark.parametrize(("sizes", "peak"), MEASURED)
def test_the_estimate_covers_each_measured_analysis_within_a_tenth(sizes: dict[str, float], peak: float) -> None:
    assert peak <= estimate_mb(in_bytes(sizes)) <= peak * 1.1


def test_two_default_estates_fit_the_share_and_two_read_every_day_do_not() -> None:
    default, every_day = (estimate_mb(in_bytes(sizes)) for sizes, _ in MEASURED[:2])
    assert 2 * default <= SHARE_MB < 2 * every_day


def test_two_analyses_run_together_when_both_fit() -> None:
    share = MemoryShare(SHARE_MB)
    with share.hold(700.0), share.hold(700.0, max_wait_s=0.0):
        assert not share.fits(300.0)


def test_an_analysis_waits_until_the_one_running_is_done_when_both_do_not_fit() -> None:
    # given: an analysis of 1,200 MB running
    share, started, order = MemoryShare(SHARE_MB), threading.Event(), []
    first = share.hold(1200.0)
    first.__enter__()

    def second() -> None:
        started.set()
        with share.hold(1200.0, max_wait_s=30.0):
            order.append("second ran")

    # when: a second of the same size asks, and then the first finishes
    waiter = threading.Thread(target=second)
    waiter.start()
    started.wait(5.0)
    waiter.join(0.2)
    order.append("first done")
    first.__exit__(None, None, None)
    waiter.join(5.0)
    # then: the second ran only after the first gave its share back
    assert order == ["first done", "second ran"]


def test_an_analysis_larger_than_the_share_runs_when_alone() -> None:
    share = MemoryShare(SHARE_MB)
    with share.hold(2000.0, max_wait_s=0.0):
        assert not share.fits(1.0)
    assert share.fits(2000.0)


def test_the_message_is_given_back_when_the_wait_lasts_too_long() -> None:
    share = MemoryShare(SHARE_MB)
    with share.hold(1200.0), pytest.raises(TransientError), share.hold(1200.0, max_wait_s=0.05):
        pass  # pragma: no cover - never entered
