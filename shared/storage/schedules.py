"""Schedule claims: one row per (customer, period) that has had its scheduled scan.

PartitionKey = customer id (purged with the customer), RowKey = `period-<key>`. The claim is an insert that
fails when the row exists, so however often the timer fires, exactly one firing requests the period's scan.
"""

from __future__ import annotations

import datetime as dt

from azure.core.exceptions import ResourceExistsError

from shared.ids import is_hex32
from shared.storage.retention import Purged, PurgeSubject
from shared.storage.table import Table, delete_partition, partition_ids, partition_keys

SCHEDULES_TABLE = "schedules"


def _row_key(period: str) -> str:
    return f"period-{period}"


class ScheduleStore:
    """Claims of scheduled periods, per customer."""

    name = "table:schedules"
    declaration = Purged(holds="which periods of the customer have had their scheduled scan, and that scan's id")

    def __init__(self, table: Table) -> None:
        self._table = table

    def claim(self, customer_id: str, period: str, now: dt.datetime) -> bool:
        """Claim the period for the customer; False when it was claimed already."""
        try:
            self._table.create_entity({"PartitionKey": customer_id, "RowKey": _row_key(period),
                                       "claimed_at": now.isoformat(), "scan_id": ""})
            return True
        except ResourceExistsError:
            return False

    def release(self, customer_id: str, period: str) -> None:
        """Give the claim back, so the next firing tries the period again."""
        self._table.delete_entity(customer_id, _row_key(period))

    def record_scan(self, customer_id: str, period: str, scan_id: str) -> None:
        """Note which scan the claim started."""
        self._table.update_entity({"PartitionKey": customer_id, "RowKey": _row_key(period), "scan_id": scan_id})

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Delete every claim of the customer."""
        return delete_partition(self._table, subject.customer_id)

    def count_customer(self, subject: PurgeSubject) -> int:
        """Claims left for the customer."""
        return len(partition_keys(self._table, subject.customer_id))

    def customer_ids(self) -> set[str]:
        """Every customer id with a claim (the backstop's orphan sweep)."""
        return {key for key in partition_ids(self._table) if is_hex32(key)}
