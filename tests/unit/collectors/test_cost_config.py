"""Cost configuration collector over a fake ARM: budgets, scheduled actions, both reservation lookbacks; a failed read
is named in `missing` and its key left out; every request is a GET through the product pipeline."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from shared.arm import cost_management_client
from shared.collectors import CollectRequest
from shared.collectors.cost_config import collect
from shared.errors import AccessDenied
from tests.unit.collectors.fake_arm import FakeArm, FakeCredential, Reply, Seen

SUB = "aaaaaaaa-0000-0000-0000-000000000001"
BUDGET = {"id": f"/subscriptions/{SUB}/providers/Microsoft.Consumption/budgets/monthly", "name": "monthly",
          "type": "Microsoft.Consumption/budgets", "properties": {"category": "Cost", "amount": 11000.0,
                                                                  "timeGrain": "Monthly"}}
ALERT = {"name": "daily-anomaly", "kind": "InsightAlert", "properties": {"status": "Enabled"}}


def recommendation(lookback: str, term: str) -> dict[str, Any]:
    return {"name": f"{lookback}-{term}", "sku": "Standard_D4s_v5", "location": "uksouth", "kind": "legacy",
            "properties": {"lookBackPeriod": lookback, "term": term, "recommendedQuantity": 5, "scope": "Single"}}


def answers(seen: Seen) -> Reply:
    url = unquote(seen.url)
    if "/budgets" in url:
        return Reply(200, {"value": [BUDGET]})
    if "/scheduledActions" in url:
        return Reply(200, {"value": [ALERT], "nextLink": None})
    lookback = "Last60Days" if "Last60Days" in url else "Last30Days"
    return Reply(200, {"value": [recommendation(lookback, "P1Y"), recommendation(lookback, "P3Y")]})


def run(handler: Any) -> tuple[Any, FakeArm]:
    arm = FakeArm(handler)
    client = cost_management_client(FakeCredential(), transport=arm)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential())
    return collect(request, client=client, sleep=lambda s: None), arm


def test_every_list_is_kept_unchanged_when_each_read_answers():
    collected, arm = run(answers)
    data = collected.data
    assert data["budgets"] == [BUDGET] and data["scheduled_actions"] == [ALERT]
    assert [r["name"] for r in data["reservation_recommendations"]] == [
        "Last30Days-P1Y", "Last30Days-P3Y", "Last60Days-P1Y", "Last60Days-P3Y"]
    assert data["missing"] == {} and collected.row_count == 6
    urls = [unquote(r.url) for r in arm.requests]
    assert {r.method for r in arm.requests} == {"GET"}
    assert any("budgets?api-version=2023-05-01" in u for u in urls)
    assert any("scheduledActions?api-version=2023-11-01" in u for u in urls)
    assert sum("properties/scope eq 'Single' AND properties/lookBackPeriod eq 'Last60Days'" in u for u in urls) == 1


def test_a_refused_read_leaves_its_key_out_and_says_why_when_the_others_answer():
    def handler(seen: Seen) -> Reply:
        if "/budgets" in seen.url:
            return Reply(403, {"error": {"code": "AuthorizationFailed", "message": "no"}})
        return answers(seen)

    collected, _ = run(handler)
    assert "budgets" not in collected.data
    assert collected.data["missing"] == {"budgets": "budgets: not read (HTTP 403 AuthorizationFailed)"}
    assert collected.data["scheduled_actions"] == [ALERT]


def test_reservation_recommendations_are_kept_only_when_both_lookbacks_are_read():
    def handler(seen: Seen) -> Reply:
        if "Last60Days" in unquote(seen.url):
            return Reply(503, {"error": {"code": "ServiceUnavailable", "message": "later"}})
        return answers(seen)

    collected, _ = run(handler)
    assert "reservation_recommendations" not in collected.data
    assert collected.data["missing"]["reservation_recommendations"] == (
        "reservation recommendations (Last60Days): not read (HTTP 503 ServiceUnavailable)")


def test_no_content_means_none_when_the_service_answers_204():
    def handler(seen: Seen) -> Reply:
        return Reply(204, None) if "reservationRecommendations" in seen.url else answers(seen)

    collected, _ = run(handler)
    assert collected.data["reservation_recommendations"] == [] and "reservation_recommendations" not in \
        collected.data["missing"]


def test_unregistered_provider_is_a_missing_reason_and_no_registration_leaves_when_arm_answers_409():
    unregistered = Reply(409, {"error": {"code": "MissingSubscriptionRegistration", "message": (
        "The subscription is not registered to use namespace 'Microsoft.CostManagement'.")}})

    def handler(seen: Seen) -> Reply:
        return unregistered if "scheduledActions" in seen.url else answers(seen)

    collected, arm = run(handler)
    assert collected.data["missing"]["scheduled_actions"] == (
        "scheduled actions: not read (HTTP 409 MissingSubscriptionRegistration)")
    assert all(r.method == "GET" for r in arm.requests)


def test_sign_in_refusal_fails_the_task_when_the_tenant_refuses_the_token():
    from azure.core.exceptions import ClientAuthenticationError

    class Refusing(FakeCredential):
        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            raise ClientAuthenticationError("AADSTS7000215: Invalid client secret provided.")

    arm = FakeArm(answers)
    client = cost_management_client(Refusing(), transport=arm)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=Refusing())
    with pytest.raises(AccessDenied):
        collect(request, client=client, sleep=lambda s: None)
