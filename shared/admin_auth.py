"""Who may call the admin API: an Entra ID user with app role Caleta.Admin, as App Service Authentication says.

In Azure, App Service Authentication (Easy Auth) signs the caller in, strips any client-sent
X-MS-CLIENT-PRINCIPAL and adds its own (base64 JSON of the token's claims). That header means something only
when WEBSITE_AUTH_ENABLED=True, so without it every admin call is refused. The one exception is the local
stack: its host process is started with a per-run random CALETA_LOCAL_ADMIN_SECRET, and a request carrying
that value in X-Caleta-Local-Admin is vouched for. Azure never sets that setting, and the vouch is refused
whenever Easy Auth is on, so it cannot open a deployed app. Both settings are read through shared/config.py.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.errors import Forbidden, Unauthorized

logger = logging.getLogger(__name__)

ADMIN_ROLE = "Caleta.Admin"
PRINCIPAL_HEADER = "x-ms-client-principal"
LOCAL_ADMIN_HEADER = "x-caleta-local-admin"
# The app setting that carries the local vouch (shared.config.Settings.local_admin_secret reads it).
LOCAL_ADMIN_SETTING = "CALETA_LOCAL_ADMIN_SECRET"
_MIN_LOCAL_SECRET = 32


@dataclass(frozen=True)
class Admin:
    """The caller, as much as the audit needs: an object id (or "local-admin") and the auth type."""

    object_id: str
    auth_type: str


def decode_principal(header: str) -> dict[str, Any]:
    """The claims principal Easy Auth sends; Unauthorized when it is not base64 JSON of the right shape."""
    try:
        payload = json.loads(base64.b64decode(header, validate=True))
    except (binascii.Error, ValueError):
        raise Unauthorized("unreadable client principal") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("claims"), list):
        raise Unauthorized("unreadable client principal")
    return payload


def _claims(principal: Mapping[str, Any], claim_type: str) -> list[str]:
    return [str(c.get("val", "")) for c in principal["claims"] if isinstance(c, dict) and c.get("typ") == claim_type]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def require_admin(headers: Mapping[str, str], *, easy_auth: bool, local_secret: str | None) -> Admin:
    """The admin making this request; Unauthorized (no usable sign-in) or Forbidden (not an admin).

    `easy_auth` is WEBSITE_AUTH_ENABLED, `local_secret` CALETA_LOCAL_ADMIN_SECRET (shared.config.Settings).
    """
    if not easy_auth:
        secret = local_secret or ""
        presented = _header(headers, LOCAL_ADMIN_HEADER) or ""
        if len(secret) >= _MIN_LOCAL_SECRET and hmac.compare_digest(presented.encode(), secret.encode()):
            return Admin(object_id="local-admin", auth_type="local")
        logger.warning("admin call refused: App Service Authentication is not enabled")
        raise Unauthorized("admin API needs App Service Authentication")
    header = _header(headers, PRINCIPAL_HEADER)
    if not header:
        raise Unauthorized("not signed in")
    principal = decode_principal(header)
    role_type = str(principal.get("role_typ") or "roles")
    if ADMIN_ROLE not in _claims(principal, role_type) and ADMIN_ROLE not in _claims(principal, "roles"):
        logger.warning("admin call refused: caller lacks %s", ADMIN_ROLE)
        raise Forbidden("not found")
    oid = _claims(principal, "http://schemas.microsoft.com/identity/claims/objectidentifier") or \
        _claims(principal, "oid") or ["unknown"]
    return Admin(object_id=oid[0], auth_type=str(principal.get("auth_typ", "aad")))
