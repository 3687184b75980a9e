"""The customer's routes (Authorization: Bearer <api_key>): record, scans, scan status, reports.

Parsing and wiring only: authentication and lookups live in shared/. A customer id that is not the
caller's answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import azure.functions as func

from functions._http import REPORT_CSP, handled, json_response, respond, route_param

if TYPE_CHECKING:
    from shared.storage.customers import Customer

bp = func.Blueprint()

# URL name -> (blob name, content type)
REPORTS = {
    "report.json": ("report.json", "application/json"),
    "report.html": ("report.html", "text/html"),
    "report.csv": ("findings.csv", "text/csv"),
}


def _caller(req: func.HttpRequest) -> Customer:
    from shared.storage.customers import authenticate

    return authenticate(route_param(req, "customer_id"), req.headers.get("Authorization"))


@bp.route(route="customers/{customer_id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_customer_record(req: func.HttpRequest) -> func.HttpResponse:
    """The customer's record, without secrets."""
    return json_response(200, _caller(req).public_view())


@bp.route(route="customers/{customer_id}/scans", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def start_scan(req: func.HttpRequest) -> func.HttpResponse:
    """Scan now: 202 with the scan id; 409 unless the customer is active."""
    from shared.errors import Conflict
    from shared.pipeline.scan import request_scan

    customer = _caller(req)
    if customer.state != "active":
        raise Conflict(f"the customer is {customer.state}: scans run only for active customers")
    return json_response(202, {"scan_id": request_scan(customer, "api")})


@bp.route(route="customers/{customer_id}/scans", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def list_customer_scans(req: func.HttpRequest) -> func.HttpResponse:
    """Every scan of the customer, newest first."""
    from shared.storage.scans import list_scans

    customer = _caller(req)
    scans = sorted(list_scans(customer.customer_id), key=lambda s: s.scan_id, reverse=True)
    return json_response(200, {"scans": [s.to_dict() for s in scans]})


@bp.route(route="customers/{customer_id}/scans/{scan_id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_scan_status(req: func.HttpRequest) -> func.HttpResponse:
    """One scan's status, progress and per-task outcome."""
    from shared.storage.scans import get_scan

    customer = _caller(req)
    return json_response(200, get_scan(customer.customer_id, route_param(req, "scan_id")).to_dict())


@bp.route(route="customers/{customer_id}/scans/{scan_id}/{report_name}", methods=["GET"],
          auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_scan_report(req: func.HttpRequest) -> func.HttpResponse:
    """report.json, report.html or report.csv of a scan; 404 until the report exists."""
    from shared.errors import NotFound
    from shared.storage.blobs import CustomerBlobs

    customer = _caller(req)
    wanted = REPORTS.get(route_param(req, "report_name").lower())
    if wanted is None:
        raise NotFound("no such report")
    blob, mimetype = wanted
    data = CustomerBlobs(customer.customer_id).get_report(route_param(req, "scan_id"), blob)
    extra = {"Content-Security-Policy": REPORT_CSP} if blob.endswith(".html") else {}
    return respond(200, data, mimetype, extra)
