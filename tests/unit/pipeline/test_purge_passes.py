"""The purge's two passes: a tombstone first, the second pass only after the grace, the certificate's wording."""

from __future__ import annotations

import datetime as dt

from shared.ids import customer_hash
from shared.messages import PurgeCustomer
from shared.pipeline.purge import purge_customer
from shared.secrets import secret_name
from shared.storage.certificates import KEY_VAULT_SOFT_DELETE_DAYS, SOFT_DELETE_DAYS
from tests.unit.fakes import World, a_customer, make_world

GONE = "a" * 32
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def offboarded(*, auth_mode: str = "client_secret") -> World:
    world = make_world(with_customer=False)
    world.clock.now = NOW
    customer = a_customer(GONE, tenant="t-gone", auth_mode=auth_mode,
                          client_id=None if auth_mode == "federated" else "22222222-2222-2222-2222-222222222222")
    world.add_customer(customer)
    world.account[f"c-{GONE}"]["raw/s1/sub/cost.json.gz"] = b"1"
    if auth_mode == "client_secret":
        world.services.secrets.put(GONE, "s3cret")
    world.customers.transition(GONE, {"active"}, "offboarding", "asked")
    world.services.purges.open(world.customers.get(GONE), "customer", NOW, dt.timedelta(days=7))
    return world


def test_first_pass_lays_the_tombstone_keeps_the_row_and_schedules_the_second_when_run() -> None:
    world = offboarded()
    world.services.purge_grace = dt.timedelta(seconds=900)
    assert purge_customer(world.services, GONE) is None
    assert world.services.tombstones.laid_at(GONE) == NOW
    assert f"c-{GONE}" not in world.account and not world.secret_store.values
    assert world.customers.get(GONE).state == "offboarding"  # every message stays dropped meanwhile
    ((message, due),) = world.bus.scheduled
    request = world.services.purges.get(GONE)
    assert request is not None and message == PurgeCustomer(customer_id=GONE, request_id=request.request_id)
    assert due == NOW + dt.timedelta(seconds=900)
    assert not world.tables["certificates"].partition("certificate")


def test_tombstone_names_the_customer_only_by_its_hash_when_laid() -> None:
    world = offboarded()
    purge_customer(world.services, GONE)
    (row,) = world.tables["tombstones"].partition("tombstone")
    assert row["RowKey"] == customer_hash(GONE) and GONE not in str(row)


def test_second_pass_waits_when_its_grace_has_not_run() -> None:
    world = offboarded()
    purge_customer(world.services, GONE)
    world.clock.now += world.services.purge_grace - dt.timedelta(seconds=1)
    assert purge_customer(world.services, GONE) is None  # a redelivery that came early changes nothing
    assert world.customers.get(GONE).state == "offboarding" and len(world.bus.scheduled) == 1


def test_write_landing_between_the_passes_is_deleted_by_the_second_pass() -> None:
    # given: the first pass ran, then work that was already in flight wrote rows under the customer's id
    world = offboarded()
    purge_customer(world.services, GONE)
    world.services.audit.record(GONE, "scan_ended", {"scan_id": "s1"})
    world.tables["scans"].create_entity({"PartitionKey": GONE, "RowKey": "s1~late", "kind": "task"})
    # when: the second pass runs once the grace has run
    world.clock.now += world.services.purge_grace
    cert = purge_customer(world.services, GONE)
    # then
    assert cert is not None and cert.verified
    assert not world.tables["audit"].partition(GONE) and not world.tables["scans"].partition(GONE)
    assert cert.deleted["table:scans"] == 1 and cert.deleted["table:customers"] == 1


def test_certificate_says_when_soft_deleted_copies_expire_when_issued() -> None:
    world = offboarded()
    purge_customer(world.services, GONE)
    world.clock.now += world.services.purge_grace
    cert = purge_customer(world.services, GONE)
    assert cert is not None
    shown = cert.to_dict()["soft_deleted_copies"]
    completed = dt.datetime.fromisoformat(cert.completed_at)
    assert shown["storage"]["retention_days"] == SOFT_DELETE_DAYS == 1
    assert shown["storage"]["expires_by"] == (completed + dt.timedelta(days=1)).isoformat()
    assert shown["client_secret"] == {"retention_days": KEY_VAULT_SOFT_DELETE_DAYS, "purged": True,
                                      "note": shown["client_secret"]["note"]}
    assert "purged" in shown["client_secret"]["note"] and "7 days" in shown["client_secret"]["note"]
    assert world.services.certificates.get(cert.certificate_id).soft_deleted == cert.soft_deleted


def test_certificate_says_no_secret_was_held_when_the_customer_was_federated() -> None:
    world = offboarded(auth_mode="federated")
    purge_customer(world.services, GONE)
    world.clock.now += world.services.purge_grace
    cert = purge_customer(world.services, GONE)
    assert cert is not None and cert.soft_deleted["client_secret"]["purged"] is False
    assert "No client secret" in cert.soft_deleted["client_secret"]["note"]


def test_every_secret_name_the_customer_had_is_purged_when_secrets_were_replaced() -> None:
    # given: a customer whose secret was replaced twice (three names over time, one of them in use)
    world = make_world(with_customer=False)
    world.add_customer(a_customer(GONE))
    world.services.secrets.put(GONE, "first")
    world.services.secrets.replace(GONE, "second", NOW)
    third = world.services.secrets.replace(GONE, "third", NOW)
    world.secret_store.set(f"{secret_name(GONE)}-2", "a copy a crash left behind")
    assert world.services.secrets.get(GONE) == "third" and third == f"{secret_name(GONE)}-3"
    # when
    world.customers.transition(GONE, {"active"}, "offboarding", "asked")
    world.services.purges.open(world.customers.get(GONE), "customer", NOW, dt.timedelta(days=7))
    purge_customer(world.services, GONE)
    world.clock.now += world.services.purge_grace
    cert = purge_customer(world.services, GONE)
    # then
    assert cert is not None and cert.deleted["secret"] == 2 and not world.secret_store.values
