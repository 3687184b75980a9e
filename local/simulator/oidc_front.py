"""The checks every browser sign-in endpoint makes before it may redirect: tenant, client and redirect URI.

These fail as Entra's error pages, never as redirects (an unregistered URI must not receive anything):
AADSTS90002 unknown tenant, 700016 unknown application, 500113 no reply address registered, 900971 none sent,
50011 a reply address that matches no registered one (reference-error-codes.md; microsoft/app-camp#165 for
500113 on the admin-consent endpoint). There is no login page: the user named by login_hint signs in, else the
tenant's first administrator, as a browser session would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from local.estates.identity import User
from local.simulator.http import Request, Response
from local.simulator.oidc_directory import ClientApp, Directory, client_app, directory
from local.simulator.oidc_pages import error_page, matches

if TYPE_CHECKING:
    from local.simulator.state import SimState

_MULTI = ("common", "organizations")


@dataclass(frozen=True)
class Front:
    """A sign-in request whose tenant, client and redirect URI are known good."""

    directory: Directory
    app: ClientApp
    redirect_uri: str


def _directory_for(state: SimState, tenant_ref: str, login_hint: str | None) -> Directory | Response:
    if tenant_ref.lower() not in _MULTI:
        found = directory(state, tenant_ref)
        return found if found is not None else error_page(90002, f"Tenant '{tenant_ref}' not found. Check to make "
                                                                  "sure you have the correct tenant ID.")
    # common/organizations: the user's account decides the tenant.
    ids = [state.estate.caleta.tenant_id, *(t.tenant_id for t in state.estate.tenants)]
    for tenant_id in ids if login_hint else []:
        candidate = directory(state, tenant_id)
        if candidate is not None and candidate.sign_in(login_hint) is not None:
            return candidate
    return error_page(50059, "No tenant-identifying information found in either the request or implied by any "
                             "provided credentials.")


def sign_in_front(state: SimState, req: Request, tenant_ref: str, *,
                  default_redirect: bool = False) -> Front | Response:
    """The front checks; with default_redirect (v1 admin consent) a missing redirect_uri means the first registered."""
    found = _directory_for(state, tenant_ref, req.q("login_hint"))
    if isinstance(found, Response):
        return found
    client_id = req.q("client_id") or ""
    if not client_id:
        return error_page(900144, "The request body must contain the following parameter: 'client_id'.")
    app = client_app(state, client_id)
    if app is None:
        return error_page(700016, f"Application with identifier '{client_id}' was not found in the directory "
                                  f"'{found.display_name}'. This can happen if the application has not been installed "
                                  "by the administrator of the tenant or consented to by any user in the tenant. You "
                                  "may have sent your authentication request to the wrong tenant.")
    if not app.redirect_uris:
        return error_page(500113, "No reply address is registered for the application.")
    uri = req.q("redirect_uri") or (app.redirect_uris[0] if default_redirect else "")
    if not uri:
        return error_page(900971, "No reply address provided.")
    if not matches(uri, app.redirect_uris):
        return error_page(50011, f"The redirect URI '{uri}' specified in the request does not match the redirect "
                                 f"URIs configured for the application '{app.client_id}'. Make sure the redirect URI "
                                 "sent in the request matches one added to your application in the Azure portal. "
                                 "Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix "
                                 "this.")
    return Front(found, app, uri)


def signed_in_user(front: Front, req: Request) -> User | Response:
    """The user this browser signs in as; AADSTS50034 when login_hint names nobody in the tenant."""
    user = front.directory.sign_in(req.q("login_hint"))
    if user is None:
        return error_page(50034, f"The user account {req.q('login_hint')} does not exist in the "
                                 f"{front.directory.tenant_id} directory. To sign into this application, the account "
                                 "must be added to the directory.")
    return user


def need_admin_approval(front: Front) -> Response:
    """The "Need admin approval" page a user who cannot consent sees (AADSTS90094); it never redirects."""
    return error_page(90094, f"{front.app.display_name} needs permission to access resources in your organization "
                             "that only an admin can grant. Please ask an admin to grant permission to this app "
                             "before you can use it.", title="Need admin approval")
