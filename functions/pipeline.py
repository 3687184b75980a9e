"""Scan pipeline triggers: scan-requests -> plan, collect-tasks -> collect, analyse -> report, watchdog timer.

Parsing and wiring only: each trigger parses its message, calls one use case and lets failures raise (raising
is the retry: Service Bus redelivers, then dead-letters). A message that cannot be read fails its scan, if the
scan can be named, and raises so it ends in the dead-letter queue rather than in a loop.
"""

import json
import logging
import re
from typing import Any, TypeVar

import azure.functions as func
from pydantic import ValidationError

from shared.errors import InvalidInput, NotFound
from shared.messages import ANALYSE, COLLECT_TASKS, SCAN_REQUESTS, AnalyseScan, CollectTask, Message, ScanRequested
from shared.observability import quiet_azure_sdk
from shared.pipeline import analyse, collect, plan, watchdog
from shared.pipeline.deps import Pipeline, default_pipeline

logger = logging.getLogger(__name__)
bp = func.Blueprint()
M = TypeVar("M", bound=Message)
_CUSTOMER_ID = re.compile(r"^[0-9a-f]{32}$")
_SCAN_ID = re.compile(r"^[0-9a-z]{1,64}$")


def _fail_named_scan(body: Any, why: str, pipeline: Pipeline | None) -> None:
    """Best effort: if the unreadable message still names a scan, end that scan as failed."""
    if not isinstance(body, dict):
        return
    customer_id, scan_id = body.get("customer_id"), body.get("scan_id")
    if isinstance(customer_id, str) and isinstance(scan_id, str) and _CUSTOMER_ID.fullmatch(customer_id) \
            and _SCAN_ID.fullmatch(scan_id):
        try:
            (pipeline or default_pipeline()).scans.transition(
                customer_id, scan_id, {"queued", "collecting", "analysing"}, "failed",
                reason=f"a pipeline message could not be read ({why})")
        except NotFound:
            logger.warning("unreadable message names no known scan")


def parse(msg: func.ServiceBusMessage, model: type[M], pipeline: Pipeline | None = None) -> M:
    """The message model from the body; a bad body fails its scan (when named) and raises InvalidInput."""
    quiet_azure_sdk()
    body: Any = None
    try:
        body = json.loads(msg.get_body())
        return model.model_validate(body)
    except (ValueError, ValidationError) as exc:
        why = "unknown schema version" if isinstance(body, dict) and body.get("schema_version") not in (None, 1) \
            else "malformed body"
        # The reason and the broker's message id only: never the body, which could carry anything.
        logger.error("unreadable %s message id=%s: %s (%s)", model.__name__, getattr(msg, "message_id", None),
                     why, type(exc).__name__)
        _fail_named_scan(body, why, pipeline)
        raise InvalidInput({"message": why}) from None


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=SCAN_REQUESTS.name, connection="ServiceBusConnection")
def plan_scan(msg: func.ServiceBusMessage) -> None:
    """Plan a requested scan: one collect task per subscription and source."""
    plan.plan_scan(parse(msg, ScanRequested), default_pipeline())


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=COLLECT_TASKS.name, connection="ServiceBusConnection")
def collect_source(msg: func.ServiceBusMessage) -> None:
    """Collect one source of one subscription into the customer's raw-data blob."""
    collect.collect_task(parse(msg, CollectTask), default_pipeline())


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=ANALYSE.name, connection="ServiceBusConnection")
def analyse_scan(msg: func.ServiceBusMessage) -> None:
    """Analyse a collected scan and publish its report."""
    analyse.analyse_scan(parse(msg, AnalyseScan), default_pipeline())


@bp.timer_trigger(arg_name="timer", schedule="%WATCHDOG_TIMER%", run_on_startup=False, use_monitor=False)
def watchdog_sweep(timer: func.TimerRequest) -> None:
    """Finish scans whose tasks are lost or stuck; re-request analyses that never ran."""
    quiet_azure_sdk()
    counts = watchdog.sweep(default_pipeline())
    logger.info("watchdog: %s", counts)
