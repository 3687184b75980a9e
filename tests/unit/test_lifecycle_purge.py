"""The purge on in-memory stores: deletes everything of one customer, resumes after a crash, proves it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from shared.audit import customer_hash
from shared.errors import TransientError
from shared.pipeline.offboard import PURGE_PARTITION, open_purge
from shared.pipeline.purge import overdue, purge_customer, run_backstop
from shared.secrets import secret_name
from shared.storage.customers import create_customer, update_customer_state
from tests.unit.lifecycle_fakes import PurgeWorld, customer

GONE = "a" * 32
KEPT = "b" * 32


def seed(world: PurgeWorld, customer_id: str, *, tenant: str) -> None:
    """A customer with a row, scans, audit events, a claim, a quota ledger, blobs, a secret, a dead letter."""
    create_customer(customer(customer_id, tenant=tenant), "k" * 40, store=world.customers)
    for table in (world.scans, world.audit, world.schedules):
        table.create_entity({"PartitionKey": customer_id, "RowKey": "r1", "x": 1})
        table.create_entity({"PartitionKey": customer_id, "RowKey": "r2", "x": 2})
    world.quota.create_entity({"PartitionKey": tenant, "RowKey": "ledger", "qpu": 1})
    world.account[f"c-{customer_id}"] = {"raw/s1/cost.json.gz": b"1", "reports/s1/report.json": b"{}"}
    world.secrets.set(secret_name(customer_id), "s3cret")
    world.dead.append(customer_id)


def offboarded(world: PurgeWorld) -> str:
    seed(world, GONE, tenant="t-gone")
    seed(world, KEPT, tenant="t-kept")
    update_customer_state(GONE, "offboarding", "asked", store=world.customers)
    row, _ = open_purge(customer(GONE, tenant="t-gone"), "customer", world.now, world.purges)
    return str(row["request_id"])


def test_purge_leaves_nothing_of_the_customer_when_run_once() -> None:
    world = PurgeWorld()
    offboarded(world)
    cert = purge_customer(GONE, world.deps())
    assert cert is not None and cert.verified
    assert f"c-{GONE}" not in world.account
    assert not world.scans.partition(GONE) and not world.schedules.partition(GONE)
    assert not world.audit.partition(GONE) and not world.quota.partition("t-gone")
    assert not world.secrets.exists(secret_name(GONE)) and GONE not in world.dead
    assert [r["RowKey"] for r in world.customers.partition("customer")] == [KEPT]
    assert not world.purges.partition(PURGE_PARTITION)


def test_other_customer_is_untouched_when_one_is_purged() -> None:
    world = PurgeWorld()
    offboarded(world)
    purge_customer(GONE, world.deps())
    assert len(world.account[f"c-{KEPT}"]) == 2 and world.secrets.exists(secret_name(KEPT))
    assert len(world.scans.partition(KEPT)) == 2 and len(world.quota.partition("t-kept")) == 1
    assert KEPT in world.dead and [r["RowKey"] for r in world.customers.partition("customer")] == [KEPT]


def test_certificate_counts_every_store_and_holds_no_customer_id_when_issued() -> None:
    world = PurgeWorld()
    request_id = offboarded(world)
    cert = purge_customer(GONE, world.deps())
    assert cert is not None and cert.certificate_id == request_id
    assert cert.deleted == {"blobs": 2, "table:scans": 2, "table:audit": 2, "table:schedules": 2,
                            "table:costquota": 1, "secret": 1, "dead_letters": 1, "table:customers": 1}
    assert set(cert.verification.values()) == {0}
    stored = json.dumps(world.certificates.partition("certificate"))
    assert GONE not in stored and customer_hash(GONE) in stored


class CrashingSecrets:
    """A secret store whose delete dies once, like a process killed half-way through the purge."""

    def __init__(self, inner: object) -> None:
        self.inner, self.crashed = inner, False

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def delete(self, name: str) -> None:
        if not self.crashed:
            self.crashed = True
            raise RuntimeError("process killed")
        self.inner.delete(name)  # type: ignore[attr-defined]


def test_purge_resumes_and_completes_when_it_crashed_half_way() -> None:
    world = PurgeWorld()
    offboarded(world)
    deps = world.deps()
    deps.secrets = CrashingSecrets(world.secrets)  # type: ignore[assignment]
    with pytest.raises(RuntimeError):
        purge_customer(GONE, deps)
    assert f"c-{GONE}" not in world.account and world.secrets.exists(secret_name(GONE))
    cert = purge_customer(GONE, deps)
    assert cert is not None and cert.verified and not world.secrets.exists(secret_name(GONE))
    assert cert.deleted["blobs"] == 2 and cert.deleted["secret"] == 1


def test_purge_refuses_to_certify_when_verification_finds_data_left() -> None:
    world = PurgeWorld()
    offboarded(world)
    deps = world.deps()
    deps.drain_dead_letters = lambda customer_id: 0  # a dead letter the drain could not take
    with pytest.raises(TransientError):
        purge_customer(GONE, deps)
    assert not world.certificates.partition("certificate") and world.purges.partition(PURGE_PARTITION)


def test_purge_does_nothing_when_no_purge_is_open() -> None:
    world = PurgeWorld()
    seed(world, KEPT, tenant="t-kept")
    assert purge_customer(KEPT, world.deps()) is None
    assert len(world.account[f"c-{KEPT}"]) == 2


def test_quota_ledger_kept_when_another_customer_shares_the_tenant() -> None:
    world = PurgeWorld()
    seed(world, GONE, tenant="shared")
    create_customer(customer(KEPT, tenant="shared"), "k" * 40, store=world.customers)
    open_purge(customer(GONE, tenant="shared"), "customer", world.now, world.purges)
    assert purge_customer(GONE, world.deps()) is not None
    assert len(world.quota.partition("shared")) == 1


def test_second_run_sends_no_second_certificate_email_when_rerun_after_issue() -> None:
    world = PurgeWorld()
    offboarded(world)
    row = world.purges.partition(PURGE_PARTITION)[0]
    purge_customer(GONE, world.deps())
    world.purges.create_entity(row)  # a crash after the certificate, before the purge row went
    purge_customer(GONE, world.deps())
    assert [e.kind for e in world.outbox.sent] == ["certificate_issued"]
    assert len(world.certificates.partition("certificate")) == 1


def test_overdue_lists_purge_when_within_24_hours_of_its_deadline() -> None:
    world = PurgeWorld()
    offboarded(world)
    assert overdue(world.deps()) == []
    world.now += dt.timedelta(days=6, hours=1)
    alerts = overdue(world.deps())
    assert len(alerts) == 1 and alerts[0]["customer_sha256"] == customer_hash(GONE)
    assert alerts[0]["past_deadline"] is False


def test_backstop_logs_an_error_when_a_purge_nears_its_deadline(caplog: pytest.LogCaptureFixture) -> None:
    world = PurgeWorld()
    offboarded(world)
    deps = world.deps()
    deps.secrets = CrashingSecrets(world.secrets)  # type: ignore[assignment]
    world.now += dt.timedelta(days=6, hours=12)
    counts = run_backstop(deps)
    assert counts["alerts"] == 1 and counts["failed"] == 1
    assert any(r.levelname == "ERROR" and "ALERT" in r.getMessage() for r in caplog.records)


def test_backstop_reopens_and_completes_purge_when_its_request_row_was_lost() -> None:
    world = PurgeWorld()
    seed(world, GONE, tenant="t-gone")
    update_customer_state(GONE, "offboarding", "asked", store=world.customers)
    counts = run_backstop(world.deps())
    assert counts == {"completed": 1, "failed": 0, "reopened": 1, "alerts": 0}
    assert f"c-{GONE}" not in world.account


def test_purge_marks_customer_offboarding_first_when_request_died_before_the_state_change() -> None:
    world = PurgeWorld()
    seed(world, GONE, tenant="t-gone")
    open_purge(customer(GONE, tenant="t-gone"), "customer", world.now, world.purges)  # state still active
    deps = world.deps()
    deps.secrets = CrashingSecrets(world.secrets)  # type: ignore[assignment]
    with pytest.raises(RuntimeError):
        purge_customer(GONE, deps)
    assert world.customers.get_entity("customer", GONE)["state"] == "offboarding"
