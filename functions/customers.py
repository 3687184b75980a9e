"""The customer's routes (Authorization: Bearer <api_key>): record, scans, scan status, reports, credentials.

Parsing and wiring only: authentication, lookups and the scan request live in shared/. A customer id that is
not the caller's answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import azure.functions as func

from functions._http import REPORT_CSP, bearer_key, caller, handled, json_response, respond, route_param
from shared import views
from shared.api.responses import ScanAccepted
from shared.config import get_settings
from shared.pipeline import rotate
from shared.pipeline.reviews import delete_review
from shared.pipeline.scan import request_scan
from shared.services import get_services

bp = func.Blueprint()


@bp.route(route="customers/{customer_id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_customer_record(req: func.HttpRequest) -> func.HttpResponse:
    """The customer's record, without secrets."""
    return json_response(200, caller(req).public_view())


@bp.route(route="customers/{customer_id}/scans", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def start_scan(req: func.HttpRequest) -> func.HttpResponse:
    """Scan now: 202 with the scan id; 409 unless the customer is active."""
    customer = caller(req)
    return json_response(202, ScanAccepted(scan_id=request_scan(get_services(), customer, "api")))


@bp.route(route="customers/{customer_id}/scans", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_customer_scans(req: func.HttpRequest) -> func.HttpResponse:
    """Every scan of the customer, newest first."""
    customer = caller(req)
    return json_response(200, {"scans": views.scans_of(get_services(), customer.customer_id)})


@bp.route(route="customers/{customer_id}/scans/{scan_id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_scan_status(req: func.HttpRequest) -> func.HttpResponse:
    """One scan's status, progress and per-task outcome."""
    customer = caller(req)
    return json_response(200, views.scan_status(get_services(), customer.customer_id, route_param(req, "scan_id")))


@bp.route(route="customers/{customer_id}/scans/{scan_id}/{report_name}", methods=["GET"],
          auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_scan_report(req: func.HttpRequest) -> func.HttpResponse:
    """report.json, report.html or report.csv of a scan; 404 until the report exists."""
    customer = caller(req)
    data, mimetype = views.scan_report(get_services(), customer.customer_id, route_param(req, "scan_id"),
                                       route_param(req, "report_name"))
    extra = {"Content-Security-Policy": REPORT_CSP} if mimetype == "text/html" else {}
    if mimetype == "text/csv":
        # Saved, never shown inline: a spreadsheet opens it from disk (security findings, finding 10).
        extra["Content-Disposition"] = f'attachment; filename="caleta-findings-{route_param(req, "scan_id")}.csv"'
    return respond(200, data, mimetype, extra)


# --- Issue 15: the review history and deleting a review ------------------------------------------------------------
@bp.route(route="customers/{customer_id}/reviews", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_customer_reviews(req: func.HttpRequest) -> func.HttpResponse:
    """The customer's published reviews, newest first: spend, savings found and realised, new and resolved."""
    customer = caller(req)
    months = get_settings().review_retention_months
    return json_response(200, views.reviews_of(get_services(), customer.customer_id, months))


@bp.route(route="customers/{customer_id}/scans/{scan_id}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def delete_customer_scan(req: func.HttpRequest) -> func.HttpResponse:
    """Delete one review (reports, raw data, scan and task rows), audited; 404 if not the caller's, 409 if running."""
    customer = caller(req)
    return json_response(200, delete_review(get_services(), customer.customer_id, route_param(req, "scan_id")))
# --- end of the issue 15 block -------------------------------------------------------------------------------------


@bp.route(route="customers/{customer_id}/api-key", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def rotate_api_key(req: func.HttpRequest) -> func.HttpResponse:
    """A new API key, shown once in the 200; the key this request carries stops working at once."""
    customer = caller(req)
    presented = bearer_key(req.headers.get("Authorization"))
    return json_response(200, rotate.rotate_api_key(get_services(), customer, presented))


@bp.route(route="customers/{customer_id}/credential", methods=["PUT"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def replace_client_secret(req: func.HttpRequest) -> func.HttpResponse:
    """Replace the client secret: signed in with first (400 naming client_secret when refused), then stored."""
    customer = caller(req)
    return json_response(200, rotate.replace_client_secret(get_services(), customer, req.get_body()))


@bp.route(route="customers/{customer_id}/credentials", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_credential_status(req: func.HttpRequest) -> func.HttpResponse:
    """When the API key was last rotated and the client secret last replaced."""
    customer = caller(req)
    return json_response(200, rotate.credential_status(get_services(), customer))
