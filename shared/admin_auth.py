"""Who may call the admin API: a member of Caleta's staff with the Caleta.Admin app role, by Entra access token.

App Service Authentication (Easy Auth) is off (infra/modules/functionapp.bicep,
tests/infra/test_platform_config.py::test_easy_auth_is_off_when_deployed), so in Azure as on one machine the
caller's `Authorization: Bearer <token>` reaches the app untouched and the app checks it itself with
shared.auth.admin_token.verify_admin_token: a v1 access token of Caleta's tenant (ADMIN_TENANT_ID) for the
admin app (ADMIN_API_AUDIENCE), RS256, the Caleta.Admin role, and `mfa` in `amr` while ADMIN_REQUIRE_MFA is on
(docs/onboarding-design.md section 5). There is no other way in: no principal header, no local vouch. The
local stack's operators get tokens from the simulated tenant exactly as staff get them from Entra with
`az account get-access-token --resource <ADMIN_API_AUDIENCE>` (local/admin_token.py).

Refusals: no usable token -> Unauthorized (401); a valid token without the role -> Forbidden (answered 404,
so the admin API does not show it exists); Entra's keys unreadable -> EntraUnavailable (503).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from shared.auth.admin_token import ADMIN_ROLE, AdminCaller, verify_admin_token
from shared.auth.keys import KeyCache

__all__ = ["ADMIN_ROLE", "AdminCaller", "require_admin", "use_admin_keys"]

# Key caches handed in by tests (innermost wins); otherwise shared.auth's process-wide cache reads Entra.
_KEY_OVERRIDES: list[KeyCache] = []


def _authorization(headers: Mapping[str, str]) -> str | None:
    return next((value for name, value in headers.items() if name.lower() == "authorization"), None)


def require_admin(headers: Mapping[str, str]) -> AdminCaller:
    """The admin making this request; Unauthorized (no usable token) or Forbidden (valid, not an admin)."""
    keys = _KEY_OVERRIDES[-1] if _KEY_OVERRIDES else None
    return verify_admin_token(_authorization(headers), keys=keys)


@contextmanager
def use_admin_keys(keys: KeyCache) -> Iterator[KeyCache]:
    """Check admin tokens against `keys` inside the block (tests hand in a cache over a fake Entra)."""
    _KEY_OVERRIDES.append(keys)
    try:
        yield keys
    finally:
        _KEY_OVERRIDES.remove(keys)
