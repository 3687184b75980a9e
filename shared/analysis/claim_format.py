"""How the narrative prints a figure (report-design D2.2, D13.4): the summary style of the one money format.

Money: three significant figures and never finer than one unit (£2,912.94 -> £2,910, £85.39 -> £85); annual
amounts of 10,000 or more in thousands (£34,955 -> £35k); percentages to the whole percent; dates as
"7 September". The rounding, the symbols and the percentages are the report's own (shared/analysis/money.py);
only the sign differs: a claim never prints a minus sign on an amount that rounds to nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

from shared.analysis.money import SYMBOLS, percent, round_summary

Style = Literal["summary", "annual"]


def money_text(value: float, currency: str, style: Style = "summary") -> str:
    """£2,910 (summary) or £35k (annual, from 10,000); a currency without a symbol after the figure."""
    amount = abs(value)
    if style == "annual" and amount >= 10_000:
        text = f"{math.floor(amount / 1000 + 0.5):,}k"
    else:
        text = f"{round_summary(amount):,.0f}"
    sign = "\u2212" if value < 0 and text != "0" else ""
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def percent_text(share: float) -> str:
    """A fraction as a whole percent ("23%"); above zero but below one percent, "under 1%"."""
    return percent(share)


def date_text(day: dt.date) -> str:
    """7 September."""
    return f"{day.day} {day.strftime('%B')}"


def span(low: str, high: str) -> str:
    """Low and high joined by an en dash, or one figure when both ends print the same."""
    return low if low == high else f"{low}\u2013{high}"


def percent_span(low: str, high: str) -> str:
    """Two percentages joined by an en dash with one percent sign, or one figure when both print the same."""
    if low == high:
        return low
    if low.endswith("%") and high.endswith("%") and not low.startswith("under"):
        return f"{low[:-1]}\u2013{high}"
    return f"{low}\u2013{high}"
