"""Scan records in Table storage: one scan row plus one row per collection task, in the customer's partition.

Keys: PartitionKey = customer_id (so purge finds every row by customer), RowKey = scan_id for the scan and
`{scan_id}~{subscription_id}~{source}` for its tasks. Every change is a conditional update (If-Match on the
ETag): a task moves from pending to a final outcome once, and a scan moves between states once, so a duplicate
or concurrent delivery can never count twice or enqueue the analysis twice. A collection that spans deliveries
keeps its cursor in its own task row (a few hundred bytes, never in the scan row), saved under ETag too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableTransactionError, UpdateMode

from shared.domain import ScanState, ScanStatus, TaskOutcome, check_scan_moves
from shared.errors import NotFound
from shared.ids import is_hex32
from shared.storage.narrative_outcome import AT, REASON, SOURCE, NarrativeFallback, fallback_of, narrative_entity
from shared.storage.retention import Purged, PurgeSubject
from shared.storage.review_summary import ReviewSummary, summary_of
from shared.storage.scan_marker import ScanMarker
from shared.storage.scan_tasks import TaskProgress, task_row_key
from shared.storage.table import (
    Table,
    delete_partition,
    etag_of,
    join_text,
    partition_ids,
    partition_keys,
    split_json,
)

__all__ = ["SCANS_TABLE", "ScanStore", "task_row_key"]
logger = logging.getLogger(__name__)

SCANS_TABLE = "scans"
_MAX_CAS_ATTEMPTS = 20
_BATCH = 100  # the most operations one entity-group transaction takes
NARRATIVE_PROPERTIES = (SOURCE, REASON, AT)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _unpack(entity: dict[str, Any]) -> tuple[str, ...]:
    text = join_text(entity, "subscriptions")
    return tuple(json.loads(text)) if text else ()


def _as_utc(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value))


def _task(entity: dict[str, Any]) -> TaskOutcome:
    progress = json.loads(entity["progress"]) if entity.get("progress") else None
    resume = entity.get("resume_at")
    return TaskOutcome(subscription_id=str(entity["subscription_id"]), source=str(entity["source"]),
                       outcome=entity["outcome"], reason=entity.get("reason") or None,
                       updated_at=_as_utc(entity["updated_at"]), progress=progress,
                       resume_at=_as_utc(resume) if resume else None)


class ScanStore(TaskProgress):
    """Scan and task rows of every customer, with conditional state changes."""

    name = "table:scans"
    declaration = Purged(holds="every scan and task row of the customer (ids, states, plain reasons; a published "
                                "review's headline: spend, savings and finding counts; how its summary was written "
                                "and why it fell back)")

    def __init__(self, table: Table, clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self._table = table
        self._clock = clock
        # Which scan "scan now" returns while it is in flight (shared/storage/scan_marker.py).
        self.marker = ScanMarker(table)

    # --- scans ----------------------------------------------------------------------------------
    def create(self, customer_id: str, scan_id: str, subscription_ids: Sequence[str], requested_by: str) -> None:
        """Record a new queued scan; a second create of the same id is a no-op."""
        now = self._clock()
        entity: dict[str, Any] = {"PartitionKey": customer_id, "RowKey": scan_id, "kind": "scan",
                                  "status": "queued", "reason": "", "requested_by": requested_by,
                                  "created_at": now, "updated_at": now, "reports": "[]", "analyse_sends": 0,
                                  **split_json("subscriptions", list(subscription_ids))}
        try:
            self._table.create_entity(entity)
        except ResourceExistsError:
            logger.info("scan row already exists scan_id=%s", scan_id)

    def discard(self, customer_id: str, scan_id: str) -> None:
        """Delete a queued scan row that was never published (its request lost the race for the marker)."""
        self._table.delete_entity(customer_id, scan_id)

    def get(self, customer_id: str, scan_id: str, *, with_tasks: bool = True) -> ScanStatus:
        """One scan with its tasks; NotFound when there is none in this customer's partition."""
        if "~" in scan_id or not scan_id:
            raise NotFound("scan")
        try:
            entity = self._table.get_entity(customer_id, scan_id)
        except ResourceNotFoundError as exc:
            raise NotFound("scan") from exc
        if entity.get("kind") != "scan":
            raise NotFound("scan")
        tasks = self.tasks(customer_id, scan_id) if with_tasks else ()
        return self._scan(entity, tasks)

    def for_customer(self, customer_id: str) -> list[ScanStatus]:
        """Every scan of one customer, newest first (tasks summarised through progress)."""
        rows = list(self._table.query_entities("PartitionKey eq @pk", parameters={"pk": customer_id}))
        tasks: dict[str, list[TaskOutcome]] = {}
        for row in rows:
            if row.get("kind") == "task":
                tasks.setdefault(str(row["scan_id"]), []).append(_task(row))
        scans = [self._scan(r, tuple(tasks.get(str(r["RowKey"]), ()))) for r in rows if r.get("kind") == "scan"]
        return sorted(scans, key=lambda s: s.scan_id, reverse=True)

    def in_flight(self) -> list[ScanStatus]:
        """Every scan in a non-terminal state, across customers (the watchdog's sweep)."""
        query = "kind eq 'scan' and (status eq 'queued' or status eq 'collecting' or status eq 'analysing')"
        return [self.get(str(r["PartitionKey"]), str(r["RowKey"])) for r in self._table.query_entities(query)]

    def transition(self, customer_id: str, scan_id: str, allowed_from: Iterable[ScanState], to: ScanState, *,
                   reason: str | None = None, reports: Sequence[str] | None = None,
                   count_analyse_send: bool = False) -> bool:
        """Move the scan to `to` if it is in `allowed_from`; True only for the one caller that made the move.

        Every (from, to) pair must be a move the domain allows (IllegalTransition otherwise, before any read).
        """
        allowed = frozenset(allowed_from)
        check_scan_moves(allowed, to)
        for _ in range(_MAX_CAS_ATTEMPTS):
            try:
                entity = self._table.get_entity(customer_id, scan_id)
            except ResourceNotFoundError as exc:
                raise NotFound("scan") from exc
            if entity["status"] not in allowed:
                return False
            patch: dict[str, Any] = {"PartitionKey": customer_id, "RowKey": scan_id, "status": to,
                                     "updated_at": self._clock()}
            if reason is not None:
                patch["reason"] = reason
            if reports is not None:
                patch["reports"] = json.dumps(list(reports))
            if count_analyse_send:
                patch["analyse_sends"] = int(entity.get("analyse_sends", 0)) + 1
            try:
                self._table.update_entity(patch, UpdateMode.MERGE, etag=etag_of(entity),
                                          match_condition=MatchConditions.IfNotModified)
                return True
            except ResourceModifiedError:
                continue  # someone else changed the scan: re-read and decide again
        raise RuntimeError(f"scan {scan_id} kept changing under {_MAX_CAS_ATTEMPTS} attempts")

    def note_analyse_resent(self, customer_id: str, scan_id: str) -> bool:
        """Count one re-send of the analysis request (analysing -> analysing under ETag)."""
        return self.transition(customer_id, scan_id, {"analysing"}, "analysing", count_analyse_send=True)

    # --- tasks ----------------------------------------------------------------------------------
    def ensure_tasks(self, customer_id: str, scan_id: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Create a pending row per (subscription, source) unless it exists (never resets an outcome).

        Rows go in entity-group transactions of 100 (one partition), so 1,000 subscriptions plan in a few
        dozen round trips; a batch that meets an existing row (a redelivered plan) is redone row by row.
        """
        now = self._clock()
        entities = [{"PartitionKey": customer_id, "RowKey": task_row_key(scan_id, subscription_id, source),
                     "kind": "task", "scan_id": scan_id, "subscription_id": subscription_id.lower(),
                     "source": source, "outcome": "pending", "reason": "", "updated_at": now}
                    for subscription_id, source in pairs]
        for start in range(0, len(entities), _BATCH):
            batch = entities[start:start + _BATCH]
            try:
                self._table.submit_transaction([("create", e) for e in batch])
            except (TableTransactionError, ResourceExistsError):
                for entity in batch:
                    with contextlib.suppress(ResourceExistsError):
                        self._table.create_entity(entity)

    def has_pending(self, customer_id: str, scan_id: str) -> bool:
        """True while any task of the scan has no outcome (a cheap check before reading every task)."""
        rows = self._table.query_entities(
            "PartitionKey eq @pk and kind eq 'task' and scan_id eq @sid and outcome eq 'pending'",
            parameters={"pk": customer_id, "sid": scan_id}, results_per_page=1, select=["RowKey"])
        return next(iter(rows), None) is not None

    def tasks(self, customer_id: str, scan_id: str) -> tuple[TaskOutcome, ...]:
        """Every task row of one scan, in key order."""
        rows = self._table.query_entities("PartitionKey eq @pk and kind eq 'task' and scan_id eq @sid",
                                          parameters={"pk": customer_id, "sid": scan_id})
        return tuple(sorted((_task(r) for r in rows), key=lambda t: (t.subscription_id, t.source)))

    def task(self, customer_id: str, scan_id: str, subscription_id: str, source: str) -> TaskOutcome:
        """One task row; NotFound if the planner never created it."""
        try:
            return _task(self._table.get_entity(customer_id, task_row_key(scan_id, subscription_id, source)))
        except ResourceNotFoundError as exc:
            raise NotFound("task") from exc

    def finish_task(self, customer_id: str, scan_id: str, subscription_id: str, source: str,
                    outcome: Literal["succeeded", "failed"], reason: str | None, *, denied: bool = False) -> bool:
        """Move a pending task to its outcome under ETag; False when it already had one (duplicate). `denied`
        marks a failure where ARM refused the principal on that subscription."""
        key = task_row_key(scan_id, subscription_id, source)
        for _ in range(_MAX_CAS_ATTEMPTS):
            try:
                entity = self._table.get_entity(customer_id, key)
            except ResourceNotFoundError as exc:
                raise NotFound("task") from exc
            if entity["outcome"] != "pending":
                return False
            patch = {"PartitionKey": customer_id, "RowKey": key, "outcome": outcome, "reason": reason or "",
                     "updated_at": self._clock(), "denied": denied, "resume_at": ""}
            try:
                self._table.update_entity(patch, UpdateMode.MERGE, etag=etag_of(entity),
                                          match_condition=MatchConditions.IfNotModified)
                return True
            except ResourceModifiedError:
                continue
        raise RuntimeError(f"task {key} kept changing under {_MAX_CAS_ATTEMPTS} attempts")

    def _scan(self, entity: dict[str, Any], tasks: Sequence[TaskOutcome]) -> ScanStatus:
        return ScanStatus(customer_id=str(entity["PartitionKey"]), scan_id=str(entity["RowKey"]),
                          status=entity["status"], reason=entity.get("reason") or None,
                          requested_by=str(entity.get("requested_by", "")), subscription_ids=_unpack(entity),
                          created_at=_as_utc(entity["created_at"]), updated_at=_as_utc(entity["updated_at"]),
                          reports=tuple(json.loads(entity.get("reports") or "[]")),
                          analyse_sends=int(entity.get("analyse_sends", 0)), tasks=tuple(tasks),
                          etag=etag_of(entity))

    # --- review history (issue 15) ----------------------------------------------------------------------
    def record_review(self, customer_id: str, scan_id: str, summary: ReviewSummary) -> None:
        """Keep a published review's headline in its scan row (a redelivery writes the same summary again)."""
        try:
            self._table.update_entity({"PartitionKey": customer_id, "RowKey": scan_id, **summary.to_entity()},
                                      UpdateMode.MERGE)
        except ResourceNotFoundError as exc:
            raise NotFound("scan") from exc

    def reviews(self, customer_id: str) -> list[tuple[ScanStatus, ReviewSummary | None]]:
        """Every scan row of the customer (no task rows read), newest first, with its review summary if any."""
        rows = self._table.query_entities("PartitionKey eq @pk and kind eq 'scan'", parameters={"pk": customer_id})
        out = [(self._scan(r, ()), summary_of(r)) for r in rows]
        return sorted(out, key=lambda pair: pair[0].scan_id, reverse=True)

    # --- how the summary was written (issue 14 B1) ---------------------------------------------------------
    def record_narrative(self, customer_id: str, scan_id: str, source: str, reason: str | None) -> None:
        """Keep how a published review's summary was written: the model's choice, or fixed rules and why."""
        try:
            self._table.update_entity({"PartitionKey": customer_id, "RowKey": scan_id,
                                       **narrative_entity(source, reason, self._clock())}, UpdateMode.MERGE)
        except ResourceNotFoundError as exc:
            raise NotFound("scan") from exc

    def narrative_fallbacks(self, since: dt.datetime, limit: int) -> list[NarrativeFallback]:
        """Reviews across customers whose summary fell back since `since`, newest first, at most `limit`.

        A scan of the table's scan rows (like `in_flight`), filtered on the source: an operator's query.
        """
        rows = self._table.query_entities("kind eq 'scan' and narrative_source eq 'deterministic'",
                                          select=["PartitionKey", "RowKey", *NARRATIVE_PROPERTIES])
        found = [f for f in (fallback_of(r) for r in rows) if f is not None and f.at >= since]
        return sorted(found, key=lambda f: (f.at, f.scan_id), reverse=True)[:limit]

    def delete_scan(self, customer_id: str, scan_id: str) -> int:
        """Delete a scan's task rows, then its scan row (last, so a retry finds what is left); rows deleted."""
        keys = [str(r["RowKey"]) for r in self._table.query_entities(
            "PartitionKey eq @pk and kind eq 'task' and scan_id eq @sid",
            parameters={"pk": customer_id, "sid": scan_id}, select=["RowKey"])]
        for key in [*keys, scan_id]:
            self._table.delete_entity(customer_id, key)  # no error when already gone (a retried delete)
        return len(keys) + 1

    # --- the purge ------------------------------------------------------------------------------------
    def delete_customer(self, subject: PurgeSubject) -> int:
        """Delete the customer's partition (every scan and task row)."""
        return delete_partition(self._table, subject.customer_id)

    def count_customer(self, subject: PurgeSubject) -> int:
        """Rows left in the customer's partition."""
        return len(partition_keys(self._table, subject.customer_id))

    def customer_ids(self) -> set[str]:
        """Every customer id with a partition here (the backstop's orphan sweep)."""
        return {key for key in partition_ids(self._table) if is_hex32(key)}
