"""Caleta's storage account as stores: every table opened (lazily) and named here, and the blob store.

The composition root (shared/services.py) takes its stores from here, so no table is named or opened
outside shared/storage/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from shared.storage.audit import AUDIT_TABLE, AuditLog
from shared.storage.blobs import CONTAINER_PREFIX, BlobStore, container_name
from shared.storage.certificates import CERTIFICATES_TABLE, CertificateStore
from shared.storage.clients import LazyTable, blob_service
from shared.storage.customers import CUSTOMERS_TABLE, CustomerStore
from shared.storage.proofs import PROOFS_TABLE, ProofStore
from shared.storage.purges import PURGES_TABLE, PurgeStore
from shared.storage.quota import QUOTA_TABLE, QuotaStore
from shared.storage.ratelimits import RATELIMITS_TABLE, RateLimitStore
from shared.storage.scans import SCANS_TABLE, ScanStore
from shared.storage.schedules import SCHEDULES_TABLE, ScheduleStore
from shared.storage.signins import SIGNINS_TABLE, SigninStore
from shared.storage.tombstones import TOMBSTONES_TABLE, TombstoneStore


@dataclass(frozen=True)
class AccountStores:
    """One store per table, and the blob store, of the configured account."""

    customers: CustomerStore
    scans: ScanStore
    purges: PurgeStore
    certificates: CertificateStore
    schedules: ScheduleStore
    audit: AuditLog
    quota: QuotaStore
    blobs: BlobStore
    # Issue 13: the onboarding proof (docs/onboarding-design.md section 6).
    signins: SigninStore
    proofs: ProofStore
    ratelimits: RateLimitStore
    tombstones: TombstoneStore


def open_account(clock: Callable[[], dt.datetime], pseudonym_key: Callable[[], bytes]) -> AccountStores:
    """Every store over the configured account; nothing is opened until a store is first used.

    `pseudonym_key` is the deployment's key (shared/pseudonyms.py) the rate-limit counters are keyed under."""
    customers = CustomerStore(LazyTable(CUSTOMERS_TABLE))
    return AccountStores(
        customers=customers, scans=ScanStore(LazyTable(SCANS_TABLE), clock=clock),
        purges=PurgeStore(LazyTable(PURGES_TABLE)), certificates=CertificateStore(LazyTable(CERTIFICATES_TABLE)),
        schedules=ScheduleStore(LazyTable(SCHEDULES_TABLE)), audit=AuditLog(LazyTable(AUDIT_TABLE), clock=clock),
        quota=QuotaStore(LazyTable(QUOTA_TABLE), customers),
        blobs=BlobStore(lambda customer_id: blob_service().get_container_client(container_name(customer_id)),
                        lambda: (c.name for c in blob_service().list_containers(name_starts_with=CONTAINER_PREFIX))),
        tombstones=TombstoneStore(LazyTable(TOMBSTONES_TABLE)),
        signins=SigninStore(LazyTable(SIGNINS_TABLE)), proofs=ProofStore(LazyTable(PROOFS_TABLE)),
        ratelimits=RateLimitStore(LazyTable(RATELIMITS_TABLE), pseudonym_key))
