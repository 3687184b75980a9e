"""The role re-check on fakes: awaiting -> active with the first scan, subscriptions added to an active customer,
told once after the wait, idempotent when the timer fires twice, one tenant's failure isolated."""

from __future__ import annotations

from typing import Any

from shared.api.responses import Validation
from shared.config import Settings
from shared.deadline import Deadline
from shared.errors import TransientError
from shared.messages import ScanRequested
from shared.pipeline.awaiting_roles import recheck_awaiting, recheck_customer
from shared.pipeline.principal_roles import COST_MANAGEMENT_READER, READER
from shared.pipeline.validate_principal import validate_principal
from tests.unit.fakes import CUSTOMER_ID, OID, SUB, FakeProbe, World, a_customer, make_world

OTHER = "bbbbbbbb-0000-0000-0000-000000000002"
SECOND_CUSTOMER = "fedcba9876543210fedcba9876543210"


def awaiting_world(*subs: str, state: str = "awaiting_roles", readable: tuple[str, ...] = ()) -> World:
    """A customer whose subscriptions were validated now; only `readable` ones had roles at the time."""
    world = make_world(with_customer=False)
    for sub in subs:
        world.probe.add_subscription(sub)
    for sub in readable:
        grant(world.probe, sub)
    validation = validate_principal(world.probe, OID, list(subs), world.clock(), deadline=Deadline.within(30.0))
    world.add_customer(a_customer(subscriptions=validation.usable, state=state,  # type: ignore[arg-type]
                                  validation=validation.model_dump(mode="json")))
    return world


def grant(probe: FakeProbe, sub: str) -> None:
    probe.assign(READER, f"/subscriptions/{sub}")
    probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{sub}")


def stored(world: World, customer_id: str = CUSTOMER_ID) -> Validation:
    return Validation.model_validate(world.customers.get(customer_id).validation)


def test_awaiting_customer_becomes_active_and_is_scanned_once_when_roles_appear() -> None:
    # given: onboarded before Reader reached ARM
    world = awaiting_world(SUB)
    world.clock.advance(minutes=5)
    grant(world.probe, SUB)
    # when: the timer fires, and fires again
    first = recheck_awaiting(world.services)
    second = recheck_awaiting(world.services)
    # then: active with the subscription, one scan, one e-mail; the second firing found nothing to do
    customer = world.customers.get(CUSTOMER_ID)
    assert (customer.state, customer.subscription_ids) == ("active", (SUB,))
    assert first["activated"] == 1 and not any(second.values())
    (scan,) = world.scans.for_customer(CUSTOMER_ID)
    assert world.bus.sent == [ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan.scan_id)]
    assert scan.requested_by == "roles_visible"
    assert [e.kind for e in world.outbox.sent] == ["roles_ready"]
    assert scan.scan_id in world.outbox.sent[0].body
    assert stored(world).awaiting == () and stored(world).awaiting_since is None


def test_customer_stays_awaiting_without_email_when_roles_are_still_not_visible() -> None:
    world = awaiting_world(SUB)
    since = stored(world).awaiting_since
    world.clock.advance(minutes=5)
    assert recheck_awaiting(world.services)["awaiting"] == 1
    assert world.customers.get(CUSTOMER_ID).state == "awaiting_roles"
    assert (stored(world).awaiting_since, stored(world).validated_at) == (since, world.clock().isoformat())
    assert world.outbox.sent == [] and world.bus.sent == []


def test_customer_is_told_once_what_to_check_when_the_wait_is_over() -> None:
    # given: still nothing readable an hour later (ROLE_WAIT_MINUTES defaults to 60)
    world = awaiting_world(SUB)
    world.clock.advance(minutes=61)
    # when
    counts = recheck_awaiting(world.services)
    again = recheck_awaiting(world.services)
    # then
    assert counts["told"] == 1 and not any(again.values())
    (mail,) = world.outbox.sent
    assert mail.kind == "roles_still_missing" and SUB in mail.body
    assert f"POST /api/customers/{CUSTOMER_ID}/validate" in mail.body
    assert f"http://localhost:7071/api/account#customer={CUSTOMER_ID}" in mail.body
    assert "every 5 minutes for 60 minutes" in mail.body
    assert stored(world).wait_ended_at == world.clock().isoformat()
    assert world.customers.get(CUSTOMER_ID).state == "awaiting_roles" and world.customers.awaiting_roles() == []


def test_active_customer_gains_the_subscription_without_a_scan_when_it_becomes_readable() -> None:
    # given: active on SUB; OTHER was listed but its roles had not arrived
    world = awaiting_world(SUB, OTHER, state="active", readable=(SUB,))
    assert stored(world).awaiting == (OTHER,)
    grant(world.probe, OTHER)
    world.clock.advance(minutes=5)
    # when
    counts = recheck_awaiting(world.services)
    # then: both scanned from the next scan on; only the awaited subscription was asked about again
    assert counts["added"] == 1
    assert world.customers.get(CUSTOMER_ID).subscription_ids == (SUB, OTHER)
    assert world.probe.list_calls == [SUB, OTHER, OTHER]  # both at onboarding, only OTHER again now
    assert world.bus.sent == [] and world.outbox.sent == []
    assert [e["details"] for e in world.services.audit.events(CUSTOMER_ID)] == [
        {"by": "role_recheck", "outcome": "added", "usable_subscriptions": 2, "added_subscriptions": 1}]


def test_a_stale_recheck_changes_nothing_when_another_one_already_recorded_its_result() -> None:
    # given: two firings read the customer before either wrote
    world = awaiting_world(SUB)
    stale = world.customers.get(CUSTOMER_ID)
    grant(world.probe, SUB)
    assert recheck_customer(world.services, stale, Deadline.within(30)) == "activated"
    # when: the slower one finishes
    outcome = recheck_customer(world.services, stale, Deadline.within(30))
    # then
    assert outcome == "raced"
    assert len(world.scans.for_customer(CUSTOMER_ID)) == 1 and len(world.outbox.sent) == 1


class _FailingFor(FakeProbe):
    """A probe whose tenant fails for one subscription."""

    def __init__(self, failing: str) -> None:
        super().__init__()
        self.failing = failing

    def graph(self, subscription_ids: list[str], deadline: Any) -> Any:
        if self.failing in subscription_ids:
            raise TransientError("Resource Graph: HTTP 503")
        return super().graph(subscription_ids, deadline)


def test_one_tenants_failure_leaves_the_others_rechecked_when_it_raises() -> None:
    world = make_world(with_customer=False)
    probe = _FailingFor(OTHER)
    world.services.probe_for = lambda _credential: probe
    for customer_id, sub in ((CUSTOMER_ID, SUB), (SECOND_CUSTOMER, OTHER)):
        probe.add_subscription(sub)
        validation = Validation.model_validate({"validated_at": world.clock().isoformat(),
                                                "awaiting_since": world.clock().isoformat(),
                                                "subscriptions": [{"subscription_id": sub, "ok": False}]})
        world.add_customer(a_customer(customer_id, subscriptions=(), state="awaiting_roles",
                                      validation=validation.model_dump(mode="json")))
    grant(probe, SUB)
    counts = recheck_awaiting(world.services)
    assert (counts["activated"], counts["failed"]) == (1, 1)
    assert world.customers.get(SECOND_CUSTOMER).state == "awaiting_roles"


def test_recheck_schedule_defaults_agree_when_settings_are_read() -> None:
    fields = Settings.model_fields
    minutes = fields["role_recheck_minutes"].default
    assert fields["role_recheck_timer"].default == f"0 */{minutes} * * * *"
    assert (minutes, fields["role_wait_minutes"].default) == (5, 60)


def test_subscriptions_a_deadline_left_unchecked_are_checked_first_when_the_timer_fires() -> None:
    # given: OTHER was not reached before onboarding's deadline; SUB was judged (still awaiting Reader)
    world = awaiting_world(SUB, OTHER)
    world.probe.unfinished.add(OTHER)
    validation = validate_principal(world.probe, OID, [SUB, OTHER], world.clock(), deadline=Deadline.within(30.0))
    world.customers.update_validation(CUSTOMER_ID, validation.model_dump(mode="json"), ())
    world.probe.unfinished.clear()
    world.probe.list_calls.clear()
    world.clock.advance(minutes=5)
    # when
    recheck_awaiting(world.services)
    # then
    assert world.probe.list_calls == [OTHER, SUB]
