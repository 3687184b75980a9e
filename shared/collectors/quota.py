"""The Cost Management QPU budget of one customer tenant, shared by every task, scan and customer drawing on it.

Cost Management limits each tenant to 12 QPU per 10 s, 60 per minute and 600 per hour (AZURE_LIMITS). Caleta
books its own requests against LIMITS, below that (headroom for the customer's own tools and for requests in
flight), and checks AZURE_LIMITS when a request actually leaves: the two are enforced together.

The ledger is one Table row per tenant (PartitionKey = tenant id, from shared/storage/quota.py), updated under
ETag. Every request first `reserve`s: a task with no booking joins the end of the line (the first moment after
every other booking where its units fit LIMITS), so tasks take turns in the order they asked, across scans and
customers of the tenant, and none starves. A booking that is due is claimed (moved to the present if AZURE_LIMITS
allow it there, else booked again); one not yet due answers how long to wait, which the caller sleeps through or
hands to Service Bus as a scheduled continuation. `settle` moves the grant to the moment the answer arrived
(Azure counted it no later) with the units Azure reported consumed; a 429 blocks the tenant for its retry-after.

The same scheduling serves Resource Graph's per-principal query quota (shared/collectors/graph_turns.py): another
row of the tenant's partition (`row_key`), with that service's limits.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.collectors.quota_schedule import Limits, earliest_slot, fits_at
from shared.collectors.quota_schedule import wait_for as _wait_for
from shared.errors import Throttled
from shared.storage.table import Table, blank_chunks, join_text, split_json

logger = logging.getLogger(__name__)

ROW_KEY = "qpu"
# (window seconds, QPU): Azure's documented per-tenant limits, and Caleta's own budget below them (~17% headroom).
AZURE_LIMITS: Limits = ((10.0, 12), (60.0, 60), (3600.0, 600))
LIMITS: Limits = ((10.0, 10), (60.0, 50), (3600.0, 500))
# A grant still in flight after this long is taken as answered then (its task died mid-request).
FLIGHT_MAX_S = 120.0
DUE_SLACK_S = 0.05  # a booking this close is due: clocks of different instances are not exact
BOOKED, FLIGHT, USED = "b", "f", "u"


def wait_for(grants: list[tuple[float, int]], qpu: int, now: float, limits: Limits = LIMITS) -> float:
    """Seconds until `qpu` more units fit every window, given past grants (timestamp, units); 0 if now."""
    return _wait_for(grants, qpu, now, limits)


def pace(limits: Limits) -> float:
    """Seconds between turns: the short windows' rate (1.2 s for 50 a minute), so a burst booked for one instant
    cannot reach the service with jitter and spill into the next window."""
    return max(window / cap for window, cap in limits if window <= 60.0)


def owner_key(*parts: str) -> str:
    """A short opaque name for a booking's owner (a task), never the ids themselves."""
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:12]


@dataclass
class _Grant:
    ts: float
    qpu: int
    owner: str
    state: str

    def effective(self, now: float) -> float:
        """When Azure may count it: an answer still awaited may arrive as late as now."""
        if self.state == FLIGHT:
            return min(max(self.ts, now), self.ts + FLIGHT_MAX_S)
        return self.ts


class QpuLedger:
    """Per-tenant grants and bookings in one Table row; `reserve` answers 0 (go) or the seconds to the turn."""

    def __init__(self, table: Table, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, max_wait: float = 240.0,
                 limits: Limits = LIMITS, hard_limits: Limits = AZURE_LIMITS, row_key: str = ROW_KEY) -> None:
        self._table, self._clock, self._sleep, self._row_key = table, clock, sleep, row_key
        self._max_wait, self._limits, self._hard = max_wait, limits, hard_limits
        self._horizon = max(w for w, _ in (*limits, *hard_limits))
        self._gap = pace(limits)

    def reserve(self, tenant_id: str, qpu: int = 1, *, owner: str) -> float:
        """Take `qpu` units now (0: go, then `settle`) or keep the owner's place and answer the seconds to wait."""
        result: dict[str, float] = {}

        def change(grants: list[_Grant], blocked: float) -> None:
            now = self._clock()
            mine = next((g for g in grants if g.owner == owner and g.state == BOOKED), None)
            if mine is not None and mine.ts > now + DUE_SLACK_S:
                result["wait"] = mine.ts - now
                return
            if mine is not None:
                grants.remove(mine)
                hard = [(g.effective(now), g.qpu) for g in grants]
                if now >= blocked and fits_at(hard, qpu, now, self._hard):
                    grants.append(_Grant(now, qpu, owner, FLIGHT))
                    result["wait"] = 0.0
                    return
            last = max((g.ts + self._gap for g in grants), default=now)
            slot = earliest_slot([(g.ts, g.qpu) for g in grants], qpu, max(now, blocked, last), self._limits)
            hard = [(g.effective(now), g.qpu) for g in grants]
            if slot <= now + DUE_SLACK_S and fits_at(hard, qpu, now, self._hard):
                grants.append(_Grant(now, qpu, owner, FLIGHT))
                result["wait"] = 0.0
            else:
                grants.append(_Grant(max(slot, now + DUE_SLACK_S * 2), qpu, owner, BOOKED))
                result["wait"] = max(slot - now, DUE_SLACK_S * 2)

        self._update(tenant_id, change)
        return result["wait"]

    def settle(self, tenant_id: str, owner: str, consumed: int | None = None) -> None:
        """The owner's request was answered: count it now, with what Azure reported consumed (if it said)."""

        def change(grants: list[_Grant], _blocked: float) -> None:
            for grant in grants:
                if grant.owner == owner and grant.state == FLIGHT:
                    grant.ts, grant.state = max(grant.ts, self._clock()), USED
                    if consumed is not None:
                        grant.qpu = max(0, consumed)

        self._update(tenant_id, change)

    def acquire(self, tenant_id: str, qpu: int = 1, *, owner: str | None = None,
                deadline: float | None = None) -> None:
        """Wait in-process for a turn; Throttled past `max_wait` or the caller's deadline (the booking is kept)."""
        owner = owner or uuid.uuid4().hex[:12]
        limit = min(self._clock() + self._max_wait, deadline if deadline is not None else float("inf"))
        while True:
            wait = self.reserve(tenant_id, qpu, owner=owner)
            if wait <= 0:
                self.settle(tenant_id, owner)  # the caller does not report back: counted as sent now
                return
            if self._clock() + wait > limit:
                raise Throttled("the tenant's Cost Management budget is spent for now", wait)
            logger.info("cost quota: waiting %.1f s for %d QPU", wait, qpu)
            self._sleep(wait)

    def release(self, tenant_id: str, owner: str) -> None:
        """Give up the owner's booking (a task that will not wait for its turn), so the line moves up."""

        def change(grants: list[_Grant], _blocked: float) -> None:
            grants[:] = [g for g in grants if not (g.owner == owner and g.state == BOOKED)]

        self._update(tenant_id, change)

    def block(self, tenant_id: str, seconds: float) -> None:
        """Record that the service answered 429: no request leaves for the tenant before `seconds` from now."""
        until = self._clock() + seconds
        self._update(tenant_id, lambda grants, blocked: None, blocked_until=until)

    def _update(self, tenant_id: str, change: Callable[[list[_Grant], float], None],
                blocked_until: float | None = None) -> None:
        for _ in range(50):
            try:
                entity = self._table.get_entity(tenant_id, self._row_key)
            except ResourceNotFoundError:
                entity = None
            now = self._clock()
            raw = json.loads(join_text(entity, "grants") or entity.get("grants") or "[]") if entity else []
            grants = [_Grant(float(g[0]), int(g[1]), str(g[2]) if len(g) > 2 else "", str(g[3]) if len(g) > 3
                             else USED) for g in raw]
            # A booking a whole horizon overdue belongs to a task that is gone: drop it with the spent grants.
            grants = [g for g in grants if g.effective(now) > now - self._horizon]
            blocked = float(entity.get("blocked_until", 0.0)) if entity else 0.0
            if blocked_until is not None:
                blocked = max(blocked, blocked_until)
            change(grants, blocked)
            row = {"PartitionKey": tenant_id, "RowKey": self._row_key, "blocked_until": blocked,
                   **(blank_chunks(entity, ["grants"]) if entity else {}),
                   **split_json("grants", [[round(g.ts, 3), g.qpu, g.owner, g.state] for g in grants])}
            row.pop("grants", None)
            try:
                if entity is None:
                    self._table.create_entity(row)
                else:
                    self._table.update_entity(row, UpdateMode.REPLACE, etag=entity.metadata["etag"],
                                              match_condition=MatchConditions.IfNotModified)
                return
            except (ResourceModifiedError, ResourceExistsError):
                continue  # another instance changed the ledger meanwhile: re-read and decide again
        raise Throttled("the tenant's quota ledger is contended", 1.0)

    def snapshot(self, tenant_id: str) -> list[tuple[float, int, str]]:
        """Every grant and booking of the tenant as (timestamp, units, state), for tests and the bench."""
        try:
            entity = self._table.get_entity(tenant_id, self._row_key)
        except ResourceNotFoundError:
            return []
        return [(float(g[0]), int(g[1]), str(g[3])) for g in json.loads(join_text(entity, "grants") or "[]")]
