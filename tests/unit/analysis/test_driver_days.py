"""Which subscriptions read an anomalous day's drivers (series_needs.driver_days): the few whose day moved most."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.analysis.series_needs import driver_days, estate_anomaly_days
from shared.collectors.cost_plan import DRIVER_SUBSCRIPTIONS

END = dt.date(2026, 12, 6)
DAYS = [END - dt.timedelta(days=n) for n in range(89, -1, -1)]
SPIKE = dt.date(2026, 11, 17)


def summary(sub: str, level: float, extra: float = 0.0, currency: str = "GBP", ranked: bool = True) -> dict[str, Any]:
    """A subscription's shared daily totals: `level` a day, `extra` more on SPIKE."""
    rows = [[level + (extra if d == SPIKE else 0.0), int(d.strftime("%Y%m%d"))] for d in DAYS]
    out: dict[str, Any] = {"currency": currency, "weight": 100, "window": {"from": DAYS[0].isoformat(),
                                                                          "to": END.isoformat()},
                           "daily": {"columns": [{"name": "Cost", "type": "Number"},
                                                 {"name": "UsageDate", "type": "Number"}], "rows": rows}}
    if ranked:
        out |= {"subscription": sub, "last30_total": round(level * 30, 6)}
    return out


def estate(*extras: float) -> list[dict[str, Any]]:
    return [summary(f"sub-{i}", 100.0, extra) for i, extra in enumerate(extras)]


def test_the_spike_is_an_anomalous_day_of_the_estate() -> None:
    # given: five subscriptions, two of which spent much more on one day
    summaries = estate(0, 900, 0, 400, 0)
    # when / then: the estate's detector finds that day
    assert SPIKE in estate_anomaly_days(summaries)


def test_only_the_subscriptions_that_moved_most_read_the_day() -> None:
    # given: moves of 900, 400 and 50 on the day; two subscriptions did not move
    summaries = estate(0, 900, 50, 400, 0)
    # when
    asked = {f"sub-{i}" for i in range(5) if SPIKE in driver_days(summaries, f"sub-{i}")}
    # then: the three largest moves, no more
    assert DRIVER_SUBSCRIPTIONS == 3
    assert asked == {"sub-1", "sub-2", "sub-3"}


def test_a_fall_counts_as_a_move() -> None:
    # given: one subscription spent 90 less that day, another 10 more
    summaries = [summary("sub-0", 100.0, 900), summary("sub-1", 100.0, -90), summary("sub-2", 100.0, 10),
                 summary("sub-3", 100.0, 5), summary("sub-4", 100.0)]
    # when / then: the fall ranks by its size
    assert SPIKE in driver_days(summaries, "sub-1")
    assert SPIKE not in driver_days(summaries, "sub-3")


def test_equal_moves_are_broken_by_subscription_id_so_exactly_three_ask() -> None:
    # given: four subscriptions moved the same
    summaries = estate(900, 900, 900, 900)
    # when
    asked = [f"sub-{i}" for i in range(4) if SPIKE in driver_days(summaries, f"sub-{i}")]
    # then
    assert asked == ["sub-0", "sub-1", "sub-2"]


def test_a_summary_of_the_previous_version_reads_every_anomalous_day() -> None:
    # given: this subscription's summary was shared before the ranking fields existed
    summaries = estate(0, 900, 0, 400, 0)
    summaries[4] = summary("sub-4", 100.0, ranked=False)
    # when / then: it asks as it always did
    assert driver_days(summaries, "sub-4") == estate_anomaly_days(summaries)


def test_a_subscription_billed_in_another_currency_reads_no_drivers() -> None:
    # given: the analysis leaves a minority currency out of the estate's days and drivers
    summaries = [*estate(0, 900, 0, 400), summary("sub-usd", 100.0, 5000, currency="USD")]
    summaries[-1]["weight"] = 1
    # when / then
    assert driver_days(summaries, "sub-usd") == []


def test_no_anomalous_day_reads_nothing() -> None:
    # given: a flat estate
    summaries = estate(0, 0, 0)
    # when / then
    assert driver_days(summaries, "sub-0") == []
