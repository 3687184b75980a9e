"""The checks every Entra-signed token Caleta accepts goes through: RS256 signature with a published key, times.

The header is read before anything is trusted, and only to choose the key: `alg` must be RS256 exactly (no
`none`, no HS256 keyed with the public key - the algorithm-confusion attack - and no other algorithm), and the
key named by `kid` must be an RSA signature key whose own `alg`, if it states one, is RS256 too. PyJWS then
checks the signature with that key and RS256 only. Claims are parsed only after the signature holds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import jwt

from shared.auth.errors import TokenRejected
from shared.auth.keys import KeyCache

ALGORITHM = "RS256"
SKEW_S = 300  # five minutes of clock skew either way (docs/onboarding-design.md section 2)
_TIME_CLAIMS = ("exp", "nbf", "iat")

Clock = Callable[[], float]


def signed_claims(token: str, keys: KeyCache, jwks_uri: str) -> dict[str, Any]:
    """The claims of a token whose RS256 signature verifies with a key of the set at `jwks_uri`."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise TokenRejected("malformed")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise TokenRejected("malformed") from None
    if header.get("alg") != ALGORITHM:
        raise TokenRejected("alg")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenRejected("kid")
    key = keys.signing_key(jwks_uri, kid)
    if key is None:
        raise TokenRejected("kid")
    if key.alg not in (None, ALGORITHM):
        raise TokenRejected("alg")
    try:
        payload = jwt.PyJWS().decode(token, key.public_key, algorithms=[ALGORITHM])
    except jwt.InvalidSignatureError:
        raise TokenRejected("signature") from None
    except jwt.PyJWTError:
        raise TokenRejected("malformed") from None
    try:
        claims = json.loads(payload)
    except ValueError:
        raise TokenRejected("malformed") from None
    if not isinstance(claims, dict):
        raise TokenRejected("malformed")
    return claims


def require_claims(claims: dict[str, Any], strings: Iterable[str]) -> None:
    """Each named claim present as a non-empty string, and exp/nbf/iat as integers; else TokenRejected."""
    for name in strings:
        value = claims.get(name)
        if not isinstance(value, str) or not value:
            raise TokenRejected(f"claims: {name}")
    for name in _TIME_CLAIMS:
        value = claims.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise TokenRejected(f"claims: {name}")


def check_times(claims: dict[str, Any], now: Clock | None = None) -> None:
    """exp in the future, nbf and iat not, each with SKEW_S of tolerance (require_claims ran first)."""
    current = (now or time.time)()
    if claims["exp"] <= current - SKEW_S:
        raise TokenRejected("exp")
    if claims["nbf"] > current + SKEW_S:
        raise TokenRejected("nbf")
    if claims["iat"] > current + SKEW_S:
        raise TokenRejected("iat")
