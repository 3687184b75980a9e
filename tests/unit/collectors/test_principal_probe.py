"""The onboarding probe's cost check over a fake ARM: an unregistered provider becomes a plain validation note."""

from __future__ import annotations

from shared.arm import cost_management_client
from shared.collectors.principal_probe import AzurePrincipalProbe
from shared.deadline import Deadline
from tests.unit.collectors.fake_arm import FakeArm, FakeCredential, Reply

SUB = "aaaaaaaa-0000-0000-0000-000000000001"


def test_cost_probe_names_the_unregistered_provider_and_sends_no_registration_when_arm_answers_409():
    # given: ARM's 409 (azure-mgmt-core then tries to register the provider, which the read-only policy refuses)
    arm = FakeArm(lambda seen: Reply(409, {"error": {"code": "MissingSubscriptionRegistration", "message": (
        "The subscription is not registered to use namespace 'Microsoft.CostManagement'.")}}))
    probe = AzurePrincipalProbe(FakeCredential())
    probe._cost = cost_management_client(FakeCredential(), transport=arm)
    # when
    access, reason = probe.cost_access(SUB, Deadline.within(30.0))
    # then
    assert access == "unavailable"
    assert reason is not None and "has not registered Microsoft.CostManagement" in reason
    assert [r.method for r in arm.requests] == ["POST"]  # the query itself; no registration POST left
    assert arm.requests[0].url.split("?")[0].endswith("/providers/Microsoft.CostManagement/query")
