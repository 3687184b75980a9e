"""The deployment's pseudonym key: keyed hashes that name a subscription or a message without revealing it.

Logs are kept 30 days and the Functions host logs every Service Bus message id, so neither may hold a
subscription or tenant id. They hold HMAC-SHA256 pseudonyms under one key per deployment instead: deterministic
(the same subscription is the same `sub~…` in every line, the same message has the same id on every send, so
Service Bus duplicate detection still works) and useless without the key.

The key is 32 random bytes, base64, in the secret store (Key Vault in Azure, the encrypted file store on one
machine) under KEY_SECRET, created by whichever instance needs it first. Two instances starting at once agree:
both read the *first* value ever written (SecretStore.create_once). Nobody outside the app needs the key: an
operator maps a subscription id to its pseudonym with POST /api/manage/pseudonyms (docs/api.md). Deleting the
secret rotates the key: every pseudonym and message id changes from then on, and only messages in flight at
that moment lose duplicate detection (every hop is idempotent anyway).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from collections.abc import Callable
from typing import Protocol

from shared.errors import TransientError
from shared.redaction import subscription_tag, use_pseudonym_key

KEY_SECRET = "caleta-pseudonym-key"  # noqa: S105 - the secret's name, not its value
KEY_BYTES = 32
RETRY_AFTER_S = 30.0  # after a failed read, callers fail fast this long instead of hammering the store


class KeyStore(Protocol):
    """The part of a secret store the key needs."""

    def create_once(self, name: str, value: str) -> str:
        """The first value ever written under `name`, writing `value` if there is none."""
        ...


class PseudonymKey:
    """The key, read (or created) on first use and kept for the life of the process. Thread-safe; callable."""

    def __init__(self, store: KeyStore, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._clock = clock
        self._key: bytes | None = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()

    def __call__(self) -> bytes:
        """The key; TransientError when the secret store cannot be read (so a trigger is retried)."""
        with self._lock:
            if self._key is None:
                self._key = self._load()
            key = self._key
        use_pseudonym_key(key)  # log lines name subscriptions by this key from now on
        return key

    def _load(self) -> bytes:
        if self._failed_at is not None and self._clock() - self._failed_at < RETRY_AFTER_S:
            raise TransientError("the pseudonym key could not be read moments ago")
        fresh = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
        try:
            key = base64.b64decode(self._store.create_once(KEY_SECRET, fresh), validate=True)
        except (binascii.Error, ValueError):
            raise RuntimeError(f"the secret {KEY_SECRET} is not base64") from None
        except Exception as exc:
            self._failed_at = self._clock()
            raise TransientError(f"the pseudonym key could not be read: {type(exc).__name__}") from None
        if len(key) < KEY_BYTES:
            raise RuntimeError(f"the secret {KEY_SECRET} is shorter than {KEY_BYTES} bytes")
        return key


def pseudonyms_of(key: Callable[[], bytes], subscription_ids: list[str]) -> dict[str, str]:
    """`sub~<pseudonym>` of each subscription id under the deployment's key (for operators)."""
    raw = key()
    return {sub: subscription_tag(sub, raw) for sub in subscription_ids}
