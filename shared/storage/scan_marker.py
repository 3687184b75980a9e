"""The in-flight marker: one row per customer naming the scan that "scan now" and the scheduler return.

Row PartitionKey = customer id (in the scans table, so the purge deletes it with the customer's scans),
RowKey `~current` (no scan id contains `~`, so no scan query reads it). The first marker is an insert, which
fails when another caller inserted one first; every later change is an update under If-Match. So of any number
of concurrent requests exactly one moves the marker to a new scan, and the others read the winner's scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.storage.table import Table, etag_of

MARKER_ROW = "~current"


@dataclass(frozen=True)
class Marker:
    """The scan a customer's marker names, and the ETag a change must match."""

    scan_id: str
    etag: str


class ScanMarker:
    """Per-customer in-flight markers, moved only by the one caller that wins a conditional write."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def read(self, customer_id: str) -> Marker | None:
        """The customer's marker, or None before its first scan under this scheme."""
        try:
            entity = self._table.get_entity(customer_id, MARKER_ROW)
        except ResourceNotFoundError:
            return None
        return Marker(scan_id=str(entity["scan_id"]), etag=etag_of(entity))

    def claim(self, customer_id: str, scan_id: str, seen: Marker | None) -> bool:
        """Point the marker at `scan_id` if it is still as `seen` (None: absent); True for the one winner."""
        entity = {"PartitionKey": customer_id, "RowKey": MARKER_ROW, "kind": "marker", "scan_id": scan_id}
        try:
            if seen is None:
                self._table.create_entity(entity)
            else:
                self._table.update_entity(entity, UpdateMode.REPLACE, etag=seen.etag,
                                          match_condition=MatchConditions.IfNotModified)
        except (ResourceExistsError, ResourceModifiedError, ResourceNotFoundError):
            return False  # someone else moved it first
        return True
