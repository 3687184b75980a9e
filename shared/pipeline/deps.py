"""The pipeline's composition root: the dependencies every use case takes, real by default, fakes in tests.

Use cases never build clients themselves; they receive a `Pipeline`. `default_pipeline()` wires the real
adapters lazily (no I/O at import), so a missing setting cannot stop the function app from indexing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from azure.core.credentials import TokenCredential

from shared.analysis import ReportBundle, ScanInputs
from shared.messages import Message, Source
from shared.storage.scans import ScanStore

logger = logging.getLogger(__name__)


class CustomerLike(Protocol):
    """What the pipeline reads of a customer record (shared.storage.customers.Customer)."""

    @property
    def customer_id(self) -> str: ...
    @property
    def company(self) -> str: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def subscription_ids(self) -> tuple[str, ...]: ...
    @property
    def state(self) -> str: ...


class Customers(Protocol):
    """Customer lookup and the one state change the pipeline makes (access revoked)."""

    def get(self, customer_id: str) -> CustomerLike:
        """The customer; raises NotFound."""
        ...

    def set_state(self, customer_id: str, state: str, reason: str | None) -> None:
        """Record a lifecycle state with a plain reason."""
        ...


class BlobsLike(Protocol):
    """The customer's blobs (shared.storage.blobs.CustomerBlobs)."""

    def put_raw(self, scan_id: str, subscription_id: str, source: Source, data: bytes) -> str: ...
    def get_raw(self, scan_id: str, subscription_id: str, source: Source) -> bytes: ...
    def put_report(self, scan_id: str, name: str, data: bytes, content_type: str) -> str: ...


class Publisher(Protocol):
    """Sends messages to their queues (shared.bus.publish)."""

    def __call__(self, *messages: Message) -> None: ...


@dataclass(frozen=True)
class CollectRequest:
    """One collection: which subscription, for which scan, with the customer's credential."""

    scan_id: str
    subscription_id: str
    tenant_id: str
    credential: TokenCredential


@dataclass(frozen=True)
class Collected:
    """What a collector read: the `data` of the raw envelope, its row count and the API versions used."""

    data: dict[str, Any]
    row_count: int
    api_versions: dict[str, str]


Collector = Callable[[CollectRequest], Collected]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Pipeline:
    """Every dependency of the pipeline's use cases."""

    scans: ScanStore
    publish: Publisher
    blobs: Callable[[str], BlobsLike]
    customers: Customers
    credential_for: Callable[[CustomerLike], TokenCredential]
    collectors: Mapping[str, Collector]
    analyse: Callable[[ScanInputs], ReportBundle]
    stuck_after: dt.timedelta = dt.timedelta(minutes=60)
    max_analyse_sends: int = 3
    clock: Callable[[], dt.datetime] = field(default=_utcnow)
    # Called once a report is published (scan id, final status, bundle): the lifecycle's e-mail and audit.
    on_report: Callable[[str, str, str, ReportBundle], None] | None = None
    # The audit log (shared.audit.record): scan started.
    audit: Callable[[str, str, dict[str, Any]], None] | None = None


class _TableCustomers:
    """Customers backed by shared.storage.customers (the onboarding helper's module)."""

    def get(self, customer_id: str) -> CustomerLike:
        from shared.storage.customers import get_customer

        return get_customer(customer_id)

    def set_state(self, customer_id: str, state: str, reason: str | None) -> None:
        from shared.storage.customers import update_customer_state

        if state == "access_revoked":
            # The lifecycle's path: state, audit event and the contact's e-mail, once per revocation.
            from shared.pipeline.revalidate import mark_access_revoked

            mark_access_revoked(customer_id, reason or "access refused")
            return
        update_customer_state(customer_id, state, reason)


def _credential_for(customer: CustomerLike) -> TokenCredential:
    # The onboarding helper's module; the ignores cover the window before it lands.
    from shared.credentials import customer_credential  # type: ignore[import-not-found,unused-ignore]

    return customer_credential(customer)  # type: ignore[no-any-return,arg-type,unused-ignore]


def _analyse(inputs: ScanInputs) -> ReportBundle:
    from shared.analysis import Narrator, analyse_scan, build_narrator

    narrator: Narrator | None
    try:
        narrator = build_narrator()
    except Exception as exc:  # the analysis falls back to its deterministic narrative without one
        logger.warning("no narrator (%s): deterministic narrative", type(exc).__name__)
        narrator = None
    return analyse_scan(inputs, narrator)


def default_pipeline() -> Pipeline:
    """The real adapters: Table/Blob storage, Service Bus, the customer's tenant, the analysis."""
    from shared.bus import publish
    from shared.collectors.advisor import collect as collect_advisor
    from shared.collectors.cost import collect as collect_cost
    from shared.collectors.resource_graph import collect as collect_resource_graph
    from shared.config import get_settings
    from shared.storage.blobs import CustomerBlobs
    from shared.storage.scans import scan_store

    settings = get_settings()
    return Pipeline(
        scans=scan_store(), publish=publish, blobs=CustomerBlobs, customers=_TableCustomers(),
        credential_for=_credential_for,
        collectors={"resource-graph": collect_resource_graph, "cost": collect_cost, "advisor": collect_advisor},
        analyse=_analyse, stuck_after=dt.timedelta(minutes=settings.scan_stuck_after_minutes),
        on_report=_on_report, audit=_audit,
    )


def _audit(customer_id: str, event: str, details: dict[str, Any]) -> None:
    from shared.audit import record

    record(customer_id, event, details)


def _on_report(customer_id: str, scan_id: str, status: str, bundle: ReportBundle) -> None:
    from shared.pipeline.revalidate import report_published

    report_published(customer_id, scan_id, status, bundle)
