"""Lifecycle: scheduled scans, re-validation, export, offboarding, the purge and deletion certificates.

Parsing and wiring only; the work lives in shared/pipeline/{schedule,revalidate,export,offboard,purge}.py.
Customer routes authenticate with the customer's API key; a certificate is read with its (random) id alone,
because the customer's key is deleted with everything else.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import azure.functions as func
from pydantic import ValidationError

from functions._http import handled, json_response, respond, route_param
from shared.errors import InvalidInput
from shared.messages import PURGE, PurgeCustomer
from shared.observability import quiet_azure_sdk

if TYPE_CHECKING:
    from shared.storage.customers import Customer

logger = logging.getLogger(__name__)
bp = func.Blueprint()


def _caller(req: func.HttpRequest) -> Customer:
    from shared.storage.customers import authenticate

    return authenticate(route_param(req, "customer_id"), req.headers.get("Authorization"))


@bp.timer_trigger(arg_name="timer", schedule="%SCHEDULE_TIMER%", run_on_startup=False, use_monitor=True)
def schedule_scans(timer: func.TimerRequest) -> None:
    """Request each active customer's scan for this period (once per period), then finish stuck scans."""
    from shared.pipeline import schedule, watchdog
    from shared.pipeline.deps import default_pipeline

    quiet_azure_sdk()
    counts = schedule.schedule_due(schedule.default_deps())
    logger.info("schedule: %s (past due: %s)", counts, timer.past_due)
    logger.info("watchdog: %s", watchdog.sweep(default_pipeline()))


@bp.timer_trigger(arg_name="timer", schedule="%PURGE_TIMER%", run_on_startup=False, use_monitor=True)
def purge_backstop(timer: func.TimerRequest) -> None:
    """Daily backstop: run every open purge, alert on any close to its deadline."""
    from shared.pipeline import purge

    quiet_azure_sdk()
    logger.info("purge backstop: %s", purge.run_backstop(purge.default_deps()))


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=PURGE.name, connection="ServiceBusConnection")
def purge_customer(msg: func.ServiceBusMessage) -> None:
    """Purge one offboarded customer (raises to be redelivered until verification finds nothing)."""
    from shared.pipeline import purge

    quiet_azure_sdk()
    try:
        message = PurgeCustomer.model_validate(json.loads(msg.get_body()))
    except (ValueError, ValidationError):
        logger.error("unreadable purge message id=%s", getattr(msg, "message_id", None))
        raise InvalidInput({"message": "malformed body"}) from None
    purge.purge_customer(message.customer_id, purge.default_deps())


@bp.route(route="customers/{customer_id}/validate", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def validate_customer(req: func.HttpRequest) -> func.HttpResponse:
    """Check the principal again; an access_revoked customer becomes active when any subscription passes."""
    from shared.pipeline.revalidate import revalidate

    return json_response(200, revalidate(_caller(req)))


@bp.route(route="customers/{customer_id}/export", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def start_export(req: func.HttpRequest) -> func.HttpResponse:
    """Build the export of everything held about the customer: 202 with its id and link."""
    from shared.pipeline.export import create_export

    return json_response(202, create_export(_caller(req)))


@bp.route(route="customers/{customer_id}/export/{export_id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_export(req: func.HttpRequest) -> func.HttpResponse:
    """The export zip; 404 for an id that is not this customer's."""
    from shared.pipeline.export import get_export as read_export

    customer = _caller(req)
    export_id = route_param(req, "export_id")
    data = read_export(customer.customer_id, export_id)
    return respond(200, data, "application/zip",
                   {"Content-Disposition": f'attachment; filename="caleta-export-{export_id}.zip"'})


@bp.route(route="customers/{customer_id}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def offboard_customer(req: func.HttpRequest) -> func.HttpResponse:
    """Offboard: stop everything and delete every byte within the deadline; 202 with the certificate link."""
    from shared.pipeline.offboard import request_offboarding

    customer = _caller(req)
    return json_response(202, request_offboarding(customer.customer_id, "customer"))


@bp.route(route="deletion-certificates/{certificate_id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_deletion_certificate(req: func.HttpRequest) -> func.HttpResponse:
    """A deletion certificate by its id (no customer data in it); 404 until the purge has finished."""
    from shared.pipeline.certificates import get_certificate

    return json_response(200, get_certificate(route_param(req, "certificate_id")).to_dict())
