"""Entra's signing keys and metadata documents, cached for a bounded time and re-read on key rollover.

Entra rolls its signing keys periodically and, in an emergency, at once (signing-key-rollover.md); a token whose
`kid` is not in the cached key set is the signal to read the set again ("RefreshOnIssuerKeyNotFound",
howto-build-services-resilient-to-metadata-refresh.md). Timings are Microsoft.IdentityModel's defaults
(BaseConfigurationManager): a document is re-read once 12 hours old, and a refresh asked for by an unknown key
- or a retry after a failed read - happens at most once per 5 minutes per document, so tokens carrying made-up
`kid`s cannot make Caleta hammer Entra.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers

from shared.auth.errors import EntraUnavailable
from shared.auth.http import get_json

logger = logging.getLogger(__name__)

LIFETIME_S = 12 * 3600
REFRESH_FLOOR_S = 5 * 60
MAX_DOCUMENTS = 256
MIN_RSA_BITS = 2048

Fetch = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class SigningKey:
    """One RSA verification key from a JWKS; `alg` is the JWK's own `alg` when it names one."""

    kid: str
    public_key: RSAPublicKey
    alg: str | None


@dataclass
class _Slot:
    attempted_at: float
    fetched_at: float | None = None
    document: dict[str, Any] | None = None
    keys: dict[str, SigningKey] = field(default_factory=dict)


def _uint(value: object) -> int:
    if not isinstance(value, str) or not value:
        raise ValueError("not a base64url string")
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except binascii.Error:
        raise ValueError("not a base64url string") from None
    return int.from_bytes(raw, "big")


def parse_jwks(document: dict[str, Any]) -> dict[str, SigningKey]:
    """The RSA signature keys of a JWKS by kid; other key types, encryption keys and malformed entries are left
    out, so a symmetric or weak key can never be used to verify."""
    found: dict[str, SigningKey] = {}
    entries = document.get("keys")
    for jwk in entries if isinstance(entries, list) else []:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
            continue
        kid, alg = jwk.get("kid"), jwk.get("alg")
        try:
            key = RSAPublicNumbers(_uint(jwk.get("e")), _uint(jwk.get("n"))).public_key()
        except ValueError:
            continue
        if isinstance(kid, str) and kid and key.key_size >= MIN_RSA_BITS:
            found[kid] = SigningKey(kid, key, alg if isinstance(alg, str) else None)
    return found


class KeyCache:
    """Documents and key sets by URL (at most `max_documents`, least recently used dropped first). Thread-safe."""

    def __init__(self, fetch: Fetch | None = None, *, clock: Callable[[], float] = time.monotonic,
                 lifetime_s: float = LIFETIME_S, floor_s: float = REFRESH_FLOOR_S,
                 max_documents: int = MAX_DOCUMENTS) -> None:
        self._fetch = fetch or get_json
        self._clock = clock
        self._lifetime = lifetime_s
        self._floor = floor_s
        self._max = max_documents
        self._slots: OrderedDict[str, _Slot] = OrderedDict()
        self._lock = threading.Lock()
        self.fetches = 0

    def document(self, url: str) -> dict[str, Any]:
        """The JSON document at `url`, read again once older than the lifetime; EntraUnavailable if unreadable."""
        with self._lock:
            document = self._current(url).document
        assert document is not None  # _current returns only slots that hold a document
        return document

    def signing_key(self, jwks_uri: str, kid: str) -> SigningKey | None:
        """The key `kid` of the key set at `jwks_uri`, re-reading the set once if it is unknown (not within the
        floor of the last read); None when the set does not have it."""
        with self._lock:
            slot = self._current(jwks_uri)
            found = slot.keys.get(kid)
            if found is None and self._clock() - slot.attempted_at >= self._floor:
                logger.info("token names an unknown signing key: reading the key set again")
                found = self._refresh(jwks_uri).keys.get(kid)
            return found

    def _current(self, url: str) -> _Slot:
        slot = self._slots.get(url)
        now = self._clock()
        if slot is not None and slot.fetched_at is not None and now - slot.fetched_at < self._lifetime:
            self._slots.move_to_end(url)
            return slot
        if slot is not None and now - slot.attempted_at < self._floor:
            raise EntraUnavailable("Entra's metadata could not be read moments ago")
        return self._refresh(url)

    def _refresh(self, url: str) -> _Slot:
        now = self._clock()
        slot = self._slots.setdefault(url, _Slot(attempted_at=now))
        slot.attempted_at = now
        self._slots.move_to_end(url)
        while len(self._slots) > self._max:
            self._slots.popitem(last=False)
        self.fetches += 1
        document = self._fetch(url)
        slot.document, slot.keys, slot.fetched_at = document, parse_jwks(document), now
        return slot


@lru_cache(maxsize=1)
def default_key_cache() -> KeyCache:
    """The process-wide cache the validators use unless given another."""
    return KeyCache()


def reset_key_cache() -> None:
    """Forget every cached document (tests, and a local host pointed at a new simulator)."""
    default_key_cache.cache_clear()
