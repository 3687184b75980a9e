"""The purge on in-memory stores: deletes everything of one customer in two passes, resumes after a crash,
proves it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from shared.ids import customer_hash
from shared.messages import PurgeCustomer
from shared.notify import Email
from shared.pipeline.purge import overdue, purge_customer, run_backstop
from shared.secrets import secret_name
from shared.storage.certificates import DeletionCertificate
from shared.storage.purges import PARTITION as PURGE_PARTITION
from shared.storage.quota import principal_row
from shared.storage.secrets import CustomerSecrets
from tests.unit.fakes import MemorySecretStore, World, a_customer, make_world

GONE = "a" * 32
KEPT = "b" * 32
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def a_world() -> World:
    world = make_world(with_customer=False)
    world.clock.now = NOW
    return world


def seed(world: World, customer_id: str, *, tenant: str, contact: str = "it@acme.example", **customer: Any) -> None:
    """A customer with a row, scans, audit events, a claim, a quota ledger, blobs, a secret, a dead letter,
    a queued message and an e-mail in the outbox."""
    world.add_customer(a_customer(customer_id, tenant=tenant, contact_email=contact, **customer))
    for name in ("scans", "audit", "schedules"):
        world.tables[name].create_entity({"PartitionKey": customer_id, "RowKey": "r1", "x": 1})
        world.tables[name].create_entity({"PartitionKey": customer_id, "RowKey": "r2", "x": 2})
    world.tables["costquota"].create_entity({"PartitionKey": tenant, "RowKey": "ledger", "qpu": 1})
    world.account[f"c-{customer_id}"] = {"raw/s1/cost.json.gz": b"1", "reports/s1/report.json": b"{}"}
    world.secret_store.set(secret_name(customer_id), "s3cret")
    world.dead.held.append(customer_id)
    world.queued.held.append(customer_id)
    world.outbox.send(Email(contact, "review_ready", "s", f"/api/customers/{customer_id}/x", customer_id))


def offboarded(world: World) -> str:
    seed(world, GONE, tenant="t-gone")
    seed(world, KEPT, tenant="t-kept")
    world.customers.transition(GONE, {"active"}, "offboarding", "asked")
    request, _ = world.services.purges.open(a_customer(GONE, tenant="t-gone"), "customer", NOW,
                                            dt.timedelta(days=7))
    return request.request_id


def purged(world: World, customer_id: str = GONE) -> DeletionCertificate | None:
    """Both passes: the first, then (once its grace has run) the second, as the scheduled message would."""
    if world.services.purges.get(customer_id) is not None and \
            world.services.purges.get(customer_id).first_pass_at is None:  # type: ignore[union-attr]
        assert purge_customer(world.services, customer_id) is None
    world.clock.now += world.services.purge_grace
    return purge_customer(world.services, customer_id)


def test_purge_leaves_nothing_of_the_customer_when_run_once() -> None:
    world = a_world()
    offboarded(world)
    cert = purged(world)
    assert cert is not None and cert.verified
    assert f"c-{GONE}" not in world.account
    assert not world.tables["scans"].partition(GONE) and not world.tables["schedules"].partition(GONE)
    assert not world.tables["audit"].partition(GONE) and not world.tables["costquota"].partition("t-gone")
    assert not world.secret_store.exists(secret_name(GONE)) and GONE not in world.dead.held
    assert GONE not in world.queued.held and not [e for e in world.outbox.sent if e.customer_id == GONE]
    assert [r["RowKey"] for r in world.tables["customers"].partition("customer")] == [KEPT]
    assert not world.tables["purges"].partition(PURGE_PARTITION)


def test_other_customer_is_untouched_when_one_is_purged() -> None:
    world = a_world()
    offboarded(world)
    purged(world)
    assert len(world.account[f"c-{KEPT}"]) == 2 and world.secret_store.exists(secret_name(KEPT))
    assert len(world.tables["scans"].partition(KEPT)) == 2 and len(world.tables["costquota"].partition("t-kept")) == 1
    assert KEPT in world.dead.held and KEPT in world.queued.held
    assert [e.customer_id for e in world.outbox.sent if e.kind == "review_ready"] == [KEPT]
    assert [r["RowKey"] for r in world.tables["customers"].partition("customer")] == [KEPT]


def test_certificate_counts_every_store_and_holds_no_customer_id_when_issued() -> None:
    world = a_world()
    request_id = offboarded(world)
    cert = purged(world)
    assert cert is not None and cert.certificate_id == request_id
    assert cert.deleted == {"blobs": 2, "table:scans": 2, "table:audit": 2, "table:schedules": 2,
                            "table:costquota": 1, "secret": 1, "dead_letters": 1, "table:customers": 1,
                            "messages": 1, "outbox": 1}
    assert set(cert.verification.values()) == {0}
    stored = json.dumps(world.tables["certificates"].partition("certificate"))
    assert GONE not in stored and customer_hash(GONE) in stored


class CrashingSecrets(MemorySecretStore):
    """A secret store whose delete dies once, like a process killed half-way through the purge."""

    def __init__(self, inner: MemorySecretStore) -> None:
        super().__init__()
        self.values, self.crashed = inner.values, False

    def delete(self, name: str) -> None:
        if not self.crashed:
            self.crashed = True
            raise RuntimeError("process killed")
        super().delete(name)


def crash_once_on_secret_delete(world: World) -> None:
    world.services.secrets = CustomerSecrets(CrashingSecrets(world.secret_store))


def test_purge_resumes_and_completes_when_it_crashed_half_way() -> None:
    world = a_world()
    offboarded(world)
    crash_once_on_secret_delete(world)
    with pytest.raises(RuntimeError):
        purge_customer(world.services, GONE)
    assert f"c-{GONE}" not in world.account and world.secret_store.exists(secret_name(GONE))
    cert = purged(world)
    assert cert is not None and cert.verified and not world.secret_store.exists(secret_name(GONE))
    assert cert.deleted["blobs"] == 2 and cert.deleted["secret"] == 1


def test_purge_refuses_to_certify_when_verification_finds_data_left() -> None:
    world = a_world()
    offboarded(world)
    world.dead.stuck = True  # a dead letter the drain could not take
    assert purged(world) is None
    assert not world.tables["certificates"].partition("certificate")
    assert world.tables["purges"].partition(PURGE_PARTITION)
    # the second pass asked to run again rather than certify
    (_, first_due), (again, retry_due) = world.bus.scheduled
    assert isinstance(again, PurgeCustomer) and retry_due > first_due


def test_purge_runs_again_while_a_queued_message_of_the_customer_is_not_yet_dropped() -> None:
    # given: an active message a consumer has not dropped yet (it cannot be deleted by sequence number)
    world = a_world()
    offboarded(world)
    world.queued.stuck = True
    # when / then: verification counts it and schedules another pass; once dropped, the purge completes
    assert purged(world) is None
    world.queued.stuck = False
    world.queued.held.remove(GONE)
    cert = purged(world)
    assert cert is not None and cert.verification["messages"] == 0


def test_purge_does_nothing_when_no_purge_is_open() -> None:
    world = a_world()
    seed(world, KEPT, tenant="t-kept")
    assert purge_customer(world.services, KEPT) is None
    assert len(world.account[f"c-{KEPT}"]) == 2


def test_quota_ledger_kept_when_another_customer_shares_the_tenant() -> None:
    world = a_world()
    seed(world, GONE, tenant="shared")
    world.add_customer(a_customer(KEPT, tenant="shared"))
    world.services.purges.open(a_customer(GONE, tenant="shared"), "customer", NOW, dt.timedelta(days=7))
    assert purged(world) is not None
    assert len(world.tables["costquota"].partition("shared")) == 1


def test_leaving_principals_graph_ledger_goes_when_the_tenants_other_customer_queries_as_another() -> None:
    # given: two customers of one tenant, each with its own principal and its Resource Graph ledger row
    world = a_world()
    seed(world, GONE, tenant="shared", client_id="gone-app")
    world.add_customer(a_customer(KEPT, tenant="shared", client_id="kept-app"))
    for app in ("gone-app", "kept-app"):
        world.tables["costquota"].create_entity({"PartitionKey": "shared", "RowKey": principal_row("shared", app)})
    # when
    world.services.purges.open(a_customer(GONE, tenant="shared"), "customer", NOW, dt.timedelta(days=7))
    assert purged(world) is not None
    # then: the tenant's QPU row and the other principal's row stay; the leaving principal's row is gone
    rows = {r["RowKey"] for r in world.tables["costquota"].partition("shared")}
    assert rows == {"ledger", principal_row("shared", "kept-app")}


def test_shared_principals_graph_ledger_kept_when_the_tenants_other_customer_queries_as_it() -> None:
    world = a_world()
    seed(world, GONE, tenant="shared")
    world.add_customer(a_customer(KEPT, tenant="shared"))  # the same app id as GONE's
    row = principal_row("shared", a_customer(GONE).client_id)
    world.tables["costquota"].create_entity({"PartitionKey": "shared", "RowKey": row})
    world.services.purges.open(a_customer(GONE, tenant="shared"), "customer", NOW, dt.timedelta(days=7))
    assert purged(world) is not None
    assert {r["RowKey"] for r in world.tables["costquota"].partition("shared")} == {"ledger", row}


def test_second_run_sends_no_second_certificate_email_when_rerun_after_issue() -> None:
    world = a_world()
    offboarded(world)
    assert purge_customer(world.services, GONE) is None  # the first pass
    row = world.tables["purges"].partition(PURGE_PARTITION)[0]
    purged(world)
    world.tables["purges"].create_entity(row)  # a crash after the certificate, before the purge row went
    purged(world)
    assert [e.kind for e in world.outbox.sent if e.customer_id is None] == ["certificate_issued"]
    assert len(world.tables["certificates"].partition("certificate")) == 1


def test_overdue_lists_purge_when_within_24_hours_of_its_deadline() -> None:
    world = a_world()
    offboarded(world)
    assert overdue(world.services) == []
    world.clock.now += dt.timedelta(days=6, hours=1)
    alerts = overdue(world.services)
    assert len(alerts) == 1 and alerts[0]["customer_sha256"] == customer_hash(GONE)
    assert alerts[0]["past_deadline"] is False


def test_backstop_logs_an_error_when_a_purge_nears_its_deadline(caplog: pytest.LogCaptureFixture) -> None:
    world = a_world()
    offboarded(world)
    crash_once_on_secret_delete(world)
    world.clock.now += dt.timedelta(days=6, hours=12)
    counts = run_backstop(world.services)
    assert counts["alerts"] == 1 and counts["failed"] == 1
    assert any(r.levelname == "ERROR" and "ALERT" in r.getMessage() for r in caplog.records)


def test_backstop_reopens_and_completes_purge_when_its_request_row_was_lost() -> None:
    world = a_world()
    seed(world, GONE, tenant="t-gone")
    world.customers.transition(GONE, {"active"}, "offboarding", "asked")
    counts = run_backstop(world.services)
    assert counts == {"completed": 0, "waiting": 1, "failed": 0, "reopened": 1, "alerts": 0,
                      "abandoned_onboardings": 0, "orphans": 0}
    assert f"c-{GONE}" not in world.account
    world.clock.now += world.services.purge_grace
    assert run_backstop(world.services)["completed"] == 1


def test_purge_marks_customer_offboarding_first_when_request_died_before_the_state_change() -> None:
    world = a_world()
    seed(world, GONE, tenant="t-gone")
    world.services.purges.open(a_customer(GONE, tenant="t-gone"), "customer", NOW, dt.timedelta(days=7))
    crash_once_on_secret_delete(world)
    with pytest.raises(RuntimeError):
        purge_customer(world.services, GONE)
    assert world.tables["customers"].get_entity("customer", GONE)["state"] == "offboarding"
