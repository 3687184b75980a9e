"""The onboarding sign-in round trip: start it, take Entra's answer, and hand the browser a one-time proof.

docs/onboarding-design.md section 2. The proof is an Entra-signed ID token of an administrator of the tenant,
redeemed and checked on the server; the admin-consent redirect is only the administrator's path to granting
consent, never the proof (its `tenant` and `admin_consent` are unsigned): its state must name a session that a
verified administrator's sign-in opened, in the same browser, for the same tenant. Every refusal looks the same
to the caller ("the sign-in could not be completed"), so nothing here tells a stranger whether a tenant
consented to Caleta or is a customer. Each answer is an `Answer` the route turns into HTTP.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from shared.auth.consent import CONSENT_PATH, admin_consent_url, parse_consent_redirect
from shared.auth.endpoints import canonical_tenant
from shared.auth.errors import EntraRefused, TokenRejected, error_word
from shared.auth.signin import new_signin, public_uri
from shared.errors import Misconfigured
from shared.pipeline.throttle import admit_address
from shared.services import Services
from shared.storage.signins import SigninSession

logger = logging.getLogger(__name__)

PAGE_PATH = "/api/onboarding"
Notice = Literal["failed", "app_disabled"]


@dataclass(frozen=True)
class Answer:
    """A redirect (`location`), or a notice page (`notice`); `cookie` is the state to bind the browser to, ""
    to forget it, None to leave it."""

    location: str | None = None
    notice: Notice | None = None
    cookie: str | None = None


def page_url(tenant_id: str, fragment: str = "") -> str:
    """The onboarding page for a tenant, with a fragment (which never reaches a server log)."""
    return public_uri(f"{PAGE_PATH}?tenant_id={quote(tenant_id)}") + (f"#{fragment}" if fragment else "")


def _refused(why: str) -> Answer:
    logger.info("onboarding sign-in not completed: %s", why)
    return Answer(notice="failed", cookie="")


def _same_browser(state: str, cookie: str | None) -> bool:
    return bool(cookie) and hmac.compare_digest(state.encode(), (cookie or "").encode())


def start(services: Services, tenant_id: str, address: str | None) -> Answer:
    """Open a sign-in session for the tenant and send the browser to Entra's authorize endpoint."""
    admit_address(services, address)
    signin = new_signin(canonical_tenant(tenant_id))
    services.signins.open(signin.state, SigninSession("signin", signin.tenant_id, signin.nonce,
                                                      signin.code_verifier, signin.redirect_uri, services.clock()))
    return Answer(location=signin.authorize_url, cookie=signin.state)


def callback(services: Services, query: Mapping[str, str], cookie: str | None, address: str | None) -> Answer:
    """Entra's answer to the sign-in: the proof handle, the consent step, the non-admin page or a refusal."""
    admit_address(services, address)
    state = query.get("state") or ""
    # Taken first, whatever the answer says: an error or a forgery spends the session too.
    session = services.signins.take(state, services.clock()) if state else None
    if "error" in query:
        return _refused(f"Entra answered {error_word(query['error'])}")
    if session is None or session.purpose != "signin" or not _same_browser(state, cookie):
        return _refused("no such session in this browser")
    try:
        who = services.entra.identity(session.tenant_id, query.get("code") or "", session.code_verifier,
                                      session.redirect_uri, session.nonce)
    except EntraRefused as exc:
        return _refused(f"code refused ({exc.error} AADSTS{exc.aadsts})")
    except TokenRejected as exc:
        return _refused(f"ID token rejected ({exc.check})")
    if not who.has_wids:
        logger.error("ALERT ID tokens carry no wids: set groupMembershipClaims to DirectoryRole on Caleta's app "
                     "registration (docs/deploy.md)")
        raise Misconfigured("Caleta's app registration emits no directory roles")
    if not who.is_admin:
        logger.info("onboarding sign-in by a non-administrator: the page offers the link for their admin")
        return Answer(location=page_url(session.tenant_id, "outcome=not_admin"), cookie="")
    return _after_admin(services, session.tenant_id, who.object_id)


def _after_admin(services: Services, tenant_id: str, user_oid: str) -> Answer:
    access = services.entra.app_access(tenant_id)
    if access == "disabled":
        return Answer(notice="app_disabled", cookie="")
    if access == "consent_needed":
        state = secrets.token_urlsafe(32)
        services.signins.open(state, SigninSession("consent", tenant_id, "", "", public_uri(CONSENT_PATH),
                                                   services.clock(), user_oid))
        return Answer(location=admin_consent_url(tenant_id, state), cookie=state)
    return _proven(services, tenant_id, user_oid)


def _proven(services: Services, tenant_id: str, user_oid: str) -> Answer:
    handle = services.proofs.issue(tenant_id, user_oid, services.clock())
    logger.info("onboarding proof issued to a verified administrator")
    return Answer(location=page_url(tenant_id, f"proof={handle}"), cookie="")


def consent(services: Services, query: Mapping[str, str], cookie: str | None, address: str | None) -> Answer:
    """Entra's answer to admin consent: the proof handle when consent was granted in the proven tenant."""
    admit_address(services, address)
    result = parse_consent_redirect(query)
    session = services.signins.take(result.state, services.clock()) if result.state else None
    if result.error is not None:
        return _refused(f"consent answered {result.error} AADSTS{result.aadsts}")
    if session is None or session.purpose != "consent" or not _same_browser(result.state or "", cookie):
        return _refused("no verified sign-in behind this consent")
    if not result.granted_for(session.tenant_id):
        return _refused("consent came back for another tenant")
    return _proven(services, session.tenant_id, session.user_oid)


def sweep(services: Services) -> int:
    """Delete the sign-in sessions, proof handles and rate-limit counters of past days; how many went."""
    now = services.clock()
    swept = services.signins.sweep(now) + services.proofs.sweep(now) + services.ratelimits.sweep(now)
    logger.info("onboarding rows swept: %d", swept)
    return swept
