"""Turns for Resource Graph queries: one principal's query quota, shared by every task that queries as it.

Resource Graph throttles per user: its guidance (learn.microsoft.com/azure/governance/resource-graph/concepts/
guidance-for-throttled-requests) gives 15 queries per 5-second window as the example and reports what is left in
`x-ms-user-quota-remaining` on every answer. A scan's inventory tasks run at once on several instances as one
principal; reading those headers alone, eight tasks saw room together and one was answered 429 (docs/performance.md,
2026-12-07). So every query first takes a turn in the principal's ledger row (QpuLedger's scheduling, a row of the
tenant's partition keyed by an opaque hash of the principal): Caleta books 12 a window, leaving 3 for the
customer's own use of the principal and for clock skew, and checks Azure's 15 when a query leaves. The headers are
still read (shared/collectors/arg.py): someone else may query as the same principal.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from shared.collectors.quota import QpuLedger
from shared.collectors.quota_schedule import Limits
from shared.errors import Throttled
from shared.storage.table import Table

GRAPH_AZURE_LIMITS: Limits = ((5.0, 15),)
GRAPH_LIMITS: Limits = ((5.0, 12),)


class GraphTurns:
    """One task's place in line for its principal's Resource Graph quota: take a turn before each query."""

    def __init__(self, ledger: QpuLedger, tenant_id: str, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._ledger, self._tenant_id = ledger, tenant_id
        self._clock, self._sleep = clock, sleep
        self._owner = uuid.uuid4().hex[:12]

    def take(self, max_wait: float) -> None:
        """Wait for the next turn; Throttled (the place given up) when it is further off than `max_wait` seconds."""
        limit = self._clock() + max_wait
        while True:
            wait = self._ledger.reserve(self._tenant_id, 1, owner=self._owner)
            if wait <= 0:
                return
            if self._clock() + wait > limit:
                self._ledger.release(self._tenant_id, self._owner)
                raise Throttled("the principal's Resource Graph quota is booked up for now", wait)
            self._sleep(wait)

    def answered(self) -> None:
        """The query taken by the last turn was answered (or failed): counted from now."""
        self._ledger.settle(self._tenant_id, self._owner)

    def throttled(self, seconds: float) -> None:
        """Resource Graph answered 429: no task of the principal queries again for `seconds`."""
        self._ledger.block(self._tenant_id, seconds)


class GraphTurnsFor:
    """Makes each task's turns over one table: the product's factory (the bench gives scaled clocks and limits)."""

    def __init__(self, table: Table, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, limits: Limits = GRAPH_LIMITS,
                 hard_limits: Limits = GRAPH_AZURE_LIMITS) -> None:
        self._table, self._clock, self._sleep = table, clock, sleep
        self._limits, self._hard = limits, hard_limits

    def __call__(self, tenant_id: str, principal: str) -> GraphTurns:
        """Turns of one task querying as `principal` (shared.storage.quota.principal_row) in `tenant_id`."""
        ledger = QpuLedger(self._table, clock=self._clock, sleep=self._sleep, limits=self._limits,
                           hard_limits=self._hard, row_key=principal)
        return GraphTurns(ledger, tenant_id, clock=self._clock, sleep=self._sleep)
