"""The simulated Entra's signing key: one RSA key pair per run, its self-signed certificate and its JWK.

Entra publishes each signing key with its certificate: kid and x5t are the certificate's SHA-1 thumbprint
(base64url), x5c the DER certificate, and the v2 key set adds an `issuer` (captured JWKS of
login.microsoftonline.com/common/discovery/v2.0/keys in panva/wellknown, issuers/entra-common).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

# The subject Entra's token-signing certificates carry.
_SIGNING_SUBJECT = "accounts.accesscontrol.windows.net"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class SigningKey:
    """An RSA-2048 key pair generated in memory for one simulator run (never written anywhere)."""

    def __init__(self) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = self.private_key.public_key()
        now = dt.datetime.now(dt.UTC)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _SIGNING_SUBJECT)])
        certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                       .public_key(self.public_key).serial_number(x509.random_serial_number())
                       .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
                       .sign(self.private_key, hashes.SHA256()))
        der = certificate.public_bytes(serialization.Encoding.DER)
        self.kid = _b64url(hashlib.sha1(der, usedforsecurity=False).digest())
        self._x5c = base64.b64encode(der).decode("ascii")

    def jwk(self, issuer: str | None = None) -> dict[str, Any]:
        """The key as Entra lists it; v2 key sets name the issuer the key signs for."""
        numbers = self.public_key.public_numbers()
        key: dict[str, Any] = {"kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid,
                               "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e), "x5c": [self._x5c]}
        if issuer is not None:
            key["issuer"] = issuer
        return key
