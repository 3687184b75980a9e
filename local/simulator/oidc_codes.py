"""Authorization codes: single use, short-lived, bound to everything the authorize request named.

"Authorization codes are short lived. Typically, they expire after about 10 minutes" (v2-oauth2-auth-code-flow.md).
Expiry is tested through expire_all(), never by waiting.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from enum import Enum

CODE_LIFETIME_S = 600


@dataclass
class AuthCode:
    """What a code stands for."""

    tenant_id: str
    client_id: str
    redirect_uri: str
    challenge: str | None
    challenge_method: str | None
    nonce: str | None
    user_object_id: str
    scopes: tuple[str, ...]
    expires_at: float
    used: bool = False


class CodeState(Enum):
    """What redeeming a code found."""

    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class CodeStore:
    """Outstanding codes for one simulator run."""

    def __init__(self) -> None:
        self._codes: dict[str, AuthCode] = {}
        self._lock = threading.Lock()

    def issue(self, *, tenant_id: str, client_id: str, redirect_uri: str, challenge: str | None,
              challenge_method: str | None, nonce: str | None, user_object_id: str,
              scopes: tuple[str, ...]) -> str:
        """A new code (opaque, URL-safe) for these values."""
        code = "1.A" + secrets.token_urlsafe(64)
        now = time.time()
        with self._lock:
            # Forget codes long past use so a long run does not grow without bound.
            self._codes = {k: v for k, v in self._codes.items() if v.expires_at > now - CODE_LIFETIME_S}
            self._codes[code] = AuthCode(tenant_id, client_id, redirect_uri, challenge, challenge_method, nonce,
                                         user_object_id, scopes, now + CODE_LIFETIME_S)
        return code

    def redeem(self, code: str) -> tuple[CodeState, AuthCode | None]:
        """Look a code up and spend it: any later redemption finds it used."""
        with self._lock:
            found = self._codes.get(code)
            if found is None:
                return CodeState.UNKNOWN, None
            if found.used:
                return CodeState.USED, found
            found.used = True
            if found.expires_at <= time.time():
                return CodeState.EXPIRED, found
            return CodeState.OK, found

    def expire_all(self) -> int:
        """Make every outstanding code expired (the deterministic stand-in for waiting ten minutes)."""
        past = time.time() - 1
        with self._lock:
            for entry in self._codes.values():
                entry.expires_at = min(entry.expires_at, past)
            return len(self._codes)

    def clear(self) -> None:
        """Forget every code."""
        with self._lock:
            self._codes.clear()
