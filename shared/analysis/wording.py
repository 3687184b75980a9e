"""Small wording helpers for the analytics' own sentences: money, percentages, dates and plain type labels
(money.py's format and labels.py's table, so the analytics and the plan word things alike)."""

from __future__ import annotations

import datetime as dt

from shared.analysis import labels
from shared.analysis.commands import arm_type
from shared.analysis.money import money


def money_text(value: float, currency: str) -> str:
    """£1,234.56 (or `1,234.56 CHF` for a currency without a symbol): money.py's table style, the one format."""
    return money(value, currency)


def signed_money(value: float, currency: str) -> str:
    """+£80.10 or -£27.37."""
    return ("+" if value >= 0 else "") + money_text(value, currency)


def pct_text(fraction: float, signed: bool = False) -> str:
    """0.239 -> 23.9% (+23.9% when signed)."""
    text = f"{100 * fraction:.1f}%"
    return ("+" + text) if signed and fraction >= 0 else text


def day_text(day: dt.date) -> str:
    """29 Oct."""
    return f"{day.day} {day.strftime('%b')}"


def resource_type_of(resource_id: str) -> str:
    """The lower-case ARM type of a resource id (commands.arm_type); '' for a scope such as a subscription."""
    return arm_type(resource_id) if "/providers/" in resource_id.lower() else ""


def type_label(arm_type_name: str) -> str:
    """A plain label for an ARM type, capitalised for a table cell ("Managed disk"): labels.py's one table."""
    label = labels.type_label(arm_type_name) if arm_type_name else "subscription charge"
    return label[:1].upper() + label[1:]
