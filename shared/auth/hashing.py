"""Hashes for the stores: one-time secrets are kept only as SHA-256; identifiers only as keyed pseudonyms.

hash_secret suits values with 256 bits of randomness (sign-in states, proof handles): nobody can guess one
from its hash, so no key is needed. Low-entropy values (IP addresses, tenant ids, message ids) must be keyed
(HMAC-SHA256), or their hashes could be reversed by trying every value.
"""

from __future__ import annotations

import hashlib
import hmac

MIN_KEY_BYTES = 32
DEFAULT_PSEUDONYM_CHARS = 32  # 128 bits


def hash_secret(value: str) -> str:
    """SHA-256 of a random one-time secret, as lower-case hex."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def pseudonym(key: bytes, value: str, *, length: int = DEFAULT_PSEUDONYM_CHARS) -> str:
    """HMAC-SHA256 of `value` under `key`, as the first `length` hex characters (16 to 64)."""
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"a pseudonym key needs at least {MIN_KEY_BYTES} bytes")
    if not 16 <= length <= 64:
        raise ValueError("a pseudonym is 16 to 64 hex characters")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:length]
