"""The review history (issue 15): each review's headline, the previous review for "Since your last review",
deleting a review on the customer's request, and deleting reviews past their retention.

A review is a complete or partial scan with its reports. Deleting one removes its reports and raw data, then
its task rows and its scan row (last, so a retry finds what is left), and audits it. A scan still running
cannot be deleted (Conflict). Retention: the daily timer deletes every finished scan older than
REVIEW_RETENTION_MONTHS (13 by default) and writes the summary of any review published before summaries existed.
"""

from __future__ import annotations

import datetime as dt
import logging

from shared.analysis.model import ReportBundle
from shared.analysis.report_reader import ReportUnreadable, read_report
from shared.domain import ScanStatus
from shared.errors import Conflict, NotFound
from shared.services import Services
from shared.storage.review_summary import ReviewSummary

logger = logging.getLogger(__name__)

PUBLISHED = ("complete", "partial")
_PREVIOUS_TRIES = 3  # published rows whose report.json is gone (being deleted) are skipped, a few at most


def summary_of(bundle: ReportBundle, generated_at: dt.datetime) -> ReviewSummary:
    """The headline of a review just analysed."""
    changes = bundle.changes
    return ReviewSummary(
        generated_at=generated_at, currency=bundle.currency, spend_30d=bundle.spend_30d,
        savings_monthly=round(bundle.total_monthly_savings, 2),
        realised_monthly=changes.savings.realised_monthly if changes else None, findings=bundle.findings_count,
        new=changes.counts.new if changes else None, persisting=changes.counts.persisting if changes else None,
        resolved=changes.counts.resolved if changes else None,
        previous_scan_id=changes.previous_scan_id if changes else None)


def previous_report(services: Services, customer_id: str, scan_id: str) -> bytes | None:
    """report.json of the customer's latest published review before `scan_id`; None for a first review."""
    blobs = services.blobs.for_customer(customer_id)
    earlier = [s for s, _ in services.scans.reviews(customer_id) if s.status in PUBLISHED and s.scan_id < scan_id]
    for scan in earlier[:_PREVIOUS_TRIES]:
        try:
            return blobs.get_report(scan.scan_id, "report.json")
        except NotFound:
            logger.info("published scan %s has no report.json (deleted?): trying an earlier one", scan.scan_id)
    return None


def delete_review(services: Services, customer_id: str, scan_id: str, by: str = "customer") -> dict[str, object]:
    """Delete one of the customer's scans with its reports and raw data; NotFound for another customer's,
    Conflict while it is still running."""
    scan = services.scans.get(customer_id, scan_id, with_tasks=False)
    if scan.in_flight:
        raise Conflict("this review is still running: delete it once it has finished")
    blobs = services.blobs.for_customer(customer_id).delete_scan(scan_id)
    rows = services.scans.delete_scan(customer_id, scan_id)
    services.audit.record(customer_id, "review_deleted", {"scan_id": scan_id, "by": by, "blobs": blobs,
                                                          "rows": rows})
    logger.info("review deleted customer=%s scan_id=%s by=%s blobs=%d rows=%d", customer_id, scan_id, by, blobs,
                rows)
    return {"scan_id": scan_id, "deleted": True, "blobs_deleted": blobs, "rows_deleted": rows}


def months_before(now: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    first_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    day = min(now.day, (first_next - dt.timedelta(days=1)).day)
    return now.replace(year=year, month=month + 1, day=day)


def summary_from_report(data: bytes) -> ReviewSummary | None:
    """The headline of a review published before summaries existed, from its stored report.json."""
    try:
        report = read_report(data)
    except ReportUnreadable:
        return None
    return ReviewSummary(generated_at=report.generated_at, currency=report.currency,
                         spend_30d=report.analytics.total_last_30_days, savings_monthly=report.totals.monthly_savings,
                         realised_monthly=None, findings=len(report.findings))


def enforce_retention(services: Services, months: int) -> dict[str, int]:
    """Delete every finished scan older than `months` (by when it was requested); summarise older reviews."""
    cutoff = months_before(services.clock(), months)
    counts = {"deleted": 0, "summarised": 0, "failed": 0}
    for customer in services.customers.list_all():
        if customer.is_leaving:
            continue  # the purge deletes everything of a leaving customer
        for scan, summary in services.scans.reviews(customer.customer_id):
            try:
                if not scan.in_flight and scan.created_at < cutoff:
                    delete_review(services, customer.customer_id, scan.scan_id, by="retention")
                    counts["deleted"] += 1
                elif summary is None and scan.status in PUBLISHED:
                    counts["summarised"] += _summarise(services, scan)
            except Exception:
                # One bad row must not stop the sweep: the next day's run tries it again.
                logger.exception("retention failed customer=%s scan_id=%s", customer.customer_id, scan.scan_id)
                counts["failed"] += 1
    return counts


def _summarise(services: Services, scan: ScanStatus) -> int:
    try:
        data = services.blobs.for_customer(scan.customer_id).get_report(scan.scan_id, "report.json")
    except NotFound:
        return 0
    summary = summary_from_report(data)
    if summary is None:
        return 0
    services.scans.record_review(scan.customer_id, scan.scan_id, summary)
    return 1
