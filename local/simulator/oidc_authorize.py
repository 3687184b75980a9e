"""GET /{tenant}/oauth2/v2.0/authorize: the OpenID Connect authorization-code request (with PKCE and nonce).

Parameters as v2-oauth2-auth-code-flow.md lists them. After the front checks (oidc_front.py), errors go back to
the redirect URI. PKCE: code_challenge_method S256 or plain ("The Microsoft identity platform supports both plain
and S256"; omitted means plain). Consent: in a tenant where Caleta's app is not provisioned, a user who cannot
grant admin consent gets "Need admin approval" (AADSTS90094); a user who declines is sent back with
error=access_denied&error_subcode=cancel (AADSTS65004, as MSAL libraries parse a cancelled prompt).
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from local.estates.identity import User
from local.simulator.consent_state import service_principal, usable
from local.simulator.http import Request, Response
from local.simulator.oidc_directory import resource_for, split_scopes
from local.simulator.oidc_front import Front, need_admin_approval, sign_in_front, signed_in_user
from local.simulator.oidc_pages import error_page, redirect, redirect_error

if TYPE_CHECKING:
    from local.simulator.state import SimState

RESPONSE_MODES = ("query", "fragment", "form_post")
_HTML_TAG = re.compile(r"<[^>]*>")
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 4.1/4.2: unreserved characters, 43-128


def authorize(state: SimState, req: Request, tenant_ref: str) -> Response:
    """Sign the user in and send a code to the redirect URI, or say why not."""
    front = sign_in_front(state, req, tenant_ref)
    if isinstance(front, Response):
        return front
    # "The Microsoft Entra authorization endpoint strips HTML from the state parameter" (reply-url.md).
    raw_state = req.q("state")
    uri, given_state = front.redirect_uri, None if raw_state is None else _HTML_TAG.sub("", raw_state)
    mode = req.q("response_mode") or "query"
    if mode not in RESPONSE_MODES:
        return redirect_error(uri, "query", given_state, "invalid_request", 70007,
                              f"The app returned an unsupported value of response_mode: '{mode}'.")
    refusal = _check_request(state, req, front)
    if refusal is not None:
        return redirect_error(uri, mode, given_state, *refusal)
    user = signed_in_user(front, req)
    if isinstance(user, Response):
        return user
    blocked = _consent(state, req, front, user, mode)
    if blocked is not None:
        return blocked
    method = req.q("code_challenge_method") or "plain"
    challenge = req.q("code_challenge")
    code = state.oidc.codes.issue(
        tenant_id=front.directory.tenant_id, client_id=front.app.client_id, redirect_uri=uri,
        challenge=challenge, challenge_method=method if challenge else None, nonce=req.q("nonce"),
        user_object_id=user.object_id, scopes=tuple(s for s in (req.q("scope") or "").split(" ") if s))
    params = {"code": code, **({"state": given_state} if given_state is not None else {}),
              "session_state": str(uuid.uuid4())}
    return redirect(uri, params, mode)


def _check_request(state: SimState, req: Request, front: Front) -> tuple[str, int, str] | None:
    """(error, AADSTS code, text) for a malformed request, sent back to the app."""
    response_type = req.q("response_type")
    if not response_type:
        return "invalid_request", 900144, "The request body must contain the following parameter: 'response_type'."
    if response_type != "code":
        return ("unsupported_response_type", 700054,
                f"response_type '{response_type}' is not enabled for the application.")
    scope = req.q("scope") or ""
    if not scope.strip():
        return "invalid_request", 900144, "The request body must contain the following parameter: 'scope'."
    resource = resource_for(state, front.directory.tenant_id, split_scopes(scope)[1])
    if isinstance(resource, str):
        return ("invalid_resource", 500011, f"The resource principal named {resource} was not found in the tenant "
                                            f"named {front.directory.display_name}.")
    return _check_pkce(req)


def _check_pkce(req: Request) -> tuple[str, int, str] | None:
    challenge, method = req.q("code_challenge"), req.q("code_challenge_method")
    if method is not None and method not in ("S256", "plain"):
        return "invalid_request", 90100, "The parameter 'code_challenge_method' is empty or not valid."
    if method is not None and not challenge:
        return "invalid_request", 50147, "The code challenge parameter is missing or its size isn't valid."
    if challenge is not None and (not _CHALLENGE.match(challenge) or (method == "S256" and len(challenge) != 43)):
        return "invalid_request", 501491, "Invalid size of Code_Challenge parameter."
    return None


def _consent(state: SimState, req: Request, front: Front, user: User, mode: str) -> Response | None:
    """None when the user may sign in; else the consent outcome (page or redirect)."""
    tenant, app = front.directory.customer, front.app
    provisioned = True
    if tenant is not None and not app.first_party:
        principal = service_principal(state, tenant, app.client_id)
        provisioned = usable(principal)
        if provisioned and state.is_revoked(tenant.tenant_id, app.client_id):
            return error_page(7000112, f"Application '{app.client_id}'({app.display_name}) is disabled.")
    prompt = req.q("prompt")
    if provisioned and prompt != "consent":
        return None
    given_state = None if req.q("state") is None else _HTML_TAG.sub("", req.q("state") or "")
    if prompt == "none":
        return redirect_error(front.redirect_uri, mode, given_state, "interaction_required", 65001,
                              f"The user or administrator has not consented to use the application with ID "
                              f"'{app.client_id}' named '{app.display_name}'. Send an interactive authorization "
                              "request for this user and resource.")
    if not provisioned and not user.can_consent():
        return need_admin_approval(front)
    if user.declines_consent:
        return redirect_error(front.redirect_uri, mode, given_state, "access_denied", 65004,
                              "User declined to consent to access the app.", extra={"error_subcode": "cancel"})
    return None
