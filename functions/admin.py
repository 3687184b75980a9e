"""The admin API (an Entra ID access token with app role Caleta.Admin, checked by the app: shared/admin_auth.py).

Routes live under /api/manage/ (the Functions host reserves routes starting with "admin"): list customers
(never secrets), offboard a customer, run the purge now, list deletion certificates, dead-letter counts, the
pseudonyms that name subscriptions in the logs, and the reviews whose summary fell back to fixed rules. Every
route checks the caller before it touches any store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import azure.functions as func

from functions._http import handled, json_response, route_param
from shared import views
from shared.admin_auth import AdminCaller, require_admin
from shared.analysis.narrative_model import FallbackReason
from shared.errors import InvalidInput
from shared.ids import is_guid
from shared.pipeline import offboard, purge
from shared.pseudonyms import pseudonyms_of
from shared.services import get_services

logger = logging.getLogger(__name__)
bp = func.Blueprint()
MAX_PSEUDONYMS = 1000
DEFAULT_FALLBACK_DAYS, MAX_FALLBACK_DAYS, MAX_FALLBACKS = 30, 400, 500


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


def _fallback_query(params: Mapping[str, str]) -> tuple[int, str | None]:
    """`days` (1 to 400, default 30) and `reason` (one of the closed set) of the fallback listing; InvalidInput
    naming the bad field."""
    raw_days = params.get("days", str(DEFAULT_FALLBACK_DAYS))
    if not raw_days.isdigit() or not 1 <= int(raw_days) <= MAX_FALLBACK_DAYS:
        raise InvalidInput({"days": f"a whole number of days from 1 to {MAX_FALLBACK_DAYS}"})
    reason = params.get("reason") or None
    if reason is not None and reason not in {r.value for r in FallbackReason}:
        raise InvalidInput({"reason": "one of " + ", ".join(r.value for r in FallbackReason)})
    return int(raw_days), reason


@bp.route(route="manage/narrative-fallbacks", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_narrative_fallbacks(req: func.HttpRequest) -> func.HttpResponse:
    """Recent reviews whose summary fell back to fixed rules, across customers: scan, customer, reason, time."""
    _admin(req)
    days, reason = _fallback_query(req.params)
    found = views.narrative_fallbacks(get_services(), days, reason, MAX_FALLBACKS)
    return json_response(200, {"days": days, "reason": reason, "limit": MAX_FALLBACKS, "fallbacks": found})


def _subscription_ids(body: bytes) -> list[str]:
    """`subscription_ids` of a JSON body: 1 to MAX_PSEUDONYMS GUIDs; InvalidInput naming what is wrong."""
    try:
        parsed: Any = json.loads(body or b"null")
    except ValueError:
        raise InvalidInput({"body": "must be a JSON object"}) from None
    ids = parsed.get("subscription_ids") if isinstance(parsed, dict) else None
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_PSEUDONYMS:
        raise InvalidInput({"subscription_ids": f"a list of 1 to {MAX_PSEUDONYMS} subscription ids"})
    bad = {f"subscription_ids[{i}]": "must be a GUID" for i, v in enumerate(ids) if not isinstance(v, str)
           or not is_guid(v)}
    if bad:
        raise InvalidInput(bad)
    return [str(v) for v in ids]


@bp.route(route="manage/pseudonyms", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def admin_pseudonyms(req: func.HttpRequest) -> func.HttpResponse:
    """The `sub~` pseudonym each subscription id has in the logs (POST: ids stay out of URLs and request logs)."""
    _admin(req)
    ids = _subscription_ids(req.get_body())
    return json_response(200, {"pseudonyms": pseudonyms_of(get_services().pseudonym_key, ids)})
