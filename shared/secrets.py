"""The secret store for customers' client secrets: Key Vault in Azure, an AES-GCM encrypted directory locally.

SECRET_STORE_URL picks the store: `https://<vault>.vault.azure.net/` or `file:///path/to/dir` (then
SECRET_STORE_KEY, 32 bytes base64, encrypts each file). Secrets are only ever returned to the caller,
never logged; names are derived from the opaque customer id only.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import os
import re
import secrets
import threading
import time
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from azure.core.credentials import TokenCredential
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.secrets import SecretClient
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.errors import NotFound
from shared.identity import caleta_credential

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^[A-Za-z0-9-]{1,127}$")
_NONCE_BYTES = 12


class SecretStore(Protocol):
    """Where customer secrets live."""

    def set(self, name: str, value: str) -> None:
        """Store (or replace) the secret `name`."""

    def get(self, name: str) -> str:
        """The secret's value; NotFound when absent."""

    def delete(self, name: str) -> None:
        """Delete the secret and every recoverable copy of it; idempotent."""

    def exists(self, name: str) -> bool:
        """True while any copy exists (including Key Vault's soft-deleted state)."""

    def create_once(self, name: str, value: str) -> str:
        """The first value ever written under `name`, writing `value` if there is none (concurrent callers
        all get the same first value)."""


def secret_name(customer_id: str) -> str:
    """The secret's name for a customer: derived from the opaque id only."""
    name = f"customer-{customer_id}"
    _check_name(name)
    return name


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError("secret names are 1-127 letters, digits or dashes")


class FileSecretStore:
    """One AES-GCM encrypted file per secret; the name is bound in as associated data."""

    def __init__(self, directory: Path, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("SECRET_STORE_KEY must be 32 bytes (base64)")
        self._dir = directory
        self._aead = AESGCM(key)
        self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, name: str) -> Path:
        _check_name(name)
        return self._dir / f"{name}.secret"

    def set(self, name: str, value: str) -> None:
        """Encrypt and write atomically, readable by this user only."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        blob = nonce + self._aead.encrypt(nonce, value.encode("utf-8"), name.encode("ascii"))
        path = self._path(name)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
        os.replace(tmp, path)

    def create_once(self, name: str, value: str) -> str:
        """Write `value` only if no file exists (a hard link is created atomically or not at all), then read."""
        path = self._path(name)
        if not path.exists():
            nonce = secrets.token_bytes(_NONCE_BYTES)
            tmp = path.with_suffix(f".new{os.getpid()}-{threading.get_ident()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(nonce + self._aead.encrypt(nonce, value.encode("utf-8"), name.encode("ascii")))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another writer was first: its value stands
            finally:
                tmp.unlink()
        return self.get(name)

    def get(self, name: str) -> str:
        """Decrypt; NotFound when absent, ValueError when the file was tampered with."""
        try:
            blob = self._path(name).read_bytes()
        except FileNotFoundError:
            raise NotFound("no such secret") from None
        try:
            plain = self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], name.encode("ascii"))
        except InvalidTag:
            raise ValueError("stored secret failed its integrity check") from None
        return plain.decode("utf-8")

    def delete(self, name: str) -> None:
        """Remove the file; a local store keeps no soft-deleted copy."""
        with contextlib.suppress(FileNotFoundError):
            self._path(name).unlink()

    def exists(self, name: str) -> bool:
        """True while the file exists."""
        return self._path(name).exists()


class KeyVaultSecretStore:
    """Key Vault through azure-keyvault-secrets; delete also purges the soft-deleted secret."""

    def __init__(self, vault_url: str, credential: TokenCredential, *, poll_seconds: float = 1.0,
                 max_wait_seconds: float = 60.0, client: Any = None) -> None:
        self._client = client if client is not None else SecretClient(vault_url, credential)
        self._poll = poll_seconds
        self._max_wait = max_wait_seconds

    def set(self, name: str, value: str) -> None:
        """Set the secret (a new version when it exists)."""
        _check_name(name)
        self._client.set_secret(name, value, content_type="client-secret")

    def get(self, name: str) -> str:
        """The current version's value; NotFound when absent."""
        _check_name(name)
        try:
            value = self._client.get_secret(name).value
        except ResourceNotFoundError:
            raise NotFound("no such secret") from None
        if value is None:
            raise NotFound("no such secret")
        return value

    def create_once(self, name: str, value: str) -> str:
        """The oldest enabled version's value, setting `value` first when there is none. Key Vault has no
        create-if-absent, so racing writers may each add a version; all of them then read the oldest one."""
        _check_name(name)
        first = self._oldest_version(name)
        if first is None:
            self._client.set_secret(name, value, content_type="pseudonym-key")
            first = self._oldest_version(name)
        if first is None:
            raise NotFound("no such secret")
        found = self._client.get_secret(name, first).value
        if found is None:
            raise NotFound("no such secret")
        return str(found)

    def _oldest_version(self, name: str) -> str | None:
        try:
            versions = [v for v in self._client.list_properties_of_secret_versions(name) if v.enabled is not False]
        except ResourceNotFoundError:
            return None
        if not versions:
            return None
        # created_on has one-second resolution: the version id breaks a tie the same way for every reader.
        oldest = min(versions, key=lambda v: (v.created_on.timestamp() if v.created_on else float("inf"),
                                              v.version or ""))
        return str(oldest.version)

    def delete(self, name: str) -> None:
        """Delete, wait for the soft-deleted state, then purge it (the vault must not enforce purge protection)."""
        _check_name(name)
        with contextlib.suppress(ResourceNotFoundError):
            self._client.begin_delete_secret(name).wait()
        deadline = time.monotonic() + self._max_wait
        while True:
            try:
                self._client.purge_deleted_secret(name)
                return
            except ResourceNotFoundError:
                if not self._deleted_exists(name):
                    return
            except HttpResponseError as exc:
                # 409 while the delete is still being processed: retry until the deadline.
                if exc.status_code != 409 or time.monotonic() > deadline:
                    raise
            if time.monotonic() > deadline:
                raise TimeoutError("secret still present after delete")
            time.sleep(self._poll)

    def _deleted_exists(self, name: str) -> bool:
        try:
            self._client.get_deleted_secret(name)
            return True
        except ResourceNotFoundError:
            return False

    def exists(self, name: str) -> bool:
        """True while the secret is live or soft-deleted."""
        _check_name(name)
        try:
            self._client.get_secret(name)
            return True
        except ResourceNotFoundError:
            return self._deleted_exists(name)


def store_from_url(url: str, key_b64: str | None, credential: TokenCredential | None = None) -> SecretStore:
    """Build the store SECRET_STORE_URL names."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if not key_b64:
            raise ValueError("SECRET_STORE_KEY is required for a file:// secret store")
        try:
            key = base64.b64decode(key_b64, validate=True)
        except binascii.Error:
            raise ValueError("SECRET_STORE_KEY is not valid base64") from None
        return FileSecretStore(Path(unquote(parts.path)), key)
    if parts.scheme == "https":
        return KeyVaultSecretStore(url, credential or caleta_credential())
    raise ValueError("SECRET_STORE_URL must be https:// (Key Vault) or file://")
