"""The credential columns of a customer row: the API key's hash and the names of the customer's client secrets.

Key Vault cannot delete one version of a secret, so every client secret a customer gives Caleta gets its own
secret name: the first is `customer-{id}`, each replacement `customer-{id}-{n}`. The row keeps every name the
customer ever had beyond the first (`secret_names`, registered before the secret is written, so a crash leaves
a name the purge still finds) and the one in use (`secret_current`). Each change is conditional (If-Match) and
refused once the customer is leaving, so a rotation cannot race the purge into keeping a credential.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from dataclasses import dataclass
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.domain import LEAVING, customer_state
from shared.errors import Conflict, NotFound
from shared.ids import is_hex32
from shared.storage.table import Table, etag_of

PARTITION = "customer"  # the customer rows' partition (shared/storage/customers.py)
_MAX_CAS_ATTEMPTS = 20


@dataclass(frozen=True)
class SecretNames:
    """The secret names of one customer beyond the first, and the one in use ('' for the first)."""

    registered: tuple[str, ...]
    current: str


class CredentialRows:
    """Reads and conditional changes of the credential columns of customer rows."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def _read(self, customer_id: str) -> Any:
        if not is_hex32(customer_id):
            raise NotFound("no such customer")
        try:
            return self._table.get_entity(PARTITION, customer_id)
        except ResourceNotFoundError:
            raise NotFound("no such customer") from None

    def _change(self, customer_id: str, patch_of: Any) -> Any:
        """Apply `patch_of(entity)` under If-Match while the customer is not leaving; the entity it was read as.

        `patch_of` returns the columns to merge, or None to change nothing (then None is returned).
        """
        for _ in range(_MAX_CAS_ATTEMPTS):
            entity = self._read(customer_id)
            if customer_state(str(entity["state"])) in LEAVING:
                raise Conflict(f"the customer is {entity['state']}")
            patch = patch_of(entity)
            if patch is None:
                return None
            try:
                self._table.update_entity({"PartitionKey": PARTITION, "RowKey": customer_id, **patch},
                                          UpdateMode.MERGE, etag=etag_of(entity),
                                          match_condition=MatchConditions.IfNotModified)
            except ResourceModifiedError:
                continue  # changed meanwhile: read again and decide again
            except ResourceNotFoundError:
                raise NotFound("no such customer") from None
            return entity
        raise RuntimeError(f"customer {customer_id} kept changing under {_MAX_CAS_ATTEMPTS} attempts")

    # --- client secret names ------------------------------------------------------------------------
    def secret_names(self, customer_id: str) -> SecretNames:
        """The customer's secret names; NotFound without a row."""
        entity = self._read(customer_id)
        return SecretNames(registered=tuple(json.loads(str(entity.get("secret_names") or "[]"))),
                           current=str(entity.get("secret_current") or ""))

    def register_secret_name(self, customer_id: str, name: str) -> None:
        """Add a name to those the purge enumerates (before any secret is written under it)."""
        def patch(entity: Any) -> dict[str, Any] | None:
            names = list(json.loads(str(entity.get("secret_names") or "[]")))
            return None if name in names else {"secret_names": json.dumps([*names, name])}
        self._change(customer_id, patch)

    def use_secret_name(self, customer_id: str, name: str, now: dt.datetime) -> None:
        """Make a registered name the one credentials read from now on."""
        def patch(entity: Any) -> dict[str, Any]:
            if name not in json.loads(str(entity.get("secret_names") or "[]")):
                raise ValueError("only a registered secret name can be put in use")
            return {"secret_current": name, "secret_replaced_at": now.isoformat()}
        self._change(customer_id, patch)

    # --- the API key ------------------------------------------------------------------------------------
    def replace_key_hash(self, customer_id: str, presented_hash: str, new_hash: str, now: dt.datetime) -> bool:
        """Swap the key's hash while `presented_hash` is still the stored one; False when it no longer is."""
        def patch(entity: Any) -> dict[str, Any] | None:
            if not hmac.compare_digest(str(entity.get("api_key_sha256", "")), presented_hash):
                return None  # another rotation won: the presented key no longer opens anything
            return {"api_key_sha256": new_hash, "api_key_rotated_at": now.isoformat()}
        return self._change(customer_id, patch) is not None

    def changed_at(self, customer_id: str) -> dict[str, str | None]:
        """When the API key was last rotated and the client secret last replaced (None: never)."""
        entity = self._read(customer_id)
        return {"api_key_rotated_at": entity.get("api_key_rotated_at") or None,
                "client_secret_replaced_at": entity.get("secret_replaced_at") or None}
