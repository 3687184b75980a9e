"""The bench's stand-in for shared/pipeline/cost_progress.py: each cost task's cursor and pages in memory, the
scan's answers (this subscription's inventory, every subscription's daily totals) from the bench's own state.

The cursor is saved under a version number, as the task row is saved under its ETag: a delivery whose lock was
lost and that still runs beside its redelivery stops at its next save (Superseded).
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from shared.analysis.series_needs import driver_days, plan_needs
from shared.collectors.cost_state import SeriesNeeds, Superseded
from shared.errors import NotFound

# (subscription) -> "pending" | "succeeded" | "failed", and the inventory's data when it succeeded.
InventoryOf = Callable[[str], tuple[str, dict[str, Any] | None]]


class BenchScan:
    """Every cost task's progress in one scan, and what they read of each other."""

    def __init__(self, subscriptions: list[str], inventory: InventoryOf, final: Callable[[str], bool]) -> None:
        self.subscriptions, self.inventory, self.final = subscriptions, inventory, final
        self.lock = threading.Lock()
        self.tasks = {sub: BenchProgress(self, sub) for sub in subscriptions}

    def shared_daily(self) -> list[dict[str, Any]] | None:
        """Every subscription's daily summary in scan order; None while a task still collecting has none."""
        out = []
        for sub in self.subscriptions:
            part = self.tasks[sub].parts.get("estate")
            if part is not None:
                out.append(part)
            elif not self.final(sub):
                return None
        return out


class BenchProgress:
    """CostProgress for one subscription's cost task in the bench."""

    def __init__(self, scan: BenchScan, subscription_id: str) -> None:
        self.scan, self.subscription_id = scan, subscription_id
        self.cursor: dict[str, Any] | None = None
        self.version = 0
        self.parts: dict[str, dict[str, Any]] = {}
        self._local = threading.local()

    def load(self) -> dict[str, Any] | None:
        """The cursor as saved, and the version this delivery saves against."""
        with self.scan.lock:
            self._local.version = self.version
            return copy.deepcopy(self.cursor)

    def save(self, cursor: dict[str, Any], resume_at: dt.datetime | None = None) -> None:
        """Save if nobody saved since this delivery loaded; else Superseded."""
        with self.scan.lock:
            if getattr(self._local, "version", -1) != self.version:
                raise Superseded("another delivery saved first")
            self.cursor = copy.deepcopy(cursor)
            self.version += 1
            self._local.version = self.version

    def put_part(self, name: str, data: dict[str, Any]) -> None:
        """Keep a page."""
        with self.scan.lock:
            self.parts[name] = data

    def get_part(self, name: str) -> dict[str, Any]:
        """A page kept earlier."""
        with self.scan.lock:
            if name not in self.parts:
                raise NotFound("part")
            return self.parts[name]

    def needs(self, partial: dict[str, Any], *, final: bool = False) -> SeriesNeeds | None:
        """The dry run over this subscription's inventory once its task is final."""
        state, graph = self.scan.inventory(self.subscription_id)
        if state == "pending" and not final:
            return None
        return plan_needs(self.subscription_id.lower(), graph, partial)

    def anomaly_days(self, partial: dict[str, Any]) -> list[dt.date] | None:
        """The estate's anomalous days this subscription reads drivers on, once every cost task has shared its
        daily totals."""
        summaries = self.scan.shared_daily()
        return None if summaries is None else driver_days(summaries, self.subscription_id)
