"""What each store may hold about a customer, and what the purge does with it: the 7-day promise, declared.

Every store in shared.services.Services carries a `name` and a `declaration`:

- `Purged`: it can hold data about a customer; the purge calls `delete_customer` and verification calls
  `count_customer` (which must answer 0 before a certificate is issued). `kept` names what stays by design
  and why (a quota-ledger row another customer of the same tenant still uses); `last` stores are emptied
  after every other one.
- `RetainedByDesign`: it can hold something about a customer that is kept on purpose (deletion certificates,
  the tombstones, sign-in and proof rows and per-tenant counters of docs/onboarding-design.md §6), with the
  reason.
- `NoCustomerData`: it cannot hold anything about a customer, and why.

A purged store that files data under the customer id (a container, a table partition) is also `Sweepable`:
it lists the ids it holds, so the daily backstop finds data left under an id that has no customer row (a late
write, a crashed onboarding) and deletes it.

A test enumerates Services and fails on any store without a declaration (tests/unit/storage/test_registry.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Purged:
    """Holds data about a customer; deleted by the purge, counted by its verification."""

    holds: str
    kept: str | None = None
    last: bool = False


@dataclass(frozen=True)
class RetainedByDesign:
    """Holds something about a customer that is kept on purpose; `reason` says why that is allowed."""

    holds: str
    reason: str


@dataclass(frozen=True)
class NoCustomerData:
    """Cannot hold anything about a customer; `reason` says why."""

    reason: str


Declaration = Purged | RetainedByDesign | NoCustomerData


@dataclass(frozen=True)
class PurgeSubject:
    """Who is being purged: the customer id, and its tenant (for stores keyed by tenant, such as the ledger)."""

    customer_id: str
    tenant_id: str


@runtime_checkable
class Declared(Protocol):
    """A store that says what it holds about customers."""

    @property
    def name(self) -> str:
        """The store's name in purge counts and certificates (`table:scans`, `blobs`, ...)."""
        ...

    @property
    def declaration(self) -> Declaration:
        """What it may hold about a customer and what the purge does with it."""
        ...


@runtime_checkable
class PurgedStore(Declared, Protocol):
    """A store the purge empties: it deletes and counts one customer's data."""

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Delete everything held about the subject (idempotent); how much went."""
        ...

    def count_customer(self, subject: PurgeSubject) -> int:
        """How much is still held about the subject (verification: must be 0)."""
        ...


@runtime_checkable
class Sweepable(PurgedStore, Protocol):
    """A purged store that can list the customer ids it holds data under (the backstop's orphan sweep)."""

    def customer_ids(self) -> set[str]:
        """Every customer id this store holds something under."""
        ...
