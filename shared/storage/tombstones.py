"""Tombstones: the SHA-256 of every purged customer's id and the time its purge began.

The purge sets the tombstone before it deletes anything, and every writer (collect, analyse, export, the
credential rotation) checks it at the moment it writes: a writer that loses the race to the purge removes
what it wrote. The row names the customer only by the hash, so keeping it for good keeps no customer data.

PartitionKey "tombstone", RowKey the hash. Setting is an insert that keeps the first time: a rerun of the
purge (or a second sweep) never moves it.
"""

from __future__ import annotations

import datetime as dt

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from shared.ids import customer_hash, is_hex32
from shared.storage.retention import RetainedByDesign
from shared.storage.table import Table

TOMBSTONES_TABLE = "tombstones"
PARTITION = "tombstone"


class TombstoneStore:
    """Which customers have been (or are being) purged, by the hash of their id."""

    name = "table:tombstones"
    declaration = RetainedByDesign(
        holds="the SHA-256 of a purged customer's id and the time its purge began",
        reason="it lets every writer refuse a customer who is gone, for good, and proves when the purge began; "
               "a hash and a time are no customer data")

    def __init__(self, table: Table) -> None:
        self._table = table

    def set(self, customer_id: str, at: dt.datetime) -> dt.datetime:
        """Lay the tombstone (idempotent); the time it was first laid."""
        key = customer_hash(customer_id)
        try:
            self._table.create_entity({"PartitionKey": PARTITION, "RowKey": key, "purged_at": at.isoformat()})
            return at
        except ResourceExistsError:
            return self.laid_at(customer_id) or at

    def laid_at(self, customer_id: str) -> dt.datetime | None:
        """When the customer's tombstone was laid, or None while the customer has none."""
        if not is_hex32(customer_id):
            return None
        try:
            entity = self._table.get_entity(PARTITION, customer_hash(customer_id))
        except ResourceNotFoundError:
            return None
        return dt.datetime.fromisoformat(str(entity["purged_at"]))

    def is_laid(self, customer_id: str) -> bool:
        """True once the purge of this customer has begun."""
        return self.laid_at(customer_id) is not None
