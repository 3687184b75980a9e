"""Export: a zip of everything held about one customer, and nothing of anyone else.

The zip holds the customer record (no secret, no API key hash), every scan with its task outcomes, every blob
of the customer's own container (raw data and reports; earlier exports excepted) and the customer's audit
events. Every input is read by the customer's id only: its container, its partition. The zip is kept in the
customer's container under exports/ (tagged for the short export lifecycle rule), so the purge deletes it
with everything else. A customer who is leaving gets no export (409); one who leaves while the zip is being
built keeps none (the write-time check of shared/pipeline/guard.py).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import secrets
import zipfile
from typing import Any

from shared.api.responses import ExportAccepted
from shared.domain import Customer
from shared.errors import Conflict
from shared.pipeline.guard import write_checked
from shared.services import Services
from shared.storage.blobs import EXPORT_PREFIX, CustomerBlobs

logger = logging.getLogger(__name__)


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=1, sort_keys=True, default=str).encode("utf-8")


def build_zip(customer: Customer, scans: list[dict[str, Any]], events: list[dict[str, Any]],
              blobs: CustomerBlobs, now: dt.datetime) -> bytes:
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
        for name in blobs.list_names():
            if name.startswith(EXPORT_PREFIX):
                continue
            add(f"blobs/{name}", blobs.read(name))
        archive.writestr("manifest.json", _json({"customer_id": customer.customer_id, "generated_at": now,
                                                 "files": files}))
    return out.getvalue()


def create_export(services: Services, customer: Customer) -> ExportAccepted:
    """Build and store the customer's export now; the 202 payload with its id and where to fetch it."""
    if customer.is_leaving:
        raise Conflict(f"the customer is {customer.state}: no export")
    now = services.clock()
    export_id = secrets.token_hex(16)
    blobs = services.blobs.for_customer(customer.customer_id)
    services.audit.record(customer.customer_id, "export", {"export_id": export_id})
    scans = [s.to_dict() for s in services.scans.for_customer(customer.customer_id)]
    data = build_zip(customer, scans, services.audit.events(customer.customer_id), blobs, now)
    if write_checked(services, customer.customer_id, lambda: blobs.put_export(export_id, data), blobs.delete) is None:
        raise Conflict("the customer is offboarding: no export")
    logger.info("export built customer=%s export_id=%s bytes=%d", customer.customer_id, export_id, len(data))
    return ExportAccepted(export_id=export_id, status="ready",
                          href=f"/api/customers/{customer.customer_id}/export/{export_id}")


def get_export(services: Services, customer_id: str, export_id: str) -> bytes:
    """The stored zip; NotFound for an unknown id (or one of another customer: the container is the caller's)."""
    return services.blobs.for_customer(customer_id).get_export(export_id)
