"""The admin-consent endpoints: GET /{tenant}/v2.0/adminconsent and the v1 form GET /{tenant}/adminconsent.

v2 (v2-admin-consent.md): client_id, redirect_uri and scope required, state recommended. Success redirects to
redirect_uri?admin_consent=True&tenant=...&scope=...&state=...; errors after consent carry admin_consent=True
beside error and error_description. The admin-consent page never signs in a user who cannot grant consent: such
a user gets "Need admin approval" (AADSTS90094). A cancelled prompt comes back as error=access_denied with
error_subcode=cancel and AADSTS65004. v1 takes no scope and falls back to the first registered reply URL when
none is sent; without any registered, AADSTS500113 (first-deploy audit B3). Consent provisions Caleta's service
principal in the tenant (consent_state.py); the `tenant` parameter is informational only - the doc warns never
to authorize on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from local.simulator import consent_state
from local.simulator.http import Request, Response
from local.simulator.oidc_front import need_admin_approval, sign_in_front, signed_in_user
from local.simulator.oidc_pages import redirect, redirect_error

if TYPE_CHECKING:
    from local.simulator.state import SimState

_ADMIN_CONSENT = {"admin_consent": "True"}


def admin_consent(state: SimState, req: Request, tenant_ref: str, *, v2: bool) -> Response:
    """Ask the signed-in administrator to consent for the whole tenant, then go back to the app."""
    front = sign_in_front(state, req, tenant_ref, default_redirect=not v2)
    if isinstance(front, Response):
        return front
    uri, given_state, scope = front.redirect_uri, req.q("state"), req.q("scope")
    if v2 and not (scope or "").strip():
        return redirect_error(uri, "query", given_state, "invalid_request", 900144,
                              "The request body must contain the following parameter: 'scope'.")
    user = signed_in_user(front, req)
    if isinstance(user, Response):
        return user
    if not user.can_consent():
        return need_admin_approval(front)
    if user.declines_consent:
        return redirect_error(uri, "query", given_state, "access_denied", 65004,
                              "User declined to consent to access the app.", extra={"error_subcode": "cancel"},
                              first=_ADMIN_CONSENT)
    tenant = front.directory.customer
    if tenant is not None and not front.app.first_party:
        consent_state.grant(state, tenant)
    params = {**_ADMIN_CONSENT, "tenant": front.directory.tenant_id}
    if v2 and scope is not None:
        params["scope"] = scope
    if given_state is not None:
        params["state"] = given_state
    return redirect(uri, params)
