"""The customers' client secrets as a store: named from the opaque customer id only, emptied by the purge.

The backends (Key Vault, the encrypted local directory) are in shared/secrets.py; this store is what the
use cases and the purge see.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.secrets import SecretStore, secret_name
from shared.storage.retention import Purged, PurgeSubject


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


class CustomerSecrets:
    """The customers' client secrets, named from the opaque customer id only."""

    name = "secret"
    declaration = Purged(holds="the customer's client secret (client_secret mode), including Key Vault's "
                               "soft-deleted copy")

    def __init__(self, store: SecretStore) -> None:
        self.store = store

    def put(self, customer_id: str, value: str) -> None:
        """Store (or replace) the customer's secret."""
        self.store.set(secret_name(customer_id), value)

    def get(self, customer_id: str) -> str:
        """The customer's secret; NotFound when absent."""
        return self.store.get(secret_name(customer_id))

    def delete(self, customer_id: str) -> None:
        """Delete the secret and every recoverable copy; idempotent."""
        self.store.delete(secret_name(customer_id))

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Delete (and purge) the customer's secret; 1 when there was one."""
        present = self.count_customer(subject)
        self.delete(subject.customer_id)
        return present

    def count_customer(self, subject: PurgeSubject) -> int:
        """1 while any copy of the secret exists (Key Vault's soft-deleted one included)."""
        return int(self.store.exists(secret_name(subject.customer_id)))
