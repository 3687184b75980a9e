"""Recurring scans: one per period whatever the timer does; only active customers."""

from __future__ import annotations

import datetime as dt

from shared.errors import TransientError
from shared.pipeline.schedule import ScheduleDeps, period_key, schedule_due
from shared.storage.customers import Customer
from tests.unit.lifecycle_fakes import Table, customer

MONDAY = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)


class Requests:
    def __init__(self, fail: int = 0) -> None:
        self.made: list[tuple[str, str]] = []
        self.fail = fail

    def __call__(self, who: Customer, reason: str) -> str:
        if self.fail:
            self.fail -= 1
            raise TransientError("bus down")
        self.made.append((who.customer_id, reason))
        return f"scan{len(self.made)}"


def deps(customers: list[Customer], requests: Requests, claims: Table, now: dt.datetime) -> ScheduleDeps:
    return ScheduleDeps(customers=lambda: customers, claims=claims, request_scan=requests, clock=lambda: now)


def test_period_key_names_iso_week_when_weekly_and_month_when_monthly() -> None:
    assert period_key("weekly", MONDAY) == "2026-W48"
    assert period_key("monthly", MONDAY) == "2026-11"
    assert period_key("none", MONDAY) is None


def test_one_scan_per_period_when_timer_fires_twice() -> None:
    requests, claims = Requests(), Table()
    people = [customer("a" * 32)]
    schedule_due(deps(people, requests, claims, MONDAY))
    schedule_due(deps(people, requests, claims, MONDAY + dt.timedelta(hours=3)))
    assert requests.made == [("a" * 32, "schedule 2026-W48")]


def test_next_period_scans_again_when_week_changes() -> None:
    requests, claims = Requests(), Table()
    people = [customer("a" * 32)]
    schedule_due(deps(people, requests, claims, MONDAY))
    schedule_due(deps(people, requests, claims, MONDAY + dt.timedelta(days=7)))
    assert [r for _, r in requests.made] == ["schedule 2026-W48", "schedule 2026-W49"]


def test_monthly_customer_scanned_once_when_fired_every_day_of_the_month() -> None:
    requests, claims = Requests(), Table()
    people = [customer("a" * 32, schedule="monthly")]
    for day in range(30):
        schedule_due(deps(people, requests, claims, dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(days=day)))
    assert requests.made == [("a" * 32, "schedule 2026-11")]


def test_no_scan_when_customer_is_access_revoked_or_offboarding() -> None:
    requests = Requests()
    people = [customer("a" * 32, state="access_revoked"), customer("b" * 32, state="offboarding"),
              customer("c" * 32, schedule="none")]
    counts = schedule_due(deps(people, requests, Table(), MONDAY))
    assert requests.made == [] and counts["not_active"] == 2 and counts["unscheduled"] == 1


def test_claim_released_when_request_fails_so_next_firing_scans() -> None:
    requests, claims = Requests(fail=1), Table()
    people = [customer("a" * 32)]
    assert schedule_due(deps(people, requests, claims, MONDAY))["failed"] == 1
    assert schedule_due(deps(people, requests, claims, MONDAY))["requested"] == 1
    assert claims.partition("a" * 32)[0]["scan_id"] == "scan1"
