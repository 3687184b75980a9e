"""Axes for the report's SVG charts: "nice" ticks (1, 2, 2.5, 5 x 10^n), short money labels, escaped text."""

from __future__ import annotations

import math

from markupsafe import escape

from shared.analysis.money import SYMBOLS

STEPS = (1.0, 2.0, 2.5, 5.0)
MAX_INTERVALS = 5


def nice_ticks(top: float) -> list[float]:
    """Ticks from 0 to at least `top`: the smallest 1/2/2.5/5 x 10^n step giving at most 5 intervals (4-6 ticks)."""
    if top <= 0:
        return [0.0, 1.0]
    power = 10.0 ** math.floor(math.log10(top / MAX_INTERVALS))
    for scale in (power, 10 * power):
        for step in STEPS:
            size = step * scale
            intervals = math.ceil(round(top / size, 9))
            if intervals <= MAX_INTERVALS:
                return [round(i * size, 10) for i in range(intervals + 1)]
    return [0.0, top]  # unreachable: 10 x power always fits


def short_money(value: float, currency: str) -> str:
    """A chart label in whole units (£424, £12,710); under 10 units up to 2 decimals (£9.66)."""
    symbol = SYMBOLS.get(currency, "")
    text = f"{abs(value):,.0f}" if abs(value) >= 10 else f"{abs(value):,.2f}".rstrip("0").rstrip(".")
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def text(x: float, y: float, content: str, *, size: int = 11, anchor: str = "start", fill: str = "#333",
         extra: str = "") -> str:
    """An SVG <text> element; the content is escaped (it may be a customer's resource name)."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f"{escape(content)}</text>")


def clip(label: str, limit: int = 32) -> str:
    """A label cut to `limit` characters with an ellipsis (escape it afterwards, never before)."""
    return label if len(label) <= limit else label[:limit - 1] + "…"
