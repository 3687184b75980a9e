"""The audit log of security-relevant events, in Table storage (PartitionKey = customer id).

An event names what happened and carries ids and counts only: never a secret, a cost row, or a customer
resource name or tag. Events after the purge go to the partition of the customer id's hash, so the purge
can be proven without keeping the id itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from shared.ids import is_hex32
from shared.storage.retention import Purged, PurgeSubject
from shared.storage.table import Table, delete_partition, partition_ids, partition_keys

logger = logging.getLogger(__name__)

AUDIT_TABLE = "audit"
EVENTS = frozenset({"onboarded", "validated", "scan_started", "scan_ended", "access_revoked", "export",
                    "offboarding_requested", "purge_done", "certificate_issued", "tenant_onboarded_again",
                    "review_deleted", "api_key_rotated", "client_secret_replaced"})
Detail = str | int | float | bool
_MAX_DETAIL_CHARS = 200  # details are ids, counts and short reasons: anything longer is cut, not stored


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AuditLog:
    """Append-only events per partition (a customer id, or a customer hash after the purge)."""

    name = "table:audit"
    declaration = Purged(holds="the customer's audit events (ids, counts, short reasons)",
                         kept="the purge's own events (purge done, certificate issued), filed under the SHA-256 "
                              "of the id: they prove the purge without naming the customer")

    def __init__(self, table: Table, clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self._table, self._clock = table, clock

    def record(self, partition: str, event: str, details: Mapping[str, Detail] | None = None) -> None:
        """Append one event to `partition`; best effort (an unknown event or detail name is a bug: ValueError)."""
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r}")
        now = self._clock()
        entity: dict[str, Any] = {"PartitionKey": partition,
                                  "RowKey": f"{int(now.timestamp() * 1000):013d}-{secrets.token_hex(4)}",
                                  "event": event, "at": now.isoformat()}
        for key, value in (details or {}).items():
            if not key.isidentifier() or key in ("PartitionKey", "RowKey", "event", "at"):
                raise ValueError(f"bad audit detail name {key!r}")
            entity[f"d_{key}"] = value[:_MAX_DETAIL_CHARS] if isinstance(value, str) else value
        try:
            self._table.create_entity(entity)
        except Exception:
            # The action already happened; losing its audit line must not undo or fail it. The log says so.
            logger.exception("audit event %s could not be written", event)

    def events(self, partition: str) -> list[dict[str, Any]]:
        """Every event of a partition, oldest first, as {event, at, details}."""
        rows = self._table.query_entities("PartitionKey eq @pk", parameters={"pk": partition})
        out = []
        for row in sorted(rows, key=lambda r: str(r["RowKey"])):
            details = {k[2:]: v for k, v in row.items() if k.startswith("d_")}
            out.append({"event": row["event"], "at": row["at"], "details": details})
        return out

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Delete the customer's partition."""
        return delete_partition(self._table, subject.customer_id)

    def count_customer(self, subject: PurgeSubject) -> int:
        """Events left under the customer id."""
        return len(partition_keys(self._table, subject.customer_id))

    def customer_ids(self) -> set[str]:
        """Customer ids with events (the orphan sweep); the purge's own partitions, 64-hex hashes, are kept."""
        return {key for key in partition_ids(self._table) if is_hex32(key)}
