"""Analyse a collected scan (analyse trigger): load the raw blobs, run the analysis, publish the report.

Idempotent: the report blobs have fixed names (overwrite) and `generated_at` is the time collection ended, so
a redelivery while the scan is still analysing renders the same bytes; once complete or partial, a duplicate
is a no-op (no second model call). The call that publishes the report audits the scan's end and e-mails the
contact, once.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
from typing import Protocol

from pydantic import ValidationError

from shared.analysis.changes import read_previous
from shared.analysis.columnar import compact_cost_data
from shared.analysis.model import ReportBundle, ScanInputs, SubscriptionInputs
from shared.analysis.shared_strings import share_strings
from shared.domain import Customer, ScanState, ScanStatus
from shared.errors import NotFound
from shared.messages import SOURCES, AnalyseScan, Source
from shared.notify import emails, send_quietly
from shared.observability import log_context
from shared.pipeline.analysis_memory import estimate_mb, worker_share
from shared.pipeline.guard import refusal, write_checked
from shared.pipeline.reviews import previous_report, summary_of
from shared.rawdata import RawEnvelope, decode
from shared.services import Services
from shared.storage.blobs import CustomerBlobs

logger = logging.getLogger(__name__)

_CONTENT_TYPES = {"report.json": "application/json", "report.html": "text/html; charset=utf-8",
                  "findings.csv": "text/csv; charset=utf-8"}


class RawBlobs(Protocol):
    """Where the raw envelopes of a scan are read from (the customer's blobs; a directory in the benchmark)."""

    def get_raw(self, scan_id: str, subscription_id: str, source: Source) -> bytes: ...


def _subscription_facts(raw: dict[str, RawEnvelope], subscription_id: str) -> tuple[str | None, str | None]:
    """Display name and offer (quotaId) from the subscription's own resourcecontainers row, when collected."""
    graph = raw.get("resource-graph")
    for row in (graph.data.get("resource_containers", []) if graph else []):
        if str(row.get("type", "")).lower() == "microsoft.resources/subscriptions" and \
                str(row.get("subscriptionId", "")).lower() == subscription_id:
            policies = (row.get("properties") or {}).get("subscriptionPolicies") or {}
            return row.get("name"), policies.get("quotaId")
    return None, None


@dataclasses.dataclass
class FetchedRaw:
    """A scan's raw blobs as stored (gzip), read before any is decoded, and why each other one is absent."""

    blobs: dict[tuple[str, Source], bytes]
    missing: dict[tuple[str, Source], str]

    def gzip_bytes(self) -> dict[str, int]:
        """Compressed bytes per source (what the analysis's memory is estimated from)."""
        sizes: dict[str, int] = {}
        for (_, source), data in self.blobs.items():
            sizes[source] = sizes.get(source, 0) + len(data)
        return sizes


def fetch_raw(scan: ScanStatus, blobs: RawBlobs) -> FetchedRaw:
    """Every raw blob the scan's tasks wrote, still compressed; a task not succeeded or a blob gone is named."""
    outcomes = {(t.subscription_id, t.source): t for t in scan.tasks}
    fetched = FetchedRaw({}, {})
    for sub in scan.subscription_ids:
        for source in SOURCES:
            task = outcomes.get((sub, source))
            if task is None or task.outcome != "succeeded":
                fetched.missing[(sub, source)] = (task.reason if task and task.reason else "not collected")
                continue
            try:
                fetched.blobs[(sub, source)] = blobs.get_raw(scan.scan_id, sub, source)
            except NotFound:
                fetched.missing[(sub, source)] = "raw data missing"
    return fetched


def build_inputs(scan: ScanStatus, company: str, blobs: RawBlobs) -> ScanInputs:
    """The analysis input of a scan: every raw envelope that was written, and why each other one is absent."""
    return decode_inputs(scan, company, fetch_raw(scan, blobs))


def decode_inputs(scan: ScanStatus, company: str, fetched: FetchedRaw) -> ScanInputs:
    """The analysis input from the fetched blobs (each one's bytes released as it is decoded)."""
    # Decoded JSON holds no reference cycles, but millions of fresh lists and dicts make the cyclic collector
    # rescan everything loaded so far again and again (a third of the load time on a 100k-resource estate).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _decode_inputs(scan, company, fetched)
    finally:
        if collecting:
            gc.enable()


def _decode_inputs(scan: ScanStatus, company: str, fetched: FetchedRaw) -> ScanInputs:
    # Every envelope's equal strings held once (shared/analysis/shared_strings.py): ids, types, locations and tag
    # values repeat across sources and subscriptions.
    strings: dict[str, str] = {}
    subscriptions = []
    for sub in scan.subscription_ids:
        raw: dict[str, RawEnvelope] = {}
        missing: dict[str, str] = {}
        for source in SOURCES:
            if (sub, source) in fetched.missing:
                missing[source] = fetched.missing[(sub, source)]
                continue
            try:
                envelope = decode(fetched.blobs.pop((sub, source)))
                if source == "cost":
                    # Millions of rows on a large estate: hold them by column (see shared/analysis/columnar.py).
                    envelope = envelope.model_copy(update={"data": compact_cost_data(envelope.data, strings)})
                else:
                    share_strings(envelope.data, strings)
                raw[source] = envelope
            except (ValidationError, ValueError, OSError):
                missing[source] = "raw data unreadable"
        name, quota_id = _subscription_facts(raw, sub)
        subscriptions.append(SubscriptionInputs(subscription_id=sub, display_name=name, quota_id=quota_id,
                                                raw=raw, missing=missing))
    generated_at = max(t.updated_at for t in scan.tasks) if scan.tasks else scan.updated_at
    return ScanInputs(customer_id=scan.customer_id, scan_id=scan.scan_id, company=company,
                      generated_at=generated_at, subscriptions=subscriptions)


def analyse_scan(message: AnalyseScan, services: Services) -> str:
    """Render and store the report, then mark the scan complete (or partial); returns the final status."""
    log = log_context(logger, customer_id=message.customer_id, scan_id=message.scan_id)
    try:
        scan = services.scans.get(message.customer_id, message.scan_id)
    except NotFound:
        log.warning("analysis for an unknown scan: dropped")
        return "dropped"
    if scan.status != "analysing":
        log.info("scan is %s: analysis not needed", scan.status)
        return scan.status
    try:
        customer = services.customers.get(message.customer_id)
    except NotFound:
        services.scans.transition(message.customer_id, message.scan_id, {"analysing"}, "failed",
                                  reason="customer no longer exists")
        return "failed"
    if customer.is_leaving:
        log.info("customer %s: analysis dropped", customer.state)
        return "dropped"
    blobs = services.blobs.for_customer(message.customer_id)
    # "Since your last review" (issue 15): the customer's previous published review, whatever its schema version.
    # Read first, keeping only the fields compared: its bytes and the parse's working memory come and go before
    # the raw data is loaded (read after the load, the 100,000-resource bench peaked 17 MB higher).
    previous = read_previous(previous_report(services, message.customer_id, message.scan_id))
    fetched = fetch_raw(scan, blobs)
    need = estimate_mb(fetched.gzip_bytes())
    # The worker's other analyses and this one must fit the instance together (shared/pipeline/analysis_memory.py),
    # until the report files, the last large things it holds, are written.
    with worker_share().hold(need):
        inputs = dataclasses.replace(decode_inputs(scan, customer.company, fetched), previous=previous)
        bundle = services.analyse(inputs)
        generated_at = inputs.generated_at
        del inputs
        files = {"report.json": bundle.report_json, "report.html": bundle.report_html,
                 "findings.csv": bundle.findings_csv}
        written = _write_reports(services, blobs, message.scan_id, files)
    if not written:
        log.info("customer left while the report was analysed: nothing kept, analysis dropped")
        return "dropped"
    # The review history reads this summary instead of the reports (written before the scan is published).
    services.scans.record_review(message.customer_id, message.scan_id, summary_of(bundle, generated_at))
    services.scans.record_narrative(message.customer_id, message.scan_id, bundle.narrative_source,
                                    bundle.narrative_fallback_reason)
    failed = [t for t in scan.tasks if t.outcome == "failed"]
    status: ScanState = "partial" if failed else "complete"
    reason = f"{len(failed)} of {len(scan.tasks)} collection tasks failed" if failed else None
    moved = services.scans.transition(message.customer_id, message.scan_id, {"analysing"}, status,
                                      reason=reason, reports=list(files))
    if moved and refusal(services, message.customer_id) is None:
        _announce(services, customer, message.scan_id, status, bundle)
    log.info("report published: %s findings=%s narrative=%s", status, bundle.findings_count,
             bundle.narrative_source)
    return status


def _write_reports(services: Services, blobs: CustomerBlobs, scan_id: str, files: dict[str, bytes]) -> bool:
    """Write the report files unless the customer left meanwhile (the write-time check, shared/pipeline/guard.py)."""
    def write() -> list[str]:
        written: list[str] = []
        try:
            for name, data in files.items():
                written.append(blobs.put_report(scan_id, name, data, _CONTENT_TYPES[name]))
        except Exception:
            remove(written)  # a half-written report is never left behind, whoever stopped it
            raise
        return written

    def remove(names: list[str]) -> None:
        for name in names:
            blobs.delete(name)

    return write_checked(services, blobs.customer_id, write, remove) is not None


def _announce(services: Services, customer: Customer, scan_id: str, status: str, bundle: ReportBundle) -> None:
    """The report is out: audit the scan's end and tell the contact (headline figures and a link only)."""
    services.audit.record(customer.customer_id, "scan_ended", {"scan_id": scan_id, "status": status,
                                                               "findings": int(bundle.findings_count)})
    send_quietly(emails.review_ready(customer.contact_email, customer.customer_id, scan_id,
                                     int(bundle.findings_count), float(bundle.total_monthly_savings),
                                     str(bundle.currency), status), services.notifier)
