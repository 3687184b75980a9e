"""Export: a zip of everything held about one customer, and nothing of anyone else.

The zip holds the customer record (no secret, no API key hash), every scan with its task outcomes, every blob
of the customer's own container (raw data and reports; earlier exports excepted) and the customer's audit
events. Every input is read by the customer's id only: its container, its partition. The zip is kept in the
customer's container under exports/, so the purge deletes it with everything else.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import re
import secrets
import zipfile
from collections.abc import Iterable
from typing import Any, Protocol

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from shared import audit
from shared.errors import NotFound
from shared.storage.customers import Customer

logger = logging.getLogger(__name__)

EXPORT_PREFIX = "exports/"
_EXPORT_ID = re.compile(r"^[0-9a-f]{32}$")


class ContainerLike(Protocol):
    """The part of azure.storage.blob.ContainerClient the export uses."""

    def list_blobs(self, name_starts_with: str | None = None, **kwargs: Any) -> Iterable[Any]: ...
    def download_blob(self, blob: str, **kwargs: Any) -> Any: ...
    def upload_blob(self, name: str, data: Any, **kwargs: Any) -> Any: ...
    def create_container(self, **kwargs: Any) -> Any: ...


def _container(customer_id: str) -> ContainerLike:
    from shared.storage.blobs import container_name
    from shared.storage.clients import blob_service

    return blob_service().get_container_client(container_name(customer_id))


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=1, sort_keys=True, default=str).encode("utf-8")


def build_zip(customer: Customer, scans: list[dict[str, Any]], events: list[dict[str, Any]],
              container: ContainerLike, now: dt.datetime) -> bytes:
    """The export archive: manifest, customer record, scans, audit events and every blob but exports."""
    out = io.BytesIO()
    files: list[str] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, data: bytes) -> None:
            archive.writestr(name, data)
            files.append(name)

        add("customer.json", _json(customer.public_view()))
        for scan in scans:
            add(f"scans/{scan['scan_id']}.json", _json(scan))
        add("audit.json", _json(events))
        try:
            names = sorted(b.name for b in container.list_blobs())
        except ResourceNotFoundError:
            names = []
        for name in names:
            if name.startswith(EXPORT_PREFIX):
                continue
            add(f"blobs/{name}", container.download_blob(name).readall())
        archive.writestr("manifest.json", _json({"customer_id": customer.customer_id, "generated_at": now,
                                                 "files": files}))
    return out.getvalue()


def create_export(customer: Customer, *, container: ContainerLike | None = None) -> dict[str, Any]:
    """Build and store the customer's export now; the 202 payload with its id and where to fetch it."""
    from shared.storage.scans import list_scans

    now = dt.datetime.now(dt.UTC)
    export_id = secrets.token_hex(16)
    box = container or _container(customer.customer_id)
    audit.record(customer.customer_id, "export", {"export_id": export_id})
    scans = [s.to_dict() for s in list_scans(customer.customer_id)]
    data = build_zip(customer, scans, audit.events(customer.customer_id), box, now)
    with contextlib.suppress(ResourceExistsError):
        box.create_container()
    box.upload_blob(f"{EXPORT_PREFIX}{export_id}.zip", data, overwrite=True)
    logger.info("export built customer=%s export_id=%s bytes=%d", customer.customer_id, export_id, len(data))
    return {"export_id": export_id, "status": "ready",
            "href": f"/api/customers/{customer.customer_id}/export/{export_id}"}


def get_export(customer_id: str, export_id: str, *, container: ContainerLike | None = None) -> bytes:
    """The stored zip; NotFound for an unknown id (or one of another customer: the container is the caller's)."""
    if not _EXPORT_ID.fullmatch(export_id):
        raise NotFound("no such export")
    try:
        data: bytes = (container or _container(customer_id)).download_blob(
            f"{EXPORT_PREFIX}{export_id}.zip").readall()
    except ResourceNotFoundError:
        raise NotFound("no such export") from None
    return data
