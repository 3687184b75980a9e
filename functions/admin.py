"""The admin API (Entra ID sign-in with app role Caleta.Admin, see shared/admin_auth.py).

Routes live under /api/manage/ (the Functions host reserves routes starting with "admin"): list customers
(never secrets), offboard a customer, run the purge now, list deletion certificates, dead-letter counts.
"""

from __future__ import annotations

import logging
import os

import azure.functions as func

from functions._http import handled, json_response, route_param
from shared.admin_auth import Admin, require_admin

logger = logging.getLogger(__name__)
bp = func.Blueprint()


def _admin(req: func.HttpRequest) -> Admin:
    admin = require_admin(dict(req.headers.items()), os.environ)
    logger.info("admin call by %s (%s)", admin.object_id, admin.auth_type)
    return admin


@bp.route(route="manage/customers", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_list_customers(req: func.HttpRequest) -> func.HttpResponse:
    """Every customer record (no secret, no key hash), with its lifecycle state."""
    from shared.storage.customers import list_customers

    _admin(req)
    customers = sorted(list_customers(), key=lambda c: c.created_at)
    return json_response(200, {"customers": [c.public_view() for c in customers]})


@bp.route(route="manage/customers/{customer_id}/offboard", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_offboard(req: func.HttpRequest) -> func.HttpResponse:
    """Offboard a customer on an admin's word (account closure included)."""
    from shared.pipeline.offboard import request_offboarding

    _admin(req)
    reason = "closure" if req.params.get("reason") == "closure" else "admin"
    return json_response(202, request_offboarding(route_param(req, "customer_id"), reason))  # type: ignore[arg-type]


@bp.route(route="manage/purge", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_run_purge(req: func.HttpRequest) -> func.HttpResponse:
    """Run every open purge now (the backstop's work) and answer what happened and what is overdue."""
    from shared.pipeline import purge

    _admin(req)
    deps = purge.default_deps()
    counts = purge.run_backstop(deps)
    return json_response(200, {"counts": counts, "overdue": purge.overdue(deps)})


@bp.route(route="manage/purges", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_open_purges(req: func.HttpRequest) -> func.HttpResponse:
    """Purges within 24 hours of (or past) their deadline: the alert list."""
    from shared.pipeline import purge

    _admin(req)
    return json_response(200, {"overdue": purge.overdue(purge.default_deps())})


@bp.route(route="manage/deletion-certificates", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_list_certificates(req: func.HttpRequest) -> func.HttpResponse:
    """Every deletion certificate, newest first."""
    from shared.pipeline.certificates import list_certificates

    _admin(req)
    return json_response(200, {"certificates": [c.to_dict() for c in list_certificates()]})


@bp.route(route="manage/dead-letters", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_dead_letters(req: func.HttpRequest) -> func.HttpResponse:
    """Dead-lettered messages per queue."""
    from shared.pipeline import deadletters

    _admin(req)
    return json_response(200, {"dead_letters": deadletters.counts()})
