"""Every HTTP route of the app, one entry each: what shared/api/openapi.py turns into GET /api/openapi.json.

A route added to functions/ needs its entry here (tests/unit/functions/test_openapi_routes.py compares this
table with the functions the app registers: every route and method is documented, nothing else is). Add an
`Op` to the group it belongs to; `function` is the name of the function that serves it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from shared.api.models import OnboardingRequest
from shared.api.responses import (
    CustomerRecord,
    ErrorBody,
    ExportAccepted,
    OffboardingAccepted,
    OnboardingAccepted,
    OnboardingRefused,
    Revalidated,
    ScanAccepted,
    ScanList,
    ScanStatusView,
)
from shared.api.reviews import ReviewDeleted, ReviewList
from shared.api.rotation import ApiKeyRotated, CredentialReplaced, CredentialReplacement
from shared.ids import GUID_PATTERN, HEX32_PATTERN, SCAN_ID_PATTERN

Security = Literal["apiKey", "adminToken"] | None
Body = type[BaseModel] | dict[str, Any] | None


@dataclass(frozen=True)
class Op:
    """One documented operation: method and path (under /api), the function serving it, and its answers."""

    method: str
    path: str
    function: str
    summary: str
    answers: dict[str, Any]
    security: Security = None
    body: Body = None
    params: tuple[str, ...] = field(default=())
    operation_id: str = ""  # the function's name unless one function serves several paths


def ref(model: type[BaseModel]) -> dict[str, Any]:
    """A JSON content entry referring to a component schema."""
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}


def answer(description: str, model: type[BaseModel] | None = None, *, content: dict[str, Any] | None = None
           ) -> dict[str, Any]:
    """One response: a description and a model's JSON or other content."""
    out: dict[str, Any] = {"description": description}
    if model is not None or content is not None:
        out["content"] = ref(model) if model is not None else content
    return out


def error(description: str) -> dict[str, Any]:
    """An error response (the JSON error body of functions/_http.py)."""
    return answer(description, ErrorBody)


def _id(name: str, description: str, pattern: str = HEX32_PATTERN) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "pattern": pattern}}


PARAMETERS: dict[str, dict[str, Any]] = {
    "customer_id": _id("customer_id", "The customer id returned by onboarding"),
    "scan_id": _id("scan_id", "A scan id", SCAN_ID_PATTERN),
    "export_id": _id("export_id", "An export id returned by POST …/export"),
    "certificate_id": _id("certificate_id", "A deletion certificate's id (the offboarding request id)"),
    "name": {"name": "name", "in": "path", "required": True, "description": "An allow-listed CSS or JS file",
             "schema": {"type": "string"}},
    "schema_name": {"name": "name", "in": "path", "required": True, "description": "v1.json or v2.json",
                    "schema": {"type": "string", "enum": ["v1.json", "v2.json"]}},
    # The onboarding sign-in round trip's query parameters (Entra's redirects; docs/api.md "Federated onboarding").
    "tenant_id": {"name": "tenant_id", "in": "query", "required": True, "description": "The tenant to prove",
                  "schema": {"type": "string", "pattern": GUID_PATTERN}},
    **{n: {"name": n, "in": "query", "required": False, "description": f"Entra's `{n}`", "schema": {"type": "string"}}
       for n in ("code", "state", "error", "error_description", "error_subcode", "admin_consent", "tenant", "scope")},
    "days": {"name": "days", "in": "query", "required": False, "description": "Look back this many days (1-400)",
             "schema": {"type": "integer", "minimum": 1, "maximum": 400, "default": 30}},
    "reason": {"name": "reason", "in": "query", "required": False, "description": "Only this fallback reason",
               "schema": {"type": "string"}},
}
JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
HTML = {"text/html": {"schema": {"type": "string"}}}
CUSTOMER_REFUSALS = {"401": error("No or malformed Authorization: Bearer header"),
                     "404": error("No such customer for this key, or no such scan/report/export")}
ADMIN_REFUSALS = {"401": error("No admin token, or one that is not valid (issuer, audience, expiry, MFA)"),
                  "404": error("A valid token without the Caleta.Admin role: the admin API does not show itself"),
                  "503": error("Entra's signing keys could not be read; try again")}
REPORTS = {"json": "application/json", "html": "text/html", "csv": "text/csv"}
SIGNIN_ANSWERS = {
    "302": answer("Redirect (Location); Set-Cookie caleta_signin binds the browser to the state"),
    "400": answer("The sign-in could not be completed (the same page for every refusal)", content=HTML),
    "429": answer("Too many onboarding calls from this address (Retry-After)", content=HTML),
    "503": answer("Sign-in unavailable or Caleta misconfigured (an operator alert)", content=HTML)}

PUBLIC: tuple[Op, ...] = (
    Op("post", "/onboarding", "onboard_customer", "Validate the principal, record the customer, start a scan",
       {"202": answer("Onboarded (active, or awaiting roles); the api_key is shown only here", OnboardingAccepted),
        "400": error("A field is malformed, the proof handle is not valid for the tenant (auth.proof), or the "
                     "tenant refused the secret (named in fields)"),
        "429": error("Too many calls from this address, or failed attempts for this tenant (Retry-After)"),
        "503": error("A dependency is unavailable or Caleta is misconfigured (Retry-After)")},
       body=OnboardingRequest),
    Op("get", "/onboarding/signin", "onboarding_signin", "Start the administrator's sign-in (302 to Entra)",
       SIGNIN_ANSWERS, params=("tenant_id",)),
    Op("get", "/onboarding/callback", "onboarding_callback",
       "Entra's redirect: 302 to /api/onboarding#proof=<handle>, to admin consent, or #outcome=not_admin",
       SIGNIN_ANSWERS, params=("code", "state", "error", "error_description", "error_subcode")),
    Op("get", "/onboarding/consent", "onboarding_consent",
       "Entra's admin-consent redirect: 302 to /api/onboarding#proof=<handle> (never proof itself)",
       SIGNIN_ANSWERS, params=("code", "state", "error", "error_description", "error_subcode", "admin_consent",
                               "tenant", "scope")),
    Op("get", "/customers/{customer_id}/reviews", "list_customer_reviews",
       "Published reviews, newest first: spend, savings found and realised, new and resolved findings",
       {"200": answer("Reviews", ReviewList), **CUSTOMER_REFUSALS}, "apiKey", params=("customer_id",)),
    Op("delete", "/customers/{customer_id}/scans/{scan_id}", "delete_customer_scan",
       "Delete a review: its reports, raw data, scan and task rows (audited)",
       {"200": answer("Deleted", ReviewDeleted), "409": error("The scan is still running"), **CUSTOMER_REFUSALS},
       "apiKey", params=("customer_id", "scan_id")),
    Op("get", "/openapi.json", "get_openapi", "This document", {"200": answer("OpenAPI 3.1", content=JSON_OBJECT)}),
    Op("get", "/schemas/report/{name}", "get_report_schema",
       "The JSON schema of report.json (v1.json or v2.json); public, no customer data",
       {"200": answer("JSON Schema 2020-12", content={"application/schema+json": {}}),
        "404": error("No such schema version")}, params=("schema_name",)),
    Op("get", "/health", "get_health", "Liveness: 200 while the app is loaded (touches no dependency)",
       {"200": answer("Alive", content=JSON_OBJECT)}),
    Op("get", "/customers/{customer_id}", "get_customer_record", "The customer record (no secrets)",
       {"200": answer("The record", CustomerRecord), **CUSTOMER_REFUSALS}, "apiKey", params=("customer_id",)),
    Op("post", "/customers/{customer_id}/scans", "start_scan", "Scan now",
       {"202": answer("Scan queued", ScanAccepted), "409": error("The customer is not active"), **CUSTOMER_REFUSALS},
       "apiKey", params=("customer_id",)),
    Op("get", "/customers/{customer_id}/scans", "list_customer_scans", "Every scan of the customer",
       {"200": answer("Scans", ScanList), **CUSTOMER_REFUSALS}, "apiKey", params=("customer_id",)),
    Op("get", "/customers/{customer_id}/scans/{scan_id}", "get_scan_status", "Status and per-task outcome of a scan",
       {"200": answer("Status", ScanStatusView), **CUSTOMER_REFUSALS}, "apiKey", params=("customer_id", "scan_id")),
    *(Op("get", f"/customers/{{customer_id}}/scans/{{scan_id}}/report.{ext}", "get_scan_report",
         f"The scan's report as {ext.upper()}" + (" (a download: Content-Disposition attachment)" if ext == "csv"
                                                  else ""),
         {"200": answer("The report", content={mime: {"schema": {"type": "string"}}}), **CUSTOMER_REFUSALS},
         "apiKey", params=("customer_id", "scan_id"), operation_id=f"get_report_{ext}")
      for ext, mime in REPORTS.items()),
)

LIFECYCLE: tuple[Op, ...] = (
    Op("post", "/customers/{customer_id}/api-key", "rotate_api_key",
       "A new API key; the one used for this call stops at once",
       {"200": answer("The new key, shown only here", ApiKeyRotated), "409": error("The customer is offboarding"),
        **CUSTOMER_REFUSALS}, "apiKey", params=("customer_id",)),
    Op("put", "/customers/{customer_id}/credential", "replace_client_secret",
       "Replace the client secret: signed in with first, then stored; the old one is deleted",
       {"200": answer("The new secret is in use", CredentialReplaced),
        "400": error("client_secret is missing, malformed or refused by Entra (named in fields)"),
        "409": error("The customer is offboarding, or signs in without a secret (federated)"), **CUSTOMER_REFUSALS},
       "apiKey", body=CredentialReplacement, params=("customer_id",)),
    Op("get", "/customers/{customer_id}/credentials", "get_credential_status",
       "When the API key was last rotated and the client secret last replaced",
       {"200": answer("Times (null: never)", content=JSON_OBJECT), **CUSTOMER_REFUSALS}, "apiKey",
       params=("customer_id",)),
    Op("post", "/customers/{customer_id}/validate", "validate_customer",
       "Check the principal again (active again when any subscription passes)",
       {"200": answer("Active again", Revalidated), "409": error("The customer is offboarding"),
        "422": answer("The principal cannot read any subscription", OnboardingRefused), **CUSTOMER_REFUSALS},
       "apiKey", params=("customer_id",)),
    Op("post", "/customers/{customer_id}/export", "start_export", "Export everything held about the customer (a zip)",
       {"202": answer("The export is ready at href", ExportAccepted), **CUSTOMER_REFUSALS}, "apiKey",
       params=("customer_id",)),
    Op("get", "/customers/{customer_id}/export/{export_id}", "get_export", "The export zip",
       {"200": answer("The zip", content={"application/zip": {"schema": {"type": "string", "format": "binary"}}}),
        **CUSTOMER_REFUSALS}, "apiKey", params=("customer_id", "export_id")),
    Op("delete", "/customers/{customer_id}", "offboard_customer",
       "Offboard: stop everything and delete every byte within the deadline",
       {"202": answer("The purge has started", OffboardingAccepted), **CUSTOMER_REFUSALS}, "apiKey",
       params=("customer_id",)),
    Op("get", "/deletion-certificates/{certificate_id}", "get_deletion_certificate",
       "A deletion certificate by its id (no customer data); 404 until the purge has finished",
       {"200": answer("The certificate", content=JSON_OBJECT), "404": error("No such certificate (yet)")},
       params=("certificate_id",)),
)

ADMIN: tuple[Op, ...] = (
    Op("get", "/manage/customers", "admin_list_customers", "Every customer's record, never secrets",
       {"200": answer("Customers", content=JSON_OBJECT), **ADMIN_REFUSALS}, "adminToken"),
    Op("post", "/manage/customers/{customer_id}/offboard", "admin_offboard",
       "Offboard a customer (admin request, or ?reason=closure for an account closure)",
       {"202": answer("The purge has started", OffboardingAccepted), **ADMIN_REFUSALS}, "adminToken",
       params=("customer_id",)),
    Op("post", "/manage/purge", "admin_run_purge", "Run every open purge now (the backstop's work)",
       {"200": answer("Counts and what is overdue", content=JSON_OBJECT), **ADMIN_REFUSALS}, "adminToken"),
    Op("get", "/manage/purges", "admin_open_purges", "Purges within 24 hours of (or past) their deadline",
       {"200": answer("The alert list", content=JSON_OBJECT), **ADMIN_REFUSALS}, "adminToken"),
    Op("get", "/manage/deletion-certificates", "admin_list_certificates", "Every deletion certificate",
       {"200": answer("Certificates", content=JSON_OBJECT), **ADMIN_REFUSALS}, "adminToken"),
    Op("get", "/manage/dead-letters", "admin_dead_letters", "Dead-lettered messages per queue",
       {"200": answer("Counts per queue", content=JSON_OBJECT), **ADMIN_REFUSALS}, "adminToken"),
    Op("get", "/manage/narrative-fallbacks", "admin_narrative_fallbacks",
       "Reviews whose summary fell back to fixed rules, across customers, newest first (?days=1-400, default 30; "
       "?reason=one of no_model, timeout, throttled, refused, empty_answer, cut_answer, rejected, budget_too_small, "
       "model_error): scan id, customer id, reason, time; no content",
       {"200": answer("{days, reason, limit, fallbacks: [{customer_id, scan_id, reason, at}]}", content=JSON_OBJECT),
        "400": error("days or reason is not one the route takes (named in fields)"), **ADMIN_REFUSALS},
       "adminToken", params=("days", "reason")),
    Op("post", "/manage/pseudonyms", "admin_pseudonyms",
       "The sub~ pseudonym each subscription id has in the logs (body: {\"subscription_ids\": [...]})",
       {"200": answer("{\"pseudonyms\": {subscription id: sub~…}}", content=JSON_OBJECT),
        "400": error("subscription_ids is not a list of 1 to 1000 GUIDs (the bad ones named)"), **ADMIN_REFUSALS},
       "adminToken", body=JSON_OBJECT),
)

PAGES: tuple[Op, ...] = (
    Op("get", "/onboarding", "web_onboarding_page", "The onboarding form (HTML)",
       {"200": answer("The page", content=HTML)}),
    Op("get", "/account", "web_account_page",
       "The customer's pages (HTML); e-mails link here with #customer=…&scan=… (never a key in a URL)",
       {"200": answer("The page", content=HTML)}),
    Op("get", "/static/{name}", "web_static_asset", "A CSS or JS file of the pages",
       {"200": answer("The file", content={"text/css": {}, "text/javascript": {}}), "404": error("Not served")},
       params=("name",)),
    Op("post", "/account/report", "web_view_report", "The HTML report in its own tab (the key in the form body)",
       {"200": answer("The report", content=HTML), "400": error("Not this form's fields"),
        "401": error("The key does not match"), "404": error("No such customer or report")},
       body={"application/x-www-form-urlencoded": {"schema": {
           "type": "object", "additionalProperties": False, "required": ["customer_id", "scan_id", "api_key"],
           "properties": {"customer_id": {"type": "string"}, "scan_id": {"type": "string"},
                          "api_key": {"type": "string"}}}}}),
)

OPERATIONS: tuple[Op, ...] = PUBLIC + LIFECYCLE + ADMIN + PAGES
