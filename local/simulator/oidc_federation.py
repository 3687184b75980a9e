"""Client authentication at the token endpoint: a client secret, or a federated assertion matched to a FIC.

A federated identity credential is matched on issuer, subject and audience, exactly, with no wildcards
(workload-identity-federation-config-app-trust-managed-identity.md). Refusals as Entra answers them, from captured
responses: 700211 issuer, 700213 subject, 700212 audience (401 invalid_client; Terraform, secrets-store and Java
SDK issue logs), 70021 when no credential is configured at all (400 invalid_request, azure-workload-identity
troubleshooting and the Azure DevOps workload-identity error table). Which mismatch Entra reports first when
several differ is not documented: here issuer, then subject, then audience.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from local.estates.model import Secret
from local.simulator.http import Request, Response
from local.simulator.oidc_errors import entra_error
from local.simulator.tokens import EXCHANGE_APP_ID, EXCHANGE_AUDIENCE, TokenError

if TYPE_CHECKING:
    from local.simulator.state import SimState

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
AUTHORITY = "https://login.microsoftonline.com"
_LINK = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
# The token-exchange app is one application: its id and its identifier URI name the same audience.
_SAME_AUDIENCE = {EXCHANGE_APP_ID: EXCHANGE_AUDIENCE}


def client_secret(req: Request, form: dict[str, str]) -> str | None:
    """client_secret from the form (client_secret_post) or an HTTP Basic header (client_secret_basic)."""
    if "client_secret" in form:
        return form["client_secret"]
    header = req.headers.get("authorization", "")
    if header[:6].lower() != "basic ":
        return None
    try:
        _, _, secret = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return unquote(secret)


def authenticate(state: SimState, req: Request, form: dict[str, str], client_id: str,
                 secrets: list[Secret]) -> tuple[Response | None, str]:
    """(None, appidacr) once the client proved itself: secret ("1") or assertion ("2"); else Entra's refusal."""
    secret = client_secret(req, form)
    if secret is not None:
        match = next((s for s in secrets if s.value == secret), None)
        if match is None:
            return entra_error(401, "invalid_client", 7000215,
                               "Invalid client secret provided. Ensure the secret being sent in the request is the "
                               f"client secret value, not the client secret ID, for a secret added to app "
                               f"'{client_id}'."), "1"
        if match.expires <= dt.datetime.now(dt.UTC):
            return entra_error(401, "invalid_client", 7000222,
                               f"The provided client secret keys for app '{client_id}' are expired. Visit the "
                               "Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or "
                               "consider using certificate credentials for added security: https://aka.ms/certCreds."
                               ), "1"
        return None, "1"
    assertion = form.get("client_assertion")
    if assertion is not None and form.get("client_assertion_type") == JWT_BEARER:
        return check_assertion(state, client_id, assertion), "2"
    return entra_error(401, "invalid_client", 7000218,
                       "The request body must contain the following parameter: 'client_assertion' or "
                       "'client_secret'."), "1"


def check_assertion(state: SimState, client_id: str, assertion: str) -> Response | None:
    """None when the assertion is one of this simulator's tokens matching a FIC of the client's registration."""
    try:
        claims = state.mint.decode(assertion)
    except TokenError as exc:
        if exc.code == "ExpiredAuthenticationToken":
            return entra_error(401, "invalid_client", 700024, "Client assertion is not within its valid time range.")
        return entra_error(401, "invalid_client", 700027, "Client assertion failed signature validation.")
    if claims.get("idtyp") != "app":
        return entra_error(400, "invalid_request", 700229,
                           "ForbiddenTokenType - Only app-only tokens may be used as Federated Identity Credentials "
                           "for Microsoft Entra issuer.")
    caleta = state.estate.caleta
    fics = caleta.effective_federated_credentials() if client_id.lower() == caleta.app_client_id.lower() else []
    return _match(state, claims, fics)


def _match(state: SimState, claims: dict[str, Any], fics: list[Any]) -> Response | None:
    presented = str(claims.get("iss", ""))
    issuer = _as_azure(state, presented)
    subject, audience = str(claims.get("sub", "")), str(claims.get("aud", ""))
    if not fics:
        return entra_error(400, "invalid_request", 70021,
                           "No matching federated identity record found for presented assertion. Assertion Issuer: "
                           f"'{presented}'. Assertion Subject: '{subject}'. Assertion Audience: '{audience}'. {_LINK}")
    same_issuer = [f for f in fics if _as_azure(state, f.issuer) == issuer]
    if not same_issuer:
        return _mismatch(700211, "issuer", presented)
    same_subject = [f for f in same_issuer if f.subject == subject]
    if not same_subject:
        return _mismatch(700213, "subject", subject)
    wanted = {audience, _SAME_AUDIENCE.get(audience, audience)}
    if not any(a in wanted for f in same_subject for a in f.audiences):
        return _mismatch(700212, "audience", audience)
    return None


def _mismatch(code: int, part: str, value: str) -> Response:
    return entra_error(401, "invalid_client", code,
                       f"No matching federated identity record found for presented assertion {part} '{value}'. "
                       "Please check your federated identity credential Subject, Audience and Issuer against the "
                       f"presented assertion. {_LINK}")


def _as_azure(state: SimState, issuer: str) -> str:
    """The simulator stands in for login.microsoftonline.com: its own authority prefix compares as Azure's."""
    if state.base_url and issuer.startswith(state.base_url + "/"):
        return AUTHORITY + issuer[len(state.base_url):]
    return issuer
