"""Customer records in Table storage, and the customer's API key (kept only as a SHA-256 hash).

One row per customer: PartitionKey "customer", RowKey the opaque customer id. No secret is ever stored
here: the client secret lives in the secret store, the API key only as a hash. State changes follow the
domain's transition table, under ETag, so exactly one caller makes each move.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Iterable
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.domain import Customer, CustomerState, check_customer_move, customer_state
from shared.errors import Conflict, NotFound, Unauthorized
from shared.ids import is_hex32
from shared.storage.credential_rows import CredentialRows
from shared.storage.customer_validation import awaits_roles, pack_validation, unpack_validation
from shared.storage.retention import Purged, PurgeSubject
from shared.storage.table import Table, blank_chunks, etag_of, exists, join_text, split_json, split_text

logger = logging.getLogger(__name__)

CUSTOMERS_TABLE = "customers"
PARTITION = "customer"
_MAX_CAS_ATTEMPTS = 20
_API_KEY = re.compile(r"^[A-Za-z0-9_\-]{20,200}$")


def new_customer_id() -> str:
    """An opaque id (uuid4 hex, as container names need): never derived from customer strings."""
    return secrets.token_hex(16)


def new_api_key() -> str:
    """A fresh API key, shown to the customer once."""
    return secrets.token_urlsafe(32)


def hash_api_key(api_key: str) -> str:
    """The SHA-256 hex digest stored in place of the key."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def _to_entity(customer: Customer, api_key_hash: str) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "PartitionKey": PARTITION, "RowKey": customer.customer_id, "company": customer.company,
        "contact_email": customer.contact_email, "tenant_id": customer.tenant_id, "auth_mode": customer.auth_mode,
        "client_id": customer.client_id or "", "schedule": customer.schedule, "state": customer.state,
        "state_reason": customer.state_reason or "", "created_at": customer.created_at.isoformat(),
        "api_key_sha256": api_key_hash,
    }
    entity.update(split_json("subscriptions", list(customer.subscription_ids)))
    entity.update(_validation_columns(customer.validation))
    return entity


def _validation_columns(validation: dict[str, Any]) -> dict[str, Any]:
    """The validation packed within Table's limits (M6), and whether the role re-check must look at it."""
    return {**split_text("validation", pack_validation(validation)), "roles_awaiting": awaits_roles(validation)}


def _from_entity(entity: dict[str, Any]) -> Customer:
    return Customer(
        customer_id=str(entity["RowKey"]), company=str(entity["company"]),
        contact_email=str(entity["contact_email"]), tenant_id=str(entity["tenant_id"]),
        auth_mode=entity["auth_mode"], client_id=entity.get("client_id") or None,
        subscription_ids=tuple(json.loads(join_text(entity, "subscriptions") or "[]")),
        schedule=entity["schedule"], state=customer_state(str(entity["state"])),
        state_reason=entity.get("state_reason") or None,
        created_at=dt.datetime.fromisoformat(str(entity["created_at"])),
        validation=unpack_validation(join_text(entity, "validation")),
    )


class CustomerStore:
    """Every customer record: create, read, move along the state table, authenticate, purge."""

    name = "table:customers"
    declaration = Purged(holds="the customer record: company, contact e-mail, tenant, subscriptions, the last "
                               "validation and the API key's hash", last=True)

    def __init__(self, table: Table) -> None:
        self._table = table
        # The API key's hash and the client secret names, changed under ETag (shared/storage/credential_rows.py).
        self.credentials = CredentialRows(table)

    def _read(self, customer_id: str) -> Any:
        if not is_hex32(customer_id):
            raise NotFound("no such customer")
        try:
            return self._table.get_entity(partition_key=PARTITION, row_key=customer_id)
        except ResourceNotFoundError:
            raise NotFound("no such customer") from None

    def create(self, customer: Customer, api_key: str | None) -> None:
        """Insert a new customer row holding the key's hash (none for a `pending_proof` row, which no key can
        open); Conflict when the id is taken."""
        try:
            self._table.create_entity(_to_entity(customer, hash_api_key(api_key) if api_key else ""))
        except ResourceExistsError:
            raise Conflict("customer id already in use") from None
        logger.info("customer recorded customer=%s subscriptions=%d", customer.customer_id,
                    len(customer.subscription_ids))

    def get(self, customer_id: str) -> Customer:
        """The customer with this id; NotFound when there is none."""
        return _from_entity(dict(self._read(customer_id)))

    def transition(self, customer_id: str, allowed_from: Iterable[CustomerState], to: CustomerState,
                   reason: str | None) -> bool:
        """Move the customer to `to` if it is in `allowed_from`; True only for the one caller that made the move.

        Every (from, to) pair must be in the domain's transition table (IllegalTransition otherwise, before
        anything is read); NotFound for an unknown customer.
        """
        allowed = frozenset(allowed_from)
        for state in allowed:
            check_customer_move(state, to)
        for _ in range(_MAX_CAS_ATTEMPTS):
            entity = self._read(customer_id)
            if customer_state(str(entity["state"])) not in allowed:
                return False
            patch = {"PartitionKey": PARTITION, "RowKey": customer_id, "state": to, "state_reason": reason or ""}
            try:
                self._table.update_entity(patch, UpdateMode.MERGE, etag=etag_of(entity),
                                          match_condition=MatchConditions.IfNotModified)
            except ResourceModifiedError:
                continue  # someone else changed the record: re-read and decide again
            except ResourceNotFoundError:
                raise NotFound("no such customer") from None
            logger.info("customer state changed customer=%s state=%s", customer_id, to)
            return True
        raise RuntimeError(f"customer {customer_id} kept changing under {_MAX_CAS_ATTEMPTS} attempts")

    def update_validation(self, customer_id: str, validation: dict[str, Any],
                          subscription_ids: tuple[str, ...]) -> None:
        """Replace the last validation result and the subscriptions it found usable."""
        current = dict(self._read(customer_id))
        patch: dict[str, Any] = {"PartitionKey": PARTITION, "RowKey": customer_id,
                                 **blank_chunks(current, ("subscriptions", "validation"))}
        patch.update(split_json("subscriptions", list(subscription_ids)))
        patch.update(_validation_columns(validation))
        self._table.update_entity(patch, UpdateMode.MERGE)

    def complete_onboarding(self, customer_id: str, to: CustomerState, api_key: str, validation: dict[str, Any],
                            subscription_ids: tuple[str, ...]) -> Customer:
        """Move a `pending_proof` row to `to` with the API key's hash, the validation and the subscriptions, in
        one write under its ETag; Conflict when the row is no longer pending (the backstop or a purge got it)."""
        check_customer_move("pending_proof", to)
        entity = self._read(customer_id)
        current = dict(entity)
        if customer_state(str(current["state"])) != "pending_proof":
            raise Conflict("the customer is no longer pending")
        patch: dict[str, Any] = {"PartitionKey": PARTITION, "RowKey": customer_id, "state": to, "state_reason": "",
                                 "api_key_sha256": hash_api_key(api_key),
                                 **blank_chunks(current, ("subscriptions", "validation"))}
        patch.update(split_json("subscriptions", list(subscription_ids)))
        patch.update(_validation_columns(validation))
        try:
            self._table.update_entity(patch, UpdateMode.MERGE, etag=etag_of(entity),
                                      match_condition=MatchConditions.IfNotModified)
        except (ResourceModifiedError, ResourceNotFoundError):
            raise Conflict("the customer changed while onboarding") from None
        logger.info("customer state changed customer=%s state=%s", customer_id, to)
        return self.get(customer_id)

    def for_tenant(self, tenant_id: str) -> list[Customer]:
        """Every customer of one tenant (a repeated onboarding tells their contacts)."""
        rows = self._table.query_entities("PartitionKey eq @pk and tenant_id eq @t",
                                          parameters={"pk": PARTITION, "t": tenant_id})
        return [_from_entity(dict(row)) for row in rows]

    def awaiting_roles(self) -> list[Customer]:
        """Customers with subscriptions whose roles are still awaited (the role re-check's work list)."""
        # The state too: a row written without the flag (another writer) is still found when it awaits roles.
        # (Spaces around the parentheses: azure-data-tables takes a parameter name up to the next space.)
        rows = self._table.query_entities("PartitionKey eq @pk and ( roles_awaiting eq @yes or state eq @awaiting )",
                                          parameters={"pk": PARTITION, "yes": True, "awaiting": "awaiting_roles"})
        customers = [_from_entity(dict(row)) for row in rows]
        return [c for c in customers if awaits_roles(c.validation)]

    def record_role_check(self, customer_id: str, *, checked_at: str | None, validation: dict[str, Any],
                          subscription_ids: tuple[str, ...], allowed_from: Iterable[CustomerState],
                          to: CustomerState | None, reason: str | None = None) -> bool:
        """Store a role check's validation and subscriptions (and move to `to`, None = stay) only if the stored
        validation is still the one checked (`validated_at == checked_at`) and the state is in `allowed_from`;
        True for the one caller that wrote, so its e-mail and scan happen once."""
        allowed = frozenset(allowed_from)
        if to is not None:
            for state in allowed:
                check_customer_move(state, to)
        for _ in range(_MAX_CAS_ATTEMPTS):
            raw = self._read(customer_id)
            entity = dict(raw)
            stored = unpack_validation(join_text(entity, "validation"))
            if customer_state(str(entity["state"])) not in allowed or stored.get("validated_at") != checked_at:
                return False
            patch: dict[str, Any] = {"PartitionKey": PARTITION, "RowKey": customer_id,
                                     **blank_chunks(entity, ("subscriptions", "validation")),
                                     **split_json("subscriptions", list(subscription_ids)),
                                     **_validation_columns(validation)}
            if to is not None:
                patch.update({"state": to, "state_reason": reason or ""})
            try:
                self._table.update_entity(patch, UpdateMode.MERGE, etag=etag_of(raw),
                                          match_condition=MatchConditions.IfNotModified)
            except ResourceModifiedError:
                continue  # someone else changed the row (not necessarily its validation): re-read and decide again
            logger.info("customer role check recorded customer=%s state=%s", customer_id, to or entity["state"])
            return True
        raise RuntimeError(f"customer {customer_id} kept changing under {_MAX_CAS_ATTEMPTS} attempts")

    def list_all(self) -> list[Customer]:
        """Every customer record (the scheduler, the purge backstop and the admin list)."""
        rows = self._table.query_entities("PartitionKey eq @pk", parameters={"pk": PARTITION})
        return [_from_entity(dict(row)) for row in rows]

    def in_state(self, state: CustomerState) -> list[Customer]:
        """Every customer in one state (the backstop finds offboarding customers whose purge was lost)."""
        rows = self._table.query_entities("PartitionKey eq @pk and state eq @state",
                                          parameters={"pk": PARTITION, "state": state})
        return [_from_entity(dict(row)) for row in rows]

    def tenant_principals(self, tenant_id: str, customer_id: str) -> list[str | None]:
        """The app ids the other customers of `tenant_id` query as (None: Caleta's own app); empty when none."""
        rows = self._table.query_entities("PartitionKey eq @pk and tenant_id eq @t",
                                          parameters={"pk": PARTITION, "t": tenant_id}, select=["RowKey", "client_id"])
        return [str(r.get("client_id") or "") or None for r in rows if str(r["RowKey"]) != customer_id]

    def delete(self, customer_id: str) -> None:
        """Remove the customer's row; idempotent."""
        self._table.delete_entity(partition_key=PARTITION, row_key=customer_id)

    def authenticate_key(self, customer_id: str, api_key: str) -> Customer:
        """The customer whose key this is: Unauthorized for a malformed key, NotFound for any id whose key does
        not match (so an id that is not the caller's never shows it exists)."""
        if not _API_KEY.fullmatch(api_key):
            raise Unauthorized("send Authorization: Bearer <api_key>")
        presented = hash_api_key(api_key)
        try:
            entity = dict(self._read(customer_id))
        except NotFound:
            # Spend the same comparison on a miss so timing does not tell ids apart.
            hmac.compare_digest(presented, "0" * 64)
            raise
        if not hmac.compare_digest(presented, str(entity.get("api_key_sha256", ""))):
            raise NotFound("no such customer")
        return _from_entity(entity)

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Delete the customer row (the purge's last step: until then it keeps every message dropped)."""
        present = self.count_customer(subject)
        self.delete(subject.customer_id)
        return present

    def count_customer(self, subject: PurgeSubject) -> int:
        """1 while the customer row exists."""
        return int(exists(self._table, PARTITION, subject.customer_id))
