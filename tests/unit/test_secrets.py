"""The local encrypted secret store: round trip, encryption at rest, tamper detection, delete."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from shared.errors import NotFound
from shared.secrets import FileSecretStore, secret_name, store_from_url

KEY = bytes(range(32))
CANARY = "CANARY-SECRET-5a4b3c"


def test_secret_round_trips_when_set_and_read(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path, KEY)
    store.set("customer-abc", CANARY)
    assert store.get("customer-abc") == CANARY


def test_secret_is_encrypted_when_written_to_disk(tmp_path: Path) -> None:
    FileSecretStore(tmp_path, KEY).set("customer-abc", CANARY)
    (path,) = tmp_path.iterdir()
    assert CANARY.encode() not in path.read_bytes()
    assert path.stat().st_mode & 0o077 == 0


def test_read_fails_when_file_is_tampered_with(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path, KEY)
    store.set("customer-abc", CANARY)
    (path,) = tmp_path.iterdir()
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="integrity"):
        store.get("customer-abc")


def test_read_fails_when_file_is_renamed_to_another_customer(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path, KEY)
    store.set("customer-a", CANARY)
    (tmp_path / "customer-a.secret").rename(tmp_path / "customer-b.secret")
    with pytest.raises(ValueError):
        store.get("customer-b")


def test_read_raises_not_found_when_deleted(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path, KEY)
    store.set("customer-abc", CANARY)
    store.delete("customer-abc")
    store.delete("customer-abc")
    assert not store.exists("customer-abc")
    with pytest.raises(NotFound):
        store.get("customer-abc")


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "x" * 128, "name with space"])
def test_name_is_refused_when_not_letters_digits_dashes(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        FileSecretStore(tmp_path, KEY).set(name, CANARY)


def test_store_is_built_from_file_url_when_key_is_given(tmp_path: Path) -> None:
    store = store_from_url(tmp_path.as_uri(), base64.b64encode(KEY).decode())
    store.set(secret_name("0" * 32), CANARY)
    assert store.get(secret_name("0" * 32)) == CANARY


@pytest.mark.parametrize(("url", "key"), [("file:///tmp/x", None), ("file:///tmp/x", "not base64!"),
                                          ("file:///tmp/x", base64.b64encode(b"short").decode()),
                                          ("http://vault", None), ("", None)])
def test_store_is_refused_when_configuration_is_wrong(url: str, key: str | None) -> None:
    with pytest.raises(ValueError):
        store_from_url(url, key)


def test_create_once_keeps_the_first_writers_value_when_two_stores_race(tmp_path: Path) -> None:
    key = b"k" * 32
    first, second = FileSecretStore(tmp_path, key), FileSecretStore(tmp_path, key)
    assert first.create_once("caleta-pseudonym-key", "one") == "one"
    assert second.create_once("caleta-pseudonym-key", "two") == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["caleta-pseudonym-key.secret"]
