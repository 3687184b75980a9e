"""Scan pipeline triggers: scan-requests -> plan, collect-tasks -> collect, analyse -> report, watchdog timer.

Parsing and wiring only: each trigger parses its message, calls one use case and lets failures raise (raising
is the retry: Service Bus redelivers, then dead-letters). `parse` is the one bus parser of the app (the purge
trigger uses it too): a message that cannot be read fails its scan, if it names one, and raises so it ends in
the dead-letter queue rather than in a loop. Every app version reads the message versions of the one before
(docs/pipeline.md, "Versions"); tests/fixtures/messages/ keeps each version's bodies.
"""

import json
import logging
from typing import Any, TypeVar

import azure.functions as func
from pydantic import ValidationError

from shared.errors import InvalidInput
from shared.messages import ANALYSE, COLLECT_TASKS, SCAN_REQUESTS, AnalyseScan, CollectTask, Message, ScanRequested
from shared.pipeline import analyse, collect, plan, watchdog
from shared.pipeline.scan import fail_unreadable
from shared.services import get_services

logger = logging.getLogger(__name__)
bp = func.Blueprint()
M = TypeVar("M", bound=Message)


def parse(msg: func.ServiceBusMessage, model: type[M]) -> M:
    """The message model from the body; a bad body fails its scan (when named) and raises InvalidInput."""
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
        try:
            fail_unreadable(get_services(), body, why)
        except Exception:  # best effort: the watchdog ends the scan anyway; the reason below must reach the DLQ
            logger.warning("could not fail the scan an unreadable message names", exc_info=True)
        raise InvalidInput({"message": why}) from None


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=SCAN_REQUESTS.name, connection="ServiceBusConnection")
def plan_scan(msg: func.ServiceBusMessage) -> None:
    """Plan a requested scan: one collect task per subscription and source."""
    plan.plan_scan(parse(msg, ScanRequested), get_services())


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=COLLECT_TASKS.name, connection="ServiceBusConnection")
def collect_source(msg: func.ServiceBusMessage) -> None:
    """Collect one source of one subscription into the customer's raw-data blob."""
    collect.collect_task(parse(msg, CollectTask), get_services())


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=ANALYSE.name, connection="ServiceBusConnection")
def analyse_scan(msg: func.ServiceBusMessage) -> None:
    """Analyse a collected scan and publish its report."""
    analyse.analyse_scan(parse(msg, AnalyseScan), get_services())


@bp.timer_trigger(arg_name="timer", schedule="%WATCHDOG_TIMER%", run_on_startup=False, use_monitor=False)
def watchdog_sweep(timer: func.TimerRequest) -> None:
    """Finish scans whose tasks are lost or stuck; re-request analyses that never ran."""
    logger.info("watchdog: %s", watchdog.sweep(get_services()))
