"""Log context carries ids only; blob and message names come from ids only."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from shared.bus import ServiceBus, to_servicebus_message
from shared.errors import InvalidInput, NotFound
from shared.identity import caleta_credential
from shared.messages import CollectTask, opaque_message_id
from shared.observability import log_context
from shared.redaction import forget_pseudonym_key, subscription_tag, use_pseudonym_key
from shared.storage.blobs import container_name, report_blob_name

SUB = "d012b2f1-e54f-5f05-8120-6fbf9da1ca5e"
KEY = b"k" * 32


def test_log_lines_carry_the_ids_when_logged_through_the_context(caplog: pytest.LogCaptureFixture):
    use_pseudonym_key(KEY)
    log = log_context(logging.getLogger("t"), customer_id="c1", scan_id="s1", subscription_id=SUB, source="cost")
    with caplog.at_level(logging.INFO, logger="t"):
        log.info("collected %d row(s)", 3)
    record = caplog.records[0]
    tag = subscription_tag(SUB)
    assert tag.startswith("sub~") and len(tag) == 20 and SUB not in tag
    assert record.getMessage() == f"[customer_id=c1 scan_id=s1 subscription_id={tag} source=cost] collected 3 row(s)"
    assert record.scan_id == "s1"  # type: ignore[attr-defined]
    assert record.subscription_id == tag  # type: ignore[attr-defined]  # structured sinks get the pseudonym too


def test_a_subscription_is_never_logged_in_clear_before_the_key_is_read(caplog: pytest.LogCaptureFixture):
    forget_pseudonym_key()
    log = log_context(logging.getLogger("t"), subscription_id=SUB)
    with caplog.at_level(logging.INFO, logger="t"):
        log.info("collected")
    assert caplog.records[0].getMessage() == "[subscription_id=sub~unkeyed] collected"


def test_log_context_refuses_anything_but_ids_when_given_other_fields():
    with pytest.raises(ValueError):
        log_context(logging.getLogger("t"), resource_name="vm-secret-project")  # type: ignore[arg-type]


def test_container_is_named_from_the_opaque_id_only_when_valid():
    assert container_name("0123456789abcdef0123456789abcdef") == "c-0123456789abcdef0123456789abcdef"
    with pytest.raises(InvalidInput):
        container_name("Contoso-UK")


def test_report_names_are_fixed_when_asked_for_anything_else():
    assert report_blob_name("01a2b3", "findings.csv") == "reports/01a2b3/findings.csv"
    with pytest.raises(NotFound):
        report_blob_name("01a2b3", "../raw/x.json.gz")


def test_service_bus_message_carries_deterministic_ids_when_built_from_a_task():
    task = CollectTask(customer_id="c" * 32, scan_id="s1", subscription_id=SUB, source="advisor")
    message = to_servicebus_message(task, KEY)
    assert (message.message_id, message.correlation_id, message.subject) == (
        opaque_message_id(task, KEY), "s1", "CollectTask")
    assert SUB not in str(message.message_id)
    assert message.application_properties == {"schema_version": 1, "type": "CollectTask"}


def test_a_continuation_is_scheduled_on_the_bus_clock_with_its_own_keyed_id_when_the_app_clock_runs_ahead():
    # given: the local world's calendar 45 days ahead of the wall clock (local/host/clock.py), and a cost task's
    # continuation due 30 s from the app's now
    ahead = dt.timedelta(days=45)
    bus = ServiceBus(None, None, caleta_credential, lambda: KEY, clock=lambda: dt.datetime.now(dt.UTC) + ahead)
    planned = CollectTask(customer_id="c" * 32, scan_id="s1", subscription_id=SUB, source="cost")
    due = dt.datetime.now(dt.UTC) + ahead + dt.timedelta(seconds=30)
    continuation = planned.model_copy(update={"hop": 1, "not_before": due})
    # when
    sent, first = bus.outgoing(continuation, KEY), bus.outgoing(planned, KEY)
    # then: due 30 s from now on Service Bus's clock (not 45 days away); keyed ids that differ by hop
    wall = dt.datetime.now(dt.UTC)
    assert sent.scheduled_enqueue_time_utc is not None and first.scheduled_enqueue_time_utc is None
    assert wall + dt.timedelta(seconds=25) < sent.scheduled_enqueue_time_utc < wall + dt.timedelta(seconds=31)
    assert sent.message_id == opaque_message_id(continuation, KEY) != first.message_id
    assert SUB not in str(sent.message_id) and "collect:" not in str(sent.message_id)
