"""Rows that live minutes (sign-in sessions, proof handles, rate-limit windows), partitioned by UTC day.

The partition key is the UTC day the row expires (or its window ends), so a lookup reads at most the two days
a live row can be in, and the daily sweep deletes whole past days with one query each: no table scan and no
range filter (the memory table, like the stores, speaks only `eq`).
"""

from __future__ import annotations

import datetime as dt

from shared.storage.table import Table, delete_partition

# How far back the daily sweep looks. Rows live minutes; a timer stopped for longer than this leaves old days
# behind, which the next sweep after a longer outage would not reach (they hold no customer data either way).
SWEEP_DAYS = 31


def day_key(when: dt.datetime) -> str:
    """The partition of a row expiring at `when`: its UTC day as YYYYMMDD."""
    return when.astimezone(dt.UTC).strftime("%Y%m%d")


def live_days(now: dt.datetime, lifetime: dt.timedelta) -> list[str]:
    """The partitions a row created within `lifetime` before or after `now` and not yet expired can be in."""
    return sorted({day_key(now), day_key(now + lifetime)})


def sweep_past_days(table: Table, now: dt.datetime) -> int:
    """Delete every row of the SWEEP_DAYS days before today (UTC); how many went."""
    today = now.astimezone(dt.UTC).date()
    deleted = 0
    for back in range(1, SWEEP_DAYS + 1):
        deleted += delete_partition(table, (today - dt.timedelta(days=back)).strftime("%Y%m%d"))
    return deleted
