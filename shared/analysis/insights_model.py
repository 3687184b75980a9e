"""Typed results of the issue-16 analytics (design D8, D10), frozen and JSON-ready in report.json v2's shape.

Money is rounded to 2 decimals and shares (fractions, 0.239 = 23.9%) to 4 when the values are built, so
`to_dict()` only renames. Names, tag values and subscription names are customer data: escape them wherever shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any


def jsonable(value: Any) -> Any:
    """Dataclasses to dicts (their own `to_dict` when they have one), tuples to lists, dates to ISO strings."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def money(value: float) -> float:
    """Money as stored: 2 decimals."""
    return round(float(value), 2)


def share(value: float) -> float:
    """A fraction as stored: 4 decimals."""
    return round(float(value), 4)


@dataclass(frozen=True)
class DayCost:
    """One day of the window as billed; `anomaly` when it was a one-off day (replaced in the run-rate)."""

    date: dt.date
    cost: float
    anomaly: bool


@dataclass(frozen=True)
class MonthRow:
    """D8.1: one calendar month of the window; a partial month is compared by its daily average."""

    month: str  # YYYY-MM
    days_with_data: int
    days_in_month: int
    partial: bool
    total: float
    daily_average: float
    note: str | None
    forecast: float | None  # month to date: total + 7-day average x days left


@dataclass(frozen=True)
class Driver:
    """A resource's part in a change: its Δ a day, share of the whole change, and whether it started or stopped."""

    resource_id: str
    name: str
    delta: float
    share: float
    new: bool = False
    stopped: bool = False
    first_cost: dt.date | None = None  # the first cost day when it is inside the window (D8.6)
    cost_since: float = 0.0  # as billed, from the first cost day (or the window start) to the window end (D3.6)


@dataclass(frozen=True)
class LevelShift:
    """D8.3: a step in daily spend, with the detector's figures and its drivers."""

    date: dt.date
    before: float
    after: float
    delta_daily: float
    delta_pct: float | None
    threshold: float
    sharpness: float
    drivers: tuple[Driver, ...]


@dataclass(frozen=True)
class MeterDelta:
    """A meter category's part in a one-off: the day's cost above its replacement."""

    meter: str
    amount: float


@dataclass(frozen=True)
class AnomalyRow:
    """D8.4: a one-off day, the value that replaces it (same weekday a week earlier) and what drove it."""

    date: dt.date
    cost: float
    expected: float
    band_low: float
    band_high: float
    replacement_value: float
    one_off: float
    meters: tuple[MeterDelta, ...]
    drivers: tuple[Driver, ...]
    text: str  # names the meter and the resource: customer data inside


@dataclass(frozen=True)
class RunRate:
    """D8.2: the daily run-rate (anomaly days replaced) and its change since the start of the window."""

    daily: float
    monthly: float
    annual: float
    start: dt.date
    days: int
    excludes: tuple[dt.date, ...]
    base_daily: float | None
    base_from: dt.date | None
    base_days: int
    change_daily: float | None
    change_pct: float | None
    drivers: tuple[Driver, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON with D12.2's key `from`."""
        out = {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}
        out["from"] = out.pop("start")
        return out


@dataclass(frozen=True)
class Mover:
    """D8.5: a service or resource, last 30 days against the 30 before."""

    key: str
    label: str
    before: float
    now: float
    delta: float
    delta_pct: float | None  # None when it was not billed before
    status: str  # new | stopped | changed
    finding_ids: tuple[str, ...] = ()
    first_cost: dt.date | None = None  # resources: first cost day when inside the window
    last_cost: dt.date | None = None  # resources: last cost day when billing stopped
    one_off: float = 0.0  # resources: one-off anomaly cost inside the last 30 days


@dataclass(frozen=True)
class Movers:
    """Top movers by service and by resource, and the totals of both periods."""

    services: tuple[Mover, ...]
    resources: tuple[Mover, ...]
    total_before: float
    total_now: float
    prior_days: int  # days of data in the prior period (30 unless the window is short)


@dataclass(frozen=True)
class NewCost:
    """D8.6: a resource that started (or stopped) billing inside the window, with its daily and monthly rate."""

    resource_id: str
    name: str
    resource_type: str
    type_label: str
    subscription_id: str
    date: dt.date  # first cost day (new) or last cost day (stopped)
    daily: float
    monthly: float
    cost_since: float
    finding_ids: tuple[str, ...]


@dataclass(frozen=True)
class Amount:
    """An amount under a key (environment, service, location) with its label and share of the total."""

    key: str
    label: str
    amount: float
    share: float
