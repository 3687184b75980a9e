"""Which Entra ID endpoint answers a request: discovery, keys, token, authorize and admin consent."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from local.simulator import consent, entra, oidc_authorize, oidc_discovery
from local.simulator.http import Request, Response, arm_error

if TYPE_CHECKING:
    from local.simulator.state import SimState

_Handler = Callable[["SimState", Request, str], Response]
_T = r"^/(?P<tenant>[^/]+)"
TOKEN = re.compile(_T + r"/oauth2/v2\.0/token$")
_ROUTES: list[tuple[re.Pattern[str], str, _Handler]] = [
    (re.compile(_T + r"/v2\.0/\.well-known/openid-configuration$"), "GET",
     lambda s, _r, t: oidc_discovery.openid_configuration(s, t)),
    (re.compile(_T + r"/\.well-known/openid-configuration$"), "GET",
     lambda s, _r, t: oidc_discovery.openid_configuration(s, t, v2=False)),
    (re.compile(_T + r"/discovery/v2\.0/keys$"), "GET", lambda s, _r, t: oidc_discovery.keys(s, t)),
    (re.compile(_T + r"/discovery/keys$"), "GET", lambda s, _r, t: oidc_discovery.keys(s, t, v2=False)),
    (TOKEN, "POST", entra.token),
    (re.compile(_T + r"/oauth2/v2\.0/authorize$"), "GET", oidc_authorize.authorize),
    (re.compile(_T + r"/v2\.0/adminconsent$"), "GET", lambda s, r, t: consent.admin_consent(s, r, t, v2=True)),
    (re.compile(_T + r"/adminconsent$"), "GET", lambda s, r, t: consent.admin_consent(s, r, t, v2=False)),
]
_SIGN_IN = re.compile(_T + r"/(oauth2/v2\.0/authorize|v2\.0/adminconsent|adminconsent)$")


def dispatch(state: SimState, req: Request) -> Response | None:
    """The Entra endpoint's answer, or None when the path is not an Entra endpoint."""
    for pattern, method, handler in _ROUTES:
        if match := pattern.match(req.path):
            if req.method != method:
                return arm_error(404, "NotFound", "No such endpoint.")
            return handler(state, req, match.group("tenant"))
    return None


def identity(req: Request) -> tuple[str | None, str | None]:
    """(tenant, client_id) a token or sign-in request names, for the request log (never codes or secrets)."""
    if req.method == "POST" and (match := TOKEN.match(req.path)):
        return match.group("tenant"), req.form().get("client_id")
    if req.method == "GET" and (match := _SIGN_IN.match(req.path)):
        return match.group("tenant"), req.q("client_id")
    return None, None
