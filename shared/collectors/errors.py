"""The one translator from Azure SDK failures to product errors, and the one bounded retry loop for throttling.

- the tenant refused us (AADSTS revoked/disabled/deleted/wrong secret) -> AccessDenied(code="aadsts"): sign-in
  itself failed, the customer as a whole is refused; so is ARM's 401 InvalidAuthenticationToken (the token
  itself is no longer accepted)
- ARM refused one subscription (any other 401/403) -> AccessDenied with ARM's code: that subscription only (the
  pipeline marks the customer access_revoked only when every subscription is refused, docs/pipeline.md)
- the data cannot be collected for this subscription but access is fine (404, unsupported offer, a resource
  provider the subscription has not registered) -> NotCollectable (Cost Management's own refusals are read by
  code in shared/collectors/cost_errors.py)
- throttled (429) -> Throttled(retry_after), read from every *retry-after* header and the ARG quota reset
- anything else that may pass (5xx, connection errors) -> TransientError, so Service Bus redelivers

`AADSTS` is the one table of Entra sign-in refusals: the plain reason, the onboarding field to blame, and
whether the refusal is permanent (the customer has to act), may pass, or is Caleta's own misconfiguration
(`operator`: its federated identity credential; issue 14 S10) - which is never the customer's fault, so it
is neither an access revocation nor a field error: Misconfigured (503) with an ALERT log line.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)

from shared.arm import ProviderRegistrationRefused
from shared.errors import AccessDenied, CaletaError, Misconfigured, NotCollectable, Throttled, TransientError

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class SignInRefusal:
    """What one AADSTS code means: a plain reason, the request field to fix, and whether it lasts."""

    reason: str
    field: str
    permanent: bool = True
    operator: bool = False


# Codes from the Entra error reference (learn.microsoft.com/entra/identity-platform/reference-error-codes);
# matched on the number, never on the text (which changes).
AADSTS: Mapping[str, SignInRefusal] = {
    "7000215": SignInRefusal("wrong secret: the client secret is not valid for this application (send the "
                             "secret's value, not its id)", "auth.client_secret"),
    "7000222": SignInRefusal("expired secret: create a new client secret for the application", "auth.client_secret"),
    "70002": SignInRefusal("the application's credentials were refused", "auth.client_secret"),
    "700016": SignInRefusal("application not found in this tenant: check the client id, or have an administrator "
                            "consent to the application in this tenant", "auth.client_id"),
    "700011": SignInRefusal("application not found in this tenant", "auth.client_id"),
    "70001": SignInRefusal("principal disabled: the application is disabled in this tenant", "auth.client_id"),
    "7000112": SignInRefusal("principal disabled: the application is disabled in this tenant", "auth.client_id"),
    "65001": SignInRefusal("consent not granted: an administrator must consent to the application in this tenant",
                           "auth.client_id"),
    "90002": SignInRefusal("tenant not found: check the tenant id", "tenant_id"),
    # A malformed tenant id: onboarding's shape check stops it first, so the pipeline never meets it for good.
    "900023": SignInRefusal("tenant not found: the tenant id is not valid", "tenant_id", permanent=False),
    "500011": SignInRefusal("the Azure Resource Manager principal is missing in this tenant", "tenant_id"),
    # Caleta's own federated identity credential does not match its managed identity's assertion: an operator
    # error in Caleta's app registration, whichever customer tenant it shows up in.
    "700027": SignInRefusal("the client assertion was refused: Caleta's federated credential is not trusted",
                            "auth.mode", permanent=False, operator=True),
    "70021": SignInRefusal("the client assertion was refused: no matching federated identity credential",
                           "auth.mode", permanent=False, operator=True),
    "700211": SignInRefusal("no matching federated credential issuer", "auth.mode", permanent=False, operator=True),
    "700212": SignInRefusal("no matching federated credential audience", "auth.mode", permanent=False,
                            operator=True),
    "700213": SignInRefusal("no matching federated credential subject", "auth.mode", permanent=False,
                            operator=True),
}
_AADSTS = re.compile(r"AADSTS(\d+)")
SIGN_IN_REFUSED = "aadsts"  # AccessDenied.code when Entra refused the sign-in itself (the whole customer)
# ARM refusing the token itself (not one subscription): the principal was disabled or deleted after signing in.
TOKEN_REFUSED = frozenset({"InvalidAuthenticationToken"})
_HMS = re.compile(r"\d+:\d{2}:\d{2}(\.\d+)?")
DEFAULT_RETRY_AFTER = 2.0


def arm_error_code(exc: BaseException) -> str:
    """ARM's error code of an SDK failure as azure-core parsed it ('' when none): a code is safe to log, a message
    may not be."""
    return str(getattr(getattr(exc, "error", None), "code", "") or "")


def aadsts_code(message: str) -> str | None:
    """The AADSTS number in an Entra error message, if any."""
    match = _AADSTS.search(message)
    return match.group(1) if match else None


def header_seconds(name: str, value: str) -> float | None:
    """Seconds from a wait header: plain seconds, `*-ms` milliseconds, hh:mm:ss (ARG) or an HTTP date."""
    value = value.strip()
    try:
        if name.lower().endswith("-ms"):
            return float(value) / 1000.0
        return float(value)
    except ValueError:
        pass
    if _HMS.fullmatch(value):  # x-ms-user-quota-resets-after: hh:mm:ss
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
            seconds = header_seconds(lowered, value)
            if seconds is not None:
                waits.append(seconds)
    return max(waits) if waits else DEFAULT_RETRY_AFTER


def operator_error(code: str | None) -> Misconfigured | None:
    """Misconfigured (and an ALERT log line) when the AADSTS code is Caleta's own misconfiguration, else None."""
    refusal = AADSTS.get(code or "")
    if refusal is None or not refusal.operator:
        return None
    logger.error("ALERT Caleta's federated identity credential was refused (AADSTS%s): fix the app "
                 "registration's federated credential (docs/deploy.md)", code)
    return Misconfigured(f"Caleta's sign-in is misconfigured (AADSTS{code})")


def explain_aadsts(message: str) -> str | None:
    """A plain reason for a permanent AADSTS error in `message`, None for anything else."""
    code = aadsts_code(message)
    refusal = AADSTS.get(code or "")
    if refusal is None or not refusal.permanent:
        return None
    return f"sign-in refused (AADSTS{code}): {refusal.reason}"


def classify(exc: Exception, what: str) -> Exception:
    """The product exception for an SDK failure while reading `what` (returned, for the caller to raise)."""
    if isinstance(exc, ProviderRegistrationRefused):
        # ARM answered 409 MissingSubscriptionRegistration and the SDK's registration POST was refused (audit S5):
        # nothing will change on a retry until the customer registers the provider.
        return NotCollectable(f"{what}: the subscription has not registered {exc.namespace}; Caleta only reads, "
                              f"so it cannot register it. Register it (az provider register --namespace "
                              f"{exc.namespace}) for this source to be reviewed")
    if isinstance(exc, CaletaError):
        return exc
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(exc, ClientAuthenticationError):
        # azure-identity's sign-in failures carry the token endpoint's 400: the AADSTS code decides, not the status.
        misconfigured = operator_error(aadsts_code(str(exc)))
        if misconfigured is not None:
            return misconfigured
        reason = explain_aadsts(str(exc))
        if reason:
            return AccessDenied(reason, code=SIGN_IN_REFUSED)
        if status is None:
            return TransientError(f"sign-in failed for {what}")
    if isinstance(exc, HttpResponseError) and status is not None:
        code = arm_error_code(exc)
        headers: Mapping[str, str] = getattr(exc.response, "headers", None) or {}
        if status == 429:
            return Throttled(f"{what} throttled", retry_after(headers))
        if status == 401 and code in TOKEN_REFUSED:
            return AccessDenied(f"{what}: the tenant no longer accepts the principal's token (HTTP 401 {code})",
                                code=SIGN_IN_REFUSED)
        if status in (401, 403):
            return AccessDenied(f"{what}: access denied for this subscription (HTTP {status} {code}); "
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
        except ProviderRegistrationRefused as exc:
            raise classify(exc, what) from exc
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
