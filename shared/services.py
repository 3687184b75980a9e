"""The composition root: every store and adapter the use cases take, real by default, fakes in tests.

Triggers call `get_services()` (built lazily, once per worker: no I/O at import or build, so a missing
setting never stops the app from indexing, and fails only the call that needs it); tests swap the whole set
with `use_services(fake)`. Use cases take a `Services` and never build a client themselves.

Every field is either a store, which declares what it may hold about a customer (shared/storage/retention.py),
or one of NOT_STORES. `undeclared()` names any field that is neither; the purge empties `purged_stores()`.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Protocol

from azure.core.credentials import TokenCredential

from shared.analysis.engine import run_analysis
from shared.analysis.model import Narrator, ReportBundle, ScanInputs
from shared.api.models import OnboardingRequest
from shared.bus import Publisher, ScheduledPublisher, ServiceBus
from shared.collectors import Collector, advisor, cost, cost_config, resource_graph
from shared.collectors.graph_turns import GraphTurnsFor
from shared.collectors.principal_probe import AzurePrincipalProbe, PrincipalProbe
from shared.collectors.quota import QpuLedger
from shared.config import Settings, get_settings
from shared.credentials import Credentials
from shared.deadletters import DeadLetters
from shared.domain import Customer
from shared.entra import EntraSignIn, TenantSignIn
from shared.identity import caleta_credential
from shared.messages import PURGE, QUEUES
from shared.notify import Notifier, notifier_from_url
from shared.pseudonyms import PseudonymKey
from shared.queued import QueuedMessages
from shared.secrets import store_from_url
from shared.storage.account import open_account
from shared.storage.audit import AuditLog
from shared.storage.blobs import BlobStore
from shared.storage.certificates import CertificateStore
from shared.storage.customers import CustomerStore
from shared.storage.proofs import ProofStore
from shared.storage.purges import PurgeStore
from shared.storage.quota import QuotaStore
from shared.storage.ratelimits import RateLimitStore
from shared.storage.retention import Declared, Purged, PurgedStore
from shared.storage.scans import ScanStore
from shared.storage.schedules import ScheduleStore
from shared.storage.secrets import CustomerSecrets, LazySecretStore
from shared.storage.signins import SigninStore
from shared.storage.tombstones import TombstoneStore

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
Analyse = Callable[[ScanInputs], ReportBundle]


class CredentialFactory(Protocol):
    """Credentials for a customer's tenant (shared.credentials.Credentials)."""

    def for_customer(self, customer: Customer) -> TokenCredential:
        """The credential of an onboarded customer."""
        ...

    def for_request(self, request: OnboardingRequest) -> TokenCredential:
        """The credential an onboarding request describes."""
        ...

    def for_new_secret(self, customer: Customer, client_secret: str) -> TokenCredential:
        """The customer's own principal signed in with a secret not stored yet (a replacement, validated first)."""
        ...


class DeadLetterStore(PurgedStore, Protocol):
    """The dead-letter sub-queues (shared.deadletters.DeadLetters)."""

    def counts(self) -> dict[str, int]:
        """Dead-lettered messages per queue."""
        ...

@dataclass(frozen=True)
class OnboardingLimits:
    """Issue 13/14 S8: the onboarding POST's deadline and the rate limits (ONBOARDING_* settings)."""

    deadline_seconds: float = 45.0
    per_address_per_hour: int = 60
    failures_per_tenant_per_hour: int = 10


# Fields that hold nothing about anyone: behaviour, configuration and factories.
NOT_STORES = frozenset({"publish", "clock", "collectors", "analyse", "credentials", "probe_for", "stuck_after",
                        "max_analyse_sends", "deletion_deadline", "entra", "onboarding_limits",
                        "pseudonym_key", "publish_at", "purge_grace"})
# The longest an invocation can run (host.json functionTimeout) plus the longest message lock: settings
# FUNCTION_TIMEOUT_SECONDS and SERVICEBUS_LOCK_SECONDS, which tests/infra/test_clocks.py keeps equal to infra/.
DEFAULT_PURGE_GRACE = dt.timedelta(seconds=600 + 300)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    """Every dependency of every use case: the stores (each declared), then the adapters and knobs."""

    customers: CustomerStore
    scans: ScanStore
    purges: PurgeStore
    certificates: CertificateStore
    schedules: ScheduleStore
    audit: AuditLog
    quota: QuotaStore
    blobs: BlobStore
    tombstones: TombstoneStore
    secrets: CustomerSecrets
    dead_letters: DeadLetterStore
    queued: PurgedStore
    notifier: Notifier
    publish: Publisher
    publish_at: ScheduledPublisher
    collectors: Mapping[str, Collector]
    analyse: Analyse
    credentials: CredentialFactory
    probe_for: Callable[[TokenCredential], PrincipalProbe]
    # Issue 13: the onboarding proof (docs/onboarding-design.md sections 2 and 6).
    signins: SigninStore
    proofs: ProofStore
    ratelimits: RateLimitStore
    entra: TenantSignIn
    # The deployment's pseudonym key (shared/pseudonyms.py): message ids and subscriptions in logs.
    pseudonym_key: Callable[[], bytes]
    onboarding_limits: OnboardingLimits = OnboardingLimits()
    clock: Clock = _utcnow
    stuck_after: dt.timedelta = dt.timedelta(minutes=60)
    max_analyse_sends: int = 3
    deletion_deadline: dt.timedelta = dt.timedelta(days=7)
    # The purge's second pass waits this long after the first, so no invocation that began before it is left.
    purge_grace: dt.timedelta = DEFAULT_PURGE_GRACE

    def stores(self) -> list[tuple[str, object]]:
        """(field, value) of every field that is not one of NOT_STORES."""
        return [(f.name, getattr(self, f.name)) for f in fields(self) if f.name not in NOT_STORES]

    def undeclared(self) -> list[str]:
        """Fields holding a store that does not declare what it may hold about a customer (must be empty)."""
        out = []
        for name, value in self.stores():
            if not isinstance(value, Declared):
                out.append(name)
            elif isinstance(value.declaration, Purged) and not isinstance(value, PurgedStore):
                out.append(name)  # says it is purged but cannot delete or count
        return out

    def purged_stores(self) -> list[PurgedStore]:
        """Every store the purge empties, in field order, the `last` ones at the end (the customer row)."""
        first: list[PurgedStore] = []
        last: list[PurgedStore] = []
        for _, value in self.stores():
            if isinstance(value, PurgedStore) and isinstance(value.declaration, Purged):
                (last if value.declaration.last else first).append(value)
        return first + last


def _analyse_with(settings: Settings, narrator: Callable[[], Narrator]) -> Analyse:
    """The analysis with the configured narrator and prompt budget (deterministic narrative without one)."""

    def analyse(inputs: ScanInputs) -> ReportBundle:
        chosen: Narrator | None = None
        # No AI_ENDPOINT is the supported "no model" deployment (docs/deploy.md 1a): no narrator, nothing to warn of.
        if settings.ai_endpoint:
            try:
                chosen = narrator()
            except Exception as exc:  # the analysis falls back to its deterministic narrative without one
                logger.warning("no narrator (%s): deterministic narrative", type(exc).__name__)
        return run_analysis(inputs, chosen, max_prompt_tokens=settings.ai_max_prompt_tokens)

    return analyse


def _openai_narrator() -> Narrator:
    # Start-up cost: importing openai takes about 0.4 s (python -X importtime), paid only by a worker that
    # analyses, never by one that only serves HTTP or collects.
    from shared.analysis.llm import build_openai_narrator

    return build_openai_narrator()


def build_services(settings: Settings, clock: Clock = _utcnow) -> Services:
    """The real adapters over the configured account, bus, secret store, tenant and AI endpoint.

    `clock` is the one time source of the use cases, the stores and the cost collector's "today" (the UTC wall
    clock; the local world hands in its simulated tenant's calendar, local/host/clock.py).
    """
    secret_store = LazySecretStore(lambda: store_from_url(settings.secret_store_url, settings.secret_store_key))
    pseudonym_key = PseudonymKey(secret_store)
    account = open_account(clock, pseudonym_key)
    secrets = CustomerSecrets(secret_store, names=account.customers.credentials)
    bus = ServiceBus(settings.servicebus_connection, settings.servicebus_namespace, caleta_credential,
                     pseudonym_key, clock)
    ledger = QpuLedger(account.quota.table)
    collectors: dict[str, Collector] = {
        "resource-graph": functools.partial(resource_graph.collect, turns_for=GraphTurnsFor(account.quota.table)),
        "cost": functools.partial(cost.collect, history_days=settings.cost_history_days, budget=ledger, now=clock),
        "advisor": advisor.collect,
        "cost-config": cost_config.collect,
    }
    return Services(
        customers=account.customers, scans=account.scans, purges=account.purges, certificates=account.certificates,
        schedules=account.schedules, audit=account.audit, quota=account.quota, blobs=account.blobs,
        tombstones=account.tombstones, secrets=secrets, dead_letters=DeadLetters(bus.client, QUEUES),
        queued=QueuedMessages(bus.client, [q for q in QUEUES if q is not PURGE]),
        notifier=notifier_from_url(settings.notify_outbox_url, caleta_credential()),
        publish=bus.publish, publish_at=bus.publish_at, collectors=collectors,
        analyse=_analyse_with(settings, _openai_narrator),
        credentials=Credentials(settings.authority_host, settings.caleta_app_client_id, secrets, caleta_credential),
        probe_for=AzurePrincipalProbe, clock=clock, pseudonym_key=pseudonym_key,
        signins=account.signins, proofs=account.proofs, ratelimits=account.ratelimits,
        entra=EntraSignIn(settings.authority_host, caleta_credential),
        onboarding_limits=OnboardingLimits(settings.onboarding_deadline_seconds,
                                           settings.onboarding_rate_per_address_per_hour,
                                           settings.onboarding_failures_per_tenant_per_hour),
        stuck_after=dt.timedelta(minutes=settings.scan_stuck_after_minutes),
        deletion_deadline=dt.timedelta(days=settings.deletion_deadline_days),
        purge_grace=dt.timedelta(seconds=settings.function_timeout_seconds + settings.servicebus_lock_seconds),
    )


@functools.lru_cache(maxsize=1)
def _built() -> Services:
    return build_services(get_settings())


_OVERRIDES: list[Services] = []


def get_services() -> Services:
    """The services of this worker: the innermost `use_services` override, else the real ones (built once)."""
    return _OVERRIDES[-1] if _OVERRIDES else _built()


@contextmanager
def use_services(services: Services) -> Iterator[Services]:
    """Make `get_services()` answer `services` inside the block (tests hand in fakes this way)."""
    _OVERRIDES.append(services)
    try:
        yield services
    finally:
        _OVERRIDES.remove(services)


def reset_services() -> None:
    """Forget the built services, so the next call rebuilds them from the current settings (tests, local host)."""
    _built.cache_clear()
