"""Where a cost collection keeps its progress between deliveries, and what it asks of the rest of the scan.

The cursor (a small dict) lives in the task's own row, saved under ETag after every page, so a redelivery resumes
where the last one stopped and two deliveries can never both advance it (the second gets `Superseded`). Pages live
in part blobs next to the raw blob. `needs` and `anomaly_days` are the scan's answers the collection waits for:
which resources need daily rows (from this subscription's inventory) and which days the estate's spend was
anomalous (from every subscription's daily totals); None means "not yet, ask again later".
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.errors import NotFound


@dataclass(frozen=True)
class SeriesRequest:
    """Daily cost of some resources (lower-case ids) on some meter categories (none: all) over [since, until]."""

    ids: tuple[str, ...]
    categories: tuple[str, ...]
    since: dt.date
    until: dt.date

    def to_json(self) -> dict[str, Any]:
        """JSON form (kept in the envelope, so the analysis knows what was asked)."""
        return {"ids": list(self.ids), "categories": list(self.categories), "since": self.since.isoformat(),
                "until": self.until.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeriesRequest:
        """The inverse of to_json."""
        return cls(tuple(data["ids"]), tuple(data["categories"]), dt.date.fromisoformat(data["since"]),
                   dt.date.fromisoformat(data["until"]))


class Superseded(Exception):
    """Another delivery of the same task saved progress first: this one stops and leaves the work to it."""


@dataclass(frozen=True)
class SeriesNeeds:
    """Daily rows to ask for, storage accounts whose capacity meters to read, and why anything is left out."""

    requests: tuple[SeriesRequest, ...] = ()
    capacity_accounts: tuple[str, ...] = ()
    missing: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON form (a part blob: the id lists can be long)."""
        return {"requests": [r.to_json() for r in self.requests], "capacity_accounts": list(self.capacity_accounts),
                "missing": dict(self.missing)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeriesNeeds:
        """The inverse of to_json."""
        return cls(tuple(SeriesRequest.from_json(r) for r in data.get("requests") or []),
                   tuple(data.get("capacity_accounts") or []), dict(data.get("missing") or {}))


class CostProgress(Protocol):
    """The task's checkpoint and the scan's answers (shared/pipeline/cost_progress.py; memory for tests)."""

    def load(self) -> dict[str, Any] | None:
        """The saved cursor, None before the first page."""
        ...

    def save(self, cursor: dict[str, Any]) -> None:
        """Save the cursor under ETag; Superseded when another delivery saved since this one loaded."""
        ...

    def put_part(self, name: str, data: dict[str, Any]) -> None:
        """Keep one page (or the needs) by name; overwriting the same name is harmless."""
        ...

    def get_part(self, name: str) -> dict[str, Any]:
        """A part by name; NotFound when it was never written."""
        ...

    def needs(self, partial: dict[str, Any], *, final: bool = False) -> SeriesNeeds | None:
        """What to read day by day, given the cost data so far; None while the inventory is not final (with
        `final`, answer at once from what there is)."""
        ...

    def anomaly_days(self, partial: dict[str, Any]) -> list[dt.date] | None:
        """The estate's anomalous days this subscription reads drivers on (series_needs.driver_days); None while
        another subscription's daily totals are still coming."""
        ...


NeedsFn = Callable[[dict[str, Any], bool], SeriesNeeds | None]
DaysFn = Callable[[dict[str, Any]], list[dt.date] | None]


class MemoryProgress:
    """Progress held in memory: one delivery in one process (tests, the bench, a caller without a scan)."""

    def __init__(self, needs: NeedsFn | None = None, anomaly_days: DaysFn | None = None) -> None:
        self.cursor: dict[str, Any] | None = None
        self.parts: dict[str, dict[str, Any]] = {}
        self.saves = 0
        self._needs, self._days = needs, anomaly_days

    def load(self) -> dict[str, Any] | None:
        """A copy of the cursor (a delivery never shares it with the store)."""
        return copy.deepcopy(self.cursor)

    def save(self, cursor: dict[str, Any]) -> None:
        """Keep a copy."""
        self.cursor = copy.deepcopy(cursor)
        self.saves += 1

    def put_part(self, name: str, data: dict[str, Any]) -> None:
        """Keep the part."""
        self.parts[name] = data

    def get_part(self, name: str) -> dict[str, Any]:
        """The part, or NotFound."""
        if name not in self.parts:
            raise NotFound("part")
        return self.parts[name]

    def needs(self, partial: dict[str, Any], *, final: bool = False) -> SeriesNeeds | None:
        """The given planner's answer; nothing day by day without one."""
        if self._needs is None:
            return SeriesNeeds(missing={"series": "no inventory was given"})
        return self._needs(partial, final)

    def anomaly_days(self, partial: dict[str, Any]) -> list[dt.date] | None:
        """The given detector's answer; none without one."""
        return self._days(partial) if self._days else []


def progress_view(cursor: dict[str, Any] | None) -> dict[str, Any] | None:
    """What GET .../scans/{id} shows of a cost task under way: steps (windows) done and known, rows so far."""
    if not cursor:
        return None
    done = len(cursor.get("done") or {})
    return {"windows_done": done, "windows_total": max(done, int(cursor.get("total") or 0)),
            "rows": int(cursor.get("rows") or 0)}

