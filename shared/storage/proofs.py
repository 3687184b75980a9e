"""Proof handles: the one-time token a verified administrator's sign-in hands to the onboarding POST.

A handle is 32 random bytes (URL-safe); only its SHA-256 is stored, with the tenant the sign-in proved, the
user's object id (audit only) and a ten-minute life. `consume` spends it under its ETag whatever the outcome,
so a handle is tried once: an unknown, used, expired or other-tenant handle is refused and never usable again.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.auth.hashing import hash_secret
from shared.storage.expiring import day_key, live_days, sweep_past_days
from shared.storage.retention import RetainedByDesign
from shared.storage.table import Table, etag_of

PROOFS_TABLE = "proofs"
LIFETIME = dt.timedelta(minutes=10)
_MAX_HANDLE_CHARS = 128
Refusal = Literal["unknown", "used", "expired", "other_tenant"]


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of presenting a handle: the proving user's object id, or why it was refused."""

    refusal: Refusal | None
    user_oid: str = ""

    @property
    def ok(self) -> bool:
        """True when the handle proved the tenant."""
        return self.refusal is None


class ProofStore:
    """Proof handles by their hash: issued after a verified administrator's sign-in, consumed by onboarding."""

    name = "table:proofs"
    declaration = RetainedByDesign(
        holds="a proof in progress: the tenant id and the signed-in administrator's object id, keyed by the "
              "SHA-256 of the handle",
        reason="no customer data beyond a tenant id and one object id, for ten minutes; past days are swept "
               "daily (docs/onboarding-design.md section 6)")

    def __init__(self, table: Table) -> None:
        self._table = table

    def issue(self, tenant_id: str, user_oid: str, now: dt.datetime) -> str:
        """A new handle for the tenant (returned once; only its hash is kept)."""
        handle = secrets.token_urlsafe(32)
        self._table.create_entity({
            "PartitionKey": day_key(now + LIFETIME), "RowKey": hash_secret(handle), "tenant_id": tenant_id,
            "user_oid": user_oid, "created_at": now.isoformat(), "used_at": ""})
        return handle

    def consume(self, handle: str, tenant_id: str, now: dt.datetime) -> ProofCheck:
        """Spend the handle and say whether it proves `tenant_id` now."""
        if not handle or len(handle) > _MAX_HANDLE_CHARS:
            return ProofCheck("unknown")
        key = hash_secret(handle)
        for day in live_days(now, LIFETIME):
            try:
                entity: Any = self._table.get_entity(day, key)
            except ResourceNotFoundError:
                continue
            return self._spend(day, key, entity, tenant_id, now)
        return ProofCheck("unknown")

    def _spend(self, day: str, key: str, entity: Any, tenant_id: str, now: dt.datetime) -> ProofCheck:
        if entity.get("used_at"):
            return ProofCheck("used")
        try:
            self._table.update_entity({"PartitionKey": day, "RowKey": key, "used_at": now.isoformat()},
                                      UpdateMode.MERGE, etag=etag_of(entity),
                                      match_condition=MatchConditions.IfNotModified)
        except (ResourceModifiedError, ResourceNotFoundError):
            return ProofCheck("used")  # a racing request spent it first
        created = dt.datetime.fromisoformat(str(entity["created_at"]))
        if not created <= now < created + LIFETIME:
            return ProofCheck("expired")
        if str(entity["tenant_id"]) != tenant_id:
            return ProofCheck("other_tenant")
        return ProofCheck(None, str(entity.get("user_oid") or ""))

    def sweep(self, now: dt.datetime) -> int:
        """Delete the handles of past days; how many went."""
        return sweep_past_days(self._table, now)
