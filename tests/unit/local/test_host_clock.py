"""The local host's clock follows the simulated tenant's calendar (issue 15): the offset file, and the app's
services built on it only when the stack names the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from local.demo_second_review import changes_line
from local.host.clock import CLOCK_FILE_ENV, CalendarClock, calendar_services, write_offset
from shared.config import reset_settings
from shared.services import _OVERRIDES, get_services, reset_services


def test_clock_adds_the_published_offset_when_the_calendar_moves(tmp_path: Path) -> None:
    path = tmp_path / "calendar.json"
    clock = CalendarClock(path)
    assert clock.offset() == dt.timedelta()  # no file yet: the wall clock
    write_offset(path, 45)
    assert clock.offset() == dt.timedelta(days=45)
    assert abs(clock() - dt.datetime.now(dt.UTC) - dt.timedelta(days=45)) < dt.timedelta(seconds=5)
    write_offset(path, 0)
    assert clock.offset() == dt.timedelta()


def test_app_runs_on_the_calendar_only_when_the_stack_names_the_file(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with calendar_services({}):
        assert _OVERRIDES == []
    path = tmp_path / "calendar.json"
    write_offset(path, 10)
    monkeypatch.setenv("COST_HISTORY_DAYS", "90")
    reset_settings()
    reset_services()
    try:
        with calendar_services({CLOCK_FILE_ENV: str(path)}):
            now = get_services().clock()
            assert now - dt.datetime.now(dt.UTC) > dt.timedelta(days=9)
        assert _OVERRIDES == []
    finally:
        reset_settings()
        reset_services()


def test_demo_summary_line_says_what_changed_when_reviewed_twice() -> None:
    reviews = {"reviews": [{"new": 1, "persisting": 5, "resolved": 1, "realised_monthly": 32.94,
                            "currency": "GBP"}, {"new": None}]}
    assert changes_line(reviews) == ("since the last review: 1 new, 5 persisting, 1 resolved; "
                                     "realised 32.94 GBP a month")
    assert changes_line({"reviews": [{"new": None}]}) == "since the last review: nothing to compare with"
