"""Azure Resource Manager's own throttling of plain reads (GET/HEAD): token buckets, time-scaled.

Source: Microsoft Learn, "Understand how Azure Resource Manager throttles requests"
(learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling, section "Regional
throttling and token bucket algorithm", migrated from 2024): subscription reads and tenant reads each have a
bucket of 250 tokens refilled at 25 per second; the limits apply per subscription (or tenant), per service
principal and per operation type, applied per region; each operation type also has a global subscription
limit 15 times the per-principal one, shared by every principal. A throttled request gets HTTP 429 with a
Retry-After header (seconds); read answers carry `x-ms-ratelimit-remaining-subscription-reads` (tenant
scope: `x-ms-ratelimit-remaining-tenant-reads`). The 429 body below is the shape ARM sends since the token
bucket (code SubscriptionRequestsThrottled, "Number of 'read' requests for subscription ... actor ...
exceeded. Please try again after '1' seconds after additional tokens are available", quoted in
velero-io/velero#9171, 2025).

The simulator is one region. Every bucket refills `1 / time_scale` times faster, so a bench at time scale
0.05 sees the same limits on its shrunken clock; Retry-After is ARM's whole seconds times the scale.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from local.simulator.http import Request, Response, arm_error

_SUBSCRIPTION = re.compile(r"^/subscriptions/(?P<sub>[^/]+)", re.IGNORECASE)


class TokenBucket:
    """`size` tokens at most, refilled continuously at `rate` per second of `clock`."""

    def __init__(self, size: float, rate: float, clock: Callable[[], float]) -> None:
        self.size, self.rate, self._clock = size, rate, clock
        self.tokens, self._stamp = size, clock()

    def refill(self) -> None:
        """Add the tokens earned since the last look."""
        now = self._clock()
        self.tokens = min(self.size, self.tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def wait_for_one(self) -> float:
        """Seconds of this bucket's clock until one token is there (0 when there is one now)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass(frozen=True, slots=True)
class ReadVerdict:
    """Allowed or not, the caller's remaining reads, and the Retry-After to send (seconds, already scaled)."""

    allowed: bool
    remaining: int
    retry_after: float


class ArmReadLimits:
    """Per (scope, principal) buckets and a global bucket per scope, charged together or not at all."""

    def __init__(self, size: int, refill_per_s: float, global_factor: int, time_scale: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._size, self._rate, self._factor = size, refill_per_s / time_scale, global_factor
        self._scale, self._clock = time_scale, clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, scope: str, principal: str) -> TokenBucket:
        key = (scope, principal)
        if key not in self._buckets:
            factor = self._factor if principal == "*" else 1
            self._buckets[key] = TokenBucket(self._size * factor, self._rate * factor, self._clock)
        return self._buckets[key]

    def charge(self, scope: str, principal: str) -> ReadVerdict:
        """Take one read from the principal's bucket and the scope's global one."""
        with self._lock:
            mine, shared = self._bucket(scope, principal.lower()), self._bucket(scope, "*")
            mine.refill()
            shared.refill()
            wait = max(mine.wait_for_one(), shared.wait_for_one())
            if wait > 0:
                # ARM answers in whole seconds of its own clock; the bench's clock runs 1/time_scale faster.
                real = max(1, math.ceil(wait / self._scale - 1e-9))
                return ReadVerdict(False, 0, real * self._scale)
            mine.tokens -= 1
            shared.tokens -= 1
            return ReadVerdict(True, int(min(mine.tokens, shared.tokens)), 0.0)

    def clear(self) -> None:
        """Forget every bucket (all full again)."""
        with self._lock:
            self._buckets.clear()


def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.3f}".rstrip("0")


def scope_of(req: Request) -> tuple[str, str]:
    """("subscription", id) for a subscription-level request, ("tenant", tenant id) otherwise."""
    match = _SUBSCRIPTION.match(req.path)
    if match:
        return "subscription", match.group("sub").lower()
    return "tenant", str(req.claims.get("tid", "")).lower()


def admit(limits: ArmReadLimits, req: Request) -> tuple[Response | None, dict[str, str]]:
    """For a plain read: (the 429 ARM would send, {}) or (None, the remaining-reads header to add)."""
    level, scope = scope_of(req)
    actor = str(req.claims.get("oid", ""))
    verdict = limits.charge(f"{level}:{scope}", actor)
    header = f"x-ms-ratelimit-remaining-{level}-reads"
    if verdict.allowed:
        return None, {header: str(verdict.remaining)}
    after = _seconds(verdict.retry_after)
    # The tenant-level code is unconfirmed (docs/estate-format.md says so); the subscription one is ARM's.
    code = "SubscriptionRequestsThrottled" if level == "subscription" else "TenantRequestsThrottled"
    message = (f"Number of 'read' requests for {level} '{scope}' actor '{actor}' exceeded. Please try again after "
               f"'{after}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling "
               "for additional information.")
    return arm_error(429, code, message, {"Retry-After": after, header: "0"}), {}
