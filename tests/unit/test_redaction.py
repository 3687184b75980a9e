"""Nothing identifying leaves in a log line or an exception: GUIDs become keyed pseudonyms, e-mails go."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from azure.core.exceptions import HttpResponseError

from shared.observability import install_log_redaction, redact_record, redaction_installed
from shared.redaction import (
    exception_summary,
    forget_pseudonym_key,
    guid_pseudonym,
    redact,
    subscription_tag,
    use_pseudonym_key,
)

SUB = "d012b2f1-e54f-5f05-8120-6fbf9da1ca5e"
TENANT = "75F52EE7-223C-5660-B825-AC08303D192C"
KEY = b"k" * 32


@pytest.fixture(autouse=True)
def keyed() -> Iterator[None]:
    use_pseudonym_key(KEY)
    yield
    forget_pseudonym_key()


def test_subscription_paths_tenants_and_emails_are_redacted() -> None:
    text = (f"GET https://management.azure.com/subscriptions/{SUB}/providers/x?api-version=1 "
            f"tenant {TENANT} contact finance@pennine.example customer 0123456789abcdef0123456789abcdef")
    out = redact(text)
    assert SUB not in out and TENANT not in out and TENANT.lower() not in out and "pennine" not in out
    assert f"subscriptions/{subscription_tag(SUB)}/providers" in out
    assert f"tenant id~{guid_pseudonym(TENANT)}" in out and "<e-mail>" in out
    assert "0123456789abcdef0123456789abcdef" in out  # customer ids stay: they are the operators' handle


def test_pseudonyms_are_the_same_for_either_case_and_differ_by_key() -> None:
    assert guid_pseudonym(TENANT) == guid_pseudonym(TENANT.lower())
    assert len(guid_pseudonym(SUB)) == 16 and guid_pseudonym(SUB) != guid_pseudonym(SUB, b"j" * 32)
    assert subscription_tag(SUB) == f"sub~{guid_pseudonym(SUB)}"
    forget_pseudonym_key()
    assert redact(SUB) == "id~unkeyed"


def test_azure_http_errors_are_summarised_by_status_and_code_only() -> None:
    class Response:
        status_code, reason = 403, "Forbidden"
        headers: dict[str, str] = {}

        def text(self) -> str:
            return '{"error": {"code": "AuthorizationFailed", "message": "vm-secret-project in /subscriptions/x"}}'

    error = HttpResponseError(response=Response())  # type: ignore[arg-type]
    summary = exception_summary(error)
    assert summary.startswith("HttpResponseError: HTTP 403") and "vm-secret-project" not in summary


def test_other_exceptions_keep_their_redacted_message_cut_short() -> None:
    summary = exception_summary(ValueError(f"subscription {SUB} of ops@caleta.example " + "x" * 500))
    assert summary.startswith("ValueError: subscription id~") and SUB not in summary and "caleta" not in summary
    assert len(summary) <= 300


def test_every_record_is_redacted_as_it_is_made_once_installed() -> None:
    install_log_redaction()
    install_log_redaction()  # idempotent
    assert redaction_installed()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("azure.some.sdk.logger")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("request to /subscriptions/%s failed", SUB)
        try:
            raise RuntimeError(f"tenant {TENANT} refused finance@pennine.example")
        except RuntimeError:
            log.exception("call failed")
    finally:
        log.removeHandler(handler)
        log.propagate = True
    written = stream.getvalue()
    assert SUB not in written and TENANT not in written and "pennine" not in written
    assert subscription_tag(SUB) in written and "RuntimeError: tenant id~" in written


def test_a_record_with_a_broken_format_is_left_to_its_handler() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "%d items", ("many",), None)
    redact_record(record)
    assert record.msg == "%d items"
