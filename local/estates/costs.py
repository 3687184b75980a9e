"""Expanding an estate's compact cost lines into daily rows, as Cost Management would report them (no I/O)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

CostKind = Literal["ActualCost", "AmortizedCost"]
ID_PARTS = re.compile(r"^/subscriptions/([^/]+)(?:/resourceGroups/([^/]+))?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CostRow:
    """One day of one meter of one resource, in the billing currency and in USD."""

    date: dt.date
    cost: float
    cost_usd: float
    currency: str
    dims: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)


class SpikeLike(Protocol):
    """What the expansion reads of a model.Spike (protocols, so that model imports this module and not back)."""

    @property
    def days_ago(self) -> int: ...
    @property
    def cost(self) -> float: ...


class CostLineLike(Protocol):
    """What the expansion reads of a model.CostLine."""

    @property
    def resource_id(self) -> str: ...
    @property
    def meter_category(self) -> str: ...
    @property
    def meter_subcategory(self) -> str: ...
    @property
    def meter(self) -> str: ...
    @property
    def service_name(self) -> str | None: ...
    @property
    def resource_location(self) -> str | None: ...
    @property
    def charge_type(self) -> str: ...
    @property
    def pricing_model(self) -> str: ...
    @property
    def daily_cost(self) -> float: ...
    @property
    def amortized_daily_cost(self) -> float | None: ...
    @property
    def from_days_ago(self) -> int: ...
    @property
    def to_days_ago(self) -> int: ...
    @property
    def weekend_factor(self) -> float: ...
    @property
    def growth_per_day(self) -> float: ...
    @property
    def spikes(self) -> Sequence[SpikeLike]: ...


class SubscriptionLike(Protocol):
    """What the expansion reads of a model.Subscription."""

    @property
    def subscription_id(self) -> str: ...
    @property
    def billing_currency(self) -> str: ...
    @property
    def usd_rate(self) -> float: ...
    @property
    def resources(self) -> Sequence[Mapping[str, Any]]: ...
    @property
    def costs(self) -> Sequence[CostLineLike]: ...


def _line_cost(line: CostLineLike, day: dt.date, days_ago: int, kind: CostKind) -> float:
    rate = line.amortized_daily_cost if kind == "AmortizedCost" and line.amortized_daily_cost is not None \
        else line.daily_cost
    # Growth compounds towards the end of the window: the last day costs exactly the stated rate.
    value = rate / (1.0 + line.growth_per_day) ** (days_ago - line.to_days_ago)
    if day.weekday() >= 5:
        value *= line.weekend_factor
    value += sum(s.cost for s in line.spikes if s.days_ago == days_ago)
    return round(value, 6)


def expand_costs(subscription: SubscriptionLike, today: dt.date, kind: CostKind = "ActualCost") -> Iterator[CostRow]:
    """Yield one row per (day, resource, meter) of the subscription's compact cost lines."""
    by_id = {str(r["id"]).lower(): r for r in subscription.resources}
    for line in subscription.costs:
        resource = by_id.get(line.resource_id.lower(), {})
        match = ID_PARTS.match(line.resource_id)
        group = (match.group(2) or "") if match else ""
        location = line.resource_location or str(resource.get("location") or "uksouth")
        rtype = str(resource.get("type") or _type_from_id(line.resource_id))
        dims = {
            "ResourceId": line.resource_id, "ServiceName": line.service_name or line.meter_category,
            "ResourceGroupName": group, "ResourceGroup": group, "ResourceLocation": location,
            "MeterCategory": line.meter_category, "MeterSubCategory": line.meter_subcategory,
            "Meter": line.meter, "ChargeType": line.charge_type, "PricingModel": line.pricing_model,
            "ResourceType": rtype, "SubscriptionId": subscription.subscription_id,
        }
        tags = {str(k): str(v) for k, v in (resource.get("tags") or {}).items()}
        for days_ago in range(line.from_days_ago, line.to_days_ago - 1, -1):
            day = today - dt.timedelta(days=days_ago)
            cost = _line_cost(line, day, days_ago, kind)
            yield CostRow(day, cost, round(cost * subscription.usd_rate, 6), subscription.billing_currency,
                          dims, tags)


def _type_from_id(resource_id: str) -> str:
    """The lower-case resource type of an ARM id (provider/type[/child...])."""
    parts = resource_id.strip("/").split("/")
    if "providers" not in [p.lower() for p in parts]:
        return ""
    idx = max(i for i, p in enumerate(parts) if p.lower() == "providers")
    rest = parts[idx + 1:]
    types = [rest[0], *rest[1::2]]
    return "/".join(types).lower()
