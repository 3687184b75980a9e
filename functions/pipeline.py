"""Scan pipeline triggers: scan-requests -> plan, collect-tasks -> collect, analyse -> report, watchdog timer.

Parsing and wiring only: each trigger parses its message, calls one use case and lets failures raise (raising
is the retry: Service Bus redelivers, then dead-letters). `parse` is the one bus parser of the app (the purge
trigger uses it too): a message that cannot be read - a malformed body, an unknown version, an id without its
format - is refused before any of it is used, fails its scan (if it names a real one) and raises. Every app
version reads the message versions of the one before (docs/pipeline.md, "Versions"); tests/fixtures/messages/
keeps each version's bodies.

`guarded` wraps every non-HTTP trigger of the app: it reads the deployment's pseudonym key first (so log lines
name subscriptions by pseudonym), and whatever the trigger raises leaves only as a TriggerFailed carrying the
exception's type and redacted message - the Functions host logs a failed invocation's exception and stack, and
those must hold no tenant or subscription id. Raising is kept, so the retry semantics are unchanged.
"""

import functools
import json
import logging
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import azure.functions as func
from pydantic import ValidationError

from shared.errors import InvalidInput
from shared.messages import (
    ANALYSE,
    COLLECT_TASKS,
    MALFORMED_ID,
    SCAN_REQUESTS,
    AnalyseScan,
    CollectTask,
    Message,
    ScanRequested,
)
from shared.pipeline import analyse, collect, plan, watchdog
from shared.pipeline.scan import fail_unreadable
from shared.redaction import exception_summary
from shared.services import get_services

logger = logging.getLogger(__name__)
bp = func.Blueprint()
M = TypeVar("M", bound=Message)


class TriggerFailed(RuntimeError):
    """What a failed trigger raises to the host: the original's type and redacted message, nothing else."""


def guarded(trigger: Callable[..., None]) -> Callable[..., None]:
    """Wrap a Service Bus or timer trigger: pseudonym key first, failures sanitized and re-raised. The host
    passes the binding by its parameter name, which the wrapper keeps (functools.wraps)."""

    @functools.wraps(trigger)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            get_services().pseudonym_key()
            trigger(*args, **kwargs)
        except Exception as exc:
            summary = exception_summary(exc)
            # Where it failed (file, line, code) but no exception text: that is in `summary`, redacted.
            frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
            logger.error("%s failed: %s\n%s", trigger.__name__, summary, frames)
            raise TriggerFailed(summary) from None

    return wrapper


def _refusal(body: Any, exc: Exception) -> str:
    """Why a body was refused, naming fields only (never a value)."""
    if isinstance(body, dict) and body.get("schema_version") not in (None, 1):
        return "unknown schema version"
    if isinstance(exc, ValidationError):
        for error in exc.errors(include_url=False, include_input=False, include_context=False):
            text = str(error.get("msg", ""))
            if MALFORMED_ID in text:
                return text[text.index(MALFORMED_ID):]
            field = ".".join(str(part) for part in error.get("loc", ()) if isinstance(part, str))
            if field:
                return f"{'missing' if error.get('type') == 'missing' else 'malformed'} {field}"
    return "malformed body"


def parse(msg: func.ServiceBusMessage, model: type[M]) -> M:
    """The message model from the body; a bad body fails its scan (when named) and raises InvalidInput."""
    body: Any = None
    try:
        body = json.loads(msg.get_body())
        return model.model_validate(body)
    except (ValueError, ValidationError) as exc:
        why = _refusal(body, exc)
        # The reason and the broker's message id only: never the body, which could carry anything.
        logger.error("unreadable %s message id=%s: %s (%s)", model.__name__, getattr(msg, "message_id", None),
                     why, type(exc).__name__)
        try:
            fail_unreadable(get_services(), body, why)
        except Exception:  # best effort: the watchdog ends the scan anyway; the reason below must reach the DLQ
            logger.warning("could not fail the scan an unreadable message names", exc_info=True)
        raise InvalidInput({"message": why}) from None


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=SCAN_REQUESTS.name, connection="ServiceBusConnection")
@guarded
def plan_scan(msg: func.ServiceBusMessage) -> None:
    """Plan a requested scan: one collect task per subscription and source."""
    plan.plan_scan(parse(msg, ScanRequested), get_services())


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=COLLECT_TASKS.name, connection="ServiceBusConnection")
@guarded
def collect_source(msg: func.ServiceBusMessage) -> None:
    """Collect one source of one subscription into the customer's raw-data blob."""
    collect.collect_task(parse(msg, CollectTask), get_services())


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=ANALYSE.name, connection="ServiceBusConnection")
@guarded
def analyse_scan(msg: func.ServiceBusMessage) -> None:
    """Analyse a collected scan and publish its report."""
    analyse.analyse_scan(parse(msg, AnalyseScan), get_services())


@bp.timer_trigger(arg_name="timer", schedule="%WATCHDOG_TIMER%", run_on_startup=False, use_monitor=False)
@guarded
def watchdog_sweep(timer: func.TimerRequest) -> None:
    """Finish scans whose tasks are lost or stuck; re-request analyses that never ran."""
    logger.info("watchdog: %s", watchdog.sweep(get_services()))
