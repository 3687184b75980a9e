"""Inline SVG charts built from numbers (labels escaped): no scripts, fonts or images, so reports print."""

from __future__ import annotations

import calendar
import datetime as dt
import statistics
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from shared.analysis import chart_axes as axes
from shared.analysis.chart_axes import nice_ticks
from shared.analysis.report_model import DailyCost
from shared.analysis.report_model_tags import Insights

_BAR = "#2f6f8f"
_ALERT = "#c0392b"


# Issue 16 (design D8.10): every fact printed as text, not only in a tooltip, so the charts read on paper.
_MUTED, _GRID, _SHIFT = "#777", "#e3e3e3", "#8e44ad"
_CW, _CH, _LEFT, _RIGHT, _TOP, _BOTTOM = 720, 220, 56, 16, 34, 30


def _svg(width: int, height: int, label: str, body: str) -> Markup:
    # Every string inside `body` went through escape() (axes.text or escape here); numbers are our own.
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '  # noqa: S704
                  f'aria-label="{escape(label)}">{body}</svg>')


def daily_chart(days: Sequence[DailyCost], insights: Insights, currency: str) -> Markup:
    """Daily spend (D8.10): y ticks and gridlines, month lines, 7-day average, run-rate, shifts, one-offs, forecast."""
    if not days:
        return Markup("<p>No cost data.</p>")
    month = insights.months[-1] if insights.months else None
    end = days[-1].date
    if month is not None and month.forecast is not None:
        end = dt.date(end.year, end.month, calendar.monthrange(end.year, end.month)[1])
    span = max((end - days[0].date).days, 1)
    ticks = nice_ticks(max(d.cost for d in days))
    top = ticks[-1] or 1.0
    width, height = _CW - _LEFT - _RIGHT, _CH - _TOP - _BOTTOM

    def x(day: dt.date) -> float:
        return _LEFT + width * (day - days[0].date).days / span

    def y(value: float) -> float:
        return _TOP + height * (1 - value / top)

    parts = [f'<line x1="{_LEFT}" y1="{y(t):.1f}" x2="{_CW - _RIGHT}" y2="{y(t):.1f}" stroke="{_GRID}"/>'
             + axes.text(_LEFT - 6, y(t) + 4, axes.short_money(t, currency), anchor="end", fill=_MUTED)
             for t in ticks]
    first = dt.date(days[0].date.year, days[0].date.month, 1)
    while first <= end:
        if first >= days[0].date:
            parts.append(f'<line x1="{x(first):.1f}" y1="{_TOP}" x2="{x(first):.1f}" y2="{_TOP + height}" '
                         f'stroke="{_GRID}"/>' + axes.text(x(first) + 3, _TOP + height + 14, first.strftime("%b"),
                                                           fill=_MUTED))
        first = (first + dt.timedelta(days=32)).replace(day=1)
    points = " ".join(f"{x(d.date):.1f},{y(d.cost):.1f}" for d in days)
    parts.append(f'<polyline fill="none" stroke="{_BAR}" stroke-width="1.5" points="{points}"/>')
    average = [(d.date, statistics.fmean(c.cost for c in days[max(0, i - 6):i + 1])) for i, d in enumerate(days)][6:]
    if average:
        parts.append(f'<polyline fill="none" stroke="{_MUTED}" stroke-dasharray="4 3" points="'
                     + " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in average) + '"/>'
                     + axes.text(x(average[-1][0]) - 4, y(average[-1][1]) + 14, "7-day average", anchor="end",
                                 size=10, fill=_MUTED))
    parts += _annotations(insights, currency, x, y, days[-1].date, end)
    return _svg(_CW, _CH, f"Daily spend, {days[0].date.isoformat()} to {days[-1].date.isoformat()}", "".join(parts))


def _annotations(insights: Insights, currency: str, x: Callable[[dt.date], float], y: Callable[[float], float],
                 last: dt.date, end: dt.date) -> list[str]:
    out: list[str] = []
    rate = insights.run_rate
    if rate is not None:
        out.append(f'<line x1="{x(rate.from_):.1f}" y1="{y(rate.daily):.1f}" x2="{x(last):.1f}" '
                   f'y2="{y(rate.daily):.1f}" stroke="{_ALERT}" stroke-width="2"/>'
                   + axes.text(x(rate.from_), y(rate.daily) - 6,
                               f"run-rate {axes.short_money(rate.daily, currency)} a day", fill=_ALERT))
    for n, shift in enumerate(insights.level_shifts):
        driver = f", {axes.clip(shift.drivers[0].name)}" if shift.drivers else ""
        sign = "+" if shift.delta_daily >= 0 else "-"
        label = (f"{shift.date.day} {shift.date.strftime('%b')}: {sign}"
                 f"{axes.short_money(abs(shift.delta_daily), currency)} a day{driver}")
        out.append(f'<line x1="{x(shift.date):.1f}" y1="{_TOP}" x2="{x(shift.date):.1f}" y2="{_CH - _BOTTOM}" '
                   f'stroke="{_SHIFT}" stroke-dasharray="5 4"/>'
                   + axes.text(x(shift.date) + 4, _TOP - 18 + 12 * n, label, fill=_SHIFT))
    for n, a in enumerate(insights.anomalies):
        meter = f", {a.meters[0].meter}" if a.meters else ""
        label = f"{a.date.day} {a.date.strftime('%b')}: one-off {axes.short_money(a.one_off, currency)}{meter}"
        out.append(f'<circle cx="{x(a.date):.1f}" cy="{y(a.cost):.1f}" r="4" fill="{_ALERT}"/>'
                   + axes.text(x(a.date) - 6, y(a.cost) + 4 + 12 * n, label, anchor="end", fill=_ALERT))
    month = insights.months[-1] if insights.months else None
    if month is not None and month.forecast is not None and end > last:
        level = (month.forecast - month.total) / max((end - last).days, 1)
        out.append(f'<line x1="{x(last):.1f}" y1="{y(level):.1f}" x2="{x(end):.1f}" y2="{y(level):.1f}" '
                   f'stroke="{_BAR}" stroke-dasharray="2 3" stroke-width="2"/>'
                   + axes.text(x(end), y(level) + 16, f"forecast {axes.short_money(month.forecast, currency)} "
                               f"for {last.strftime('%B')}", anchor="end", size=10, fill=_MUTED))
    return out
