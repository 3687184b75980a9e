"""Entra's addresses and issuers for a tenant, all derived from settings.authority_host.

The v2 issuer is {authority}/{tenant id}/v2.0 (id-token-claims-reference.md); v1 access tokens are issued by
https://sts.windows.net/{tenant id}/ (access-token-claims-reference.md) whatever the authority host - the
simulated tenant issues exactly that too (local/simulator/tokens.py:v1_issuer), so no setting is needed for it.
"""

from __future__ import annotations

import re

from shared.config import get_settings
from shared.errors import InvalidInput

V1_ISSUER_BASE = "https://sts.windows.net/"
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def canonical_tenant(tenant_id: str, field: str = "tenant_id") -> str:
    """The tenant id as a lower-case GUID; InvalidInput naming `field` for anything else (no domain names)."""
    canonical = tenant_id.lower() if isinstance(tenant_id, str) else ""
    if not _GUID.fullmatch(canonical):
        raise InvalidInput({field: "must be the tenant's directory id (a GUID)"})
    return canonical


def authority() -> str:
    """The Entra authority host without a trailing slash; only https is accepted."""
    host = get_settings().authority_host.rstrip("/")
    if not host.startswith("https://"):
        raise RuntimeError("AZURE_AUTHORITY_HOST must be an https URL")
    return host


def v2_issuer(tenant_id: str) -> str:
    """The `iss` of the tenant's v2 tokens (ID tokens)."""
    return f"{authority()}/{canonical_tenant(tenant_id)}/v2.0"


def v1_issuer(tenant_id: str) -> str:
    """The `iss` of the tenant's v1 access tokens."""
    return f"{V1_ISSUER_BASE}{canonical_tenant(tenant_id)}/"


def openid_configuration_url(tenant_id: str) -> str:
    """The tenant's v2 OpenID Connect discovery document."""
    return f"{authority()}/{canonical_tenant(tenant_id)}/v2.0/.well-known/openid-configuration"


def v1_keys_url(tenant_id: str) -> str:
    """The tenant's v1 signing keys (the keys of v1 access tokens)."""
    return f"{authority()}/{canonical_tenant(tenant_id)}/discovery/keys"


def authorize_url(tenant_id: str) -> str:
    """The v2 authorization endpoint."""
    return f"{authority()}/{canonical_tenant(tenant_id)}/oauth2/v2.0/authorize"


def token_url(tenant_id: str) -> str:
    """The v2 token endpoint."""
    return f"{authority()}/{canonical_tenant(tenant_id)}/oauth2/v2.0/token"


def admin_consent_endpoint(tenant_id: str) -> str:
    """The v2 admin-consent endpoint."""
    return f"{authority()}/{canonical_tenant(tenant_id)}/v2.0/adminconsent"


def issued_by(issuer: object, prefix: str, tenant_id: str, suffix: str) -> bool:
    """Whether `issuer` is prefix + tenant + suffix: prefix and suffix exact (as Entra emits them), the tenant
    GUID compared lower-case."""
    if not isinstance(issuer, str) or not issuer.startswith(prefix) or not issuer.endswith(suffix):
        return False
    middle = issuer[len(prefix):len(issuer) - len(suffix)]
    return "/" not in middle and middle.lower() == canonical_tenant(tenant_id)
