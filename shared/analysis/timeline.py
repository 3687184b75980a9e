"""The window's story in time: the monthly table (D8.1), anomalies (D8.4), level shifts (D8.3), run-rate (D8.2).

Reads the first pass's daily totals and per-meter days, and the second pass's per-resource days for drivers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from shared.analysis.index import EstateIndex
from shared.analysis.insights_model import (
    AnomalyRow,
    Driver,
    LevelShift,
    MeterDelta,
    MonthRow,
    RunRate,
    money,
    share,
)
from shared.analysis.resource_days import ResourceDays, is_resource
from shared.analysis.trends import (
    WEEK,
    AnomalyDay,
    ShiftStat,
    Window,
    base_window,
    find_anomalies,
    find_level_shifts,
    mean_over,
    replaced,
    run_rate_window,
)
from shared.analysis.wording import day_text, money_text, signed_money

TOP_DRIVERS = 3
FORECAST_DAYS = 7
METER_GLOSS = {"Bandwidth": "data transfer out"}
Names = Callable[[str], str]


@dataclass(frozen=True)
class Timeline:
    """The daily totals as billed and with anomaly days replaced, and what the detectors found on them."""

    start: dt.date
    values: list[float]
    clean: list[float]
    anomalies: list[AnomalyDay]
    shifts: list[ShiftStat]
    run: Window
    base: Window | None

    def date(self, i: int) -> dt.date:
        """The date of day index i."""
        return self.start + dt.timedelta(days=i)


def build_timeline(index: EstateIndex, days: ResourceDays) -> Timeline:
    """Detect anomalies on the series as billed, replace them (in `days` too), then find shifts and the run-rate."""
    values = [index.cost.daily.get(days.date(i), 0.0) for i in range(days.days)]
    anomalies = find_anomalies(values)
    clean = replaced(values, [a.index for a in anomalies])
    days.replace_days([a.index for a in anomalies])
    shifts = find_level_shifts(clean)
    run = run_rate_window(len(clean), shifts)
    return Timeline(days.start, values, clean, anomalies, shifts, run, base_window(run))


def _drivers(days: ResourceDays, names: Names, change: float, delta_of: Callable[[int], float],
             flags: Callable[[int], tuple[bool, bool]] | None = None) -> tuple[Driver, ...]:
    deltas = [(r, delta_of(r)) for r, rid in enumerate(days.ids) if is_resource(rid)]
    top = sorted(deltas, key=lambda rd: (-abs(rd[1]), days.ids[rd[0]]))[:TOP_DRIVERS]
    out = []
    billing = days.billing()
    for r, delta in top:
        new, stopped = flags(r) if flags else (False, False)
        first = billing[r].first
        out.append(Driver(days.ids[r], names(days.ids[r]), money(delta), share(delta / change) if change else 0.0,
                          new, stopped, days.date(first) if first > 0 else None,
                          money(days.raw_total(r, max(first, 0), days.days))))
    return tuple(out)


def level_shifts(tl: Timeline, days: ResourceDays, names: Names) -> tuple[LevelShift, ...]:
    """Each kept shift with its drivers: resources' means over the same before and after windows."""
    billing = days.billing()
    out = []
    for s in tl.shifts:
        def delta_of(r: int, s: ShiftStat = s) -> float:
            return days.total(r, s.index, s.index + s.after_days) / s.after_days - days.total(
                r, s.index - 14, s.index) / 14

        def flags(r: int, s: ShiftStat = s) -> tuple[bool, bool]:
            b = billing[r]
            return b.first > 0 and abs(b.first - s.index) <= 1, 0 <= b.last < days.days - 1 and abs(
                b.last - s.index) <= 1
        out.append(LevelShift(tl.date(s.index), money(s.before), money(s.after), money(s.delta),
                              share(s.delta / s.before) if s.before else None, money(s.threshold),
                              round(s.sharpness, 2), _drivers(days, names, s.delta, delta_of, flags)))
    return tuple(out)


def anomaly_rows(tl: Timeline, index: EstateIndex, days: ResourceDays, names: Names,
                 currency: str) -> tuple[AnomalyRow, ...]:
    """Each one-off day: the amount above its replacement, by meter category and by resource."""
    replaced_days = {a.index for a in tl.anomalies}
    out = []
    for a in tl.anomalies:
        source = a.index - WEEK
        while source in replaced_days:
            source -= WEEK
        today = index.cost.daily_service.get(tl.date(a.index), {})
        before = index.cost.daily_service.get(tl.date(source), {})
        meters = sorted(((m, today.get(m, 0.0) - before.get(m, 0.0)) for m in set(today) | set(before)),
                        key=lambda kv: (-kv[1], kv[0]))[:TOP_DRIVERS]
        one_off = a.value - tl.clean[a.index]
        def delta_of(r: int, i: int = a.index) -> float:
            return days.one_off(r, i)
        drivers = _drivers(days, names, one_off, delta_of)
        out.append(AnomalyRow(tl.date(a.index), money(a.value), money(a.expected), money(a.lower), money(a.upper),
                              money(tl.clean[a.index]), money(one_off),
                              tuple(MeterDelta(m, money(v)) for m, v in meters), drivers,
                              _anomaly_text(meters[0][0] if meters else "", drivers, currency, one_off)))
    return tuple(out)


def _anomaly_text(meter: str, drivers: tuple[Driver, ...], currency: str, one_off: float) -> str:
    gloss = f" ({METER_GLOSS[meter]})" if meter in METER_GLOSS else ""
    if not drivers:
        return f"One-off {money_text(one_off, currency)} of {meter}{gloss}"
    hint = ("check its storage logs for an unplanned export" if "/microsoft.storage/storageaccounts/" in
            drivers[0].resource_id else "check what ran that day on it")
    return f"{meter}{gloss} from {drivers[0].name}: {hint}"


def run_rate(tl: Timeline, days: ResourceDays, names: Names) -> RunRate:
    """D8.2: r over the run-rate window, its change against the first weeks, and the change's drivers."""
    r = mean_over(tl.clean, tl.run)
    excludes = tuple(tl.date(a.index) for a in tl.anomalies if tl.run.start <= a.index < tl.run.end)
    base = tl.base
    if base is None:
        return RunRate(money(r), money(30 * r), money(360 * r), tl.date(tl.run.start), tl.run.days, excludes,
                       None, None, 0, None, None, ())
    b = mean_over(tl.clean, base)
    change = r - b

    def delta_of(row: int) -> float:
        return days.total(row, tl.run.start, tl.run.end) / tl.run.days - days.total(row, 0, base.days) / base.days
    return RunRate(money(r), money(30 * r), money(360 * r), tl.date(tl.run.start), tl.run.days, excludes,
                   money(b), tl.date(0), base.days, money(change), share(change / b) if b else None,
                   _drivers(days, names, change, delta_of))


def weekend_ratio(tl: Timeline) -> float | None:
    """Mean weekend day over mean weekday in the run-rate window (None without both)."""
    weekend = [tl.clean[i] for i in range(tl.run.start, tl.run.end) if tl.date(i).weekday() >= 5]
    weekday = [tl.clean[i] for i in range(tl.run.start, tl.run.end) if tl.date(i).weekday() < 5]
    if not weekend or not weekday or not statistics.fmean(weekday):
        return None
    return share(statistics.fmean(weekend) / statistics.fmean(weekday))


def months(tl: Timeline, index: EstateIndex, currency: str) -> tuple[MonthRow, ...]:
    """D8.1: a row per calendar month; partial months labelled, compared by their daily average."""
    end = tl.date(len(tl.values) - 1)
    out = []
    year, month = tl.start.year, tl.start.month
    while (year, month) <= (end.year, end.month):
        in_month = calendar.monthrange(year, month)[1]
        data_days = sorted(d for d in index.cost.daily if (d.year, d.month) == (year, month))
        total = sum(index.cost.daily[d] for d in data_days)
        notes, forecast = [], None
        if (year, month) == (end.year, end.month) and end.day < in_month:
            recent = tl.clean[-FORECAST_DAYS:]
            forecast = money(total + statistics.fmean(recent) * (in_month - end.day))
            notes.append(f"month to date; forecast {money_text(forecast, currency)}")
        elif data_days and len(data_days) < in_month:
            notes.append(f"partial: data from {day_text(data_days[0])}" if data_days[0].day > 1
                         else f"partial: data on {len(data_days)} of {in_month} days")
        for s in tl.shifts:
            if (tl.date(s.index).year, tl.date(s.index).month) == (year, month):
                way = "up" if s.delta > 0 else "down"
                notes.append(f"step {way} on {day_text(tl.date(s.index))} ({signed_money(s.delta, currency)} a day)")
        for a in tl.anomalies:
            if (tl.date(a.index).year, tl.date(a.index).month) == (year, month):
                one_off = a.value - tl.clean[a.index]
                notes.append(f"includes a one-off {money_text(one_off, currency)} on {day_text(tl.date(a.index))}")
        out.append(MonthRow(f"{year:04d}-{month:02d}", len(data_days), in_month, len(data_days) < in_month,
                            money(total), money(total / len(data_days)) if data_days else 0.0,
                            "; ".join(notes) or None, forecast))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)
