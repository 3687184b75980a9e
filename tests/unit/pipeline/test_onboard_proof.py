"""The onboarding POST's trust boundary with fakes: the proof handle, rate limits, repeats, crash safety.

Issue 13 section 1, findings 4 and 8. Every refusal before the proof leaves no row at all.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.errors import InvalidInput, Misconfigured, RateLimited
from shared.pipeline.onboard import PROOF_REFUSED, onboard
from shared.pipeline.principal_roles import COST_MANAGEMENT_READER, READER
from shared.pipeline.throttle import TENANT_FAILURES
from shared.services import OnboardingLimits
from shared.storage.secrets import CustomerSecrets
from tests.unit.fakes import FakeCredential, World, make_world

TENANT = "11111111-1111-1111-1111-111111111111"
OTHER_TENANT = "99999999-9999-9999-9999-999999999999"
CLIENT = "22222222-2222-2222-2222-222222222222"
GOOD = "33333333-3333-3333-3333-333333333333"
ADMIN_OID = "66666666-6666-6666-6666-666666666666"
ADDRESS = "203.0.113.7"


def a_world(*, per_address: int = 60, tenant_failures: int = 10) -> World:
    world = make_world(with_customer=False)
    world.services.onboarding_limits = OnboardingLimits(45.0, per_address, tenant_failures)
    world.probe.add_subscription(GOOD)
    world.probe.assign(READER, f"/subscriptions/{GOOD}")
    world.probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{GOOD}")
    return world


def a_body(auth: dict[str, Any], tenant: str = TENANT, contact: str = "ops@acme.example") -> bytes:
    return json.dumps({"company": "Acme Ltd", "contact_email": contact, "tenant_id": tenant, "auth": auth,
                       "subscription_ids": [GOOD]}).encode()


def federated(handle: str) -> dict[str, Any]:
    return {"mode": "federated", "proof": handle}


def secret(value: str = "s3cret") -> dict[str, Any]:
    return {"mode": "client_secret", "client_id": CLIENT, "client_secret": value}


def stored_nothing(world: World) -> bool:
    return (not world.tables["customers"].rows and not world.tables["scans"].rows
            and not world.secret_store.values and not world.bus.sent)


def refused_proof(world: World, handle: str, tenant: str = TENANT) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        onboard(a_body(federated(handle), tenant), world.services, ADDRESS)
    return caught.value


def test_federated_customer_is_onboarded_when_the_handle_proves_the_tenant() -> None:
    world = a_world()
    handle = world.services.proofs.issue(TENANT, ADMIN_OID, world.clock())
    answer = onboard(a_body(federated(handle)), world.services, ADDRESS)
    assert answer.state == "active" and answer.first_scan_id
    assert world.customers.get(answer.customer_id).auth_mode == "federated"


@pytest.mark.parametrize("handle", ["", "x" * 43, "x" * 200])
def test_unknown_handle_answers_400_at_auth_proof_and_stores_nothing(handle: str) -> None:
    world = a_world()
    body = a_body(federated(handle)) if handle else a_body({"mode": "federated"})
    with pytest.raises(InvalidInput) as caught:
        onboard(body, world.services, ADDRESS)
    assert list(caught.value.fields) == ["auth.proof"]
    assert stored_nothing(world)


def test_replayed_handle_answers_400_and_stores_nothing_more_when_sent_twice() -> None:
    world = a_world()
    handle = world.services.proofs.issue(TENANT, ADMIN_OID, world.clock())
    first = onboard(a_body(federated(handle)), world.services, ADDRESS)
    rows = dict(world.tables["customers"].rows)
    assert refused_proof(world, handle).fields == {"auth.proof": PROOF_REFUSED}
    assert world.tables["customers"].rows == rows and first.customer_id in {k[1] for k in rows}


def test_expired_handle_answers_400_and_stores_nothing_when_over_ten_minutes_old() -> None:
    world = a_world()
    handle = world.services.proofs.issue(TENANT, ADMIN_OID, world.clock())
    world.clock.advance(minutes=10)
    assert refused_proof(world, handle).fields == {"auth.proof": PROOF_REFUSED}
    assert stored_nothing(world)


def test_handle_of_another_tenant_answers_400_and_is_spent_when_mismatched() -> None:
    world = a_world()
    handle = world.services.proofs.issue(OTHER_TENANT, ADMIN_OID, world.clock())
    refused_proof(world, handle, TENANT)
    assert stored_nothing(world)
    refused_proof(world, handle, OTHER_TENANT)  # spent by the mismatched try: never usable again
    assert stored_nothing(world)


def test_refusals_read_the_same_whatever_the_handle_was_when_refused() -> None:
    # Finding 4: nothing in the answer tells a stranger more than "not a valid sign-in".
    world = a_world()
    used = world.services.proofs.issue(TENANT, ADMIN_OID, world.clock())
    onboard(a_body(federated(used)), world.services, ADDRESS)
    other = world.services.proofs.issue(OTHER_TENANT, ADMIN_OID, world.clock())
    answers = {str(refused_proof(world, h).fields) for h in ("y" * 43, used, other)}
    assert len(answers) == 1


def test_address_gets_429_with_retry_after_when_over_its_hourly_allowance() -> None:
    world = a_world(per_address=2)
    for _ in range(2):
        with pytest.raises(InvalidInput):
            onboard(a_body(federated("z" * 43)), world.services, ADDRESS)
    with pytest.raises(RateLimited) as caught:
        onboard(a_body(federated("z" * 43)), world.services, ADDRESS)
    assert 1 <= caught.value.retry_after <= 3601
    # Another address is not affected, and the next window starts afresh.
    with pytest.raises(InvalidInput):
        onboard(a_body(federated("z" * 43)), world.services, "198.51.100.9")
    world.clock.advance(hours=1)
    with pytest.raises(InvalidInput):
        onboard(a_body(federated("z" * 43)), world.services, ADDRESS)


def test_secret_is_not_tried_and_429_answered_when_the_tenant_has_too_many_failures() -> None:
    # given: two refused secrets for the tenant
    world = a_world(tenant_failures=2)
    world.credentials.credential = FakeCredential("AADSTS7000215: Invalid client secret provided.")
    for _ in range(2):
        with pytest.raises(InvalidInput):
            onboard(a_body(secret("wrong")), world.services, ADDRESS)
    # when: even the right secret is sent
    world.credentials.credential = FakeCredential()
    # then: it is not tried, and nothing is stored
    with pytest.raises(RateLimited):
        onboard(a_body(secret("right")), world.services, ADDRESS)
    assert stored_nothing(world)


def test_verified_administrator_is_not_locked_out_when_strangers_failed_for_the_tenant() -> None:
    world = a_world(tenant_failures=2)
    for _ in range(3):
        with pytest.raises((InvalidInput, RateLimited)):
            onboard(a_body(federated("q" * 43)), world.services, "192.0.2.1")
    handle = world.services.proofs.issue(TENANT, ADMIN_OID, world.clock())
    assert onboard(a_body(federated(handle)), world.services, ADDRESS).state == "active"


def test_only_failures_count_against_the_tenant_when_onboarding_succeeds() -> None:
    world = a_world()
    onboard(a_body(secret()), world.services, ADDRESS)
    assert world.services.ratelimits.count(TENANT_FAILURES, TENANT, world.clock()) == 0
    world.credentials.credential = FakeCredential("AADSTS7000215: Invalid client secret provided.")
    with pytest.raises(InvalidInput):
        onboard(a_body(secret("wrong")), world.services, ADDRESS)
    assert world.services.ratelimits.count(TENANT_FAILURES, TENANT, world.clock()) == 1


def test_rate_limit_rows_hold_no_address_or_tenant_in_clear_when_counted() -> None:
    world = a_world()
    with pytest.raises(InvalidInput):
        onboard(a_body(federated("r" * 43)), world.services, ADDRESS)
    stored = json.dumps(list(world.tables["ratelimits"].rows.values()), default=str)
    assert ADDRESS not in stored and TENANT not in stored and world.tables["ratelimits"].rows


def test_existing_contact_is_emailed_when_the_tenant_is_onboarded_again() -> None:
    # given: the tenant is a customer already
    world = a_world()
    first = onboard(a_body(secret(), contact="first@acme.example"), world.services, ADDRESS)
    # when: a verified administrator of the same tenant onboards it again
    handle = world.services.proofs.issue(TENANT, ADMIN_OID, world.clock())
    second = onboard(a_body(federated(handle), contact="second@acme.example"), world.services, ADDRESS)
    # then
    (mail,) = [m for m in world.outbox.sent if m.kind == "tenant_onboarded_again"]
    assert mail.to == "first@acme.example" and mail.customer_id == first.customer_id
    assert "second@acme.example" not in mail.body and second.customer_id not in mail.body
    assert "administrator of your tenant" in mail.body


def test_operator_error_is_503_material_and_no_customer_fault_when_caletas_credential_is_refused() -> None:
    world = a_world()
    world.credentials.credential = FakeCredential("AADSTS700213: No matching federated identity record found.")
    handle = world.services.proofs.issue(TENANT, ADMIN_OID, world.clock())
    with pytest.raises(Misconfigured):
        onboard(a_body(federated(handle)), world.services, ADDRESS)
    assert stored_nothing(world)
    assert world.services.ratelimits.count(TENANT_FAILURES, TENANT, world.clock()) == 0


class Killed(BaseException):
    """The process dying mid-call: no except clause of the product runs, as with SIGKILL."""


class DyingSecrets(CustomerSecrets):
    def put(self, customer_id: str, value: str) -> None:
        super().put(customer_id, value)
        raise Killed


def test_crash_after_the_secret_leaves_a_pending_row_that_names_the_secret_when_killed() -> None:
    # given: the process dies right after the secret is written
    world = a_world()
    world.services.secrets = DyingSecrets(world.secret_store)
    # when
    with pytest.raises(Killed):
        onboard(a_body(secret()), world.services, ADDRESS)
    # then: the row came first, in pending_proof, and the secret is found from its id
    (customer,) = world.customers.list_all()
    assert customer.state == "pending_proof"
    assert world.services.secrets.get(customer.customer_id) == "s3cret"
    assert not world.tables["scans"].rows and world.bus.sent == []


def test_pending_row_opens_for_no_key_when_the_onboarding_never_finished() -> None:
    world = a_world()
    world.services.secrets = DyingSecrets(world.secret_store)
    with pytest.raises(Killed):
        onboard(a_body(secret()), world.services, ADDRESS)
    (row,) = world.tables["customers"].rows.values()
    assert row["api_key_sha256"] == ""


def test_failure_after_the_row_rolls_everything_back_when_the_bus_is_down() -> None:
    world = a_world()
    world.bus.fail = 1
    with pytest.raises(RuntimeError):
        onboard(a_body(secret()), world.services, ADDRESS)
    assert stored_nothing(world)

