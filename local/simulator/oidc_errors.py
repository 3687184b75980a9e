"""Entra's JSON error bodies for the token endpoint, and the refusals more than one grant shares.

Body fields as reference-error-codes.md documents them (error, error_description, error_codes, timestamp,
trace_id, correlation_id, error_uri); clients must match the number, never the text.
"""

from __future__ import annotations

import datetime as dt
import uuid

from local.simulator.http import Response, json_response


def entra_error(status: int, error: str, code: int, text: str) -> Response:
    """An error body exactly as Entra shapes it (codes in error_codes, trace ids, timestamp)."""
    now = dt.datetime.now(dt.UTC)
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    description = (f"AADSTS{code}: {text} Trace ID: {trace} Correlation ID: {correlation} "
                   f"Timestamp: {now.strftime('%Y-%m-%d %H:%M:%SZ')}")
    return json_response(status, {
        "error": error, "error_description": description, "error_codes": [code],
        "timestamp": now.strftime("%Y-%m-%d %H:%M:%SZ"), "trace_id": trace, "correlation_id": correlation,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }, {"Cache-Control": "no-store"})


def tenant_not_found(tenant: str) -> Response:
    """AADSTS90002: no such tenant."""
    return entra_error(400, "invalid_request", 90002,
                       f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
                       "signing into the correct cloud. Check with your subscription administrator, this may "
                       "happen if there are no active subscriptions for the tenant.")


def missing_parameter(name: str) -> Response:
    """AADSTS900144: a required form field is absent."""
    return entra_error(400, "invalid_request", 900144,
                       f"The request body must contain the following parameter: '{name}'.")


def app_not_found(client_id: str, directory_name: str) -> Response:
    """AADSTS700016: no such application (or service principal) in the tenant."""
    return entra_error(400, "unauthorized_client", 700016,
                       f"Application with identifier '{client_id}' was not found in the directory "
                       f"'{directory_name}'. This can happen if the application has not been installed "
                       "by the administrator of the tenant or consented to by any user in the tenant. You may "
                       "have sent your authentication request to the wrong tenant.")


def app_disabled(client_id: str, display_name: str) -> Response:
    """AADSTS7000112: the service principal is disabled."""
    return entra_error(400, "unauthorized_client", 7000112,
                       f"Application '{client_id}'({display_name}) is disabled.")
