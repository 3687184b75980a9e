"""Which way a subscription's days are read: every resource's days (C1) or the summary steps, by T's rows (each
a resource and meter category billed in the savings window) and the scan's size (docs/data-contract.md, "Which
way the days are read")."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.collectors.cost_plan import (
    EVERY_DAY_MAX_PAGES,
    RESOURCE_DAYS,
    reads_every_day,
    resource_day_pages,
    sized_steps,
    windows_for,
)
from shared.collectors.quota import LIMITS

W = windows_for(dt.date(2026, 11, 27), 90)  # 2026-08-29 .. 2026-11-26: four calendar-month queries


def test_every_day_pages_are_counted_a_month_at_a_time_at_a_row_per_pair_and_day():
    assert resource_day_pages(40, W) == 4  # one page for each of the four months
    assert resource_day_pages(2_000, W) == 38  # ceil(2,000 x days / 5,000) for 3, 30, 31 and 26 days: 2 + 12 + 13 + 11
    assert resource_day_pages(0, W) == 4  # an empty subscription still asks each month once


@pytest.mark.parametrize(("pairs", "in_scan", "every_day"), [
    (40, 1, True), (40, 200, True),  # cheaper than the summary steps whatever the scan's size
    (2_000, 1, True), (2_000, 3, True),  # the scan read every day fits 15 minutes of the tenant's budget
    (2_000, 4, False), (2_000, 50, False),  # it would not: the summary steps
    (10_000, 1, False),  # alone past 15 minutes
])
def test_a_subscription_reads_every_day_when_cheaper_or_the_scan_fits_the_first_fifteen_minutes(
        pairs: int, in_scan: int, every_day: bool) -> None:
    assert reads_every_day(pairs, W, in_scan) is every_day
    names = [s.section for s in sized_steps(pairs, W, in_scan)]
    assert names[:2] == ["meters", "totals"]
    assert (RESOURCE_DAYS in names) is every_day and ("daily" in names) is not every_day


def test_no_subscription_reads_every_day_when_the_limit_is_zero():
    assert not reads_every_day(1, W, 1, max_pages=0)


def test_the_every_day_limit_is_fifteen_minutes_of_the_tenants_hourly_budget():
    hourly = next(cap for window, cap in LIMITS if window == 3600.0)
    assert hourly * 15 // 60 == EVERY_DAY_MAX_PAGES
