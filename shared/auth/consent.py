"""Admin consent: the link that lets a verified administrator provision Caleta's app, and reading the way back.

v2-admin-consent.md: GET {authority}/{tenant}/v2.0/adminconsent?client_id&scope&redirect_uri&state; Entra comes
back with admin_consent=True&tenant=…&scope=…&state=… on success, and with error (and error_description) when
anything failed - sometimes still carrying admin_consent=True (a declined prompt does), so ANY `error` is a
failure whatever else is there. The `tenant` parameter is unsigned: the doc warns never to authorize on it, so
the caller compares it with the tenant its state (bound to a verified sign-in) names (`granted_for`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from shared.auth.endpoints import admin_consent_endpoint, canonical_tenant
from shared.auth.errors import error_word
from shared.auth.signin import SCOPE, app_client_id, public_uri
from shared.errors import InvalidInput

CONSENT_PATH = "/api/onboarding/consent"
_AADSTS = re.compile(r"AADSTS(\d{1,9})")


@dataclass(frozen=True)
class ConsentResult:
    """What the consent redirect said; `tenant_id` is Entra's unsigned claim, `state` the caller's to look up."""

    granted: bool
    state: str | None
    tenant_id: str | None
    error: str | None = None
    error_subcode: str | None = None
    aadsts: int | None = None

    def granted_for(self, tenant_id: str) -> bool:
        """Whether consent was granted in exactly this tenant (the one the verified sign-in proved)."""
        return self.granted and self.tenant_id == canonical_tenant(tenant_id)


def admin_consent_url(tenant_id: str, state: str) -> str:
    """The v2 admin-consent URL for Caleta's app in the tenant, coming back to PUBLIC_BASE_URL's consent route."""
    if not state:
        raise ValueError("admin consent needs a state bound to the verified sign-in")
    params = {"client_id": app_client_id(), "scope": SCOPE, "redirect_uri": public_uri(CONSENT_PATH),
              "state": state}
    return f"{admin_consent_endpoint(canonical_tenant(tenant_id))}?{urlencode(params, quote_via=quote)}"


def parse_consent_redirect(query: Mapping[str, str]) -> ConsentResult:
    """The outcome of a consent redirect's query parameters; only admin_consent=True with a tenant and no
    `error` at all counts as granted."""
    state = query.get("state") or None
    if "error" in query:
        match = _AADSTS.search(query.get("error_description") or "")
        subcode = query.get("error_subcode")
        return ConsentResult(False, state, None, error_word(query["error"]),
                             error_word(subcode) if subcode is not None else None,
                             int(match.group(1)) if match else None)
    try:
        tenant = canonical_tenant(query.get("tenant") or "", "tenant")
    except InvalidInput:
        return ConsentResult(False, state, None, "invalid_response")
    if (query.get("admin_consent") or "").lower() != "true":
        return ConsentResult(False, state, tenant, "invalid_response")
    return ConsentResult(True, state, tenant)
