"""The product's nouns apart from any adapter: customers and scans, their states and the moves between them.

Pure values and rules, no I/O. Stores persist these; use cases decide with them. A move the tables below do
not allow raises IllegalTransition (HTTP 409), so a state can only change along docs/onboarding-design.md §1
(customers) and docs/pipeline.md (scans). Later features add behaviour, not states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from shared.errors import IllegalTransition

# --- customers ------------------------------------------------------------------------------------

CustomerState = Literal["pending_proof", "awaiting_roles", "active", "access_revoked", "offboarding", "deleted"]
CUSTOMER_STATES: tuple[CustomerState, ...] = get_args(CustomerState)
AuthMode = Literal["federated", "client_secret"]
Schedule = Literal["weekly", "monthly", "none"]

# Every allowed move; anything else raises. `awaiting_roles -> awaiting_roles` records another re-check.
CUSTOMER_TRANSITIONS: Mapping[CustomerState, frozenset[CustomerState]] = {
    "pending_proof": frozenset({"awaiting_roles", "active", "deleted", "offboarding"}),
    "awaiting_roles": frozenset({"active", "awaiting_roles", "offboarding"}),
    "active": frozenset({"access_revoked", "offboarding"}),
    "access_revoked": frozenset({"active", "awaiting_roles", "offboarding"}),
    "offboarding": frozenset({"deleted"}),
    "deleted": frozenset(),
}
# Only these customers are scanned (scheduled, requested or planned).
SCANNABLE: frozenset[CustomerState] = frozenset({"active"})
# Leaving: every message for the customer is dropped and every writer refuses.
LEAVING: frozenset[CustomerState] = frozenset({"offboarding", "deleted"})
# Every state offboarding may start from.
CAN_OFFBOARD: frozenset[CustomerState] = frozenset(s for s, moves in CUSTOMER_TRANSITIONS.items()
                                                   if "offboarding" in moves)


def customer_state(value: str) -> CustomerState:
    """A stored state string as a CustomerState; ValueError for anything the table above does not name."""
    for state in CUSTOMER_STATES:
        if state == value:
            return state
    raise ValueError(f"unknown customer state {value!r}")


def check_customer_move(current: CustomerState, new: CustomerState) -> None:
    """Raise IllegalTransition unless a customer may move from `current` to `new`."""
    if new not in CUSTOMER_TRANSITIONS[current]:
        raise IllegalTransition(f"a customer cannot move from {current} to {new}")


@dataclass(frozen=True)
class Customer:
    """A customer as the product sees it: no secret, no API key."""

    customer_id: str
    company: str
    contact_email: str
    tenant_id: str
    auth_mode: AuthMode
    client_id: str | None
    subscription_ids: tuple[str, ...]
    schedule: Schedule
    state: CustomerState
    state_reason: str | None
    created_at: dt.datetime
    validation: dict[str, Any] = field(default_factory=dict)

    @property
    def is_active(self) -> bool:
        """True while the customer may be scanned."""
        return self.state in SCANNABLE

    @property
    def is_leaving(self) -> bool:
        """True once offboarding started (or finished): nothing more is done for the customer."""
        return self.state in LEAVING

    def public_view(self) -> dict[str, Any]:
        """The record as the customer may read it back (JSON-ready)."""
        return {
            "customer_id": self.customer_id,
            "company": self.company,
            "contact_email": self.contact_email,
            "tenant_id": self.tenant_id,
            "auth_mode": self.auth_mode,
            "client_id": self.client_id,
            "subscription_ids": list(self.subscription_ids),
            "schedule": self.schedule,
            "state": self.state,
            "state_reason": self.state_reason,
            "created_at": self.created_at.isoformat(),
            "validation": self.validation,
        }


# --- scans ----------------------------------------------------------------------------------------

ScanState = Literal["queued", "collecting", "analysing", "complete", "partial", "failed"]
Outcome = Literal["pending", "succeeded", "failed"]
SCAN_TRANSITIONS: Mapping[ScanState, frozenset[ScanState]] = {
    "queued": frozenset({"collecting", "failed"}),
    "collecting": frozenset({"analysing", "failed"}),
    # analysing -> analysing counts one re-sent analysis request (the watchdog's nudge).
    "analysing": frozenset({"analysing", "complete", "partial", "failed"}),
    "complete": frozenset(),
    "partial": frozenset(),
    "failed": frozenset(),
}
IN_FLIGHT: frozenset[ScanState] = frozenset({"queued", "collecting", "analysing"})
FINISHED: frozenset[ScanState] = frozenset({"complete", "partial", "failed"})
# A scan request may still be (re-)planned in these states.
PLANNABLE: frozenset[ScanState] = frozenset({"queued", "collecting"})


def check_scan_moves(allowed_from: Iterable[ScanState], to: ScanState) -> None:
    """Raise IllegalTransition unless a scan may move to `to` from every state in `allowed_from`."""
    bad = sorted(s for s in allowed_from if to not in SCAN_TRANSITIONS[s])
    if bad:
        raise IllegalTransition(f"a scan cannot move from {', '.join(bad)} to {to}")


@dataclass(frozen=True)
class TaskOutcome:
    """The outcome of one (subscription, source) collection task."""

    subscription_id: str
    source: str
    outcome: Outcome
    reason: str | None
    updated_at: dt.datetime
    # A collection under way across deliveries (the cost task): what it has done, and when it resumes.
    progress: dict[str, Any] | None = None
    resume_at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """The API shape of a task (with `progress` while a collection is under way)."""
        out: dict[str, Any] = {"subscription_id": self.subscription_id, "source": self.source,
                               "outcome": self.outcome, "reason": self.reason}
        if self.progress is not None:
            out["progress"] = dict(self.progress)
        return out


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
    def in_flight(self) -> bool:
        """True until the scan reached complete, partial or failed."""
        return self.status in IN_FLIGHT

    @property
    def progress(self) -> str:
        """'n of m' final tasks; m counts every (subscription, source) pair once planned."""
        done = sum(1 for t in self.tasks if t.outcome != "pending")
        return f"{done} of {len(self.tasks)}"

    @property
    def last_activity(self) -> dt.datetime:
        """The latest change to the scan or any of its tasks, or the latest time a pending task is due to resume
        (a task waiting its turn for the tenant's quota is not stuck): the watchdog's notion of progress."""
        due = [t.resume_at for t in self.tasks if t.outcome == "pending" and t.resume_at is not None]
        return max([self.updated_at, *(t.updated_at for t in self.tasks), *due])

    def to_dict(self) -> dict[str, Any]:
        """The API shape of a scan (ids, state, tasks; never customer data)."""
        return {"scan_id": self.scan_id, "status": self.status, "reason": self.reason,
                "requested_by": self.requested_by, "progress": self.progress,
                "subscriptions": list(self.subscription_ids), "subscription_count": len(self.subscription_ids),
                "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat(),
                "tasks": [t.to_dict() for t in self.tasks], "reports": list(self.reports)}
