"""How collectors read failures: retry-after headers, AADSTS codes, status codes, the bounded 429 loop."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError

from shared.arm import ProviderRegistrationRefused
from shared.collectors.errors import SIGN_IN_REFUSED, classify, retry_after, with_throttle_retry
from shared.errors import AccessDenied, Misconfigured, NotCollectable, Throttled, TransientError


def test_retry_after_takes_the_largest_header_when_several_are_sent():
    headers = {"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "4",
               "x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after": "9", "Retry-After": "2"}
    assert retry_after(headers) == 9.0


def test_retry_after_reads_the_resource_graph_reset_when_given_as_hh_mm_ss():
    assert retry_after({"x-ms-user-quota-resets-after": "00:00:05"}) == 5.0


def test_retry_after_defaults_when_no_header_says_how_long():
    assert retry_after({}) == 2.0


def test_revoked_consent_is_permanent_when_sign_in_fails_with_aadsts65001():
    exc = ClientAuthenticationError("Authentication failed: AADSTS65001: consent")
    mapped = classify(exc, "cost query")
    assert isinstance(mapped, AccessDenied) and "consent" in mapped.reason


def test_unknown_sign_in_failure_is_transient_when_no_aadsts_code_is_known():
    assert isinstance(classify(ClientAuthenticationError("timeout talking to login"), "x"), TransientError)


def test_connection_failure_is_transient_when_the_request_never_reached_arm():
    assert isinstance(classify(ServiceRequestError("reset"), "x"), TransientError)


class TooMany:
    """The response part of an HTTP 429 as azure-core exposes it."""

    status_code = 429
    reason = "Too Many Requests"
    headers = {"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "1"}

    def text(self) -> str:
        return ""


def test_throttle_loop_gives_up_with_throttled_when_attempts_run_out():
    waits: list[float] = []

    def always_throttled() -> None:
        raise HttpResponseError("busy", response=TooMany())  # type: ignore[arg-type]

    with pytest.raises(Throttled):
        with_throttle_retry(always_throttled, "x", max_attempts=3, sleep=waits.append)
    assert len(waits) == 2 and all(1.0 <= w < 1.3 for w in waits)


def test_throttle_loop_does_not_retry_when_our_own_budget_says_throttled():
    calls: list[int] = []

    def budget_spent() -> None:
        calls.append(1)
        raise Throttled("budget spent", 30.0)

    with pytest.raises(Throttled):
        with_throttle_retry(budget_spent, "x", sleep=lambda s: None)
    assert calls == [1]


def test_throttle_loop_raises_other_failures_at_once_when_not_throttling():
    calls: list[int] = []

    def refused() -> None:
        calls.append(1)
        raise NotCollectable("no")

    with pytest.raises(NotCollectable):
        with_throttle_retry(refused, "x", sleep=lambda s: None)
    assert calls == [1]


@pytest.mark.parametrize("code", ["70021", "700027", "700211", "700212", "700213"])
def test_federated_credential_refusal_is_an_operator_error_not_a_revocation_when_classified(
        code: str, caplog: pytest.LogCaptureFixture) -> None:
    mapped = classify(ClientAuthenticationError(message=f"AADSTS{code}: refused."), "cost")
    assert isinstance(mapped, Misconfigured) and not isinstance(mapped, AccessDenied)
    assert "ALERT" in caplog.text


def test_refused_registration_is_not_collectable_and_names_the_provider_when_the_sdk_tried_to_register():
    # given: ARM's 409 MissingSubscriptionRegistration made azure-mgmt-core POST .../register, which was refused
    calls: list[int] = []

    def unregistered() -> None:
        calls.append(1)
        raise ProviderRegistrationRefused("Microsoft.Advisor")

    # when / then: a plain reason for this source, at once (no redelivery will register it for the customer)
    with pytest.raises(NotCollectable) as caught:
        with_throttle_retry(unregistered, "advisor recommendations", sleep=lambda s: None)
    assert calls == [1]
    assert caught.value.reason.startswith("advisor recommendations: the subscription has not registered "
                                          "Microsoft.Advisor;")
    assert "az provider register --namespace Microsoft.Advisor" in caught.value.reason


class Refused:
    """The response part of an ARM refusal as azure-core exposes it."""

    def __init__(self, status: int) -> None:
        self.status_code, self.reason = status, "refused"
        self.headers: dict[str, str] = {}

    def text(self) -> str:
        return ""


def arm_refusal(status: int, code: str) -> HttpResponseError:
    exc = HttpResponseError("refused", response=Refused(status))  # type: ignore[arg-type]
    exc.error = type("E", (), {"code": code})()  # type: ignore[assignment]
    return exc


def test_a_refused_token_counts_as_sign_in_refused_when_arm_says_invalid_authentication_token():
    mapped = classify(arm_refusal(401, "InvalidAuthenticationToken"), "x")
    assert isinstance(mapped, AccessDenied) and mapped.code == SIGN_IN_REFUSED


def test_one_subscriptions_refusal_carries_arms_code_when_a_role_is_missing():
    mapped = classify(arm_refusal(403, "AuthorizationFailed"), "x")
    assert isinstance(mapped, AccessDenied) and mapped.code == "AuthorizationFailed"
