"""A resource's cost over time for the rules (design D3.4, D3.6): run-rate, first and last cost day, cost since.

Child resources count with their parent (as `EstateIndex.cost30` does). Anomaly days are replaced before the
run-rate is taken, so a one-off (Pennine's £645.73 of egress) never prices a finding.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from shared.analysis.index import EstateIndex, parent_ids
from shared.analysis.insights_model import money
from shared.analysis.model import ScanInputs
from shared.analysis.resource_days import ResourceDays, build_resource_days
from shared.analysis.trends import find_anomalies

MONTH_DAYS = 30


def prepare_days(inputs: ScanInputs, index: EstateIndex) -> ResourceDays | None:
    """The second pass with anomaly days already replaced: build it once, hand it to the profile and the insights."""
    days = build_resource_days(inputs, index)
    if days is not None:
        values = [index.cost.daily.get(days.date(i), 0.0) for i in range(days.days)]
        days.replace_days([a.index for a in find_anomalies(values)])
    return days


@dataclass(frozen=True)
class CostSince:
    """D3.6: what the resources cost since they started billing (or since the window start), and its label."""

    start: dt.date
    amount: float
    label: str

    def to_dict(self) -> dict[str, object]:
        """JSON with D12.2's key `from`."""
        return {"from": self.start.isoformat(), "amount": self.amount, "label": self.label}


class CostProfile:
    """Per-resource questions the rules ask of the bill, children included, by (any-case) resource id."""

    def __init__(self, days: ResourceDays, index: EstateIndex) -> None:
        self.days = days
        self.rows: dict[str, list[int]] = defaultdict(list)
        for r, rid in enumerate(days.ids):
            for target in parent_ids(rid):
                if target == rid or target in index.resources:
                    self.rows[target].append(r)

    def _rows(self, resource_ids: Sequence[str]) -> list[int]:
        return sorted({r for rid in resource_ids for r in self.rows.get(rid.lower(), ())})

    def first_cost_day(self, resource_id: str) -> dt.date | None:
        """The first day the resource (or a child) billed, None when it never did in the window."""
        firsts = [self.days.billing()[r].first for r in self._rows([resource_id])]
        firsts = [f for f in firsts if f >= 0]
        return self.days.date(min(firsts)) if firsts else None

    def last_cost_day(self, resource_id: str) -> dt.date | None:
        """The last day the resource (or a child) billed."""
        lasts = [self.days.billing()[r].last for r in self._rows([resource_id])]
        return self.days.date(max(lasts)) if lasts and max(lasts) >= 0 else None

    def monthly(self, resource_id: str) -> float:
        """D3.4: the last 30 days' cost, or 30 x the mean daily cost since the first cost day when that is younger."""
        rows = self._rows([resource_id])
        firsts = [self.days.billing()[r].first for r in rows if self.days.billing()[r].first >= 0]
        if not firsts:
            return 0.0
        first, n = min(firsts), self.days.days
        if first >= n - MONTH_DAYS:
            return money(MONTH_DAYS * sum(self.days.total(r, first, n) for r in rows) / (n - first))
        return money(sum(self.days.total(r, n - MONTH_DAYS, n) for r in rows))

    def cost_since(self, resource_ids: Sequence[str]) -> CostSince | None:
        """D3.6 over the cost-basis resources; None for scopes that never billed (shown as "—", never 0.00)."""
        rows = self._rows(resource_ids)
        firsts = [self.days.billing()[r].first for r in rows if self.days.billing()[r].first >= 0]
        if not firsts:
            return None
        first = min(firsts)
        amount = money(sum(self.days.raw_total(r, first, self.days.days) for r in rows))
        if first > 0:
            day = self.days.date(first)
            return CostSince(day, amount, f"cost since {day.day} {day.strftime('%b %Y')}")
        return CostSince(self.days.start, amount, f"cost in the last {self.days.days} days")
