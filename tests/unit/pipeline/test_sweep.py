"""The backstop's sweeps: orphaned containers and partitions, and onboardings that crashed in pending_proof."""

from __future__ import annotations

import datetime as dt

from shared.ids import customer_hash
from shared.pipeline.purge import run_backstop
from shared.pipeline.sweep import abandoned_onboardings, orphans
from shared.secrets import secret_name
from tests.unit.fakes import World, a_customer, make_world

ORPHAN = "c" * 32
KEPT = "d" * 32
PURGING = "e" * 32
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def a_world() -> World:
    world = make_world(with_customer=False)
    world.clock.now = NOW
    return world


def litter(world: World, customer_id: str) -> None:
    """A container and a row in every customer-partitioned table, as work for this id would leave them."""
    world.account.setdefault(f"c-{customer_id}", {})["reports/s1/report.json"] = b"{}"
    for table in ("scans", "audit", "schedules"):
        world.tables[table].create_entity({"PartitionKey": customer_id, "RowKey": "r1"})


def test_orphaned_container_and_partitions_are_deleted_when_no_customer_row_names_them() -> None:
    world = a_world()
    litter(world, ORPHAN)
    world.add_customer(a_customer(KEPT))
    litter(world, KEPT)
    assert orphans(world.services) == 1
    assert f"c-{ORPHAN}" not in world.account
    assert not any(world.tables[t].partition(ORPHAN) for t in ("scans", "audit", "schedules"))
    assert world.account[f"c-{KEPT}"] and all(world.tables[t].partition(KEPT) for t in ("scans", "audit"))


def test_a_purge_in_progress_is_left_to_the_purge_when_its_row_is_already_gone() -> None:
    world = a_world()
    world.add_customer(a_customer(PURGING))
    world.services.purges.open(world.customers.get(PURGING), "customer", NOW, dt.timedelta(days=7))
    world.customers.delete(PURGING)
    litter(world, PURGING)
    assert orphans(world.services) == 0 and world.tables["scans"].partition(PURGING)


def test_what_is_retained_by_design_is_never_swept_when_the_customer_is_gone() -> None:
    world = a_world()
    hashed = customer_hash(ORPHAN)
    world.services.audit.record(hashed, "certificate_issued", {"certificate_id": "f" * 32})
    world.services.tombstones.set(ORPHAN, NOW)
    world.tables["certificates"].create_entity({"PartitionKey": "certificate", "RowKey": "f" * 32,
                                                "customer_hash": hashed})
    world.account["app-package"] = {"released-package.zip": b"zip"}
    assert orphans(world.services) == 0
    assert world.tables["audit"].partition(hashed) and world.services.tombstones.is_laid(ORPHAN)
    assert world.tables["certificates"].partition("certificate") and world.account["app-package"]


def test_onboarding_left_pending_for_over_an_hour_is_swept_with_its_secret_and_container() -> None:
    world = a_world()
    world.add_customer(a_customer(ORPHAN, state="pending_proof", created_at=NOW - dt.timedelta(minutes=61)))
    world.services.secrets.put(ORPHAN, "s3cret")
    world.add_customer(a_customer(KEPT, state="pending_proof", created_at=NOW - dt.timedelta(minutes=5)))
    assert abandoned_onboardings(world.services) == 1
    assert world.customers.get(KEPT).state == "pending_proof"
    assert f"c-{ORPHAN}" not in world.account and not world.secret_store.exists(secret_name(ORPHAN))
    assert [r["RowKey"] for r in world.tables["customers"].partition("customer")] == [KEPT]
    assert world.services.tombstones.is_laid(ORPHAN) and f"c-{KEPT}" in world.account


def test_onboarding_that_finished_is_not_swept_when_it_left_pending_first() -> None:
    world = a_world()
    world.add_customer(a_customer(KEPT, state="pending_proof", created_at=NOW - dt.timedelta(hours=2)))
    world.customers.transition(KEPT, {"pending_proof"}, "active", None)
    assert abandoned_onboardings(world.services) == 0 and world.customers.get(KEPT).is_active


def test_backstop_reports_both_sweeps_when_it_runs() -> None:
    world = a_world()
    litter(world, ORPHAN)
    world.add_customer(a_customer(KEPT, state="pending_proof", created_at=NOW - dt.timedelta(hours=2)))
    counts = run_backstop(world.services)
    assert counts["orphans"] == 1 and counts["abandoned_onboardings"] == 1
    assert not world.account and not world.tables["customers"].partition("customer")
