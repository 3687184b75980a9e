"""Minting and checking the simulator's JWT access tokens (HS256 with a key that lives in memory only)."""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

import jwt

ARM_AUDIENCES = ("https://management.azure.com", "https://management.core.windows.net")
COGNITIVE_AUDIENCE = "https://cognitiveservices.azure.com"
EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"


class TokenError(Exception):
    """A bearer token the simulator refuses; `code` is the ARM error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def audience_of(scope_or_resource: str) -> str:
    """The `aud` claim for a v2 scope ("x/.default") or a v1 resource ("x" or "x/")."""
    aud = scope_or_resource.split(" ")[0]
    aud = aud.removesuffix("/.default")
    return aud.rstrip("/") if aud.startswith("https://") else aud


class TokenMint:
    """Signs and verifies tokens for one simulator instance."""

    def __init__(self, lifetime_s: int = 3600) -> None:
        self._key = secrets.token_bytes(32)
        self.lifetime_s = lifetime_s

    def mint(self, *, tenant_id: str, object_id: str, app_id: str, audience: str,
             lifetime_s: int | None = None) -> tuple[str, int]:
        """A signed access token and its expiry (epoch seconds)."""
        now = int(time.time())
        exp = now + (lifetime_s if lifetime_s is not None else self.lifetime_s)
        claims = {
            "aud": audience, "iss": f"https://sts.windows.net/{tenant_id}/", "iat": now, "nbf": now - 60,
            "exp": exp, "tid": tenant_id, "oid": object_id, "sub": object_id, "appid": app_id,
            "azp": app_id, "appidacr": "1", "idtyp": "app", "ver": "1.0", "uti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm="HS256", headers={"kid": "caleta-sim"}), exp

    def verify(self, token: str, audiences: tuple[str, ...]) -> dict[str, Any]:
        """The claims of a token this instance signed, for one of `audiences`; raises TokenError."""
        try:
            claims: dict[str, Any] = jwt.decode(token, self._key, algorithms=["HS256"],
                                                options={"verify_aud": False, "require": ["exp", "tid", "oid"]},
                                                leeway=0)
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("ExpiredAuthenticationToken",
                             "The access token expiry UTC time is earlier than current UTC time.") from exc
        except jwt.PyJWTError as exc:
            raise TokenError("InvalidAuthenticationToken", "The access token is invalid.") from exc
        if str(claims.get("aud", "")).rstrip("/") not in audiences:
            raise TokenError("InvalidAuthenticationToken",
                             "The access token has been obtained for wrong audience or resource "
                             f"'{claims.get('aud')}'. It should exactly match with one of the allowed audiences "
                             f"'{', '.join(audiences)}'.")
        return claims
