"""The deployment's pseudonym key: created once in the secret store, shared by every instance, cached."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from shared.errors import TransientError
from shared.pseudonyms import KEY_SECRET, PseudonymKey, pseudonyms_of
from shared.redaction import forget_pseudonym_key, guid_pseudonym, redact
from shared.secrets import FileSecretStore
from tests.unit.fakes import MemorySecretStore

SUB = "d012b2f1-e54f-5f05-8120-6fbf9da1ca5e"


class DownStore:
    """A secret store that cannot be reached; counts the attempts."""

    def __init__(self) -> None:
        self.calls = 0

    def create_once(self, name: str, value: str) -> str:
        self.calls += 1
        raise ConnectionError("vault unreachable")


def test_two_instances_share_the_first_key_written(tmp_path: Path) -> None:
    one = PseudonymKey(FileSecretStore(tmp_path, b"s" * 32))
    two = PseudonymKey(FileSecretStore(tmp_path, b"s" * 32))
    assert one() == two() and len(one()) == 32


def test_the_key_is_read_once_per_process_and_registered_for_logs() -> None:
    store = MemorySecretStore()
    key = PseudonymKey(store)
    forget_pseudonym_key()
    raw = key()
    assert base64.b64decode(store.values[KEY_SECRET]) == raw
    store.values[KEY_SECRET] = base64.b64encode(b"x" * 32).decode()  # later changes are not seen by this process
    assert key() == raw
    assert redact(SUB) == f"id~{guid_pseudonym(SUB, raw)}"


def test_an_unreachable_store_is_transient_and_not_hammered() -> None:
    now = [0.0]
    store = DownStore()
    key = PseudonymKey(store, clock=lambda: now[0])
    with pytest.raises(TransientError):
        key()
    with pytest.raises(TransientError):
        key()
    assert store.calls == 1
    now[0] = 31.0
    with pytest.raises(TransientError):
        key()
    assert store.calls == 2


def test_a_damaged_key_is_an_error_not_a_new_key() -> None:
    store = MemorySecretStore()
    store.values[KEY_SECRET] = base64.b64encode(b"short").decode()
    with pytest.raises(RuntimeError, match="shorter"):
        PseudonymKey(store)()


def test_operators_map_subscriptions_to_the_pseudonyms_the_logs_use() -> None:
    key = PseudonymKey(MemorySecretStore())
    mapped = pseudonyms_of(key, [SUB, SUB.upper()])
    assert mapped[SUB] == mapped[SUB.upper()] == f"sub~{guid_pseudonym(SUB, key())}"
    assert f"subscriptions/{mapped[SUB]}" in redact(f"/subscriptions/{SUB}/resourceGroups")

