"""Blobs of one customer: a container per customer, named from the opaque customer id only.

Raw data lives at shared.rawdata.raw_blob_name(...); reports at reports/{scan_id}/{name}; exports at
exports/{export_id}.zip. Names are deterministic so a redelivered message overwrites the same blob instead of
adding a copy. The purge deletes the whole container.

The container is created once, at onboarding (`BlobStore.create_container`), and by nothing else: a write
into a container that is missing (the purge deleted it) or being deleted is refused with ContainerMissing,
so work still in flight when a customer leaves can never bring the container back. Each kind of blob carries
the index tag `caleta-data` (raw, report, export) that the storage lifecycle rules select on
(infra/modules/storage.bicep): raw data and exports expire by age, reports never do.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import ContentSettings

from shared.errors import Conflict, InvalidInput, NotFound
from shared.ids import is_hex32, is_scan_id
from shared.messages import Source
from shared.rawdata import raw_blob_name, raw_part_name
from shared.storage.retention import Purged, PurgeSubject

REPORT_NAMES = frozenset({"report.json", "report.html", "findings.csv"})
EXPORT_PREFIX = "exports/"
CONTAINER_PREFIX = "c-"
# The lifecycle rules select blobs by this index tag (tests/infra/test_deletion_budget.py reads the rules).
DATA_TAG = "caleta-data"
RAW_DATA_TAGS = {DATA_TAG: "raw"}
REPORT_TAGS = {DATA_TAG: "report"}
EXPORT_TAGS = {DATA_TAG: "export"}
_CUSTOMER_CONTAINER = re.compile(r"^c-([0-9a-f]{32})$")


class ContainerMissing(Conflict):
    """The customer's container does not exist (or is being deleted): the customer is leaving or gone."""


class Container(Protocol):
    """The part of azure.storage.blob.ContainerClient the store uses (an in-memory one in tests)."""

    def create_container(self, **kwargs: Any) -> Any: ...
    def delete_container(self, **kwargs: Any) -> Any: ...
    def upload_blob(self, name: str, data: Any, **kwargs: Any) -> Any: ...
    def delete_blob(self, blob: str, **kwargs: Any) -> Any: ...
    def download_blob(self, blob: str, **kwargs: Any) -> Any: ...
    def list_blobs(self, name_starts_with: str | None = None, **kwargs: Any) -> Iterable[Any]: ...


def container_name(customer_id: str) -> str:
    """`c-{customer_id}`; refuses anything but a uuid4 hex so no customer string reaches a name."""
    if not is_hex32(customer_id):
        raise InvalidInput({"customer_id": "must be 32 lower-case hex characters"})
    return f"c-{customer_id}"


def customer_of_container(name: str) -> str | None:
    """The customer id a container is named after (`c-{id}`), or None for any other container."""
    match = _CUSTOMER_CONTAINER.fullmatch(name)
    return match.group(1) if match else None


def report_blob_name(scan_id: str, name: str) -> str:
    """The one place that names a report blob inside the customer's container."""
    if not is_scan_id(scan_id) or name not in REPORT_NAMES:
        raise NotFound("report")
    return f"reports/{scan_id}/{name}"


def export_blob_name(export_id: str) -> str:
    """The one place that names an export zip; NotFound for anything but an export id."""
    if not is_hex32(export_id):
        raise NotFound("no such export")
    return f"{EXPORT_PREFIX}{export_id}.zip"


class CustomerBlobs:
    """Read and write the blobs of one customer, in that customer's container only."""

    def __init__(self, customer_id: str, container: Container) -> None:
        self.customer_id = customer_id
        self._container = container

    def _put(self, name: str, data: bytes, content_type: str, tags: dict[str, str]) -> None:
        try:
            self._container.upload_blob(name, data, overwrite=True, tags=tags,
                                        content_settings=ContentSettings(content_type=content_type))
        except ResourceNotFoundError:
            raise ContainerMissing("the customer's container does not exist") from None
        except ResourceExistsError:
            # With overwrite=True the only 409 left is ContainerBeingDeleted: the purge got there first.
            raise ContainerMissing("the customer's container is being deleted") from None

    def delete(self, name: str) -> None:
        """Delete one blob (a writer that lost the race to the purge removes what it wrote); idempotent."""
        with contextlib.suppress(ResourceNotFoundError):
            self._container.delete_blob(name)

    def read(self, name: str) -> bytes:
        """One blob's bytes; NotFound when it does not exist."""
        try:
            data: bytes = self._container.download_blob(name).readall()
        except ResourceNotFoundError as exc:
            raise NotFound("blob") from exc
        return data

    def put_raw(self, scan_id: str, subscription_id: str, source: Source, data: bytes) -> str:
        """Write (overwrite) one raw-data blob; returns its name."""
        name = raw_blob_name(scan_id, subscription_id, source)
        # The storage lifecycle backstop (infra/modules/storage.bicep) deletes blobs carrying this index tag.
        self._put(name, data, "application/gzip", tags=RAW_DATA_TAGS)
        return name

    def get_raw(self, scan_id: str, subscription_id: str, source: Source) -> bytes:
        """Read one raw-data blob; NotFound when it was never written."""
        return self.read(raw_blob_name(scan_id, subscription_id, source))

    def put_raw_part(self, scan_id: str, subscription_id: str, source: Source, part: str, data: bytes) -> str:
        """Write (overwrite) one working part of a collection, tagged like raw data; returns its name."""
        name = raw_part_name(scan_id, subscription_id, source, part)
        self._put(name, data, "application/gzip", tags=RAW_DATA_TAGS)
        return name

    def get_raw_part(self, scan_id: str, subscription_id: str, source: Source, part: str) -> bytes:
        """Read one working part; NotFound when it was never written."""
        return self.read(raw_part_name(scan_id, subscription_id, source, part))

    def delete_raw_parts(self, scan_id: str, subscription_id: str, source: Source) -> int:
        """Delete a collection's working parts once its raw blob is written and recorded; how many there were."""
        prefix = raw_part_name(scan_id, subscription_id, source, "x").rsplit("/", 1)[0] + "/"
        names = self.list_names(prefix)
        for name in names:
            self.delete(name)
        return len(names)

    def put_report(self, scan_id: str, name: str, data: bytes, content_type: str) -> str:
        """Write (overwrite) one report file of a scan; returns its blob name."""
        blob = report_blob_name(scan_id, name)
        # Tagged so a lifecycle rule can be shown never to match it: the review history keeps reports.
        self._put(blob, data, content_type, REPORT_TAGS)
        return blob

    def get_report(self, scan_id: str, name: str) -> bytes:
        """Read one report file of a scan; NotFound when it does not exist (yet)."""
        return self.read(report_blob_name(scan_id, name))

    def put_export(self, export_id: str, data: bytes) -> str:
        """Store an export zip; returns its blob name."""
        blob = export_blob_name(export_id)
        self._put(blob, data, "application/zip", EXPORT_TAGS)
        return blob

    def get_export(self, export_id: str) -> bytes:
        """An export zip; NotFound for an unknown id (the container is the caller's, so never another's)."""
        try:
            return self.read(export_blob_name(export_id))
        except NotFound:
            raise NotFound("no such export") from None

    def list_names(self, prefix: str = "") -> list[str]:
        """Blob names under a prefix, sorted; empty when the container is absent."""
        try:
            return sorted(b.name for b in self._container.list_blobs(name_starts_with=prefix or None))
        except ResourceNotFoundError:
            return []

    def delete_scan(self, scan_id: str) -> int:
        """Delete one scan's reports and raw data (a deleted review); how many blobs were deleted."""
        if not is_scan_id(scan_id):
            raise NotFound("scan")
        names = self.list_names(f"reports/{scan_id}/") + self.list_names(f"raw/{scan_id}/")
        for name in names:
            with contextlib.suppress(ResourceNotFoundError):
                self._container.delete_blob(name, delete_snapshots="include")
        return len(names)

    def delete_all(self) -> int:
        """Delete the container and everything in it; how many blobs it held."""
        names = self.list_names()
        with contextlib.suppress(ResourceNotFoundError):
            self._container.delete_container()
        return len(names)


class BlobStore:
    """Every customer's container: hands out one customer's blobs, and deletes a whole container."""

    name = "blobs"
    declaration = Purged(holds="the customer's container: raw data, reports and exports")

    def __init__(self, container_for: Callable[[str], Container],
                 container_names: Callable[[], Iterable[str]]) -> None:
        self._container_for = container_for
        self._container_names = container_names

    def for_customer(self, customer_id: str) -> CustomerBlobs:
        """The blobs of one customer (InvalidInput for a malformed id)."""
        return CustomerBlobs(customer_id, self._container_for(customer_id))

    def create_container(self, customer_id: str) -> None:
        """Create the customer's container (onboarding only; idempotent). Nothing else ever creates one."""
        with contextlib.suppress(ResourceExistsError):
            self._container_for(customer_id).create_container()

    def customer_ids(self) -> set[str]:
        """Every customer id that has a container (the backstop's orphan sweep)."""
        return {cid for name in self._container_names() if (cid := customer_of_container(name))}

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Delete the customer's container; how many blobs it held."""
        return self.for_customer(subject.customer_id).delete_all()

    def count_customer(self, subject: PurgeSubject) -> int:
        """Blobs left in the customer's container."""
        return len(self.for_customer(subject.customer_id).list_names())
