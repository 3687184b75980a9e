"""Signals (D8.11): the bill's cost events in one list, each with a date, an amount and its sentence.

Growth is judged with anomaly days replaced, so a one-off is an anomaly, never growth. Sentences may name a
resource or a subscription (customer data): escape them wherever shown; they never reach a prompt.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence

from shared.analysis.index import EstateIndex
from shared.analysis.insights_model import AnomalyRow, LevelShift, MonthRow, money
from shared.analysis.insights_views import Signal, Tags
from shared.analysis.movers import PERIOD, Lookup
from shared.analysis.resource_days import ResourceDays, is_resource
from shared.analysis.wording import day_text, money_text, pct_text, signed_money

GROWTH_RATIO = 1.2  # v1's COST-1: more than 20% up
UNTAGGED_SHARE = 0.10  # v1's COST-5 threshold
WEEK = 7


def _whole_pct(fraction: float) -> str:
    return f"{round(100 * fraction)}%"


def growth(index: EstateIndex, days: ResourceDays, lookup: Lookup, floor: float, currency: str) -> list[Signal]:
    """Resources billed through both periods whose last 30 days are 20% and at least `floor` above the 30 before."""
    n = days.days
    if n < 2 * PERIOD:
        return []
    out = []
    for r, b in enumerate(days.billing()):
        rid = days.ids[r]
        if not is_resource(rid) or b.first < 0 or b.first > n - 2 * PERIOD:
            continue
        # Judged with anomaly days replaced (a one-off is not growth), reported as billed.
        before, now = days.total(r, n - 2 * PERIOD, n - PERIOD), days.total(r, n - PERIOD, n)
        if before <= 0 or now < GROWTH_RATIO * before or now - before < floor:
            continue
        before, now = days.raw_total(r, n - 2 * PERIOD, n - PERIOD), days.raw_total(r, n - PERIOD, n)
        meters = index.cost.last30.get(rid, {})
        service = max(sorted(meters), key=lambda m: meters[m]) if meters else lookup.names(rid)
        first_week, last_week = days.raw_total(r, n - PERIOD, n - PERIOD + WEEK), days.raw_total(r, n - WEEK, n)
        out.append(Signal("growth", days.date(n - 1), rid, money(now - before),
                          f"{service} up {_whole_pct(now / before - 1)} in {PERIOD} days "
                          f"({money_text(before, currency)} → {money_text(now, currency)}; "
                          f"{money_text(first_week, currency)} → {money_text(last_week, currency)} a week)"))
    return sorted(out, key=lambda s: (-s.amount, s.resource_id or ""))


def collect_signals(shifts: Sequence[LevelShift], anomalies: Sequence[AnomalyRow], months: Sequence[MonthRow],
                    growing: Sequence[Signal], tags: Tags, sub_names: Mapping[str, str],
                    currency: str) -> tuple[Signal, ...]:
    """Level shifts, anomalies, growth, the month-end forecast and untagged subscriptions, in that order."""
    out = []
    for s in shifts:
        top = s.drivers[0] if s.drivers else None
        driver = f", {pct_text(top.share)} {top.name}" if top else ""
        pct = f" ({pct_text(s.delta_pct, signed=True)})" if s.delta_pct is not None else ""
        out.append(Signal("level_shift", s.date, top.resource_id if top else None, s.delta_daily,
                          f"{day_text(s.date)}: {signed_money(s.delta_daily, currency)} a day{pct}{driver}"))
    for a in anomalies:
        meter = a.meters[0].meter if a.meters else ""
        out.append(Signal("anomaly", a.date, a.drivers[0].resource_id if a.drivers else None, a.one_off,
                          f"{day_text(a.date)}: one-off {money_text(a.one_off, currency)}, {meter}. {a.text}"))
    out += growing
    last = months[-1] if months else None
    if last is not None and last.forecast is not None:
        year, month = int(last.month[:4]), int(last.month[5:])
        month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
        out.append(Signal("forecast", month_end, None, last.forecast,
                          f"Forecast for {month_end.strftime('%B %Y')}: {money_text(last.forecast, currency)} "
                          f"(month to date {money_text(last.total, currency)})"))
    for sub, amount, fraction in tags.untagged_by_subscription:
        if fraction > UNTAGGED_SHARE:
            out.append(Signal("untagged", None, f"/subscriptions/{sub}", amount,
                              f"{sub_names.get(sub, sub)}: {pct_text(fraction)} of the last {PERIOD} days' spend "
                              f"({money_text(amount, currency)}) is on untagged resources"))
    return tuple(out)
