"""A cost collection's progress within its scan: the cursor in its task row, pages as part blobs, and the scan's
answers it waits for (this subscription's inventory; every subscription's daily totals).

The cursor is saved under the row's ETag, so of two deliveries of one task only one advances it (the other gets
Superseded and stops). The inventory is final when the subscription's resource-graph task is; the daily totals are
all in when every other cost task has written its `estate` part or has ended without one. Every part is written
through the write-time check (shared/pipeline/guard.py): once the customer is leaving, CustomerLeft stops the task.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from shared.analysis.series_needs import driver_days, plan_needs
from shared.collectors.cost_envelope import daily_summary
from shared.collectors.cost_state import SeriesNeeds, Superseded, progress_view
from shared.errors import NotFound
from shared.messages import Source
from shared.pipeline.guard import write_checked
from shared.rawdata import decode, decode_part, encode_part
from shared.services import Services

logger = logging.getLogger(__name__)
SOURCE: Source = "cost"


class CustomerLeft(Exception):
    """The customer is leaving or gone: no part of its collection may be written any more."""


class ScanCostProgress:
    """CostProgress for one (scan, subscription) cost task, over the scans table and the customer's blobs."""

    def __init__(self, services: Services, customer_id: str, scan_id: str, subscription_id: str,
                 scan_subscriptions: tuple[str, ...]) -> None:
        self.services, self.customer_id, self.scan_id = services, customer_id, scan_id
        self.subscription_id, self.scan_subscriptions = subscription_id.lower(), scan_subscriptions
        self.blobs = services.blobs.for_customer(customer_id)
        self._loaded = False
        self._cursor: dict[str, Any] | None = None
        self._etag = ""

    def load(self) -> dict[str, Any] | None:
        """The saved cursor (read once per delivery)."""
        if not self._loaded:
            self._cursor, self._etag, _ = self.services.scans.cursor(self.customer_id, self.scan_id,
                                                                      self.subscription_id, SOURCE)
            self._loaded = True
        return None if self._cursor is None else dict(self._cursor)

    def save(self, cursor: dict[str, Any], resume_at: dt.datetime | None = None) -> None:
        """Save under ETag; Superseded when another delivery saved first (or the task ended)."""
        self.load()
        etag = self.services.scans.save_cursor(self.customer_id, self.scan_id, self.subscription_id, SOURCE,
                                               cursor, self._etag, progress=progress_view(cursor), resume_at=resume_at)
        if etag is None:
            raise Superseded("another delivery of this cost task saved its progress first")
        self._cursor, self._etag = dict(cursor), etag

    def put_part(self, name: str, data: dict[str, Any]) -> None:
        """One page (or the plan, or the daily summary) as a blob beside the raw blob, while the customer may
        still be written (CustomerLeft otherwise)."""
        blob = encode_part(data)
        written = write_checked(self.services, self.customer_id,
                                lambda: self.blobs.put_raw_part(self.scan_id, self.subscription_id, SOURCE, name, blob),
                                self.blobs.delete)
        if written is None:
            raise CustomerLeft("the customer is leaving: the collection stops")

    def get_part(self, name: str) -> dict[str, Any]:
        """A part written earlier; NotFound when it never was."""
        return decode_part(self.blobs.get_raw_part(self.scan_id, self.subscription_id, SOURCE, name))

    def needs(self, partial: dict[str, Any], *, final: bool = False) -> SeriesNeeds | None:
        """The dry run over this subscription's inventory, once its resource-graph task is final."""
        try:
            task = self.services.scans.task(self.customer_id, self.scan_id, self.subscription_id, "resource-graph")
        except NotFound:
            task = None
        graph: dict[str, Any] | None = None
        if task is not None and task.outcome == "pending" and not final:
            return None
        if task is not None and task.outcome == "succeeded":
            try:
                graph = decode(self.blobs.get_raw(self.scan_id, self.subscription_id, "resource-graph")).data
            except (NotFound, ValueError):
                logger.warning("inventory blob unreadable: no rule series asked")
        return plan_needs(self.subscription_id, graph, partial)

    def anomaly_days(self, partial: dict[str, Any]) -> list[dt.date] | None:
        """The estate's anomalous days once every cost task of the scan has shared its daily totals (in its
        `estate` part while it collects, in its raw envelope once it succeeded and cleared its parts)."""
        outcomes = {t.subscription_id: t.outcome for t in self.services.scans.tasks(self.customer_id, self.scan_id)
                    if t.source == SOURCE}
        summaries = []
        for sub in self.scan_subscriptions:
            try:
                summaries.append(decode_part(self.blobs.get_raw_part(self.scan_id, sub, SOURCE, "estate")))
                continue
            except NotFound:
                pass
            outcome = outcomes.get(sub.lower())
            if outcome == "pending":
                return None  # still collecting its daily totals: ask again later
            if outcome == "succeeded":
                try:
                    summaries.append(daily_summary(decode(self.blobs.get_raw(self.scan_id, sub, SOURCE)).data, sub))
                except (NotFound, ValueError, KeyError):
                    logger.warning("a finished cost task's envelope is unreadable: left out of the anomaly days")
        return driver_days(summaries, self.subscription_id)

    def clear(self) -> None:
        """Delete the pages once the envelope is written and the outcome recorded (best effort: the raw-data
        lifecycle and the purge reach them anyway)."""
        try:
            self.blobs.delete_raw_parts(self.scan_id, self.subscription_id, SOURCE)
        except Exception:  # never fail a task that succeeded over its clean-up
            logger.warning("could not delete a cost task's parts", exc_info=True)
