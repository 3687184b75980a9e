"""The fakes every unit test shares: Services over in-memory stores, and handles on each fake.

Stores are the real store classes over local.memtable.MemoryTable (the one table fake); only the edges the
tests cannot run are fakes here: blob containers, the secret store, the bus, Service Bus browsing, the
notifier, the collectors, the analysis, credentials and the tenant probe.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, ResourceNotFoundError

from local.memtable import MemoryTable
from shared.analysis.model import ReportBundle, ScanInputs
from shared.collectors import Collected, CollectRequest
from shared.collectors.principal_probe import CostAccess
from shared.domain import Customer, CustomerState
from shared.errors import NotFound
from shared.messages import Message
from shared.notify import Email
from shared.services import Services
from shared.storage.audit import AuditLog
from shared.storage.blobs import BlobStore
from shared.storage.certificates import CertificateStore
from shared.storage.customers import CustomerStore
from shared.storage.purges import PurgeStore
from shared.storage.quota import QuotaStore
from shared.storage.retention import Purged, PurgeSubject
from shared.storage.scans import ScanStore
from shared.storage.schedules import ScheduleStore
from shared.storage.secrets import CustomerSecrets

CUSTOMER_ID = "0123456789abcdef0123456789abcdef"
TENANT = "11111111-1111-1111-1111-111111111111"
SUB = "aaaaaaaa-0000-0000-0000-000000000001"
API_KEY = "k" * 43
OID = "44444444-4444-4444-4444-444444444444"


def a_customer(customer_id: str = CUSTOMER_ID, *, tenant: str = TENANT, subscriptions: tuple[str, ...] = (SUB,),
               state: CustomerState = "active", schedule: str = "weekly", company: str = "Example Ltd",
               contact_email: str = "it@example.com", **overrides: Any) -> Customer:
    """A customer record for tests (client_secret mode unless overridden)."""
    values: dict[str, Any] = {
        "customer_id": customer_id, "company": company, "contact_email": contact_email, "tenant_id": tenant,
        "auth_mode": "client_secret", "client_id": "22222222-2222-2222-2222-222222222222",
        "subscription_ids": subscriptions, "schedule": schedule, "state": state, "state_reason": None,
        "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "validation": {}}
    values.update(overrides)
    return Customer(**values)


# --- blob containers ------------------------------------------------------------------------------

@dataclass
class _Blob:
    name: str


@dataclass
class _Download:
    data: bytes

    def readall(self) -> bytes:
        return self.data


@dataclass
class MemoryContainer:
    """One container of an in-memory account (ContainerClient's calls the stores make)."""

    account: dict[str, dict[str, bytes]]
    name: str

    def list_blobs(self, name_starts_with: str | None = None, **kwargs: Any) -> list[_Blob]:
        if self.name not in self.account:
            raise ResourceNotFoundError("The specified container does not exist.")
        return [_Blob(n) for n in sorted(self.account[self.name]) if n.startswith(name_starts_with or "")]

    def download_blob(self, blob: str, **kwargs: Any) -> _Download:
        try:
            return _Download(self.account[self.name][blob])
        except KeyError:
            raise ResourceNotFoundError("The specified blob does not exist.") from None

    def upload_blob(self, name: str, data: bytes, **kwargs: Any) -> None:
        self.account.setdefault(self.name, {})[name] = data

    def create_container(self, **kwargs: Any) -> None:
        self.account.setdefault(self.name, {})

    def delete_blob(self, blob: str, **kwargs: Any) -> None:
        if blob not in self.account.get(self.name, {}):
            raise ResourceNotFoundError("The specified blob does not exist.")
        del self.account[self.name][blob]

    def delete_container(self, **kwargs: Any) -> None:
        if self.name not in self.account:
            raise ResourceNotFoundError("The specified container does not exist.")
        del self.account[self.name]


# --- secret store, bus, messages, notifier ----------------------------------------------------------

class MemorySecretStore:
    """Secrets in a dict."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def get(self, name: str) -> str:
        try:
            return self.values[name]
        except KeyError:
            raise NotFound("no such secret") from None

    def delete(self, name: str) -> None:
        self.values.pop(name, None)

    def exists(self, name: str) -> bool:
        return name in self.values


class RecordingBus:
    """Publishes into a list (thread-safe); `fail` makes the next that many publishes raise."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.fail = 0
        self._lock = threading.Lock()

    def __call__(self, *messages: Message) -> None:
        with self._lock:
            if self.fail:
                self.fail -= 1
                raise RuntimeError("bus down")
            self.sent.extend(messages)

    def of(self, kind: type[Message]) -> list[Message]:
        return [m for m in self.sent if isinstance(m, kind)]


class MemoryMessages:
    """Messages held on a bus, by the customer each names; `stuck` keeps them from being removed."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.declaration = Purged(holds=f"test {name}")
        self.held: list[str] = []
        self.stuck = False

    def counts(self) -> dict[str, int]:
        return {"queue": len(self.held)}

    def delete_customer(self, subject: PurgeSubject) -> int:
        if self.stuck:
            return 0
        before = len(self.held)
        self.held = [c for c in self.held if c != subject.customer_id]
        return before - len(self.held)

    def count_customer(self, subject: PurgeSubject) -> int:
        return self.held.count(subject.customer_id)


class MemoryOutbox:
    """A notifier that keeps what it was asked to send (and is purged like the local outbox)."""

    name = "outbox"
    declaration = Purged(holds="test e-mails")

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> None:
        self.sent.append(email)

    def _about(self, customer_id: str) -> list[Email]:
        return [e for e in self.sent if e.customer_id == customer_id or customer_id in e.body]

    def delete_customer(self, subject: PurgeSubject) -> int:
        doomed = self._about(subject.customer_id)
        self.sent = [e for e in self.sent if e not in doomed]
        return len(doomed)

    def count_customer(self, subject: PurgeSubject) -> int:
        return len(self._about(subject.customer_id))


# --- the tenant: credentials, probe, collectors, analysis -------------------------------------------

def a_token(oid: str = OID, tenant: str = TENANT) -> str:
    """An unsigned JWT carrying oid and tid (sign_in only reads it)."""
    claims = base64.urlsafe_b64encode(json.dumps({"oid": oid, "tid": tenant}).encode()).decode().rstrip("=")
    return f"e30.{claims}.sig"


class FakeCredential:
    """Issues a token naming OID, or refuses with an Entra message."""

    def __init__(self, refusal: str | None = None) -> None:
        self.refusal = refusal

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        if self.refusal:
            raise ClientAuthenticationError(message=self.refusal)
        return AccessToken(a_token(), 2_000_000_000)


class FakeCredentials:
    """The credential factory: one credential for every customer and request."""

    def __init__(self) -> None:
        self.credential: Any = FakeCredential()

    def for_customer(self, customer: Any) -> Any:
        return self.credential

    def for_request(self, request: Any) -> Any:
        return self.credential


class FakeProbe:
    """A tenant described by containers, assignments, definitions and cost answers."""

    def __init__(self) -> None:
        self.containers: dict[str, dict[str, Any]] = {}
        self.assignments: list[dict[str, Any]] = []
        self.definitions: list[dict[str, Any]] = []
        self.cost: dict[str, tuple[CostAccess, str | None]] = {}
        self.cost_calls: list[str] = []

    def add_subscription(self, sub: str, quota_id: str = "PayAsYouGo_2014-09-01", mgs: tuple[str, ...] = ()) -> None:
        self.containers[sub] = {"id": f"/subscriptions/{sub}", "name": f"Sub {sub[:4]}", "subscriptionId": sub,
                                "properties": {"subscriptionPolicies": {"quotaId": quota_id},
                                               "managementGroupAncestorsChain": [{"name": m} for m in mgs]}}

    def assign(self, role: str, scope: str) -> None:
        self.assignments.append({"id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/x",
                                 "roleDefinitionId": f"/providers/Microsoft.Authorization/roleDefinitions/{role}",
                                 "scope": scope})

    def subscriptions(self, subscription_ids: list[str]) -> list[dict[str, Any]]:
        return [self.containers[s] for s in subscription_ids if s in self.containers]

    def role_assignments(self, object_id: str, subscription_ids: list[str]) -> list[dict[str, Any]]:
        assert object_id == OID
        return self.assignments

    def role_definitions(self, role_ids: list[str], subscription_ids: list[str]) -> list[dict[str, Any]]:
        return [d for d in self.definitions if d["name"] in role_ids]

    def cost_access(self, subscription_id: str) -> tuple[CostAccess, str | None]:
        self.cost_calls.append(subscription_id)
        return self.cost.get(subscription_id, ("ok", None))


@dataclass
class FakeCollector:
    """Returns fixed data per source and counts calls; `fail` raises the given exception instead."""

    rows: int = 2
    fail: Exception | None = None
    calls: list[CollectRequest] = field(default_factory=list)

    def __call__(self, request: CollectRequest) -> Collected:
        self.calls.append(request)
        if self.fail is not None:
            raise self.fail
        return Collected(data={"rows": list(range(self.rows))}, row_count=self.rows, api_versions={"fake": "1"})


class FakeAnalysis:
    """Records every ScanInputs it is given and renders a tiny report from them."""

    def __init__(self) -> None:
        self.inputs: list[Any] = []

    def __call__(self, inputs: ScanInputs) -> ReportBundle:
        self.inputs.append(inputs)
        counts = {s.subscription_id: sorted(s.raw) for s in inputs.subscriptions}
        return ReportBundle(report_json=repr((inputs.generated_at.isoformat(), counts)).encode(),
                            report_html=b"<html></html>", findings_csv=b"id\n", findings_count=0,
                            total_monthly_savings=0.0, currency="GBP", narrative_source="deterministic")


class Clock:
    """A settable clock."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


# --- the world -------------------------------------------------------------------------------------

TABLES = ("customers", "scans", "purges", "certificates", "schedules", "audit", "costquota")


@dataclass
class World:
    """Services over fakes, and a handle on every fake."""

    services: Services
    tables: dict[str, MemoryTable]
    account: dict[str, dict[str, bytes]]
    bus: RecordingBus
    secret_store: MemorySecretStore
    outbox: MemoryOutbox
    dead: MemoryMessages
    queued: MemoryMessages
    collectors: dict[str, FakeCollector]
    analysis: FakeAnalysis
    credentials: FakeCredentials
    probe: FakeProbe
    clock: Clock

    @property
    def customers(self) -> CustomerStore:
        return self.services.customers

    @property
    def scans(self) -> ScanStore:
        return self.services.scans

    @property
    def blobs(self) -> dict[tuple[str, str], bytes]:
        """Every blob as {(customer id, name): bytes} (containers are c-{customer id})."""
        return {(container[2:], name): data for container, blobs in self.account.items()
                for name, data in blobs.items()}

    def add_customer(self, customer: Customer, api_key: str = API_KEY) -> Customer:
        self.services.customers.create(customer, api_key)
        return customer


def make_world(*subscriptions: str, state: CustomerState = "active", with_customer: bool = True) -> World:
    """Services over fakes with one customer (CUSTOMER_ID) owning `subscriptions`."""
    clock = Clock()
    tables = {name: MemoryTable() for name in TABLES}
    account: dict[str, dict[str, bytes]] = {}
    bus, secret_store, outbox = RecordingBus(), MemorySecretStore(), MemoryOutbox()
    dead, queued = MemoryMessages("dead_letters"), MemoryMessages("messages")
    collectors = {s: FakeCollector() for s in ("resource-graph", "cost", "advisor")}
    analysis, credentials, probe = FakeAnalysis(), FakeCredentials(), FakeProbe()
    customers = CustomerStore(tables["customers"])
    services = Services(
        customers=customers, scans=ScanStore(tables["scans"], clock=clock), purges=PurgeStore(tables["purges"]),
        certificates=CertificateStore(tables["certificates"]), schedules=ScheduleStore(tables["schedules"]),
        audit=AuditLog(tables["audit"], clock=clock), quota=QuotaStore(tables["costquota"], customers),
        blobs=BlobStore(lambda cid: MemoryContainer(account, f"c-{cid}")),
        secrets=CustomerSecrets(secret_store), dead_letters=dead, queued=queued, notifier=outbox, publish=bus,
        collectors=collectors, analyse=analysis, credentials=credentials, probe_for=lambda _credential: probe,
        clock=clock)
    world = World(services, tables, account, bus, secret_store, outbox, dead, queued, collectors, analysis,
                  credentials, probe, clock)
    if with_customer:
        world.add_customer(a_customer(subscriptions=subscriptions or (SUB,), state=state))
    return world
