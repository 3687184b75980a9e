"""The simulator's calendar and the changes made to its estate while it runs (test and demo hooks, issue 15).

A customer's second review must see time pass and the estate change: a resource deleted, one resized, one
added. Cost lines are relative to "today" (docs/estate-format.md), so moving the calendar on N days re-anchors
every line to keep its calendar dates: a line still billing keeps billing up to the new yesterday, a line that
had stopped keeps its last day, spikes stay on their dates, and a growing line keeps growing (its end rate is
scaled so history does not change). Changes happen "today": a deleted resource leaves Resource Graph at once and
its cost stops after yesterday (Cost Management keeps the history of deleted resources: "Azure service usage
(including deleted resources)", Understand Cost Management data); a resized resource bills the new rate from
today; an added one appears in Resource Graph at once and bills from today. Today is never in the bill (the
estate's lines end yesterday), so a line that starts today waits, and joins the bill when the calendar moves
on. Everything is undone by reset.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local.estates.model import CostLine, Estate, Subscription, resolve_resource


def _is_under(resource_id: str, target: str) -> bool:
    rid, want = resource_id.lower(), target.lower()
    return rid == want or rid.startswith(want + "/")


@dataclass
class EstateCalendar:
    """Today as the simulated tenant sees it, and what changed since the estate was loaded (for reset)."""

    loaded: dt.date
    today: dt.date = field(init=False)
    listeners: list[Callable[[int], None]] = field(default_factory=list)
    _ended: set[int] = field(default_factory=set)  # id() of lines ended by a change (to_days_ago may still be 1)
    _saved: dict[int, tuple[Subscription, list[dict[str, Any]], list[CostLine], list[dict[str, Any]]]] = field(
        default_factory=dict)
    _pending: list[tuple[Subscription, CostLine]] = field(default_factory=list)  # lines that start today

    def __post_init__(self) -> None:
        self.today = self.loaded

    @property
    def offset_days(self) -> int:
        """Days the calendar has moved on since the estate was loaded."""
        return (self.today - self.loaded).days

    def _save(self, sub: Subscription) -> None:
        if id(sub) not in self._saved:
            self._saved[id(sub)] = (sub, list(sub.resources), [line.model_copy(deep=True) for line in sub.costs],
                                    copy.deepcopy(sub.recovery_services))

    def _ongoing(self, line: CostLine) -> bool:
        return line.to_days_ago <= 1 and id(line) not in self._ended

    def advance(self, estate: Estate, days: int) -> dt.date:
        """Move today on by `days` (at least 1), every cost line keeping its calendar dates; the new today."""
        if days < 1:
            raise ValueError("the calendar moves forward by at least one day")
        for tenant in estate.tenants:
            for sub in tenant.subscriptions:
                self._save(sub)
                for line in sub.costs:
                    self._shift(line, days)
                _keep_backups_running(sub, days)
        for sub, line in self._pending:
            line.from_days_ago, line.to_days_ago = days, 1  # first billed on the day it started
            sub.costs = [*sub.costs, line]
        self._pending.clear()
        self.today += dt.timedelta(days=days)
        self._tell()
        return self.today

    def _shift(self, line: CostLine, days: int) -> None:
        ongoing = self._ongoing(line)
        line.from_days_ago += days
        for spike in line.spikes:
            spike.days_ago += days
        if not ongoing:
            line.to_days_ago += days
        elif line.growth_per_day:
            # The stated rate is the last day's: scale it so the days already billed keep their cost.
            factor = (1.0 + line.growth_per_day) ** days
            line.daily_cost *= factor
            if line.amortized_daily_cost is not None:
                line.amortized_daily_cost *= factor

    def _end(self, sub: Subscription, line: CostLine) -> bool:
        """Stop an ongoing line after yesterday (one that began today is removed); False if it had stopped."""
        if not self._ongoing(line):
            return False
        if line.from_days_ago < 1:
            sub.costs = [c for c in sub.costs if c is not line]
        else:
            line.to_days_ago = 1
            self._ended.add(id(line))
        return True

    def delete(self, estate: Estate, resource_id: str) -> dict[str, int]:
        """Delete a resource (and its child resources) today: gone from the inventory, billed until yesterday."""
        sub = _subscription_of(estate, resource_id)
        self._save(sub)
        kept = [r for r in sub.resources if not _is_under(str(r["id"]), resource_id)]
        if len(kept) == len(sub.resources):
            raise ValueError(f"no resource {resource_id!r} in the estate")
        removed, sub.resources = len(sub.resources) - len(kept), kept
        ended = sum(self._end(sub, line) for line in list(sub.costs) if _is_under(line.resource_id, resource_id))
        waiting = len(self._pending)
        self._pending = [(s, line) for s, line in self._pending if not _is_under(line.resource_id, resource_id)]
        ended += waiting - len(self._pending)
        return {"resources_deleted": removed, "cost_lines_ended": ended}

    def resize(self, estate: Estate, resource_id: str, size: str, daily_cost_factor: float) -> dict[str, int]:
        """Give a resource a new size (a VM's vmSize, else its sku name) and bill its own lines x factor from today."""
        if not 0 <= daily_cost_factor <= 100:
            raise ValueError("daily_cost_factor must be between 0 and 100")
        sub = _subscription_of(estate, resource_id)
        self._save(sub)
        index = next((i for i, r in enumerate(sub.resources) if str(r["id"]).lower() == resource_id.lower()), None)
        if index is None:
            raise ValueError(f"no resource {resource_id!r} in the estate")
        row = copy.deepcopy(sub.resources[index])
        if str(row.get("type")).lower() == "microsoft.compute/virtualmachines":
            row.setdefault("properties", {}).setdefault("hardwareProfile", {})["vmSize"] = size
        elif isinstance(row.get("sku"), dict):
            row["sku"]["name"] = size
        else:
            raise ValueError(f"resource {resource_id!r} has no size to change")
        sub.resources = [*sub.resources[:index], row, *sub.resources[index + 1:]]
        rebilled = 0
        for line in [c for c in sub.costs if c.resource_id.lower() == resource_id.lower() and self._ongoing(c)]:
            new = line.model_copy(update={"spikes": [],
                                          "daily_cost": line.daily_cost * daily_cost_factor,
                                          "amortized_daily_cost": None if line.amortized_daily_cost is None
                                          else line.amortized_daily_cost * daily_cost_factor})
            self._end(sub, line)
            self._pending.append((sub, new))
            rebilled += 1
        return {"cost_lines_rebilled": rebilled}

    def add(self, estate: Estate, subscription_id: str, resource: dict[str, Any],
            costs: list[dict[str, Any]]) -> dict[str, int]:
        """Add a resource today ({{days_ago:N}} placeholders resolve against today), billing its lines from today."""
        sub = estate.subscription(subscription_id)
        if sub is None:
            raise ValueError(f"no subscription {subscription_id!r} in the estate")
        row = resolve_resource(resource, sub, sub.tenant_id, self.today)
        if any(str(r["id"]).lower() == str(row["id"]).lower() for r in sub.resources):
            raise ValueError(f"resource {row['id']!r} already exists")
        lines = [CostLine.model_validate({**c, "resource_id": str(row["id"]).lower()}) for c in costs]
        self._save(sub)
        sub.resources = [*sub.resources, row]
        # Lines without their own days start today; lines given days ago are history and bill as given.
        self._pending += [(sub, line) for line, c in zip(lines, costs, strict=True) if "from_days_ago" not in c]
        sub.costs = [*sub.costs, *(line for line, c in zip(lines, costs, strict=True) if "from_days_ago" in c)]
        return {"resources_added": 1, "cost_lines_added": len(lines)}

    def restore(self) -> None:
        """Undo every change and move today back to the day the estate was loaded."""
        for sub, resources, costs, backups in self._saved.values():
            sub.resources = list(resources)
            sub.costs = [line.model_copy(deep=True) for line in costs]
            sub.recovery_services = copy.deepcopy(backups)
        self._saved.clear()
        self._ended.clear()
        self._pending.clear()
        moved = self.today != self.loaded
        self.today = self.loaded
        if moved:
            self._tell()

    def _tell(self) -> None:
        for listener in self.listeners:
            listener(self.offset_days)


def _subscription_of(estate: Estate, resource_id: str) -> Subscription:
    parts = resource_id.strip("/").split("/")
    sub = estate.subscription(parts[1]) if len(parts) > 2 and parts[0].lower() == "subscriptions" else None
    if sub is None:
        raise ValueError(f"resource id {resource_id!r} names no subscription of the estate")
    return sub


def _keep_backups_running(sub: Subscription, days: int) -> None:
    """A protected item whose backups are running keeps running while the calendar moves on.

    Azure Backup takes a recovery point on the policy's schedule (at least daily for VMs) for as long as the
    item is protected: moved on by `days`, its `lastBackupTime` moves too, unless its source is gone from the
    estate (then backups stopped on the day it went, and the idle-backup rule must see them age). Items whose
    protection was stopped keep their last backup time.
    """
    live = {str(row.get("id", "")).lower() for row in sub.resources}
    for item in sub.recovery_services:
        props = item.get("properties")
        if not isinstance(props, dict) or props.get("protectionState") != "Protected":
            continue
        if str(props.get("sourceResourceId", "")).lower() not in live:
            continue
        last = props.get("lastBackupTime")
        if not isinstance(last, str) or not last:
            continue
        moved = dt.datetime.fromisoformat(last.replace("Z", "+00:00")) + dt.timedelta(days=days)
        props["lastBackupTime"] = moved.strftime("%Y-%m-%dT%H:%M:%SZ")
