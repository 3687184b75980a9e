"""Onboarding's rate limits: calls per client address, failed attempts per tenant (docs/api.md, "Rate limits").

The client address is Cloudflare's `CF-Connecting-IP`, trusted only because the origin admits nothing but the
Cloudflare tunnel (and the local host sets it from the TCP peer, overwriting whatever a client sent). Every
onboarding call counts against its address. Only *failed* attempts count against a tenant, and the tenant
limit stops only attempts that are not yet proven (a client secret about to be tried, a refused handle): a
verified administrator's proof is never turned away, so a stranger cannot lock the real customer out.
"""

from __future__ import annotations

import logging

from shared.errors import RateLimited
from shared.services import Services
from shared.storage.ratelimits import WINDOW, window_start

logger = logging.getLogger(__name__)

ADDRESS = "address"
TENANT_FAILURES = "tenant-failures"
# A call without the header did not come through Cloudflare (or the local host): all such calls share a bucket.
UNKNOWN_ADDRESS = "unknown"


def _retry_after(services: Services) -> int:
    now = services.clock()
    return max(1, int((window_start(now) + WINDOW - now).total_seconds()) + 1)


def admit_address(services: Services, address: str | None) -> None:
    """Count one onboarding call from `address`; RateLimited once the hour's allowance is spent."""
    count = services.ratelimits.hit(ADDRESS, (address or "").strip() or UNKNOWN_ADDRESS, services.clock())
    if count > services.onboarding_limits.per_address_per_hour:
        logger.warning("onboarding call refused: too many calls from one address this hour")
        raise RateLimited("too many onboarding calls from this address", _retry_after(services))


def check_tenant(services: Services, tenant_id: str) -> None:
    """RateLimited when the tenant has had its hour's allowance of failed attempts."""
    failures = services.ratelimits.count(TENANT_FAILURES, tenant_id, services.clock())
    if failures >= services.onboarding_limits.failures_per_tenant_per_hour:
        logger.warning("onboarding attempt refused: too many failed attempts for one tenant this hour")
        raise RateLimited("too many failed onboarding attempts for this tenant", _retry_after(services))


def record_tenant_failure(services: Services, tenant_id: str) -> None:
    """Count one failed attempt against the tenant."""
    services.ratelimits.hit(TENANT_FAILURES, tenant_id, services.clock())
