"""A task row's own progress: the cursor of a collection that spans deliveries, and which tasks ARM refused.

The cursor is one small property of the task's row (`{scan_id}~{subscription}~{source}` in the customer's
partition), saved under the row's ETag; the scan row never holds it, so it stays within Table's entity limits
however many tasks a scan has.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.errors import NotFound
from shared.storage.table import CHUNK_CHARS, Table, etag_of


def task_row_key(scan_id: str, subscription_id: str, source: str) -> str:
    """RowKey of one task row: sorts right after its scan row."""
    return f"{scan_id}~{subscription_id.lower()}~{source}"


class TaskProgress:
    """Cursor and denial reads and writes on task rows (ScanStore inherits them)."""

    _table: Table
    _clock: Callable[[], dt.datetime]

    def cursor(self, customer_id: str, scan_id: str, subscription_id: str,
               source: str) -> tuple[dict[str, Any] | None, str, str]:
        """A task's saved cursor (None before its first save), its ETag and its outcome; NotFound without a row."""
        try:
            entity = self._table.get_entity(customer_id, task_row_key(scan_id, subscription_id, source))
        except ResourceNotFoundError as exc:
            raise NotFound("task") from exc
        text = entity.get("cursor") or ""
        return (json.loads(text) if text else None), etag_of(entity), str(entity["outcome"])

    def save_cursor(self, customer_id: str, scan_id: str, subscription_id: str, source: str, cursor: dict[str, Any],
                    etag: str, *, progress: dict[str, Any] | None = None,
                    resume_at: dt.datetime | None = None) -> str | None:
        """Save a pending task's cursor if its row is unchanged since `etag` (read while it was pending, so a final
        task has moved on); the new ETag, or None when another delivery saved first or the task ended."""
        key = task_row_key(scan_id, subscription_id, source)
        text = json.dumps(cursor, separators=(",", ":"))
        if len(text) > CHUNK_CHARS:
            raise ValueError("a task cursor must stay small (one Table property)")
        patch = {"PartitionKey": customer_id, "RowKey": key, "updated_at": self._clock(), "cursor": text,
                 "progress": json.dumps(progress) if progress else "",
                 "resume_at": resume_at if resume_at is not None else ""}
        try:
            meta = self._table.update_entity(patch, UpdateMode.MERGE, etag=etag,
                                             match_condition=MatchConditions.IfNotModified)
        except (ResourceModifiedError, ResourceNotFoundError):
            return None
        return str((meta or {}).get("etag", "")) or etag_of(self._table.get_entity(customer_id, key))

    def denied_subscriptions(self, customer_id: str, scan_id: str) -> set[str]:
        """Subscriptions of the scan where ARM refused the principal (a task failed as denied)."""
        rows = self._table.query_entities("PartitionKey eq @pk and kind eq 'task' and scan_id eq @sid",
                                          parameters={"pk": customer_id, "sid": scan_id})
        return {str(r["subscription_id"]) for r in rows if r.get("denied") is True}
