"""Log context carries ids only; blob and message names come from ids only."""

from __future__ import annotations

import logging

import pytest

from shared.bus import to_servicebus_message
from shared.errors import InvalidInput, NotFound
from shared.messages import CollectTask
from shared.observability import log_context
from shared.storage.blobs import container_name, report_blob_name


def test_log_lines_carry_the_ids_when_logged_through_the_context(caplog: pytest.LogCaptureFixture):
    log = log_context(logging.getLogger("t"), customer_id="c1", scan_id="s1", subscription_id="sub", source="cost")
    with caplog.at_level(logging.INFO, logger="t"):
        log.info("collected %d row(s)", 3)
    record = caplog.records[0]
    assert record.getMessage() == "[customer_id=c1 scan_id=s1 subscription_id=sub source=cost] collected 3 row(s)"
    assert record.scan_id == "s1"  # type: ignore[attr-defined]


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
    task = CollectTask(customer_id="c" * 32, scan_id="s1", subscription_id="sub", source="advisor")
    message = to_servicebus_message(task)
    assert (message.message_id, message.correlation_id, message.subject) == (
        "collect:s1:sub:advisor", "s1", "CollectTask")
    assert message.application_properties == {"schema_version": 1, "type": "CollectTask"}
