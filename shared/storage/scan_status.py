"""What a scan looks like to the API and the pipeline: its state, its tasks' outcomes, its progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

ScanState = Literal["queued", "collecting", "analysing", "complete", "partial", "failed"]
Outcome = Literal["pending", "succeeded", "failed"]
ACTIVE_STATES: frozenset[str] = frozenset({"queued", "collecting", "analysing"})
TERMINAL_STATES: frozenset[str] = frozenset({"complete", "partial", "failed"})


@dataclass(frozen=True)
class TaskOutcome:
    """The outcome of one (subscription, source) collection task."""

    subscription_id: str
    source: str
    outcome: Outcome
    reason: str | None
    updated_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        """The API shape of a task."""
        return {"subscription_id": self.subscription_id, "source": self.source, "outcome": self.outcome,
                "reason": self.reason}


@dataclass(frozen=True)
class ScanStatus:
    """A scan as the API and the pipeline see it."""

    customer_id: str
    scan_id: str
    status: ScanState
    reason: str | None
    requested_by: str
    subscription_ids: tuple[str, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    reports: tuple[str, ...] = ()
    analyse_sends: int = 0
    tasks: tuple[TaskOutcome, ...] = field(default=())
    etag: str = field(default="", repr=False, compare=False)

    @property
    def progress(self) -> str:
        """'n of m' final tasks; m counts every (subscription, source) pair once planned."""
        done = sum(1 for t in self.tasks if t.outcome != "pending")
        return f"{done} of {len(self.tasks)}"

    @property
    def last_activity(self) -> dt.datetime:
        """The latest change to the scan or any of its tasks (the watchdog's notion of progress)."""
        return max([self.updated_at, *(t.updated_at for t in self.tasks)])

    def to_dict(self) -> dict[str, Any]:
        """The API shape of a scan (ids, state, tasks; never customer data)."""
        return {"scan_id": self.scan_id, "status": self.status, "reason": self.reason,
                "requested_by": self.requested_by, "progress": self.progress,
                "subscriptions": list(self.subscription_ids), "subscription_count": len(self.subscription_ids),
                "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat(),
                "tasks": [t.to_dict() for t in self.tasks], "reports": list(self.reports)}
