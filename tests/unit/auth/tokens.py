"""Keys made in the test, hand-made tokens, and a fake Entra metadata endpoint for shared/auth's unit tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth.errors import EntraUnavailable
from shared.auth.keys import KeyCache

AUTHORITY = "https://login.microsoftonline.com"
TENANT = "aa30a467-eb60-5a00-92e6-aa20c25e51da"
OTHER_TENANT = "75f52ee7-223c-5660-b825-ac08303d192c"
ADMIN_TENANT = "412141a4-fc00-5fc4-b18d-f4e6834fd9e6"
APP = "bd8dba6b-cf6e-51da-b5bb-b8038200a519"
ADMIN_AUDIENCE = "api://9e0d9c5d-fa58-5ab6-b21e-60398dfe4df9"
USER = "95030cf8-4272-599d-a823-f43dcfe01107"
NONCE = "n-0123456789abcdefghijklmnopqrstuvwxyz"
NOW = 1_900_000_000
DISCOVERY = f"{AUTHORITY}/{TENANT}/v2.0/.well-known/openid-configuration"
JWKS = f"{AUTHORITY}/{TENANT}/discovery/v2.0/keys"
ADMIN_KEYS = f"{AUTHORITY}/{ADMIN_TENANT}/discovery/keys"


def b64url(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class Key:
    """An RSA key pair made for one test, with the kid it is published under."""

    kid: str
    bits: int = 2048
    private: rsa.RSAPrivateKey = field(init=False)

    def __post_init__(self) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=self.bits)

    def jwk(self, **extra: Any) -> dict[str, Any]:
        """The public key as Entra lists it in a JWKS."""
        numbers = self.private.public_key().public_numbers()
        return {"kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid,
                "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                "e": b64url(numbers.e.to_bytes(3, "big")), **extra}

    def public_pem(self) -> bytes:
        """The public key in PEM (the "secret" of the HS256 confusion attack)."""
        return self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, claims: dict[str, Any], **headers: Any) -> str:
        """An RS256 token signed with this key, naming it by kid (headers override)."""
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": self.kid, **headers})


def unsigned(claims: dict[str, Any], header: dict[str, Any], signature: bytes = b"") -> str:
    """A token with any header and a given (possibly empty) signature."""
    head = b64url(json.dumps(header).encode())
    body = b64url(json.dumps(claims).encode())
    return f"{head}.{body}.{b64url(signature)}"


def hs256_with(secret: bytes, claims: dict[str, Any], kid: str) -> str:
    """HS256 over the token with `secret` as the HMAC key: the algorithm-confusion forgery."""
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = b64url(json.dumps(claims).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(mac)}"


def id_claims(**overrides: Any) -> dict[str, Any]:
    """An ID token's claims as Entra issues them for Caleta's app in TENANT (None drops a claim)."""
    claims: dict[str, Any] = {"aud": APP, "iss": f"{AUTHORITY}/{TENANT}/v2.0", "iat": NOW, "nbf": NOW,
                              "exp": NOW + 3600, "sub": "pairwise-subject", "tid": TENANT, "ver": "2.0",
                              "nonce": NONCE, "oid": USER, "name": "Ana", "preferred_username": "ana@tamar.example",
                              "wids": ["62e90394-69f5-4237-9190-012177145e10",
                                       "b79fbf4d-3ef9-4689-8143-76b194e85509"]}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def admin_claims(**overrides: Any) -> dict[str, Any]:
    """A v1 access token's claims for the admin API, as `az account get-access-token` gets it (None drops)."""
    claims: dict[str, Any] = {"aud": ADMIN_AUDIENCE, "iss": f"https://sts.windows.net/{ADMIN_TENANT}/", "iat": NOW,
                              "nbf": NOW, "exp": NOW + 3600, "amr": ["pwd", "mfa"], "oid": USER,
                              "roles": ["Caleta.Admin"], "tid": ADMIN_TENANT, "ver": "1.0",
                              "appid": "04b07795-8ddb-461a-bbee-02f9e1bf7b46"}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


class FakeEntra:
    """Entra's metadata documents by URL, as the KeyCache's fetch sees them; counts each read."""

    def __init__(self, *keys: Key) -> None:
        self.documents: dict[str, dict[str, Any]] = {
            DISCOVERY: {"issuer": f"{AUTHORITY}/{TENANT}/v2.0", "jwks_uri": JWKS},
        }
        self.publish(JWKS, *keys)
        self.publish(ADMIN_KEYS, *keys)
        self.reads: list[str] = []
        self.down = False

    def publish(self, url: str, *keys: Key, **extra: Any) -> None:
        """Serve these keys at `url` from now on."""
        self.documents[url] = {"keys": [k.jwk(**extra) for k in keys]}

    def __call__(self, url: str) -> dict[str, Any]:
        self.reads.append(url)
        if self.down or url not in self.documents:
            raise EntraUnavailable("fake Entra is down")
        copy: dict[str, Any] = json.loads(json.dumps(self.documents[url]))
        return copy


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: float = NOW) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now


def cache_for(entra: FakeEntra, clock: Clock | None = None) -> KeyCache:
    """A KeyCache reading from the fake, on the test's clock."""
    return KeyCache(entra, clock=clock or Clock())
