"""The read side: what the API shows, answered from the stores without changing anything.

Queries only (cosmicpython's views.py): triggers call these for GETs, and use cases for anything that
writes. Every customer-scoped query takes the id of a customer the caller has already authenticated as.
"""

from __future__ import annotations

from typing import Any

from shared.errors import NotFound
from shared.services import Services

# URL name -> (blob name, content type) of a scan's report files.
REPORTS = {
    "report.json": ("report.json", "application/json"),
    "report.html": ("report.html", "text/html"),
    "report.csv": ("findings.csv", "text/csv"),
}


def scans_of(services: Services, customer_id: str) -> list[dict[str, Any]]:
    """Every scan of the customer, newest first (GET …/scans)."""
    scans = sorted(services.scans.for_customer(customer_id), key=lambda s: s.scan_id, reverse=True)
    return [s.to_dict() for s in scans]


def scan_status(services: Services, customer_id: str, scan_id: str) -> dict[str, Any]:
    """One scan's status, progress and per-task outcome; NotFound for another customer's scan."""
    return services.scans.get(customer_id, scan_id).to_dict()


def scan_report(services: Services, customer_id: str, scan_id: str, url_name: str) -> tuple[bytes, str]:
    """A report file of a scan and its content type; NotFound until the report exists."""
    wanted = REPORTS.get(url_name.lower())
    if wanted is None:
        raise NotFound("no such report")
    blob, mimetype = wanted
    return services.blobs.for_customer(customer_id).get_report(scan_id, blob), mimetype


def all_customers(services: Services) -> list[dict[str, Any]]:
    """Every customer record, oldest first, as its owner may see it (admins: no secret, no key hash)."""
    return [c.public_view() for c in sorted(services.customers.list_all(), key=lambda c: c.created_at)]


def certificate(services: Services, certificate_id: str) -> dict[str, Any]:
    """One deletion certificate (no customer data in it); NotFound until the purge has finished."""
    return services.certificates.get(certificate_id).to_dict()


def all_certificates(services: Services) -> list[dict[str, Any]]:
    """Every deletion certificate, newest first (admins)."""
    return [c.to_dict() for c in services.certificates.list_all()]


def dead_letter_counts(services: Services) -> dict[str, int]:
    """Dead-lettered messages per queue (admins)."""
    return services.dead_letters.counts()
