"""`az account get-access-token --resource <admin API>` on one machine: an admin token from the simulated tenant.

Staff get admin tokens from Entra with the Azure CLI, whose first-party public client signs them in to Caleta's
tenant (authorization code + PKCE, redeemed without client credentials). The simulator issues the same v1 token
to the same client (docs/estate-format.md, "Admin tokens"); it has no login page, so `login_hint` names the
member of staff. Tests and `python -m local admin-token` use this, so the admin API is reached locally exactly
as in Azure: no vouch, no shortcut.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from local.estates.model import Caleta

# The Azure CLI's client id (the same in every tenant) and a loopback redirect URI it registers (any port).
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
CLI_REDIRECT_URI = "http://localhost:8400"
ADMIN_ROLE = "Caleta.Admin"


class AdminTokenError(RuntimeError):
    """The simulated tenant would not issue the token (the answer's error words and AADSTS code, if any)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: Any, msg: Any, headers: Any, newurl: Any) -> None:
        return None


def admin_audience(caleta: Caleta) -> str:
    """The admin API's identifier URI, the ADMIN_API_AUDIENCE of an app pointed at this estate ("" if none)."""
    return caleta.admin_api.resource_uri() if caleta.admin_api is not None else ""


def default_admin(caleta: Caleta) -> str:
    """The first member of staff holding Caleta.Admin with MFA (else with the role), as an operator would be."""
    admins = [u for u in caleta.users if ADMIN_ROLE in u.app_roles]
    chosen = next((u for u in admins if u.mfa), admins[0] if admins else None)
    if chosen is None:
        raise AdminTokenError("the estate's Caleta tenant has no user with the Caleta.Admin app role")
    return chosen.user_principal_name


def get_access_token(authority: str, tenant_id: str, resource: str, user: str, ca_bundle: Path) -> str:
    """The access token the Azure CLI gets for `resource` when `user` signs in to `tenant_id`."""
    if not authority.startswith("https://"):
        raise AdminTokenError("the authority must be an https URL")
    opener = urllib.request.build_opener(
        _NoRedirect, urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(ca_bundle))))
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    base = f"{authority.rstrip('/')}/{tenant_id}/oauth2/v2.0"
    query = urlencode({"client_id": AZURE_CLI_CLIENT_ID, "response_type": "code", "redirect_uri": CLI_REDIRECT_URI,
                       "scope": f"{resource}/.default", "code_challenge": challenge,
                       "code_challenge_method": "S256", "login_hint": user, "state": secrets.token_urlsafe(16)})
    status, location, body = _send(opener, urllib.request.Request(f"{base}/authorize?{query}"))  # noqa: S310
    code = parse_qs(urlsplit(location).query).get("code", [""])[0] if status == 302 and location else ""
    if not code:
        raise AdminTokenError(f"sign-in refused ({status}): {_refusal(location, body)}")
    form = urlencode({"grant_type": "authorization_code", "client_id": AZURE_CLI_CLIENT_ID, "code": code,
                      "redirect_uri": CLI_REDIRECT_URI, "code_verifier": verifier}).encode()
    token_request = urllib.request.Request(f"{base}/token", data=form, method="POST")  # noqa: S310 - https only
    status, _, body = _send(opener, token_request)
    answer = json.loads(body or b"{}")
    if status != 200 or "access_token" not in answer:
        raise AdminTokenError(f"token refused ({status}): {answer.get('error')} {answer.get('error_codes')}")
    return str(answer["access_token"])


def _send(opener: urllib.request.OpenerDirector, request: urllib.request.Request) -> tuple[int, str, bytes]:
    try:
        with opener.open(request, timeout=15) as resp:
            return resp.status, resp.headers.get("Location") or "", resp.read()
    except urllib.error.HTTPError as exc:  # a 302 that is not followed arrives here too
        return exc.code, exc.headers.get("Location") or "", exc.read()


def _refusal(location: str, body: bytes) -> str:
    if location:
        params = parse_qs(urlsplit(location).query)
        return " ".join(params.get("error", []) + params.get("error_description", [])[:1])[:300]
    return body.decode("utf-8", "replace")[:300]
