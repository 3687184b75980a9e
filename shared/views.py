"""The read side: what the API shows, answered from the stores without changing anything.

Queries only (cosmicpython's views.py): triggers call these for GETs, and use cases for anything that
writes. Every customer-scoped query takes the id of a customer the caller has already authenticated as.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.api.reviews import Review, ReviewList
from shared.errors import NotFound
from shared.services import Services
from shared.storage.review_summary import ReviewSummary

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


def reviews_of(services: Services, customer_id: str, retention_months: int) -> ReviewList:
    """The customer's published reviews, newest first, from the summaries in their scan rows (GET …/reviews).

    A review published before summaries existed shows its ids and dates only, until the daily retention run has
    written its summary (shared/pipeline/reviews.py): reports are never read here.
    """
    unknown = dict.fromkeys(ReviewSummary.__dataclass_fields__)
    reviews = [Review(scan_id=scan.scan_id, status=scan.status, created_at=scan.created_at.isoformat(),
                      reports=list(scan.reports), **(unknown | (summary.to_dict() if summary else {})))
               for scan, summary in services.scans.reviews(customer_id) if scan.status in ("complete", "partial")]
    return ReviewList(reviews=reviews, retention_months=retention_months)


def all_customers(services: Services) -> list[dict[str, Any]]:
    """Every customer record, oldest first, as its owner may see it (admins: no secret, no key hash)."""
    return [c.public_view() for c in sorted(services.customers.list_all(), key=lambda c: c.created_at)]


def certificate(services: Services, certificate_id: str) -> dict[str, Any]:
    """One deletion certificate (no customer data in it); NotFound until the purge has finished."""
    return services.certificates.get(certificate_id).to_dict()


def all_certificates(services: Services) -> list[dict[str, Any]]:
    """Every deletion certificate, newest first (admins)."""
    return [c.to_dict() for c in services.certificates.list_all()]


def narrative_fallbacks(services: Services, days: int, reason: str | None, limit: int) -> list[dict[str, Any]]:
    """Reviews of the last `days` days, across customers, whose summary fell back to fixed rules (admins): scan id,
    customer id, reason and time, no content; only one reason when `reason` is given."""
    since = services.clock() - dt.timedelta(days=days)
    found = services.scans.narrative_fallbacks(since, limit if reason is None else 10 * limit)
    return [f.to_dict() for f in found if reason is None or f.reason == reason][:limit]


def dead_letter_counts(services: Services) -> dict[str, int]:
    """Dead-lettered messages per queue (admins)."""
    return services.dead_letters.counts()
