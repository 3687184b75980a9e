"""The Cost Management QPU budget of one customer tenant, shared by every function instance.

Cost Management limits each tenant to 12 QPU per 10 s, 60 per minute and 600 per hour (1 QPU per month of
data queried); Caleta budgets itself below that (see LIMITS). Every cost query first takes its QPU from a
ledger row in Table storage (PartitionKey = tenant id; the table comes from shared/storage/quota.py),
updated under ETag so concurrent instances cannot both take the last unit; a 429 from the service also
blocks the whole tenant until its retry-after. An in-process token bucket on top keeps one instance from
spinning on the table; the composition root builds one ledger per worker.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.errors import Throttled
from shared.storage.table import Table

logger = logging.getLogger(__name__)

ROW_KEY = "qpu"
# (window seconds, QPU Caleta allows itself): the documented per-tenant limits are 12/10 s, 60/min, 600/h. We
# keep ~17% headroom: requests in flight arrive later than they were granted, and the customer's own tools
# draw on the same tenant quota.
LIMITS: tuple[tuple[float, int], ...] = ((10.0, 10), (60.0, 50), (3600.0, 500))


def wait_for(grants: list[tuple[float, int]], qpu: int, now: float,
             limits: tuple[tuple[float, int], ...] = LIMITS) -> float:
    """Seconds until `qpu` more units fit every window, given past grants (timestamp, units); 0 if now."""
    wait = 0.0
    for window, cap in limits:
        recent = sorted((ts, q) for ts, q in grants if ts > now - window)
        used = sum(q for _, q in recent)
        for ts, q in recent:  # the oldest grants leave the window first
            if used + qpu <= cap:
                break
            used -= q
            wait = max(wait, ts + window - now)
        if qpu > cap:
            raise ValueError(f"{qpu} QPU can never fit a window of {cap}")
    return max(0.0, wait)


class TokenBucket:
    """A thread-safe in-process token bucket: `rate` tokens per second, at most `capacity` saved."""

    def __init__(self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate, self._capacity, self._clock = rate, capacity, clock
        self._tokens, self._stamp = capacity, clock()
        self._lock = threading.Lock()

    def take(self, tokens: float = 1.0) -> float:
        """Take tokens if available and return 0, else return the seconds until they will be."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now
            if self._tokens >= tokens:
                self._tokens -= tokens
                return 0.0
            return (tokens - self._tokens) / self._rate


class QpuLedger:
    """Per-tenant QPU grants in one Table row; `acquire` blocks (bounded) until the budget allows a query."""

    def __init__(self, table: Table, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, max_wait: float = 240.0,
                 limits: tuple[tuple[float, int], ...] = LIMITS) -> None:
        self._table, self._clock, self._sleep = table, clock, sleep
        self._max_wait, self._limits = max_wait, limits
        self._buckets: dict[str, TokenBucket] = {}

    def acquire(self, tenant_id: str, qpu: int = 1, *, deadline: float | None = None) -> None:
        """Take `qpu` units for the tenant, waiting as needed; Throttled past `max_wait` or the caller's deadline."""
        bucket = self._buckets.setdefault(tenant_id, TokenBucket(self._limits[0][1] / self._limits[0][0],
                                                                  self._limits[0][1], self._clock))
        deadline = min(self._clock() + self._max_wait, deadline if deadline is not None else float("inf"))
        while True:
            wait = bucket.take(qpu)
            if wait <= 0:
                wait = self._try_take(tenant_id, qpu)
                if wait <= 0:
                    return
            if self._clock() + wait > deadline:
                raise Throttled("the tenant's Cost Management budget is spent for now", wait)
            logger.info("cost quota: waiting %.1f s for %d QPU", wait, qpu)
            self._sleep(wait)

    def block(self, tenant_id: str, seconds: float) -> None:
        """Record that the service answered 429: every instance waits `seconds` before the next query."""
        until = self._clock() + seconds
        self._update(tenant_id, lambda state: state.update(blocked_until=max(state["blocked_until"], until)))

    def _try_take(self, tenant_id: str, qpu: int) -> float:
        result: dict[str, float] = {}

        def take(state: dict[str, Any]) -> None:
            now = self._clock()
            horizon = max(w for w, _ in self._limits)
            grants = [(ts, q) for ts, q in state["grants"] if ts > now - horizon]
            wait = max(wait_for(grants, qpu, now, self._limits), state["blocked_until"] - now)
            if wait <= 0:
                grants.append((now, qpu))
            state["grants"] = grants
            result["wait"] = wait

        self._update(tenant_id, take)
        return result["wait"]

    def _update(self, tenant_id: str, change: Callable[[dict[str, Any]], None]) -> None:
        for _ in range(50):
            try:
                entity = self._table.get_entity(tenant_id, ROW_KEY)
            except ResourceNotFoundError:
                entity = None
            raw = json.loads(entity["grants"]) if entity else []
            state: dict[str, Any] = {"grants": [(float(ts), int(q)) for ts, q in raw],
                                     "blocked_until": float(entity.get("blocked_until", 0.0)) if entity else 0.0}
            change(state)
            row = {"PartitionKey": tenant_id, "RowKey": ROW_KEY, "blocked_until": float(state["blocked_until"]),
                   "grants": json.dumps([[round(ts, 3), q] for ts, q in state["grants"]])}
            try:
                if entity is None:
                    self._table.create_entity(row)
                else:
                    self._table.update_entity(row, UpdateMode.REPLACE, etag=entity.metadata["etag"],
                                              match_condition=MatchConditions.IfNotModified)
                return
            except (ResourceModifiedError, ResourceExistsError):
                continue  # another instance took units meanwhile: re-read and decide again
        raise Throttled("the tenant's quota ledger is contended", 1.0)
