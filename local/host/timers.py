"""Timer triggers: NCRONTAB schedules (six fields, seconds first, UTC) fired like the Functions host fires them."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager

from azure.functions.timer import TimerRequest
from croniter import croniter

from local.host.index import FunctionSpec
from local.host.servicebus import host_log

logger = logging.getLogger(__name__)

# A firing later than this after its scheduled time is reported as past due (the host's IsPastDue).
PAST_DUE_AFTER = dt.timedelta(seconds=1)


def parse_schedule(expression: str) -> croniter:
    """A croniter for a six-field NCRONTAB expression; ValueError for anything else (TimeSpan form included)."""
    fields = expression.split()
    if len(fields) != 6:
        raise ValueError(f"NCRONTAB needs six fields (seconds first), got {len(fields)}: {expression!r}")
    if not croniter.is_valid(expression, second_at_beginning=True):
        raise ValueError(f"invalid NCRONTAB expression {expression!r}")
    return croniter(expression, dt.datetime.now(dt.UTC), second_at_beginning=True)


def next_occurrence(expression: str, after: dt.datetime) -> dt.datetime:
    """The first occurrence of `expression` strictly after `after` (UTC)."""
    schedule = croniter(expression, after, second_at_beginning=True)
    result: dt.datetime = schedule.get_next(dt.datetime)
    return result


class TimerTrigger:
    """Fires one timer function on its schedule; a run never overlaps the previous one (host singleton)."""

    def __init__(self, spec: FunctionSpec, track_call: Callable[[], AbstractContextManager[None]],
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.spec = spec
        self.schedule = str(spec.binding["schedule"])
        parse_schedule(self.schedule)
        self.run_on_startup = bool(spec.binding.get("runOnStartup", False))
        self._track_call = track_call
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.fired = 0

    def start(self) -> None:
        """Start the schedule loop in a background thread."""
        self._thread = threading.Thread(target=self._run, name=f"timer-{self.spec.name}", daemon=True)
        self._thread.start()

    def stop(self, grace_seconds: float) -> None:
        """Stop scheduling; wait up to `grace_seconds` for a running invocation."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=grace_seconds)

    def fire(self, past_due: bool = False) -> None:
        """Run the function now with a TimerRequest (schedule runs and the admin API both come here)."""
        with self._lock, self._track_call():
            now = self._clock()
            request = TimerRequest(
                past_due=past_due,
                schedule={"AdjustForDST": False},
                schedule_status={"Last": now.isoformat(), "Next": next_occurrence(self.schedule, now).isoformat(),
                                 "LastUpdated": now.isoformat()},
            )
            try:
                self.spec.call(request)
            except Exception:
                # As Azure's host logs a failed invocation: the exception the function raised, unredacted.
                host_log(logging.ERROR, "timer function %s failed\n%s", self.spec.name, traceback.format_exc())
            finally:
                self.fired += 1

    def _run(self) -> None:
        if self.run_on_startup and not self._stop.is_set():
            self.fire()
        due = next_occurrence(self.schedule, self._clock())
        while not self._stop.is_set():
            wait = (due - self._clock()).total_seconds()
            if wait > 0 and self._stop.wait(min(wait, 1.0)):
                return
            if wait > 0:
                continue
            late = self._clock() - due
            self.fire(past_due=late > PAST_DUE_AFTER)
            # Occurrences missed while the function ran collapse into one, as with the host's singleton lock.
            due = next_occurrence(self.schedule, max(due, self._clock()))
