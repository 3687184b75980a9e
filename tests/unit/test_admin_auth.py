"""Admin authentication: Caleta.Admin from Easy Auth's principal, or the local host's per-run vouch."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from shared.admin_auth import ADMIN_ROLE, require_admin
from shared.errors import Forbidden, Unauthorized

SECRET = "s" * 43
EASY_AUTH: dict[str, Any] = {"easy_auth": True, "local_secret": None}
NO_EASY_AUTH: dict[str, Any] = {"easy_auth": False, "local_secret": None}


def principal(*roles: str, **extra: Any) -> str:
    claims = [{"typ": "roles", "val": r} for r in roles] + [
        {"typ": "http://schemas.microsoft.com/identity/claims/objectidentifier", "val": "oid-1"}]
    return base64.b64encode(json.dumps({"auth_typ": "aad", "claims": claims, "role_typ": "roles",
                                        **extra}).encode()).decode()


def test_admin_refused_when_app_service_authentication_is_off() -> None:
    with pytest.raises(Unauthorized):
        require_admin({"X-MS-CLIENT-PRINCIPAL": principal(ADMIN_ROLE)}, **NO_EASY_AUTH)


def test_admin_accepted_when_easy_auth_principal_has_the_admin_role() -> None:
    admin = require_admin({"X-MS-CLIENT-PRINCIPAL": principal(ADMIN_ROLE)}, **EASY_AUTH)
    assert admin.object_id == "oid-1" and admin.auth_type == "aad"


def test_admin_forbidden_when_principal_lacks_the_role() -> None:
    with pytest.raises(Forbidden):
        require_admin({"x-ms-client-principal": principal("Caleta.Reader")}, **EASY_AUTH)


def test_admin_refused_when_principal_header_is_not_base64_json() -> None:
    with pytest.raises(Unauthorized):
        require_admin({"X-MS-CLIENT-PRINCIPAL": "not-base64!"}, **EASY_AUTH)


def test_admin_refused_when_signed_out_behind_easy_auth() -> None:
    with pytest.raises(Unauthorized):
        require_admin({}, **EASY_AUTH)


def test_local_vouch_accepted_when_the_host_secret_matches() -> None:
    admin = require_admin({"X-Caleta-Local-Admin": SECRET}, easy_auth=False, local_secret=SECRET)
    assert admin.auth_type == "local"


def test_local_vouch_refused_when_the_secret_differs() -> None:
    with pytest.raises(Unauthorized):
        require_admin({"X-Caleta-Local-Admin": "x" * 43}, easy_auth=False, local_secret=SECRET)


def test_local_vouch_refused_when_easy_auth_is_on() -> None:
    with pytest.raises(Unauthorized):
        require_admin({"X-Caleta-Local-Admin": SECRET}, easy_auth=True, local_secret=SECRET)


def test_local_vouch_refused_when_the_setting_is_short_or_empty() -> None:
    with pytest.raises(Unauthorized):
        require_admin({"X-Caleta-Local-Admin": ""}, easy_auth=False, local_secret="")
