"""Onboarding's rate-limit counters: fixed one-hour windows, shared by every instance through Table storage.

A counter is keyed by a pseudonym - HMAC-SHA256 of the scope and the value (a client address, a tenant id)
under a random key - so the table holds no address or tenant id in clear. The key is 32 random bytes made by
the first instance that needs it and kept in this table's `key` row (insert-if-absent, so every instance
agrees). That is the weak point, written down: a reader of the whole table could test guesses against the
pseudonyms; the counters live one hour and past days are swept daily. A deployment-wide key from a secret
setting can replace it through the constructor's `key` argument without touching a caller.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import secrets
import threading
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
_KEY_PARTITION, _KEY_ROW = "key", "pseudonym"
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

    def __init__(self, table: Table, key: bytes | None = None) -> None:
        self._table = table
        self._key = key
        self._lock = threading.Lock()

    def _pseudonym_key(self) -> bytes:
        with self._lock:
            if self._key is None:
                self._key = self._shared_key()
            return self._key

    def _shared_key(self) -> bytes:
        fresh = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        # If another instance made it first, its key is the one every instance reads back.
        with contextlib.suppress(ResourceExistsError):
            self._table.create_entity({"PartitionKey": _KEY_PARTITION, "RowKey": _KEY_ROW, "key": fresh})
        stored = self._table.get_entity(_KEY_PARTITION, _KEY_ROW)
        return base64.b64decode(str(stored["key"]))

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
        """Delete the counters of past days (the key row stays); how many went."""
        return sweep_past_days(self._table, now)
