"""Timer triggers of the local host: past_due when late, no run before the schedule."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from local.host.index import FunctionSpec
from local.host.timers import TimerTrigger

T0 = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)


@contextmanager
def _no_tracking() -> Iterator[None]:
    yield


class _Clock:
    """Answers T0 once (to plan the first occurrence), then `later` for ever."""

    def __init__(self, later: dt.datetime) -> None:
        self.calls = 0
        self.later = later

    def __call__(self) -> dt.datetime:
        self.calls += 1
        return T0 if self.calls == 1 else self.later


def _trigger(schedule: str, clock: _Clock, seen: list[Any], fired: threading.Event) -> TimerTrigger:
    def user_function(timer: Any) -> None:
        seen.append(timer)
        fired.set()

    spec = FunctionSpec(name="t", kind="timer", binding={"type": "timerTrigger", "name": "timer",
                                                         "schedule": schedule}, func=user_function, arg_name="timer")
    return TimerTrigger(spec, _no_tracking, clock=clock)


def test_run_is_past_due_when_it_starts_late() -> None:
    seen: list[Any] = []
    fired = threading.Event()
    trigger = _trigger("0 * * * * *", _Clock(T0 + dt.timedelta(minutes=1, seconds=30)), seen, fired)
    trigger.start()
    try:
        assert fired.wait(5)
    finally:
        trigger.stop(2)
    assert seen[0].past_due is True
    assert trigger.fired == 1


def test_no_run_happens_when_next_occurrence_is_in_the_future() -> None:
    seen: list[Any] = []
    fired = threading.Event()
    trigger = _trigger("0 0 0 1 1 *", _Clock(T0 + dt.timedelta(seconds=5)), seen, fired)
    trigger.start()
    try:
        assert not fired.wait(0.5)
    finally:
        trigger.stop(2)
    assert seen == []


def test_fire_passes_a_timer_request_when_called_directly() -> None:
    seen: list[Any] = []
    trigger = _trigger("0 0 6 * * *", _Clock(T0), seen, threading.Event())
    trigger.fire()
    assert seen[0].past_due is False
    assert seen[0].schedule_status["Next"].startswith("2026-01-02T06:00:00")
