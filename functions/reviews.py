"""Review retention: the daily run that deletes reviews past REVIEW_RETENTION_MONTHS (issue 15).

Wiring only; the work is shared/pipeline/reviews.py:enforce_retention. It fires on the purge backstop's
schedule (PURGE_TIMER, daily), so it needs no setting of its own.
"""

from __future__ import annotations

import logging

import azure.functions as func

from shared.config import get_settings
from shared.pipeline.reviews import enforce_retention
from shared.services import get_services

logger = logging.getLogger(__name__)
bp = func.Blueprint()


@bp.timer_trigger(arg_name="timer", schedule="%PURGE_TIMER%", run_on_startup=False, use_monitor=True)
def review_retention(timer: func.TimerRequest) -> None:
    """Delete every finished scan older than the retention period; summarise reviews published without one."""
    counts = enforce_retention(get_services(), get_settings().review_retention_months)
    logger.info("review retention: %s (past due: %s)", counts, timer.past_due)
