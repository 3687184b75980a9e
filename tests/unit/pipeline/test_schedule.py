"""Recurring scans: one per period whatever the timer does; only active customers."""

from __future__ import annotations

import datetime as dt

from shared.domain import Customer
from shared.pipeline.schedule import period_key, schedule_due
from tests.unit.fakes import World, a_customer, make_world

MONDAY = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)


def a_world(*customers: Customer, now: dt.datetime = MONDAY) -> World:
    world = make_world(with_customer=False)
    world.clock.now = now
    for customer in customers:
        world.add_customer(customer)
    return world


def requested(world: World) -> list[tuple[str, str]]:
    """(customer, reason) of every scan requested, oldest first."""
    scans = [s for c in world.customers.list_all() for s in world.scans.for_customer(c.customer_id)]
    return [(s.customer_id, s.requested_by) for s in sorted(scans, key=lambda s: s.scan_id)]


def test_period_key_names_iso_week_when_weekly_and_month_when_monthly() -> None:
    assert period_key("weekly", MONDAY) == "2026-W48"
    assert period_key("monthly", MONDAY) == "2026-11"
    assert period_key("none", MONDAY) is None


def test_one_scan_per_period_when_timer_fires_twice() -> None:
    world = a_world(a_customer("a" * 32))
    schedule_due(world.services)
    world.clock.advance(hours=3)
    schedule_due(world.services)
    assert requested(world) == [("a" * 32, "schedule 2026-W48")]


def test_next_period_scans_again_when_week_changes() -> None:
    world = a_world(a_customer("a" * 32))
    schedule_due(world.services)
    world.clock.advance(days=7)
    schedule_due(world.services)
    assert [r for _, r in requested(world)] == ["schedule 2026-W48", "schedule 2026-W49"]


def test_monthly_customer_scanned_once_when_fired_every_day_of_the_month() -> None:
    world = a_world(a_customer("a" * 32, schedule="monthly"), now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    for _ in range(30):
        schedule_due(world.services)
        world.clock.advance(days=1)
    assert requested(world) == [("a" * 32, "schedule 2026-11")]


def test_no_scan_when_customer_is_access_revoked_or_offboarding() -> None:
    world = a_world(a_customer("a" * 32, state="access_revoked"), a_customer("b" * 32, state="offboarding"),
                    a_customer("c" * 32, schedule="none"))
    counts = schedule_due(world.services)
    assert requested(world) == [] and counts["not_active"] == 2 and counts["unscheduled"] == 1


def test_claim_released_when_request_fails_so_next_firing_scans() -> None:
    world = a_world(a_customer("a" * 32))
    world.bus.fail = 1
    assert schedule_due(world.services)["failed"] == 1
    assert schedule_due(world.services)["requested"] == 1
    (scan,) = world.scans.for_customer("a" * 32)
    assert world.tables["schedules"].partition("a" * 32)[0]["scan_id"] == scan.scan_id
