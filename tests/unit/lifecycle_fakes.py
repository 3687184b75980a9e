"""Fakes for the lifecycle's ports: tables that delete, a container, a notifier that records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from azure.core.exceptions import ResourceNotFoundError

from shared.notify import Email
from shared.pipeline.purge import PurgeDeps
from shared.storage.customers import Customer
from tests.unit.onboarding_fakes import FakeSecretStore
from tests.unit.pipeline_fakes import FakeTable


class Table(FakeTable):
    """The pipeline's fake Table plus delete_entity (idempotent, like the service)."""

    def delete_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> None:
        with self.lock:
            self.rows.pop((partition_key, row_key), None)

    def partition(self, key: str) -> list[dict[str, Any]]:
        """Rows of one partition (assertions)."""
        return [dict(v) for (pk, _), v in sorted(self.rows.items()) if pk == key]


@dataclass
class _Blob:
    name: str


@dataclass
class _Download:
    data: bytes

    def readall(self) -> bytes:
        return self.data


@dataclass
class Container:
    """One container of an in-memory account."""

    account: dict[str, dict[str, bytes]]
    name: str

    def list_blobs(self, name_starts_with: str | None = None, **kwargs: Any) -> list[_Blob]:
        if self.name not in self.account:
            raise ResourceNotFoundError("no container")
        return [_Blob(n) for n in sorted(self.account[self.name]) if n.startswith(name_starts_with or "")]

    def download_blob(self, blob: str, **kwargs: Any) -> _Download:
        try:
            return _Download(self.account[self.name][blob])
        except KeyError:
            raise ResourceNotFoundError("no blob") from None

    def upload_blob(self, name: str, data: bytes, **kwargs: Any) -> None:
        self.account.setdefault(self.name, {})[name] = data

    def create_container(self, **kwargs: Any) -> None:
        self.account.setdefault(self.name, {})

    def delete_container(self, **kwargs: Any) -> None:
        if self.name not in self.account:
            raise ResourceNotFoundError("no container")
        del self.account[self.name]


class Outbox:
    """A notifier that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> None:
        self.sent.append(email)


def customer(customer_id: str, *, tenant: str = "t1", state: str = "active", schedule: str = "weekly") -> Customer:
    """A customer record for tests."""
    return Customer(customer_id=customer_id, company="Acme Ltd", contact_email="it@acme.example", tenant_id=tenant,
                    auth_mode="client_secret", client_id="app", subscription_ids=("sub-1",),
                    schedule=schedule, state=state, state_reason=None,  # type: ignore[arg-type]
                    created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


@dataclass
class PurgeWorld:
    """Every store the purge touches, in memory."""

    purges: Table = field(default_factory=Table)
    customers: Table = field(default_factory=Table)
    scans: Table = field(default_factory=Table)
    audit: Table = field(default_factory=Table)
    schedules: Table = field(default_factory=Table)
    quota: Table = field(default_factory=Table)
    certificates: Table = field(default_factory=Table)
    account: dict[str, dict[str, bytes]] = field(default_factory=dict)
    secrets: FakeSecretStore = field(default_factory=FakeSecretStore)
    dead: list[str] = field(default_factory=list)  # customer ids named by dead-lettered messages
    outbox: Outbox = field(default_factory=Outbox)
    now: dt.datetime = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def drain(self, customer_id: str) -> int:
        before = len(self.dead)
        self.dead = [c for c in self.dead if c != customer_id]
        return before - len(self.dead)

    def deps(self) -> PurgeDeps:
        return PurgeDeps(purges=self.purges, customers=self.customers,
                         partitioned={"scans": self.scans, "audit": self.audit, "schedules": self.schedules},
                         quota=self.quota, container=lambda cid: Container(self.account, f"c-{cid}"),
                         secrets=self.secrets, certificates=self.certificates, drain_dead_letters=self.drain,
                         count_dead_letters=lambda cid: self.dead.count(cid), notifier=self.outbox,
                         audit_store=self.audit, clock=lambda: self.now)
