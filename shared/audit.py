"""The audit log of security-relevant events, in Table storage (PartitionKey = customer id).

An event names what happened and carries ids and counts only: never a secret, a cost row, or a customer
resource name or tag. Events after the purge go to the partition of the customer id's hash, so the purge
can be proven without keeping the id itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any, Protocol

logger = logging.getLogger(__name__)

AUDIT_TABLE = "audit"
EVENTS = frozenset({"onboarded", "validated", "scan_started", "scan_ended", "access_revoked", "export",
                    "offboarding_requested", "purge_done", "certificate_issued"})
Detail = str | int | float | bool
_MAX_DETAIL_CHARS = 200  # details are ids, counts and short reasons: anything longer is cut, not stored


class AuditTable(Protocol):
    """The part of TableClient the audit log uses."""

    def create_entity(self, entity: dict[str, Any], **kwargs: Any) -> Any: ...
    def query_entities(self, query_filter: str, **kwargs: Any) -> Any: ...


def _table() -> AuditTable:
    from shared.storage.clients import table

    return table(AUDIT_TABLE)


def customer_hash(customer_id: str) -> str:
    """SHA-256 of the customer id: names a deleted customer without keeping its id."""
    return hashlib.sha256(customer_id.encode("ascii")).hexdigest()


def record(partition: str, event: str, details: Mapping[str, Detail] | None = None, *,
           store: AuditTable | None = None, clock: Callable[[], dt.datetime] | None = None) -> None:
    """Append one event to `partition` (a customer id, or a customer hash after the purge); best effort."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    now = (clock or (lambda: dt.datetime.now(dt.UTC)))()
    entity: dict[str, Any] = {"PartitionKey": partition,
                              "RowKey": f"{int(now.timestamp() * 1000):013d}-{secrets.token_hex(4)}",
                              "event": event, "at": now.isoformat()}
    for key, value in (details or {}).items():
        if not key.isidentifier() or key in ("PartitionKey", "RowKey", "event", "at"):
            raise ValueError(f"bad audit detail name {key!r}")
        entity[f"d_{key}"] = value[:_MAX_DETAIL_CHARS] if isinstance(value, str) else value
    try:
        (store or _table()).create_entity(entity)
    except Exception:
        # The action already happened; losing its audit line must not undo or fail it. The log says so.
        logger.exception("audit event %s could not be written", event)


def events(partition: str, *, store: AuditTable | None = None) -> list[dict[str, Any]]:
    """Every event of a partition, oldest first, as {event, at, details}."""
    rows = (store or _table()).query_entities("PartitionKey eq @pk", parameters={"pk": partition})
    out = []
    for row in sorted(rows, key=lambda r: str(r["RowKey"])):
        details = {k[2:]: v for k, v in row.items() if k.startswith("d_")}
        out.append({"event": row["event"], "at": row["at"], "details": details})
    return out
