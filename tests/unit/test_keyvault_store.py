"""The Key Vault secret store against a fake SecretClient: delete waits, then purges every recoverable copy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from shared.errors import NotFound
from shared.secrets import KeyVaultSecretStore


@dataclass
class _Secret:
    value: str | None


@dataclass
class _Version:
    version: str
    created_on: dt.datetime
    value: str
    enabled: bool = True


class _Poller:
    def wait(self) -> None:
        return None


class FakeVault:
    """Live and soft-deleted secrets; purge answers 409 `conflicts` times first, as a vault mid-delete does."""

    def __init__(self, conflicts: int = 0) -> None:
        self.live: dict[str, str] = {}
        self.deleted: dict[str, str] = {}
        self.versions: dict[str, list[_Version]] = {}
        self.conflicts = conflicts
        self.on_list: Any = None  # called once right after a version listing (to stage a racing writer)

    def set_secret(self, name: str, value: str, **kwargs: Any) -> None:
        self.live[name] = value
        # Key Vault stamps versions to the second; ids are random, so a tie is broken by id.
        stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        self.versions.setdefault(name, []).append(_Version(f"v{len(self.versions.get(name, [])) + 1:02d}",
                                                           stamp, value))

    def get_secret(self, name: str, version: str | None = None) -> _Secret:
        if name not in self.live:
            raise ResourceNotFoundError("SecretNotFound")
        if version is not None:
            return _Secret(next(v.value for v in self.versions[name] if v.version == version))
        return _Secret(self.live[name])

    def list_properties_of_secret_versions(self, name: str) -> list[_Version]:
        listed = list(self.versions.get(name, []))
        if self.on_list is not None:
            staged, self.on_list = self.on_list, None
            staged()
        return listed

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


def test_create_once_keeps_the_first_value_when_another_writer_adds_a_newer_version() -> None:
    vault = FakeVault()
    store = a_store(vault)
    assert store.create_once("caleta-pseudonym-key", "ours") == "ours"
    vault.set_secret("caleta-pseudonym-key", "theirs")  # a late racer adds a newer version
    assert store.create_once("caleta-pseudonym-key", "a third") == "ours"
    assert store.get("caleta-pseudonym-key") == "theirs"  # the newest version is not what the key uses


def test_create_once_agrees_on_the_racer_that_wrote_first_when_both_found_none() -> None:
    vault = FakeVault()
    # Another instance writes between our empty listing and our write: both writes land, both read the first.
    vault.on_list = lambda: vault.set_secret("caleta-pseudonym-key", "theirs")
    assert a_store(vault).create_once("caleta-pseudonym-key", "ours") == "theirs"
    assert [v.value for v in vault.versions["caleta-pseudonym-key"]] == ["theirs", "ours"]
