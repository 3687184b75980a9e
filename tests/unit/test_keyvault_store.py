"""The Key Vault secret store against a fake SecretClient: delete waits, then purges every recoverable copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from shared.errors import NotFound
from shared.secrets import KeyVaultSecretStore


@dataclass
class _Secret:
    value: str | None


class _Poller:
    def wait(self) -> None:
        return None


class FakeVault:
    """Live and soft-deleted secrets; purge answers 409 `conflicts` times first, as a vault mid-delete does."""

    def __init__(self, conflicts: int = 0) -> None:
        self.live: dict[str, str] = {}
        self.deleted: dict[str, str] = {}
        self.conflicts = conflicts

    def set_secret(self, name: str, value: str, **kwargs: Any) -> None:
        self.live[name] = value

    def get_secret(self, name: str) -> _Secret:
        if name not in self.live:
            raise ResourceNotFoundError("SecretNotFound")
        return _Secret(self.live[name])

    def begin_delete_secret(self, name: str) -> _Poller:
        if name not in self.live:
            raise ResourceNotFoundError("SecretNotFound")
        self.deleted[name] = self.live.pop(name)
        return _Poller()

    def get_deleted_secret(self, name: str) -> _Secret:
        if name not in self.deleted:
            raise ResourceNotFoundError("DeletedSecretNotFound")
        return _Secret(None)

    def purge_deleted_secret(self, name: str) -> None:
        if self.conflicts:
            self.conflicts -= 1
            raise HttpResponseError(response=_Conflict())  # type: ignore[arg-type]
        if name not in self.deleted:
            raise ResourceNotFoundError("DeletedSecretNotFound")
        del self.deleted[name]


class _Conflict:
    status_code = 409
    reason = "Conflict"
    headers: dict[str, str] = {}

    def text(self) -> str:
        return "ObjectIsBeingDeleted"


def a_store(vault: FakeVault) -> KeyVaultSecretStore:
    return KeyVaultSecretStore("https://vault.example/", credential=None, client=vault,  # type: ignore[arg-type]
                               poll_seconds=0.0, max_wait_seconds=5.0)


def test_secret_round_trips_when_set_and_read() -> None:
    store = a_store(FakeVault())
    store.set("customer-a", "s3cret")
    assert store.get("customer-a") == "s3cret"


def test_get_raises_not_found_when_absent() -> None:
    with pytest.raises(NotFound):
        a_store(FakeVault()).get("customer-a")


def test_delete_purges_the_soft_deleted_copy_when_vault_is_mid_delete() -> None:
    vault = FakeVault(conflicts=2)
    store = a_store(vault)
    store.set("customer-a", "s3cret")
    store.delete("customer-a")
    assert (vault.live, vault.deleted, store.exists("customer-a")) == ({}, {}, False)


def test_delete_is_idempotent_when_already_gone() -> None:
    vault = FakeVault()
    a_store(vault).delete("customer-a")
    assert (vault.live, vault.deleted) == ({}, {})


def test_exists_is_true_when_only_soft_deleted() -> None:
    vault = FakeVault()
    vault.deleted["customer-a"] = "s3cret"
    assert a_store(vault).exists("customer-a") is True
