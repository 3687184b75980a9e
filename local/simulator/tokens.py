"""Minting and checking the simulator's JWTs: RS256 with a key pair generated per run, published as JWKS.

v1 access tokens (ARM, storage, AI, the admin API by default) carry `iss` https://sts.windows.net/{tid}/; v2
tokens (ID tokens, managed-identity tokens for the token exchange) carry `{authority}/{tid}/v2.0`
(access-token-claims-reference.md, id-token-claims-reference.md).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from typing import Any

import jwt

from local.estates.identity import EXCHANGE_AUDIENCE as EXCHANGE_AUDIENCE
from local.simulator.jwks import SigningKey

ARM_AUDIENCES = ("https://management.azure.com", "https://management.core.windows.net")
COGNITIVE_AUDIENCE = "https://cognitiveservices.azure.com"
# The "AAD Token Exchange Endpoint" first-party app: a managed-identity token requested for
# api://AzureADTokenExchange carries this app id as `aud` (Janne Mattila, "Managed Identity access across
# tenants", 2024-12-31, decoded token; the same `aud` in Azure DevOps workload-identity tokens).
EXCHANGE_APP_ID = "fb60f99c-7a34-4190-8149-302f77469936"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"


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


def v1_issuer(tenant_id: str) -> str:
    """The issuer of v1 tokens."""
    return f"https://sts.windows.net/{tenant_id}/"


class TokenMint:
    """Signs and verifies tokens for one simulator instance."""

    def __init__(self, lifetime_s: int = 3600) -> None:
        self.key = SigningKey()
        self.lifetime_s = lifetime_s
        # An RSA verification costs ~0.1 ms and clients reuse a token for every ARM call: remember recent ones.
        self._verified: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def times(self, lifetime_s: int | None = None, skew_s: int = 0) -> dict[str, int]:
        """iat, nbf (optionally back-dated by skew_s) and exp for a token issued now."""
        now = int(time.time())
        lifetime = lifetime_s if lifetime_s is not None else self.lifetime_s
        return {"iat": now, "nbf": now - skew_s, "exp": now + lifetime}

    def sign(self, claims: dict[str, Any], *, v1: bool) -> str:
        """RS256 with this run's key; v1 tokens also name the key by x5t, as Entra's do."""
        headers = {"kid": self.key.kid, **({"x5t": self.key.kid} if v1 else {})}
        return jwt.encode({**claims, "uti": uuid.uuid4().hex}, self.key.private_key, algorithm="RS256",
                          headers=headers)

    def mint(self, *, tenant_id: str, object_id: str, app_id: str, audience: str,
             lifetime_s: int | None = None, client_auth: str = "1") -> tuple[str, int]:
        """An app-only v1 access token and its expiry (epoch seconds); client_auth is appidacr (1 secret, 2 cert)."""
        times = self.times(lifetime_s, skew_s=60)
        claims = {
            "aud": audience, "iss": v1_issuer(tenant_id), **times, "idp": v1_issuer(tenant_id),
            "tid": tenant_id, "oid": object_id, "sub": object_id, "appid": app_id,
            "azp": app_id, "appidacr": client_auth, "idtyp": "app", "ver": "1.0",
        }
        return self.sign(claims, v1=True), times["exp"]

    def decode(self, token: str) -> dict[str, Any]:
        """The claims of a token this instance signed (signature and expiry checked); raises TokenError."""
        with self._lock:
            known = self._verified.get(token)
        if known is not None and known["exp"] > time.time():
            return dict(known)
        claims = self._decode(token)
        with self._lock:
            self._verified[token] = claims
            while len(self._verified) > 256:
                self._verified.popitem(last=False)
        return dict(claims)

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(token, self.key.public_key, algorithms=["RS256"],
                                                options={"verify_aud": False, "require": ["exp", "tid", "oid"]},
                                                leeway=0)
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("ExpiredAuthenticationToken",
                             "The access token expiry UTC time is earlier than current UTC time.") from exc
        except jwt.PyJWTError as exc:
            raise TokenError("InvalidAuthenticationToken", "The access token is invalid.") from exc
        return claims

    def verify(self, token: str, audiences: tuple[str, ...]) -> dict[str, Any]:
        """The claims of a token this instance signed, for one of `audiences`; raises TokenError."""
        claims = self.decode(token)
        if str(claims.get("aud", "")).rstrip("/") not in audiences:
            raise TokenError("InvalidAuthenticationToken",
                             "The access token has been obtained for wrong audience or resource "
                             f"'{claims.get('aud')}'. It should exactly match with one of the allowed audiences "
                             f"'{', '.join(audiences)}'.")
        return claims
