"""Onboarding sign-in sessions: what Caleta must remember between the redirect to Entra and the way back.

One row per session, keyed by the SHA-256 of its `state` (the browser holds the state; the table never does).
The nonce and the PKCE verifier are kept as they are, not hashed: the verifier is sent to Entra when the code
is redeemed and the nonce is compared with the ID token's, so both must be readable - each is random, lives
ten minutes and is useless without the state and a code Entra issued to Caleta. A session is taken once:
the first `take` marks it used under its ETag, so a replayed or raced callback finds nothing.

`purpose` "signin" is the OIDC round trip; "consent" is the admin-consent round trip that follows a verified
administrator's sign-in, and carries that administrator's tenant and object id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.auth.hashing import hash_secret
from shared.storage.expiring import day_key, live_days, sweep_past_days
from shared.storage.retention import RetainedByDesign
from shared.storage.table import Table, etag_of

SIGNINS_TABLE = "signins"
LIFETIME = dt.timedelta(minutes=10)
Purpose = Literal["signin", "consent"]


@dataclass(frozen=True)
class SigninSession:
    """One round trip to Entra: the state's hash is the key; the rest is what the way back needs."""

    purpose: Purpose
    tenant_id: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    created_at: dt.datetime
    user_oid: str = ""

    @property
    def expires_at(self) -> dt.datetime:
        """Ten minutes after the session started."""
        return self.created_at + LIFETIME


class SigninStore:
    """Sign-in sessions by the hash of their state; each can be taken once, before it expires."""

    name = "table:signins"
    declaration = RetainedByDesign(
        holds="a sign-in in progress: the tenant id, a nonce, a PKCE verifier and, after a verified "
              "administrator's sign-in, that user's object id; keyed by the SHA-256 of the state",
        reason="no customer data beyond a tenant id, for ten minutes; taken once, and past days are swept daily "
               "(docs/onboarding-design.md section 6)")

    def __init__(self, table: Table) -> None:
        self._table = table

    def open(self, state: str, session: SigninSession) -> None:
        """Remember `session` under the hash of `state` (a new random state: never taken before)."""
        self._table.create_entity({
            "PartitionKey": day_key(session.expires_at), "RowKey": hash_secret(state),
            "purpose": session.purpose, "tenant_id": session.tenant_id, "nonce": session.nonce,
            "code_verifier": session.code_verifier, "redirect_uri": session.redirect_uri,
            "user_oid": session.user_oid, "created_at": session.created_at.isoformat(), "used_at": ""})

    def take(self, state: str, now: dt.datetime) -> SigninSession | None:
        """The session of `state`, marked used; None when unknown, used, expired or taken by a racing call."""
        key = hash_secret(state)
        for day in live_days(now, LIFETIME):
            try:
                entity: Any = self._table.get_entity(day, key)
            except ResourceNotFoundError:
                continue
            session = _session(dict(entity))
            if entity.get("used_at") or not session.created_at <= now < session.expires_at:
                return None
            try:
                self._table.update_entity({"PartitionKey": day, "RowKey": key, "used_at": now.isoformat()},
                                          UpdateMode.MERGE, etag=etag_of(entity),
                                          match_condition=MatchConditions.IfNotModified)
            except (ResourceModifiedError, ResourceNotFoundError):
                return None
            return session
        return None

    def sweep(self, now: dt.datetime) -> int:
        """Delete the sessions of past days; how many went."""
        return sweep_past_days(self._table, now)


def _session(entity: dict[str, Any]) -> SigninSession:
    purpose: Purpose = "consent" if entity.get("purpose") == "consent" else "signin"
    return SigninSession(purpose=purpose, tenant_id=str(entity["tenant_id"]), nonce=str(entity["nonce"]),
                         code_verifier=str(entity["code_verifier"]), redirect_uri=str(entity["redirect_uri"]),
                         created_at=dt.datetime.fromisoformat(str(entity["created_at"])),
                         user_oid=str(entity.get("user_oid") or ""))
