"""ARM's read throttling in the simulator: token buckets per principal and per subscription, time-scaled."""

from __future__ import annotations

import json

import pytest

from local.simulator.arm_limits import ArmReadLimits, admit
from local.simulator.http import Request

SUB = "/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.Advisor/recommendations"


class FakeClock:
    """Time that moves only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _get(path: str = SUB, oid: str = "reader") -> Request:
    req = Request("GET", path + "?api-version=2025-01-01", {}, b"")
    req.claims = {"tid": "tenant-a", "oid": oid}
    return req


def test_a_full_bucket_serves_its_size_in_a_burst_and_then_refuses_when_nothing_refilled() -> None:
    limits = ArmReadLimits(250, 25.0, 15, clock=FakeClock())
    verdicts = [limits.charge("subscription:s", "reader") for _ in range(251)]
    assert all(v.allowed for v in verdicts[:250]) and verdicts[249].remaining == 0
    assert not verdicts[250].allowed and verdicts[250].retry_after == 1.0


def test_the_bucket_refills_at_its_rate_when_time_passes() -> None:
    clock = FakeClock()
    limits = ArmReadLimits(250, 25.0, 15, clock=clock)
    for _ in range(250):
        limits.charge("subscription:s", "reader")
    clock.now = 2.0  # 50 tokens back
    allowed = [limits.charge("subscription:s", "reader").allowed for _ in range(51)]
    assert allowed.count(True) == 50 and allowed[-1] is False


def test_principals_have_their_own_buckets_under_one_global_bucket_per_subscription() -> None:
    limits = ArmReadLimits(2, 1.0, 2, clock=FakeClock())  # global bucket: 4
    assert [limits.charge("subscription:s", "a").allowed for _ in range(3)] == [True, True, False]
    assert [limits.charge("subscription:s", "b").allowed for _ in range(3)] == [True, True, False]
    assert limits.charge("subscription:s", "c").allowed is False  # the subscription's global bucket is empty
    assert limits.charge("subscription:other", "c").allowed is True


def test_time_scale_refills_faster_and_scales_the_whole_second_retry_after() -> None:
    clock = FakeClock()
    limits = ArmReadLimits(1, 25.0, 15, time_scale=0.05, clock=clock)
    assert limits.charge("subscription:s", "a").allowed
    refused = limits.charge("subscription:s", "a")
    assert not refused.allowed and refused.retry_after == pytest.approx(0.05)  # 1 s of ARM's time
    clock.now = 0.05 / 25.0  # one token's worth of scaled time
    assert limits.charge("subscription:s", "a").allowed


def test_admit_sends_the_remaining_reads_header_when_allowed() -> None:
    limits = ArmReadLimits(250, 25.0, 15, clock=FakeClock())
    refusal, headers = admit(limits, _get())
    assert refusal is None and headers == {"x-ms-ratelimit-remaining-subscription-reads": "249"}


def test_admit_answers_429_with_retry_after_and_arms_body_when_the_bucket_is_empty() -> None:
    limits = ArmReadLimits(1, 25.0, 15, clock=FakeClock())
    admit(limits, _get())
    refusal, headers = admit(limits, _get())
    assert refusal is not None and refusal.status == 429 and headers == {}
    assert refusal.headers["Retry-After"] == "1"
    assert refusal.headers["x-ms-ratelimit-remaining-subscription-reads"] == "0"
    error = json.loads(refusal.body)["error"]
    assert error["code"] == "SubscriptionRequestsThrottled"
    assert "Number of 'read' requests for subscription '11111111-1111-1111-1111-111111111111'" in error["message"]
    assert "actor 'reader'" in error["message"]


def test_a_tenant_level_read_is_charged_to_the_tenant_bucket() -> None:
    limits = ArmReadLimits(250, 25.0, 15, clock=FakeClock())
    refusal, headers = admit(limits, _get("/subscriptions"))
    assert refusal is None and headers == {"x-ms-ratelimit-remaining-tenant-reads": "249"}
