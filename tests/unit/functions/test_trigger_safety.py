"""What leaves a trigger: forged messages refused before any use, failures without identifiers, quiet SDK logs.

Through the triggers as indexed (STYLE section 24), over fake services.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest
from azure.functions.decorators.function_app import FunctionBuilder
from azure.functions.servicebus import ServiceBusMessage
from azure.functions.timer import TimerRequest

from functions import customers, lifecycle, pipeline
from functions.pipeline import TriggerFailed
from shared.messages import CollectTask, Message, ScanRequested
from shared.pseudonyms import PseudonymKey
from shared.services import use_services
from tests.unit.fakes import API_KEY, CUSTOMER_ID, SUB, TENANT, World, make_world

FUNCTIONS = {b.build().get_function_name(): b.build() for m in (customers, lifecycle, pipeline)
             for b in vars(m).values() if isinstance(b, FunctionBuilder)}
NON_HTTP = sorted(str(name) for name, f in FUNCTIONS.items()
                  if not any(b.type == "httpTrigger" for b in f.get_bindings()))
SCAN = "019ab3c4d5e6f7a8b9c0d1e2"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def world() -> Iterator[World]:
    fake = make_world()
    with use_services(fake.services):
        yield fake


def call(name: str, binding: Any) -> Any:
    """Call a function as the host does: the binding passed by its parameter name."""
    function = FUNCTIONS[name]
    (trigger,) = [b for b in function.get_bindings() if str(b.type).endswith("Trigger")]
    return function.get_user_function()(**{trigger.name: binding})


def http_post() -> func.HttpRequest:
    return func.HttpRequest(method="POST", url="http://localhost/api/x", headers={"Authorization": f"Bearer {API_KEY}"},
                            route_params={"customer_id": CUSTOMER_ID}, body=b"")


def bus_message(message: Message) -> func.ServiceBusMessage:
    return func.ServiceBusMessage(body=message.model_dump_json().encode())


def forged(**fields: str) -> func.ServiceBusMessage:
    body = {"schema_version": 1, "customer_id": CUSTOMER_ID, "scan_id": SCAN, "subscription_id": SUB,
            "source": "cost", **fields}
    return ServiceBusMessage(body=json.dumps(body).encode(), message_id="m1", application_properties={},
                             user_properties={}, delivery_count=1)


def test_every_non_http_trigger_is_guarded() -> None:
    assert NON_HTTP == ["analyse_scan", "collect_source", "plan_scan", "purge_backstop", "purge_customer",
                        "schedule_scans", "watchdog_sweep"]
    for name in NON_HTTP:
        assert FUNCTIONS[name].get_user_function().__wrapped__ is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize("field", ["customer_id", "scan_id", "subscription_id"])
def test_a_forged_id_is_refused_before_any_store_is_touched(field: str, world: World,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    before = {name: dict(table.rows) for name, table in world.tables.items()}
    with caplog.at_level(logging.ERROR), pytest.raises(TriggerFailed) as caught:
        call("collect_source", forged(**{field: "../../x"}))
    assert str(caught.value) == "InvalidInput: invalid input: message"
    assert f"unreadable CollectTask message id=m1: malformed {field}" in caplog.text
    assert "../../x" not in caplog.text
    after = {name: dict(table.rows) for name, table in world.tables.items()}
    assert after == before and not world.blobs and not world.bus.sent


def test_a_failure_leaves_the_trigger_without_identifiers_and_is_still_a_failure(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    # given: a scan collecting, and a source whose client fails with a message naming the customer's Azure
    scan_id = json.loads(call("start_scan", http_post()).get_body())["scan_id"]
    call("plan_scan", bus_message(world.bus.of(ScanRequested)[0]))
    world.collectors["cost"].fail = ValueError(f"tenant {TENANT} refused /subscriptions/{SUB} for ops@acme.example")
    (task,) = [t for t in world.bus.of(CollectTask) if t.source == "cost"]  # type: ignore[attr-defined]
    # when
    with caplog.at_level(logging.ERROR), pytest.raises(TriggerFailed) as caught:
        call("collect_source", bus_message(task))
    # then: still a failure (redelivery follows), with the type and a redacted message only
    text = f"{caught.value} {caplog.text}"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert str(caught.value).startswith("ValueError: tenant id~") and "subscriptions/sub~" in str(caught.value)
    assert TENANT not in text and SUB not in text and "acme" not in text
    assert "collect_source failed: ValueError" in caplog.text and "collect.py" in caplog.text  # where, not what
    assert world.scans.task(CUSTOMER_ID, scan_id, SUB, "cost").outcome == "pending"


class DownStore:
    """A secret store that cannot be reached."""

    def create_once(self, name: str, value: str) -> str:
        raise ConnectionError(f"vault of tenant {TENANT} unreachable")


def test_a_trigger_fails_for_redelivery_when_the_pseudonym_key_cannot_be_read(world: World) -> None:
    world.services.pseudonym_key = PseudonymKey(DownStore())
    with pytest.raises(TriggerFailed, match=r"^TransientError: the pseudonym key could not be read: Connection"):
        call("schedule_scans", TimerRequest(past_due=False))
    assert world.bus.sent == [] and not world.scans.for_customer(CUSTOMER_ID)  # nothing ran without the key


def test_sdk_loggers_are_quiet_and_records_redacted_from_the_first_import() -> None:
    script = ("import logging, function_app\n"
              "from shared.observability import redaction_installed\n"
              "names = ['azure', 'azure.core.pipeline.policies.http_logging_policy', 'azure.identity', 'msal',\n"
              "         'azure.servicebus', 'urllib3']\n"
              "print(dict((n, logging.getLogger(n).level) for n in names), redaction_installed())\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120,
                         check=True).stdout.strip()
    levels, installed = out.rsplit(" ", 1)
    assert set(eval(levels).values()) == {logging.WARNING} and installed == "True"  # noqa: S307 - our own print
