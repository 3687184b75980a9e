"""A browserless OpenID Connect client for tests: plain HTTPS (urllib), every redirect followed by hand.

Usable against the simulator from any test: drive /authorize or /adminconsent, read the 302, redeem the code at
/token, and verify an ID token with PyJWT against the tenant's published JWKS.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt


@dataclass
class Hop:
    """One answer, not followed: status, Location (if any) and its query or fragment parameters, body text."""

    status: int
    location: str | None
    body: str
    params: dict[str, str] = field(default_factory=dict)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: Any, msg: Any, headers: Any, newurl: Any) -> None:
        return None


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge), RFC 7636."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class OidcClient:
    """Talks to one simulated authority over HTTPS, trusting the given CA."""

    def __init__(self, base_url: str, ca: Path) -> None:
        self.base_url = base_url
        self.context = ssl.create_default_context(cafile=str(ca))
        self._opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=self.context))

    def get(self, path: str, **params: str) -> Hop:
        """GET base_url+path?params without following a redirect."""
        url = f"{self.base_url}{path}" + (f"?{urlencode(params)}" if params else "")
        try:
            with self._opener.open(url, timeout=10) as resp:
                return _hop(resp.status, resp.headers.get("Location"), resp.read())
        except urllib.error.HTTPError as exc:  # 3xx (not followed) and 4xx arrive here
            return _hop(exc.code, exc.headers.get("Location"), exc.read())

    def call(self, url: str, *, method: str = "GET", data: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """Any request to an https URL of the simulator; (status, JSON body)."""
        if not url.startswith("https://"):
            raise ValueError("the simulator is only reached over https")
        request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310
        try:
            with self._opener.open(request, timeout=10) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def post_form(self, path: str, form: dict[str, str], headers: dict[str, str] | None = None
                  ) -> tuple[int, dict[str, Any]]:
        """POST a form; (status, JSON body)."""
        status, body = self.call(f"{self.base_url}{path}", method="POST", data=urlencode(form).encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
        return status, dict(body)

    def authorize(self, tenant: str, **params: str) -> Hop:
        """GET /{tenant}/oauth2/v2.0/authorize."""
        return self.get(f"/{tenant}/oauth2/v2.0/authorize", **params)

    def redeem(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """POST /{tenant}/oauth2/v2.0/token with grant_type=authorization_code."""
        return self.post_form(f"/{tenant}/oauth2/v2.0/token", {"grant_type": "authorization_code", **form})

    def verify(self, token: str, tenant: str, audience: str, *, v2: bool = True) -> dict[str, Any]:
        """The claims of a token, its RS256 signature checked with the key its kid names in the tenant's JWKS."""
        jwks = f"{self.base_url}/{tenant}/discovery/v2.0/keys" if v2 else f"{self.base_url}/{tenant}/discovery/keys"
        key = jwt.PyJWKClient(jwks, ssl_context=self.context, cache_jwk_set=False).get_signing_key_from_jwt(token)
        issuer = f"{self.base_url}/{tenant}/v2.0" if v2 else f"https://sts.windows.net/{tenant}/"
        return dict(jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, issuer=issuer))


def _hop(status: int, location: str | None, body: bytes) -> Hop:
    params: dict[str, str] = {}
    if location:
        parts = urlsplit(location)
        params = dict(parse_qsl(parts.fragment or parts.query, keep_blank_values=True))
    return Hop(status, location, body.decode("utf-8", "replace"), params)
