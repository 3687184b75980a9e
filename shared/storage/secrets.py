"""The customers' client secrets as a store: named from the opaque customer id only, emptied by the purge.

The backends (Key Vault, the encrypted local directory) are in shared/secrets.py; this store is what the
use cases and the purge see. Key Vault cannot delete one version of a secret, so each credential has its own
name: the first `customer-{id}`, each replacement `customer-{id}-{n}` (n = 2, 3, ...). The customer row keeps
every name the customer ever had and the one in use (shared/storage/credential_rows.py); the purge deletes and
purges every one of them.

Methods for callers: `put` (the first secret, at onboarding), `get` (the one in use), `replace` (a new secret
under a new name, then the old name deleted and purged), `delete` (every name), and the purge's pair.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import Protocol

from shared.errors import NotFound
from shared.secrets import SecretStore, secret_name
from shared.storage.credential_rows import SecretNames
from shared.storage.retention import Purged, PurgeSubject

logger = logging.getLogger(__name__)


class LazySecretStore:
    """A SecretStore built on first use, so a missing SECRET_STORE_URL fails only the call that needs it."""

    def __init__(self, build: Callable[[], SecretStore]) -> None:
        self._build = build
        self._store: SecretStore | None = None

    def _open(self) -> SecretStore:
        if self._store is None:
            self._store = self._build()
        return self._store

    def set(self, name: str, value: str) -> None:
        """SecretStore.set."""
        self._open().set(name, value)

    def get(self, name: str) -> str:
        """SecretStore.get."""
        return self._open().get(name)

    def delete(self, name: str) -> None:
        """SecretStore.delete."""
        self._open().delete(name)

    def exists(self, name: str) -> bool:
        """SecretStore.exists."""
        return self._open().exists(name)

    def create_once(self, name: str, value: str) -> str:
        """SecretStore.create_once."""
        return self._open().create_once(name, value)


class SecretNameBook(Protocol):
    """Where a customer's secret names are kept (the customer row: CustomerStore.credentials)."""

    def secret_names(self, customer_id: str) -> SecretNames:
        """The names beyond the first and the one in use; NotFound without a customer row."""
        ...

    def register_secret_name(self, customer_id: str, name: str) -> None:
        """Record a name before a secret is written under it (Conflict once the customer is leaving)."""
        ...

    def use_secret_name(self, customer_id: str, name: str, now: dt.datetime) -> None:
        """Make a registered name the one in use (Conflict once the customer is leaving)."""
        ...


def replacement_name(customer_id: str, n: int) -> str:
    """The name of the customer's n-th client secret (n >= 2; the first is secret_name(customer_id))."""
    if n < 2:
        raise ValueError("replacement secrets are numbered from 2")
    return f"{secret_name(customer_id)}-{n}"


_OUR_NAME = re.compile(r"^customer-[0-9a-f]{32}-(?:[2-9]|[1-9][0-9]{1,5})$")


class CustomerSecrets:
    """The customers' client secrets: one name per credential, every name known to the customer row."""

    name = "secret"
    declaration = Purged(holds="every client secret the customer gave (client_secret mode), each under its own "
                               "name, including Key Vault's soft-deleted copies")

    def __init__(self, store: SecretStore, names: SecretNameBook | None = None) -> None:
        self.store = store
        self._book = names

    def names(self, customer_id: str) -> list[str]:
        """Every secret name the customer ever had (the first alone when no row says more)."""
        first = secret_name(customer_id)
        if self._book is None:
            return [first]
        try:
            known = self._book.secret_names(customer_id)
        except NotFound:
            return [first]
        # Only names of this customer's own shape are ever acted on, whatever the row says.
        return [first, *(n for n in known.registered if _OUR_NAME.match(n) and n.startswith(first + "-"))]

    def current_name(self, customer_id: str) -> str:
        """The name of the secret in use."""
        if self._book is not None:
            try:
                current = self._book.secret_names(customer_id).current
            except NotFound:
                current = ""
            if current and current in self.names(customer_id):
                return current
        return secret_name(customer_id)

    def put(self, customer_id: str, value: str) -> None:
        """Store the customer's first secret (onboarding), under `customer-{id}`; no row is needed for it."""
        self.store.set(secret_name(customer_id), value)

    def get(self, customer_id: str) -> str:
        """The secret in use; NotFound when absent."""
        return self.store.get(self.current_name(customer_id))

    def replace(self, customer_id: str, value: str, now: dt.datetime) -> str:
        """Store a new secret under a new name, put it in use, then delete and purge the old one; the new name.

        The name is registered on the customer row before the secret is written (a crash leaves a name the
        purge finds); Conflict once the customer is leaving, and then nothing new is left behind.
        """
        if self._book is None:
            raise RuntimeError("replacing a secret needs the customer rows (CustomerSecrets(store, names=...))")
        old = self.current_name(customer_id)
        new = replacement_name(customer_id, len(self.names(customer_id)) + 1)
        self._book.register_secret_name(customer_id, new)
        self.store.set(new, value)
        try:
            self._book.use_secret_name(customer_id, new, now)
        except Exception:
            self.store.delete(new)  # never in use: leave nothing behind
            raise
        self.store.delete(old)
        logger.info("client secret replaced customer=%s", customer_id)
        return new

    def delete(self, customer_id: str) -> None:
        """Delete every secret of the customer and every recoverable copy; idempotent."""
        for name in self.names(customer_id):
            self.store.delete(name)

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Delete (and purge) every secret the customer ever had; how many there were."""
        present = self.count_customer(subject)
        self.delete(subject.customer_id)
        return present

    def count_customer(self, subject: PurgeSubject) -> int:
        """Secrets of the customer that still exist in any form (Key Vault's soft-deleted ones included)."""
        return sum(int(self.store.exists(name)) for name in self.names(subject.customer_id))
