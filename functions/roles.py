"""Role re-check: customers whose roles were still propagating are checked again on a schedule.

Wiring only; the work lives in shared/pipeline/awaiting_roles.py.
"""

import logging

import azure.functions as func

from shared.pipeline import awaiting_roles
from shared.services import get_services

logger = logging.getLogger(__name__)

bp = func.Blueprint()


@bp.timer_trigger(arg_name="timer", schedule="%ROLE_RECHECK_TIMER%", run_on_startup=False, use_monitor=True)
def recheck_roles(timer: func.TimerRequest) -> None:
    """Validate awaited subscriptions again: activate, add, or tell the customer once the wait is over."""
    counts = awaiting_roles.recheck_awaiting(get_services())
    logger.info("role re-check: %s (past due: %s)", counts, timer.past_due)
