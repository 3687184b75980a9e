"""Advisor collector over a fake ARM: Cost filter, every page, REST shape with suppressions, 403; configurations;
an unregistered Microsoft.Advisor (audit S5)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.arm import advisor_client
from shared.collectors import CollectRequest
from shared.collectors.advisor import collect
from shared.errors import AccessDenied, NotCollectable
from tests.unit.collectors.fake_arm import FakeArm, FakeCredential, Reply, Seen

SUB = "aaaaaaaa-0000-0000-0000-000000000001"
NEXT = f"https://management.azure.com/subscriptions/{SUB}/providers/Microsoft.Advisor/recommendations?$skiptoken=2"


def rec(n: int, suppressed: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"category": "Cost", "impact": "High", "impactedField": "Microsoft.Compute/virtualMachines",
                             "impactedValue": f"vm{n}", "recommendationTypeId": "e10b1381-5f0a-47ff-8c7b-37bd13d7c974",
                             "extendedProperties": {"savingsAmount": "70.08", "savingsCurrency": "GBP"},
                             "resourceMetadata": {"resourceId": f"/subscriptions/{SUB}/vm{n}"}}
    if suppressed:
        props["suppressionIds"] = ["5d8c2a2b-0000-0000-0000-000000000000"]
    return {"id": f"/subscriptions/{SUB}/rec{n}", "name": f"rec{n}", "type": "Microsoft.Advisor/recommendations",
            "properties": props}


def run(handler: Any) -> tuple[Any, FakeArm]:
    arm = FakeArm(handler)
    client = advisor_client(FakeCredential(), SUB, transport=arm, retry_total=0)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential())
    return collect(request, client=client, sleep=lambda s: None), arm


def test_reads_every_page_of_cost_recommendations_when_there_is_a_next_link():
    def handler(seen: Seen) -> Reply:
        if "skiptoken=2" in seen.url:
            return Reply(200, {"value": [rec(2, suppressed=True)]})
        return Reply(200, {"value": [rec(1)], "nextLink": NEXT})

    collected, arm = run(handler)
    assert "%24filter=Category%20eq%20%27Cost%27" in arm.requests[0].url or "$filter=Category" in arm.requests[0].url
    assert [r["name"] for r in collected.data["recommendations"]] == ["rec1", "rec2"]
    assert collected.row_count == 2


def test_keeps_the_rest_shape_and_suppressions_when_serialised():
    collected, _ = run(lambda seen: Reply(200, {"value": [rec(1, suppressed=True), rec(2)]}))
    first, second = collected.data["recommendations"]
    assert first["properties"]["suppressionIds"] == ["5d8c2a2b-0000-0000-0000-000000000000"]
    assert second["properties"]["suppressionIds"] == []
    assert first["properties"]["extendedProperties"]["savingsAmount"] == "70.08"
    assert first["properties"]["resourceMetadata"]["resourceId"].endswith("/vm1")


def test_raises_access_denied_when_the_tenant_refuses():
    with pytest.raises(AccessDenied):
        run(lambda seen: Reply(403, {"error": {"code": "AuthorizationFailed", "message": "no"}}))


CONFIG = {"id": f"/subscriptions/{SUB}/providers/Microsoft.Advisor/configurations/default", "name": "default",
          "type": "Microsoft.Advisor/configurations", "properties": {"lowCpuThreshold": "10", "exclude": False}}


def test_configurations_are_kept_in_the_rest_shape_when_read():
    def handler(seen: Seen) -> Reply:
        if "/configurations" in seen.url:
            return Reply(200, {"value": [CONFIG]})
        return Reply(200, {"value": [rec(1)]})

    collected, _ = run(handler)
    config = collected.data["configurations"][0]
    assert config["properties"]["lowCpuThreshold"] == "10" and config["properties"]["exclude"] is False
    assert collected.data["missing"] == {}


def test_refused_configurations_are_named_in_missing_and_recommendations_kept_when_the_read_is_forbidden():
    def handler(seen: Seen) -> Reply:
        if "/configurations" in seen.url:
            return Reply(403, {"error": {"code": "AuthorizationFailed", "message": "no"}})
        return Reply(200, {"value": [rec(1)]})

    collected, _ = run(handler)
    assert "configurations" not in collected.data
    assert collected.data["missing"]["configurations"].startswith("advisor configurations: access denied")
    assert len(collected.data["recommendations"]) == 1


def test_unregistered_advisor_is_not_collectable_and_no_registration_is_sent_when_arm_answers_409():
    # given: ARM's 409 (message form of learn "error-register-resource-provider"); azure-mgmt-core then tries
    # POST .../providers/Microsoft.Advisor/register, which ReadOnlyArmPolicy refuses before it leaves
    unregistered = Reply(409, {"error": {"code": "MissingSubscriptionRegistration", "message": (
        "The subscription is not registered to use namespace 'Microsoft.Advisor'. See https://aka.ms/rps-not-found "
        "for how to register subscriptions.")}})
    arm = FakeArm(lambda seen: unregistered)
    client = advisor_client(FakeCredential(), SUB, transport=arm, retry_total=0)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential())
    with pytest.raises(NotCollectable) as caught:
        collect(request, client=client, sleep=lambda s: None)
    assert "has not registered Microsoft.Advisor" in caught.value.reason
    assert [r.method for r in arm.requests] == ["GET"]
