"""HTTP plumbing shared by the API's blueprints: JSON answers, error mapping, security headers, the caller.

CaletaError subclasses map to 400/401/404/409/422 (503 for transient trouble); anything else is a 500
with no detail. The log gets the exception's type, its redacted message and where it was raised - never the
raw exception text, which for an Azure error can quote the customer's resource names (shared/redaction.py).
"""

from __future__ import annotations

import functools
import json
import logging
import traceback
from collections.abc import Callable
from typing import Any

import azure.functions as func
from pydantic import BaseModel

from shared.domain import Customer
from shared.errors import (
    AccessDenied,
    CaletaError,
    Conflict,
    InvalidInput,
    NotFound,
    RateLimited,
    Throttled,
    TransientError,
    Unauthorized,
    ValidationFailed,
)
from shared.redaction import exception_summary
from shared.services import get_services

logger = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}
# Reports are our own HTML (no script): allow their inline styles, still no script, frames or origins.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"

Handler = Callable[[func.HttpRequest], func.HttpResponse]


def respond(status: int, body: bytes, mimetype: str, extra: dict[str, str] | None = None) -> func.HttpResponse:
    """A response with the security headers."""
    headers = {**SECURITY_HEADERS, **(extra or {})}
    return func.HttpResponse(body=body, status_code=status, mimetype=mimetype, headers=headers)


def json_response(status: int, payload: Any) -> func.HttpResponse:
    """A JSON response with the security headers (a pydantic response model is dumped as JSON)."""
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    return respond(status, json.dumps(payload, separators=(",", ":")).encode("utf-8"), "application/json")


def _error(status: int, code: str, message: str, fields: dict[str, str] | None = None,
           headers: dict[str, str] | None = None) -> func.HttpResponse:
    payload: dict[str, Any] = {"error": code, "message": message}
    if fields:
        payload["fields"] = fields
    response = json_response(status, payload)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(exc: Exception) -> func.HttpResponse:
    """The JSON error for an exception (no internals for anything unexpected)."""
    if isinstance(exc, InvalidInput):
        return _error(400, "invalid_input", "Some fields are not valid.", exc.fields)
    if isinstance(exc, Unauthorized):
        return _error(401, "unauthorized", "Send Authorization: Bearer <api_key>.",
                      headers={"WWW-Authenticate": 'Bearer realm="caleta"'})
    if isinstance(exc, NotFound):
        return _error(404, "not_found", "Not found.")
    if isinstance(exc, Conflict):
        return _error(409, "conflict", str(exc))
    if isinstance(exc, ValidationFailed):
        payload: dict[str, Any] = {"error": "validation_failed", "message": str(exc)}
        if exc.validation is not None:
            payload["validation"] = exc.validation.model_dump(mode="json")
        return json_response(422, payload)
    if isinstance(exc, AccessDenied):
        return _error(422, "access_denied", exc.reason)
    if isinstance(exc, RateLimited):
        return _error(429, "rate_limited", "Too many attempts; try again after Retry-After seconds.",
                      headers={"Retry-After": str(max(1, int(exc.retry_after)))})
    if isinstance(exc, Throttled):
        return _error(503, "busy", "Azure is throttling requests; try again shortly.",
                      headers={"Retry-After": str(max(1, int(exc.retry_after)))})
    if isinstance(exc, TransientError):
        return _error(503, "unavailable", "A dependency is unavailable; try again shortly.",
                      headers={"Retry-After": "5"})
    if isinstance(exc, CaletaError):
        return _error(400, "refused", "The request was refused.")
    return _error(500, "internal", "Something went wrong on our side.")


def handled(handler: Handler) -> Handler:
    """Wrap a route so every exception becomes a JSON error with the security headers."""

    @functools.wraps(handler)
    def wrapper(req: func.HttpRequest) -> func.HttpResponse:
        try:
            return handler(req)
        except CaletaError as exc:
            logger.info("%s refused: %s", handler.__name__, type(exc).__name__)
            return error_response(exc)
        except Exception as exc:
            frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
            logger.error("%s failed: %s\n%s", handler.__name__, exception_summary(exc), frames)
            return error_response(exc)

    return wrapper


def route_param(req: func.HttpRequest, name: str) -> str:
    """A route parameter (empty when absent)."""
    return str(req.route_params.get(name, ""))


def bearer_key(authorization: str | None) -> str:
    """The API key of an `Authorization: Bearer <key>` header; Unauthorized without one. The scheme is
    case-insensitive (RFC 7235 section 2.1: `bearer` and `BEARER` are Bearer too)."""
    parts = (authorization or "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise Unauthorized("send Authorization: Bearer <api_key>")
    return parts[1]


def caller(req: func.HttpRequest) -> Customer:
    """The customer whose API key the request carries, for the customer id in its route (404 for any other)."""
    key = bearer_key(req.headers.get("Authorization"))
    return get_services().customers.authenticate_key(route_param(req, "customer_id"), key)
