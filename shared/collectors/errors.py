"""How collectors read failures from the customer's tenant, and their one bounded retry loop for throttling.

- the tenant refused us (AADSTS revoked/disabled/deleted/wrong secret, 401/403 from ARM) -> AccessDenied
- the data cannot be collected for this subscription but access is fine (404, unsupported offer) -> NotCollectable
- throttled (429) -> Throttled(retry_after), read from every *retry-after* header and the ARG quota reset
- anything else that may pass (5xx, connection errors) -> TransientError, so Service Bus redelivers
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)

from shared.errors import AccessDenied, CaletaError, Throttled, TransientError

logger = logging.getLogger(__name__)
T = TypeVar("T")

# AADSTS codes that will not pass on their own: the customer has to act (plain words for the report).
_PERMANENT_AADSTS = {
    "7000215": "the client secret is wrong",
    "7000222": "the client secret has expired",
    "700016": "Caleta's application is not present in the customer's tenant (removed or never consented)",
    "700011": "the application is not present in the customer's tenant",
    "90002": "the customer's tenant was not found",
    "65001": "admin consent for Caleta's application has been withdrawn",
    "70001": "the application is disabled in the customer's tenant",
    "7000112": "the application is disabled in the customer's tenant",
    "70002": "the application's credentials were refused",
    "700027": "the client assertion was refused",
    "500011": "the Azure Resource Manager principal is missing in the customer's tenant",
    "70021": "no matching federated credential in the customer's tenant",
    "700211": "no matching federated credential issuer",
    "700212": "no matching federated credential audience",
    "700213": "no matching federated credential subject",
}
_AADSTS = re.compile(r"AADSTS(\d+)")
DEFAULT_RETRY_AFTER = 2.0


class NotCollectable(CaletaError):
    """This source cannot be read for this subscription, though access as a whole still works."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _seconds(name: str, value: str) -> float | None:
    value = value.strip()
    try:
        if name.endswith("-ms"):
            return float(value) / 1000.0
        return float(value)
    except ValueError:
        pass
    if re.fullmatch(r"\d+:\d{2}:\d{2}(\.\d+)?", value):  # x-ms-user-quota-resets-after: hh:mm:ss
        h, m, s = value.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)
    parsed = email.utils.parsedate_to_datetime(value) if "," in value else None
    return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def retry_after(headers: Mapping[str, str]) -> float:
    """Seconds to wait: the largest of every *retry-after* header and the ARG quota reset (2 s if none)."""
    waits = []
    for name, value in headers.items():
        lowered = name.lower()
        if "retry-after" in lowered or lowered == "x-ms-user-quota-resets-after":
            seconds = _seconds(lowered, value)
            if seconds is not None:
                waits.append(seconds)
    return max(waits) if waits else DEFAULT_RETRY_AFTER


def explain_aadsts(message: str) -> str | None:
    """A plain reason for a permanent AADSTS error in `message`, None for anything else."""
    match = _AADSTS.search(message)
    if match and match.group(1) in _PERMANENT_AADSTS:
        return f"sign-in refused (AADSTS{match.group(1)}): {_PERMANENT_AADSTS[match.group(1)]}"
    return None


def classify(exc: Exception, what: str) -> Exception:
    """The product exception for an SDK failure while reading `what` (returned, for the caller to raise)."""
    if isinstance(exc, CaletaError):
        return exc
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(exc, ClientAuthenticationError):
        # azure-identity's sign-in failures carry the token endpoint's 400: the AADSTS code decides, not the status.
        reason = explain_aadsts(str(exc))
        if reason:
            return AccessDenied(reason, code="aadsts")
        if status is None:
            return TransientError(f"sign-in failed for {what}")
    if isinstance(exc, HttpResponseError) and status is not None:
        code = str(getattr(getattr(exc, "error", None), "code", "") or "")
        headers: Mapping[str, str] = getattr(exc.response, "headers", None) or {}
        if status == 429:
            return Throttled(f"{what} throttled", retry_after(headers))
        if status in (401, 403):
            return AccessDenied(f"{what}: access denied by the customer's tenant (HTTP {status} {code}); "
                                "check the Reader and Cost Management Reader role assignments", code=code)
        if status == 404:
            return NotCollectable(f"{what}: subscription or provider not found (HTTP 404 {code})")
        if status >= 500 or status == 408:
            return TransientError(f"{what}: HTTP {status}")
        return NotCollectable(f"{what}: request refused (HTTP {status} {code})")
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return TransientError(f"{what}: connection failed ({type(exc).__name__})")
    return exc


def with_throttle_retry(call: Callable[[], T], what: str, *, max_attempts: int = 6, max_wait: float = 180.0,
                        sleep: Callable[[float], None] = time.sleep,
                        on_throttle: Callable[[float], None] | None = None) -> T:
    """Run `call`, waiting out 429s as the headers ask, within a bounded number of attempts and seconds.

    Every other failure is classified and raised at once. When the budget runs out, Throttled propagates so
    the message is redelivered later instead of holding the function past its lock.
    """
    waited = 0.0
    for attempt in range(1, max_attempts + 1):
        try:
            return call()
        except CaletaError:
            raise  # our own verdicts (a spent budget, a deadline) are final here, not a server's 429
        except Exception as exc:
            mapped = classify(exc, what)
            if not isinstance(mapped, Throttled):
                if mapped is exc:
                    raise
                raise mapped from exc
            wait = mapped.retry_after + random.uniform(0.0, 0.25)  # jitter: instances don't retry in step
            if attempt == max_attempts or waited + wait > max_wait:
                raise mapped from exc
            if on_throttle is not None:
                on_throttle(mapped.retry_after)
            logger.info("%s throttled: waiting %.1f s (attempt %d)", what, wait, attempt)
            sleep(wait)
            waited += wait
    raise AssertionError("unreachable")  # pragma: no cover
