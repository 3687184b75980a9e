"""Blobs of one customer: a container per customer, named from the opaque customer id only.

Raw data lives at shared.rawdata.raw_blob_name(...); reports at reports/{scan_id}/{name}. Names are
deterministic so a redelivered message overwrites the same blob instead of adding a copy.
"""

from __future__ import annotations

import contextlib
import re

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient, ContainerClient, ContentSettings

from shared.errors import InvalidInput, NotFound
from shared.messages import Source
from shared.rawdata import raw_blob_name
from shared.storage.clients import blob_service

_CUSTOMER_ID = re.compile(r"^[0-9a-f]{32}$")
_SCAN_ID = re.compile(r"^[0-9a-z]{1,64}$")
REPORT_NAMES = frozenset({"report.json", "report.html", "findings.csv"})


def container_name(customer_id: str) -> str:
    """`c-{customer_id}`; refuses anything but a uuid4 hex so no customer string reaches a name."""
    if not _CUSTOMER_ID.fullmatch(customer_id):
        raise InvalidInput({"customer_id": "must be 32 lower-case hex characters"})
    return f"c-{customer_id}"


def report_blob_name(scan_id: str, name: str) -> str:
    """The one place that names a report blob inside the customer's container."""
    if not _SCAN_ID.fullmatch(scan_id) or name not in REPORT_NAMES:
        raise NotFound("report")
    return f"reports/{scan_id}/{name}"


RAW_DATA_TAGS = {"caleta-data": "raw"}


class CustomerBlobs:
    """Read and write the blobs of one customer, in that customer's container only."""

    def __init__(self, customer_id: str, service: BlobServiceClient | None = None) -> None:
        self.customer_id = customer_id
        self._container: ContainerClient = (service or blob_service()).get_container_client(
            container_name(customer_id))
        self._ensured = False

    def _ensure(self) -> None:
        if not self._ensured:
            with contextlib.suppress(ResourceExistsError):
                self._container.create_container()
            self._ensured = True

    def _put(self, name: str, data: bytes, content_type: str, tags: dict[str, str] | None = None) -> None:
        self._ensure()
        self._container.upload_blob(name, data, overwrite=True, tags=tags,
                                    content_settings=ContentSettings(content_type=content_type))

    def _get(self, name: str) -> bytes:
        try:
            return self._container.download_blob(name).readall()
        except ResourceNotFoundError as exc:
            raise NotFound("blob") from exc

    def put_raw(self, scan_id: str, subscription_id: str, source: Source, data: bytes) -> str:
        """Write (overwrite) one raw-data blob; returns its name."""
        name = raw_blob_name(scan_id, subscription_id, source)
        # The storage lifecycle backstop (infra/modules/storage.bicep) deletes blobs carrying this index tag.
        self._put(name, data, "application/gzip", tags=RAW_DATA_TAGS)
        return name

    def get_raw(self, scan_id: str, subscription_id: str, source: Source) -> bytes:
        """Read one raw-data blob; NotFound when it was never written."""
        return self._get(raw_blob_name(scan_id, subscription_id, source))

    def put_report(self, scan_id: str, name: str, data: bytes, content_type: str) -> str:
        """Write (overwrite) one report file of a scan; returns its blob name."""
        blob = report_blob_name(scan_id, name)
        self._put(blob, data, content_type)
        return blob

    def get_report(self, scan_id: str, name: str) -> bytes:
        """Read one report file of a scan; NotFound when it does not exist (yet)."""
        return self._get(report_blob_name(scan_id, name))

    def list_names(self, prefix: str = "") -> list[str]:
        """Blob names under a prefix (tests and purge evidence); empty when the container is absent."""
        try:
            return sorted(b.name for b in self._container.list_blobs(name_starts_with=prefix or None))
        except ResourceNotFoundError:
            return []
