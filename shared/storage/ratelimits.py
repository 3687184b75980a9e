"""Onboarding's rate-limit counters: fixed one-hour windows, shared by every instance through Table storage.

A counter is keyed by a pseudonym - HMAC-SHA256 of the scope and the value (a client address, a tenant id)
under the deployment's pseudonym key (shared/pseudonyms.py, a secret in the secret store, the same key that makes
message ids and log pseudonyms opaque) - so the table holds no address or tenant id in clear, and a reader of
the table alone cannot test guesses against it. The counters live one hour and past days are swept daily.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.auth.hashing import pseudonym
from shared.storage.expiring import day_key, sweep_past_days
from shared.storage.retention import RetainedByDesign
from shared.storage.table import Table, etag_of

RATELIMITS_TABLE = "ratelimits"
WINDOW = dt.timedelta(hours=1)
_MAX_ATTEMPTS = 20


def window_start(now: dt.datetime) -> dt.datetime:
    """The start of the one-hour window `now` falls in (UTC, on the hour)."""
    return now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


class RateLimitStore:
    """Per-window counters by pseudonym; `hit` adds one and answers the new count, `count` only reads."""

    name = "table:ratelimits"
    declaration = RetainedByDesign(
        holds="counts of onboarding calls per client address and of failed attempts per tenant, under keyed "
              "pseudonyms (no address or tenant id in clear)",
        reason="counters only, one hour each; past days are swept daily (docs/onboarding-design.md section 6)")

    def __init__(self, table: Table, key: Callable[[], bytes]) -> None:
        # The deployment's pseudonym key (shared/pseudonyms.py: a secret in the secret store), not a row of this
        # table: whoever can read the counters cannot test guessed addresses or tenant ids against them.
        self._table = table
        self._pseudonym_key = key

    def _row(self, scope: str, value: str, now: dt.datetime) -> tuple[str, str]:
        start = window_start(now)
        return day_key(start), f"{start:%H}-{pseudonym(self._pseudonym_key(), f'{scope}:{value}')}"

    def count(self, scope: str, value: str, now: dt.datetime) -> int:
        """Calls counted for (scope, value) in the current window."""
        partition, row = self._row(scope, value, now)
        try:
            return int(self._table.get_entity(partition, row)["count"])
        except ResourceNotFoundError:
            return 0

    def hit(self, scope: str, value: str, now: dt.datetime) -> int:
        """Count one more call for (scope, value) in the current window; the new count."""
        partition, row = self._row(scope, value, now)
        for _ in range(_MAX_ATTEMPTS):
            try:
                entity: Any = self._table.get_entity(partition, row)
            except ResourceNotFoundError:
                try:
                    self._table.create_entity({"PartitionKey": partition, "RowKey": row, "count": 1})
                    return 1
                except ResourceExistsError:
                    continue
            count = int(entity["count"]) + 1
            try:
                self._table.update_entity({"PartitionKey": partition, "RowKey": row, "count": count},
                                          UpdateMode.MERGE, etag=etag_of(entity),
                                          match_condition=MatchConditions.IfNotModified)
                return count
            except (ResourceModifiedError, ResourceNotFoundError):
                continue
        # Under that much contention the caller is being hammered: answer as if over any limit.
        return 2**31

    def sweep(self, now: dt.datetime) -> int:
        """Delete the counters of past days; how many went."""
        return sweep_past_days(self._table, now)
