"""Inline SVG charts built from numbers (labels escaped): no scripts, fonts or images, so reports print."""

from __future__ import annotations

from markupsafe import Markup, escape

from shared.analysis.money import money
from shared.analysis.report_model import AmountByKey, DailyCost

_W, _H, _PAD = 720, 220, 40
_BAR = "#2f6f8f"
_ALERT = "#c0392b"


def trend_chart(daily: list[DailyCost], currency: str) -> Markup:
    """Daily spend as a line, anomalous days marked with red dots."""
    if not daily:
        return Markup("<p>No cost data.</p>")
    top = max(d.cost for d in daily) or 1.0
    step = (_W - 2 * _PAD) / max(len(daily) - 1, 1)

    def xy(i: int, cost: float) -> tuple[float, float]:
        return _PAD + i * step, _H - _PAD - (cost / top) * (_H - 2 * _PAD)

    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, d.cost) for i, d in enumerate(daily)))
    marks = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{_ALERT}"><title>{escape(d.date.isoformat())}: '
        f"{escape(money(d.cost, currency))}</title></circle>"
        for i, d in enumerate(daily) if d.anomaly for x, y in [xy(i, d.cost)])
    labels = (f'<text x="{_PAD}" y="{_H - 10}" font-size="11">{escape(daily[0].date.isoformat())}</text>'
              f'<text x="{_W - _PAD}" y="{_H - 10}" font-size="11" text-anchor="end">'
              f"{escape(daily[-1].date.isoformat())}</text>"
              f'<text x="{_PAD}" y="{_PAD - 10}" font-size="11">max {escape(money(top, currency))} a day</text>')
    axis = f'<line x1="{_PAD}" y1="{_H - _PAD}" x2="{_W - _PAD}" y2="{_H - _PAD}" stroke="#999"/>'
    # Every interpolated string is escape()d; the rest are numbers we formatted.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" role="img" '
        f'aria-label="Daily spend, last {len(daily)} days">{axis}'
        f'<polyline fill="none" stroke="{_BAR}" stroke-width="2" points="{points}"/>{marks}{labels}</svg>')


def bar_chart(items: list[AmountByKey], currency: str, title: str, limit: int = 8) -> Markup:
    """Horizontal bars for the largest amounts."""
    rows = [i for i in items if i.amount > 0][:limit]
    if not rows:
        return Markup("<p>Nothing to show.</p>")
    top = max(i.amount for i in rows)
    row_h, label_w = 18, 220
    height = row_h * len(rows) + 10
    parts = []
    for n, item in enumerate(rows):
        y = 5 + n * row_h
        width = (item.amount / top) * (_W - label_w - 120)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" font-size="12" text-anchor="end">{escape(item.key[:40])}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}" fill="{_BAR}"/>'
            f'<text x="{label_w + width + 6:.1f}" y="{y + 16}" font-size="12">{escape(money(item.amount, currency))}'
            "</text>")
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {height}" role="img" '  # noqa: S704
                  f'aria-label="{escape(title)}">{"".join(parts)}</svg>')
