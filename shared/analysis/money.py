"""One money format for every figure the report prints (report-design D13.4, D2.2).

Table style: symbol, thousands separator and pence ("£2,237.18"; "2,237.18 CHF" for a currency without a
symbol). Summary style (page 1 and prose): three significant figures and never finer than one unit
(£2,912.94 -> £2,910, £85.39 -> £85); annual style: as summary, and 10,000 or more in thousands to the nearest
thousand (£34,955 -> £35k). Templates never format numbers themselves: they call `money` and `percent`.
"""

from __future__ import annotations

import math
from typing import Literal

MoneyStyle = Literal["table", "summary", "annual"]
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def round_summary(value: float) -> float:
    """Three significant figures, never finer than one unit (half away from zero)."""
    if value == 0:
        return 0.0
    digits = math.floor(math.log10(abs(value))) + 1
    step = 10.0 ** max(digits - 3, 0)
    return math.copysign(math.floor(abs(value) / step + 0.5) * step, value)


def _with_symbol(text: str, negative: bool, currency: str) -> str:
    symbol = SYMBOLS.get(currency)
    sign = "\u2212" if negative else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def money(value: float, currency: str, style: MoneyStyle = "table") -> str:
    """The amount in the billing currency, in one of the report's three styles."""
    negative = value < 0 and round(abs(value), 2) > 0
    amount = abs(value)
    if style == "table":
        return _with_symbol(f"{amount:,.2f}", negative, currency)
    if style == "annual" and amount >= 10_000:
        return _with_symbol(f"{math.floor(amount / 1000 + 0.5):,}k", negative, currency)
    return _with_symbol(f"{round_summary(amount):,.0f}", negative, currency)


def money_range(low: float, high: float, currency: str, style: MoneyStyle = "summary") -> str:
    """"£2,910 to £4,720" with an en dash; one figure when both ends print the same."""
    left, right = money(low, currency, style), money(high, currency, style)
    return left if left == right else f"{left} \u2013 {right}"


def percent(share: float) -> str:
    """A share (0..1) as a whole percent ("23%"); below one percent but above zero, "under 1%"."""
    if 0 < share < 0.005:
        return "under 1%"
    return f"{math.floor(share * 100 + 0.5)}%"
