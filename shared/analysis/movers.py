"""What moved: top movers (D8.5, last 30 days against the 30 before) and new and stopped costs (D8.6).

Movers are as billed (a one-off counts, and is marked); new and stopped costs are priced on the run-rate of
D3.4, which leaves anomaly days out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from shared.analysis.index import EstateIndex
from shared.analysis.insights_model import Mover, Movers, NewCost, money, share
from shared.analysis.resource_days import ResourceDays, is_resource
from shared.analysis.wording import resource_type_of, type_label

MOVERS_SHOWN = 10
ONE_OFF_SHARE = 0.1
PERIOD = 30
# D8.6
NEW_MIN_BILLED = 0.9  # billed on at least 90% of the days since the first cost day
STILL_BILLING_DAYS = 3
SHARE_OF_RUN_RATE = 0.005
HYGIENE_FLOOR = 10.0  # D5.3: H = max(10 units, 0.1% of the monthly run-rate)
HYGIENE_SHARE = 0.001


def hygiene_threshold(monthly_run_rate: float) -> float:
    """D5.3's H: max(10 units of the billing currency, 0.1% of the monthly run-rate)."""
    return max(HYGIENE_FLOOR, HYGIENE_SHARE * monthly_run_rate)


def new_cost_threshold(monthly_run_rate: float) -> float:
    """D8.6: max(0.5% of the monthly run-rate, H)."""
    return max(SHARE_OF_RUN_RATE * monthly_run_rate, hygiene_threshold(monthly_run_rate))


@dataclass(frozen=True)
class Lookup:
    """What the movers need to label a resource: its name and the findings on it (ids lower case)."""

    names: Callable[[str], str]
    findings: Mapping[str, Sequence[str]]

    def finding_ids(self, resource_id: str) -> tuple[str, ...]:
        """Ids of the findings on this resource."""
        return tuple(self.findings.get(resource_id, ()))


def _mover(key: str, label: str, before: float, now: float, finding_ids: tuple[str, ...] = (),
           first_cost: dt.date | None = None, last_cost: dt.date | None = None, one_off: float = 0.0) -> Mover:
    status = "new" if before == 0 and now != 0 else "stopped" if now == 0 and before != 0 else "changed"
    # The change of the rounded amounts, so the table adds up as printed.
    return Mover(key, label, money(before), money(now), money(money(now) - money(before)),
                 share((now - before) / before) if before else None, status, finding_ids, first_cost, last_cost,
                 money(one_off))


def _top(rows: list[Mover]) -> tuple[Mover, ...]:
    return tuple(sorted(rows, key=lambda m: (-abs(m.delta), m.key))[:MOVERS_SHOWN])


def movers(index: EstateIndex, days: ResourceDays, lookup: Lookup) -> Movers:
    """Services (meter categories) and resources, top 10 each by the size of their change."""
    n = days.days
    now_from, prior_from = n - PERIOD, n - 2 * PERIOD
    services: dict[str, list[float]] = {}
    for i in range(max(prior_from, 0), n):
        for meter, cost in index.cost.daily_service.get(days.date(i), {}).items():
            services.setdefault(meter, [0.0, 0.0])[0 if i < now_from else 1] += cost
    billing = days.billing()
    # A resource's part of a one-off is named when it is material: 10% of that day's one-off or more.
    one_off_days = {i: ONE_OFF_SHARE * sum(days.one_off(r, i) for r in range(len(days.ids)))
                    for i in days.raw_columns if i >= now_from}
    resources = []
    for r, rid in enumerate(days.ids):
        if not is_resource(rid):
            continue
        before, now = days.raw_total(r, prior_from, now_from), days.raw_total(r, now_from, n)
        if before == 0 and now == 0:
            continue
        b = billing[r]
        resources.append(_mover(
            rid, lookup.names(rid), before, now, lookup.finding_ids(rid),
            first_cost=days.date(b.first) if b.first > 0 else None,
            last_cost=days.date(b.last) if 0 <= b.last < n - STILL_BILLING_DAYS else None,
            one_off=sum(v for i, floor in one_off_days.items() if (v := days.one_off(r, i)) >= floor > 0)))
    total_before = sum(v[0] for v in services.values())
    total_now = sum(v[1] for v in services.values())
    return Movers(_top([_mover(m, m, v[0], v[1]) for m, v in services.items()]), _top(resources),
                  money(total_before), money(total_now), min(PERIOD, max(0, now_from)))


def _new_cost(days: ResourceDays, r: int, day: dt.date, daily: float, lookup: Lookup) -> NewCost:
    rid = days.ids[r]
    arm_type = resource_type_of(rid)
    first = days.billing()[r].first
    return NewCost(rid, lookup.names(rid), arm_type, type_label(arm_type), days.subs[r], day, money(daily),
                   money(30 * daily), money(days.raw_total(r, first, days.days)), lookup.finding_ids(rid))


def new_and_stopped(days: ResourceDays, threshold: float,
                    lookup: Lookup) -> tuple[tuple[NewCost, ...], tuple[NewCost, ...]]:
    """D8.6: resources that started billing inside the window and keep billing, and those that stopped."""
    n = days.days
    new, stopped = [], []
    for r, b in enumerate(days.billing()):
        if b.first < 0 or not is_resource(days.ids[r]):
            continue
        if b.first > 0 and b.last >= n - STILL_BILLING_DAYS and b.days >= NEW_MIN_BILLED * (n - b.first):
            monthly = days.monthly(r)
            if monthly >= threshold:
                new.append(_new_cost(days, r, days.date(b.first), monthly / 30, lookup))
        elif b.last < n - STILL_BILLING_DAYS:
            start = max(b.first, b.last - 27)
            daily = days.total(r, start, b.last + 1) / (b.last + 1 - start)
            if 30 * daily >= threshold:
                stopped.append(_new_cost(days, r, days.date(b.last), daily, lookup))

    def order(c: NewCost) -> tuple[float, str]:
        return (-c.monthly, c.resource_id)
    return tuple(sorted(new, key=order)), tuple(sorted(stopped, key=order))
