"""Which Entra directory roles make a signed-in user a tenant administrator for onboarding.

Role template ids from Entra's built-in roles reference (permissions-reference.md), as docs/onboarding-design.md
section 2 lists them; an operator adds custom roles with ONBOARDING_EXTRA_ADMIN_ROLE_IDS (comma- or
space-separated role template ids).
"""

from __future__ import annotations

import re

from shared.config import get_settings

ADMIN_ROLE_TEMPLATE_IDS = frozenset({
    "62e90394-69f5-4237-9190-012177145e10",  # Global Administrator
    "e8611ab8-c189-46e8-94e1-60213ab1f814",  # Privileged Role Administrator
    "158c047a-c907-4556-b7ef-446551a6b5f7",  # Cloud Application Administrator
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",  # Application Administrator
})
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SEPARATORS = re.compile(r"[\s,;]+")


def extra_admin_role_ids(raw: str) -> frozenset[str]:
    """The role template ids of the setting's value; RuntimeError (naming the setting only) for a non-GUID."""
    ids = frozenset(part.lower() for part in _SEPARATORS.split(raw.strip()) if part)
    if any(not _GUID.fullmatch(role) for role in ids):
        raise RuntimeError("ONBOARDING_EXTRA_ADMIN_ROLE_IDS must list role template ids (GUIDs)")
    return ids


def admin_role_ids() -> frozenset[str]:
    """Every role template id that counts as a tenant administrator (lower case)."""
    return ADMIN_ROLE_TEMPLATE_IDS | extra_admin_role_ids(get_settings().onboarding_extra_admin_role_ids)
