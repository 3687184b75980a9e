"""The ARM configuration reader: paging on the same host only, a time budget, pacing on ARM's remaining reads."""

from __future__ import annotations

from typing import Any

from shared.arm import cost_management_client
from shared.collectors.arm_reads import ArmReader
from tests.unit.collectors.fake_arm import FakeArm, FakeCredential, Reply, Seen

PATH = "/subscriptions/s1/providers/Microsoft.Consumption/budgets"


def reader(handler: Any, **kwargs: Any) -> tuple[ArmReader, FakeArm, list[float]]:
    arm = FakeArm(handler)
    waits: list[float] = []
    client = cost_management_client(FakeCredential(), transport=arm)
    return ArmReader(client.send_request, sleep=waits.append, **kwargs), arm, waits


def test_next_links_are_followed_when_they_stay_on_the_arm_host():
    def handler(seen: Seen) -> Reply:
        if "page=2" in seen.url:
            return Reply(200, {"value": [{"name": "b"}]})
        return Reply(200, {"value": [{"name": "a"}], "nextLink": f"https://management.azure.com{PATH}?page=2"})

    r, arm, _ = reader(handler)
    answer = r.list(PATH, "2023-05-01")
    assert (answer.status, [i["name"] for i in answer.body]) == (200, ["a", "b"]) and len(arm.requests) == 2


def test_a_next_link_to_another_host_is_not_followed_when_answered():
    # the bearer token must never go anywhere but ARM
    r, arm, _ = reader(lambda seen: Reply(200, {"value": [], "nextLink": "https://attacker.example/steal"}))
    answer = r.list(PATH, "2023-05-01")
    assert answer.status is None and answer.code == "nextLink to another host" and len(arm.requests) == 1


def test_nothing_is_sent_when_the_time_budget_is_spent():
    r, arm, _ = reader(lambda seen: Reply(200, {"value": []}), budget_s=0.0)
    answer = r.get(PATH, "2023-05-01")
    assert answer.status is None and not arm.requests and answer.reason() == "not read (time budget spent)"


def test_reads_pace_themselves_when_arm_says_few_reads_remain():
    r, _, waits = reader(lambda seen: Reply(200, {"value": []},
                                            {"x-ms-ratelimit-remaining-subscription-reads": "5"}),
                         refill_per_s=25.0, reserve=25)
    r.get(PATH, "2023-05-01")
    assert waits == [0.8]  # 20 reads below the reserve, earned back at 25 a second
    assert r.stats() == {"calls": 1, "throttled": 0}


def test_server_errors_are_retried_a_little_and_then_reported_when_they_persist():
    r, arm, waits = reader(lambda seen: Reply(503, {"error": {"code": "ServiceUnavailable", "message": "x"}}))
    answer = r.get(PATH, "2023-05-01")
    assert (answer.status, answer.code, len(arm.requests)) == (503, "ServiceUnavailable", 4)
    assert waits == [1.0, 2.0, 3.0]
