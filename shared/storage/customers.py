"""Customer records in Table storage, and the customer's API key (kept only as a SHA-256 hash).

One row per customer: PartitionKey "customer", RowKey the opaque customer id. No secret is ever stored
here: the client secret lives in the secret store, the API key only as a hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.errors import Conflict, NotFound, Unauthorized

logger = logging.getLogger(__name__)

CUSTOMERS_TABLE = "customers"
PARTITION = "customer"
STATES = ("active", "access_revoked", "offboarding", "deleted")

AuthMode = Literal["federated", "client_secret"]
Schedule = Literal["weekly", "monthly", "none"]

# A Table string property holds at most 32K UTF-16 characters: long JSON is split across numbered columns.
_CHUNK = 30_000
_MAX_CHUNKS = 30
_ID = re.compile(r"^[0-9a-f]{32}$")
_BEARER = re.compile(r"^Bearer ([A-Za-z0-9_\-]{20,200})$")


class EntityTable(Protocol):
    """The part of azure.data.tables.TableClient this module uses (a fake implements it in tests)."""

    def get_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> Any:
        """Read one entity; ResourceNotFoundError when absent."""

    def create_entity(self, entity: dict[str, Any], **kwargs: Any) -> Any:
        """Insert; ResourceExistsError when the key is taken."""

    def update_entity(self, entity: dict[str, Any], mode: UpdateMode = ..., **kwargs: Any) -> Any:
        """Merge or replace an existing entity; ResourceNotFoundError when absent."""

    def delete_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> None:
        """Delete; no error when absent."""


@dataclass(frozen=True)
class Customer:
    """A customer as the pipeline sees it: no secret, no API key."""

    customer_id: str
    company: str
    contact_email: str
    tenant_id: str
    auth_mode: AuthMode
    client_id: str | None
    subscription_ids: tuple[str, ...]
    schedule: Schedule
    state: str
    state_reason: str | None
    created_at: dt.datetime
    validation: dict[str, Any] = field(default_factory=dict)

    def public_view(self) -> dict[str, Any]:
        """The record as the customer may read it back (JSON-ready)."""
        return {
            "customer_id": self.customer_id,
            "company": self.company,
            "contact_email": self.contact_email,
            "tenant_id": self.tenant_id,
            "auth_mode": self.auth_mode,
            "client_id": self.client_id,
            "subscription_ids": list(self.subscription_ids),
            "schedule": self.schedule,
            "state": self.state,
            "state_reason": self.state_reason,
            "created_at": self.created_at.isoformat(),
            "validation": self.validation,
        }


def new_customer_id() -> str:
    """An opaque id (uuid4 hex, as container names need): never derived from customer strings."""
    return secrets.token_hex(16)


def new_api_key() -> str:
    """A fresh API key, shown to the customer once."""
    return secrets.token_urlsafe(32)


def hash_api_key(api_key: str) -> str:
    """The SHA-256 hex digest stored in place of the key."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def _default_table() -> EntityTable:
    from shared.storage.clients import table

    return table(CUSTOMERS_TABLE)


def _split(prefix: str, text: str) -> dict[str, str]:
    parts = [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)] or [""]
    if len(parts) > _MAX_CHUNKS:
        raise ValueError(f"{prefix} too large to store")
    return {f"{prefix}_{i}": part for i, part in enumerate(parts)}


def _join(entity: dict[str, Any], prefix: str) -> str:
    out, i = [], 0
    while f"{prefix}_{i}" in entity:
        out.append(str(entity[f"{prefix}_{i}"]))
        i += 1
    return "".join(out)


def _to_entity(customer: Customer, api_key_hash: str) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "PartitionKey": PARTITION,
        "RowKey": customer.customer_id,
        "company": customer.company,
        "contact_email": customer.contact_email,
        "tenant_id": customer.tenant_id,
        "auth_mode": customer.auth_mode,
        "client_id": customer.client_id or "",
        "schedule": customer.schedule,
        "state": customer.state,
        "state_reason": customer.state_reason or "",
        "created_at": customer.created_at.isoformat(),
        "api_key_sha256": api_key_hash,
    }
    entity.update(_split("subscriptions", json.dumps(list(customer.subscription_ids))))
    entity.update(_split("validation", json.dumps(customer.validation, separators=(",", ":"))))
    return entity


def _from_entity(entity: dict[str, Any]) -> Customer:
    return Customer(
        customer_id=str(entity["RowKey"]),
        company=str(entity["company"]),
        contact_email=str(entity["contact_email"]),
        tenant_id=str(entity["tenant_id"]),
        auth_mode=entity["auth_mode"],
        client_id=entity.get("client_id") or None,
        subscription_ids=tuple(json.loads(_join(entity, "subscriptions") or "[]")),
        schedule=entity["schedule"],
        state=str(entity["state"]),
        state_reason=entity.get("state_reason") or None,
        created_at=dt.datetime.fromisoformat(str(entity["created_at"])),
        validation=json.loads(_join(entity, "validation") or "{}"),
    )


def _read(customer_id: str, store: EntityTable) -> dict[str, Any]:
    if not _ID.match(customer_id):
        raise NotFound("no such customer")
    try:
        return dict(store.get_entity(partition_key=PARTITION, row_key=customer_id))
    except ResourceNotFoundError:
        raise NotFound("no such customer") from None


def create_customer(customer: Customer, api_key: str, *, store: EntityTable | None = None) -> None:
    """Insert a new customer row holding the key's hash; Conflict when the id is taken."""
    try:
        (store or _default_table()).create_entity(_to_entity(customer, hash_api_key(api_key)))
    except ResourceExistsError:
        raise Conflict("customer id already in use") from None
    logger.info("customer recorded customer=%s subscriptions=%d", customer.customer_id, len(customer.subscription_ids))


def get_customer(customer_id: str, *, store: EntityTable | None = None) -> Customer:
    """The customer with this id; NotFound when there is none."""
    return _from_entity(_read(customer_id, store or _default_table()))


def update_customer_state(customer_id: str, state: str, reason: str | None,
                          *, store: EntityTable | None = None) -> None:
    """Set the lifecycle state (and its plain reason); NotFound for an unknown customer."""
    if state not in STATES:
        raise ValueError(f"unknown customer state {state!r}")
    table = store or _default_table()
    _read(customer_id, table)
    patch = {"PartitionKey": PARTITION, "RowKey": customer_id, "state": state, "state_reason": reason or ""}
    try:
        table.update_entity(patch, mode=UpdateMode.MERGE)
    except ResourceNotFoundError:
        raise NotFound("no such customer") from None
    logger.info("customer state changed customer=%s state=%s", customer_id, state)


def update_validation(customer_id: str, validation: dict[str, Any], subscription_ids: tuple[str, ...],
                      *, store: EntityTable | None = None) -> None:
    """Replace the last validation result and the subscriptions it found usable."""
    table = store or _default_table()
    current = _read(customer_id, table)
    patch: dict[str, Any] = {"PartitionKey": PARTITION, "RowKey": customer_id}
    # Blank every old chunk first so a shorter value leaves no stale tail behind.
    for key in current:
        if key.startswith(("subscriptions_", "validation_")):
            patch[key] = ""
    patch.update(_split("subscriptions", json.dumps(list(subscription_ids))))
    patch.update(_split("validation", json.dumps(validation, separators=(",", ":"))))
    table.update_entity(patch, mode=UpdateMode.MERGE)


def list_customers(*, store: Any = None) -> list[Customer]:
    """Every customer record (the scheduler, the purge backstop and the admin list)."""
    source: Any = store or _default_table()
    rows = source.query_entities("PartitionKey eq @pk", parameters={"pk": PARTITION})
    return [_from_entity(dict(row)) for row in rows]


def delete_customer(customer_id: str, *, store: EntityTable | None = None) -> None:
    """Remove the customer's row; idempotent."""
    (store or _default_table()).delete_entity(partition_key=PARTITION, row_key=customer_id)


def authenticate(customer_id: str, authorization: str | None, *, store: EntityTable | None = None) -> Customer:
    """The customer when `authorization` is `Bearer <its key>`: Unauthorized without a well-formed header,
    NotFound for any id whose key does not match (so an id that is not the caller's never shows it exists)."""
    match = _BEARER.match((authorization or "").strip())
    if not match:
        raise Unauthorized("send Authorization: Bearer <api_key>")
    presented = hash_api_key(match.group(1))
    try:
        entity = _read(customer_id, store or _default_table())
    except NotFound:
        # Spend the same comparison on a miss so timing does not tell ids apart.
        hmac.compare_digest(presented, "0" * 64)
        raise
    if not hmac.compare_digest(presented, str(entity.get("api_key_sha256", ""))):
        raise NotFound("no such customer")
    return _from_entity(entity)
