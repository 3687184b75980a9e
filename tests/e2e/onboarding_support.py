"""The onboarding body as a customer's browser sends it: federated tenants prove themselves first (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from local.demo import onboarding_request
from local.estates.model import Estate, Tenant
from tests.conftest import Api


def signed_body(api: Api, tenant: Tenant, estate: Estate, user: str | None = None) -> dict[str, Any]:
    """The tenant's onboarding body; a federated one carries the proof of a sign-in round trip as `user` (default:
    the tenant's first administrator) through the stack's own routes."""
    return onboarding_request(api.base_url, Path(api.ca_bundle), tenant, estate, user)
