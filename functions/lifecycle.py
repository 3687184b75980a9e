"""Lifecycle: scheduled scans, re-validation, export, offboarding, the purge and deletion certificates.

Parsing and wiring only; the work lives in shared/pipeline/{schedule,revalidate,export,offboard,purge}.py.
Customer routes authenticate with the customer's API key; a certificate is read with its (random) id alone,
because the customer's key is deleted with everything else.
"""

from __future__ import annotations

import logging

import azure.functions as func

from functions._http import caller, handled, json_response, respond, route_param
from functions.pipeline import guarded, parse
from shared import views
from shared.messages import PURGE, PurgeCustomer
from shared.pipeline import export, offboard, purge, revalidate, schedule
from shared.services import get_services

logger = logging.getLogger(__name__)
bp = func.Blueprint()


@bp.timer_trigger(arg_name="timer", schedule="%SCHEDULE_TIMER%", run_on_startup=False, use_monitor=True)
@guarded
def schedule_scans(timer: func.TimerRequest) -> None:
    """Request each active customer's scan for this period (once per period); the watchdog has its own timer."""
    counts = schedule.schedule_due(get_services())
    logger.info("schedule: %s (past due: %s)", counts, timer.past_due)


@bp.timer_trigger(arg_name="timer", schedule="%PURGE_TIMER%", run_on_startup=False, use_monitor=True)
@guarded
def purge_backstop(timer: func.TimerRequest) -> None:
    """Daily backstop: run every open purge, alert on any close to its deadline."""
    logger.info("purge backstop: %s", purge.run_backstop(get_services()))


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=PURGE.name, connection="ServiceBusConnection")
@guarded
def purge_customer(msg: func.ServiceBusMessage) -> None:
    """Purge one offboarded customer (raises to be redelivered until verification finds nothing)."""
    purge.purge_customer(get_services(), parse(msg, PurgeCustomer).customer_id)


@bp.route(route="customers/{customer_id}/validate", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def validate_customer(req: func.HttpRequest) -> func.HttpResponse:
    """Check the principal again; an access_revoked customer becomes active when any subscription passes."""
    customer = caller(req)
    return json_response(200, revalidate.revalidate(get_services(), customer))


@bp.route(route="customers/{customer_id}/export", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def start_export(req: func.HttpRequest) -> func.HttpResponse:
    """Build the export of everything held about the customer: 202 with its id and link."""
    customer = caller(req)
    return json_response(202, export.create_export(get_services(), customer))


@bp.route(route="customers/{customer_id}/export/{export_id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_export(req: func.HttpRequest) -> func.HttpResponse:
    """The export zip; 404 for an id that is not this customer's."""
    customer = caller(req)
    export_id = route_param(req, "export_id")
    data = export.get_export(get_services(), customer.customer_id, export_id)
    return respond(200, data, "application/zip",
                   {"Content-Disposition": f'attachment; filename="caleta-export-{export_id}.zip"'})


@bp.route(route="customers/{customer_id}", methods=["DELETE"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def offboard_customer(req: func.HttpRequest) -> func.HttpResponse:
    """Offboard: stop everything and delete every byte within the deadline; 202 with the certificate link."""
    customer = caller(req)
    return json_response(202, offboard.request_offboarding(get_services(), customer.customer_id, "customer"))


@bp.route(route="deletion-certificates/{certificate_id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_deletion_certificate(req: func.HttpRequest) -> func.HttpResponse:
    """A deletion certificate by its id (no customer data in it); 404 until the purge has finished."""
    return json_response(200, views.certificate(get_services(), route_param(req, "certificate_id")))
