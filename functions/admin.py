"""The admin API (an Entra ID access token with app role Caleta.Admin, checked by the app: shared/admin_auth.py).

Routes live under /api/manage/ (the Functions host reserves routes starting with "admin"): list customers
(never secrets), offboard a customer, run the purge now, list deletion certificates, dead-letter counts.
Every route checks the caller before it touches any store.
"""

from __future__ import annotations

import logging

import azure.functions as func

from functions._http import handled, json_response, route_param
from shared import views
from shared.admin_auth import AdminCaller, require_admin
from shared.pipeline import offboard, purge
from shared.services import get_services

logger = logging.getLogger(__name__)
bp = func.Blueprint()


def _admin(req: func.HttpRequest) -> AdminCaller:
    admin = require_admin(dict(req.headers.items()))
    logger.info("admin call by %s (mfa: %s)", admin.object_id, admin.mfa)
    return admin


@bp.route(route="manage/customers", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_list_customers(req: func.HttpRequest) -> func.HttpResponse:
    """Every customer record (no secret, no key hash), with its lifecycle state."""
    _admin(req)
    return json_response(200, {"customers": views.all_customers(get_services())})


@bp.route(route="manage/customers/{customer_id}/offboard", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_offboard(req: func.HttpRequest) -> func.HttpResponse:
    """Offboard a customer on an admin's word (account closure included)."""
    _admin(req)
    reason: offboard.RequestedBy = "closure" if req.params.get("reason") == "closure" else "admin"
    return json_response(202, offboard.request_offboarding(get_services(), route_param(req, "customer_id"), reason))


@bp.route(route="manage/purge", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_run_purge(req: func.HttpRequest) -> func.HttpResponse:
    """Run every open purge now (the backstop's work) and answer what happened and what is overdue."""
    _admin(req)
    services = get_services()
    counts = purge.run_backstop(services)
    return json_response(200, {"counts": counts, "overdue": purge.overdue(services)})


@bp.route(route="manage/purges", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_open_purges(req: func.HttpRequest) -> func.HttpResponse:
    """Purges within 24 hours of (or past) their deadline: the alert list."""
    _admin(req)
    return json_response(200, {"overdue": purge.overdue(get_services())})


@bp.route(route="manage/deletion-certificates", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_list_certificates(req: func.HttpRequest) -> func.HttpResponse:
    """Every deletion certificate, newest first."""
    _admin(req)
    return json_response(200, {"certificates": views.all_certificates(get_services())})


@bp.route(route="manage/dead-letters", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_dead_letters(req: func.HttpRequest) -> func.HttpResponse:
    """Dead-lettered messages per queue."""
    _admin(req)
    return json_response(200, {"dead_letters": views.dead_letter_counts(get_services())})
