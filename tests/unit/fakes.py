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
from shared.auth.errors import EntraRefused
from shared.auth.id_token import IdentityClaims
from shared.collectors import Collected, CollectRequest
from shared.collectors.principal_probe import CostAccess, GraphView
from shared.domain import Customer, CustomerState
from shared.errors import NotFound
from shared.messages import SOURCES, Message
from shared.notify import Email
from shared.pseudonyms import PseudonymKey
from shared.services import Services
from shared.storage.audit import AuditLog
from shared.storage.blobs import BlobStore
from shared.storage.certificates import CertificateStore
from shared.storage.customers import CustomerStore
from shared.storage.proofs import ProofStore
from shared.storage.purges import PurgeStore
from shared.storage.quota import QuotaStore
from shared.storage.ratelimits import RateLimitStore
from shared.storage.retention import Purged, PurgeSubject
from shared.storage.scans import ScanStore
from shared.storage.schedules import ScheduleStore
from shared.storage.secrets import CustomerSecrets
from shared.storage.signins import SigninStore
from shared.storage.tombstones import TombstoneStore

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
    tags: dict[str, dict[str, str]] = field(default_factory=dict)

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
        # As in Azure: a write into a missing container is refused (ContainerNotFound), never creates it.
        if self.name not in self.account:
            raise ResourceNotFoundError("The specified container does not exist.")
        self.account[self.name][name] = data
        self.tags[name] = dict(kwargs.get("tags") or {})

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

    def create_once(self, name: str, value: str) -> str:
        return self.values.setdefault(name, value)


class RecordingBus:
    """Publishes into a list (thread-safe); `fail` makes the next that many publishes raise; `at` schedules."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.scheduled: list[tuple[Message, dt.datetime]] = []
        self.fail = 0
        self._lock = threading.Lock()

    def at(self, message: Message, at: dt.datetime) -> None:
        with self._lock:
            if self.fail:
                self.fail -= 1
                raise RuntimeError("bus down")
            self.scheduled.append((message, at))

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
    """The credential factory: one credential for every customer and request; a replacement secret listed in
    `refused_secrets` is refused as Entra refuses a wrong secret."""

    def __init__(self) -> None:
        self.credential: Any = FakeCredential()
        self.refused_secrets: set[str] = set()

    def for_new_secret(self, customer: Any, client_secret: str) -> Any:
        if client_secret in self.refused_secrets:
            return FakeCredential("AADSTS7000215: Invalid client secret provided.")
        return self.credential

    def for_customer(self, customer: Any) -> Any:
        return self.credential

    def for_request(self, request: Any) -> Any:
        return self.credential


# Roles whose `*/read` lets a principal list role assignments (built-in roles, learn.microsoft.com).
_LISTS_ASSIGNMENTS = frozenset({"acdd72a7-3385-48ef-bd42-f606fba81ae7", "b24988ac-6180-42a0-ab88-20f7382dd24c",
                                "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"})


class FakeProbe:
    """A tenant described by containers, assignments, definitions and cost answers.

    As in Azure, the principal may list its role assignments on a subscription only when a role with `*/read`
    (Reader, Contributor, Owner, User Access Administrator, or a custom role reading everything) applies at the
    subscription or above; the list then holds every assignment at, above or below it.
    """

    def __init__(self) -> None:
        self.containers: dict[str, dict[str, Any]] = {}
        self.assignments: list[dict[str, Any]] = []
        self.definitions: list[dict[str, Any]] = []
        self.cost: dict[str, tuple[CostAccess, str | None]] = {}
        self.resources: dict[str, int] = {}
        self.unfinished: set[str] = set()
        self.cost_calls: list[str] = []
        self.list_calls: list[str] = []
        self.on_call: Any = None  # called with the method's name before each answer (deadline tests)

    def add_subscription(self, sub: str, quota_id: str = "PayAsYouGo_2014-09-01", mgs: tuple[str, ...] = ()) -> None:
        self.containers[sub] = {"id": f"/subscriptions/{sub}", "name": f"Sub {sub[:4]}", "subscriptionId": sub,
                                "properties": {"subscriptionPolicies": {"quotaId": quota_id},
                                               "managementGroupAncestorsChain": [{"name": m} for m in mgs]}}

    def assign(self, role: str, scope: str, principal: str = OID) -> None:
        self.assignments.append({"id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/x",
                                 "properties": {"roleDefinitionId":
                                                f"/providers/Microsoft.Authorization/roleDefinitions/{role}",
                                                "scope": scope, "principalId": principal}})

    def _tick(self, name: str) -> None:
        if self.on_call is not None:
            self.on_call(name)

    def _related(self, sub: str) -> list[dict[str, Any]]:
        chain = self.containers.get(sub, {}).get("properties", {}).get("managementGroupAncestorsChain", [])
        groups = {str(g["name"]).lower() for g in chain}
        out = []
        for row in self.assignments:
            scope = row["properties"]["scope"].lower()
            if scope.startswith("/providers/microsoft.management/managementgroups/"):
                if scope.rsplit("/", 1)[-1] in groups:
                    out.append(row)
            elif scope == f"/subscriptions/{sub}" or scope.startswith(f"/subscriptions/{sub}/"):
                out.append(row)
        return out

    def _reads_everything(self, row: dict[str, Any]) -> bool:
        role = row["properties"]["roleDefinitionId"].rsplit("/", 1)[-1]
        if "/resourcegroups/" in row["properties"]["scope"].lower():
            return False
        if role in _LISTS_ASSIGNMENTS:
            return True
        definition = next((d for d in self.definitions if d["name"] == role), {})
        permissions = definition.get("permissions") or definition.get("properties", {}).get("permissions") or []
        return any(a in ("*", "*/read") for p in permissions for a in p.get("actions", []))

    def graph(self, subscription_ids: list[str], deadline: Any) -> GraphView:
        self._tick("graph")
        return GraphView(containers={s: self.containers[s] for s in subscription_ids if s in self.containers},
                         resource_counts={s: n for s, n in self.resources.items() if s in subscription_ids},
                         unfinished={s for s in subscription_ids if s in self.unfinished})

    def role_assignments(self, object_id: str, subscription_id: str, deadline: Any) -> list[dict[str, Any]] | None:
        assert object_id == OID
        self._tick("role_assignments")
        self.list_calls.append(subscription_id)
        related = self._related(subscription_id)
        return related if any(self._reads_everything(r) for r in related) else None

    def role_definition(self, role_id: str, subscription_id: str, deadline: Any) -> dict[str, Any] | None:
        return next((d for d in self.definitions if d["name"] == role_id), None)

    def cost_access(self, subscription_id: str, deadline: Any) -> tuple[CostAccess, str | None]:
        self._tick("cost_access")
        self.cost_calls.append(subscription_id)
        return self.cost.get(subscription_id, ("ok", None))


class FakeEntra:
    """Entra for onboarding sign-ins: `users[code]` is who a code signs in (or the exception redeeming it
    raises); `access[tenant]` is whether Caleta's app can sign in there ("ok" unless set)."""

    def __init__(self) -> None:
        self.users: dict[str, IdentityClaims | Exception] = {}
        self.access: dict[str, Any] = {}
        self.redeemed: list[tuple[str, str, str, str, str]] = []

    def signs_in(self, code: str, tenant: str = TENANT, oid: str = OID, *, admin: bool = True,
                 wids: bool = True) -> None:
        self.users[code] = IdentityClaims(tenant, oid, is_admin=admin, has_wids=wids)

    def refuses(self, code: str, aadsts: int) -> None:
        self.users[code] = EntraRefused("invalid_grant", aadsts, 400)

    def identity(self, tenant_id: str, code: str, code_verifier: str, redirect_uri: str,
                 nonce: str) -> IdentityClaims:
        self.redeemed.append((tenant_id, code, code_verifier, redirect_uri, nonce))
        found = self.users.get(code, EntraRefused("invalid_grant", 9002313, 400))
        if isinstance(found, Exception):
            raise found
        return found

    def app_access(self, tenant_id: str) -> Any:
        found = self.access.get(tenant_id, "ok")
        if isinstance(found, Exception):
            raise found
        return found


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
                            total_monthly_savings=0.0, currency="GBP", narrative_source="deterministic",
                            narrative_fallback_reason="no_model")


class Clock:
    """A settable clock."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


# --- the world -------------------------------------------------------------------------------------

TABLES = ("customers", "scans", "purges", "certificates", "schedules", "audit", "costquota", "signins", "proofs",
          "ratelimits", "tombstones")


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
    entra: FakeEntra

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
        """Record the customer and create its container, as onboarding does."""
        self.services.customers.create(customer, api_key)
        self.services.blobs.create_container(customer.customer_id)
        return customer


def make_world(*subscriptions: str, state: CustomerState = "active", with_customer: bool = True) -> World:
    """Services over fakes with one customer (CUSTOMER_ID) owning `subscriptions`."""
    clock = Clock()
    tables = {name: MemoryTable() for name in TABLES}
    account: dict[str, dict[str, bytes]] = {}
    bus, secret_store, outbox = RecordingBus(), MemorySecretStore(), MemoryOutbox()
    dead, queued = MemoryMessages("dead_letters"), MemoryMessages("messages")
    collectors: dict[str, FakeCollector] = {s: FakeCollector() for s in SOURCES}
    analysis, credentials, probe, entra = FakeAnalysis(), FakeCredentials(), FakeProbe(), FakeEntra()
    customers = CustomerStore(tables["customers"])
    services = Services(
        customers=customers, scans=ScanStore(tables["scans"], clock=clock), purges=PurgeStore(tables["purges"]),
        certificates=CertificateStore(tables["certificates"]), schedules=ScheduleStore(tables["schedules"]),
        audit=AuditLog(tables["audit"], clock=clock), quota=QuotaStore(tables["costquota"], customers),
        blobs=BlobStore(lambda cid: MemoryContainer(account, f"c-{cid}"), lambda: list(account)),
        tombstones=TombstoneStore(tables["tombstones"]),
        secrets=CustomerSecrets(secret_store, names=customers.credentials), dead_letters=dead, queued=queued,
        notifier=outbox, publish=bus, publish_at=bus.at,
        collectors=collectors, analyse=analysis, credentials=credentials, probe_for=lambda _credential: probe,
        signins=SigninStore(tables["signins"]), proofs=ProofStore(tables["proofs"]),
        ratelimits=RateLimitStore(tables["ratelimits"], key=lambda: b"k" * 32), entra=entra,
        pseudonym_key=PseudonymKey(secret_store), clock=clock)
    world = World(services, tables, account, bus, secret_store, outbox, dead, queued, collectors, analysis,
                  credentials, probe, clock, entra)
    if with_customer:
        world.add_customer(a_customer(subscriptions=subscriptions or (SUB,), state=state))
    return world
