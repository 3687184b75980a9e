"""Unsigned bearer tokens for Azurite's basic OAuth mode, which checks claims but not signatures."""

from __future__ import annotations

import time
from typing import Any

import jwt
from azure.core.credentials import AccessToken


class UnsignedToken:
    """A TokenCredential minting a token for `audience` with the issuer Azurite expects."""

    def __init__(self, audience: str = "https://storage.azure.com") -> None:
        self.audience = audience

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """A fresh token valid for an hour."""
        now = int(time.time())
        claims = {"aud": self.audience, "iss": "https://sts.windows.net/x/", "iat": now,
                  "nbf": now - 60, "exp": now + 3600}
        return AccessToken(jwt.encode(claims, "k" * 32, algorithm="HS256"), now + 3600)
