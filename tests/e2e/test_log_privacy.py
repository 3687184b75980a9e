"""Issue 13 section 3 on a stack of its own: the host's log after onboarding and scanning every demo customer.

The host's log is what Application Insights would keep for 30 days: it must hold customer ids and pseudonyms
only - no subscription id, tenant id, company name or e-mail address of the estate, no Azure SDK request line
(the SDK loggers are quiet from the first request), and Service Bus message ids that name nothing. A forged
message is refused on every delivery without being used and ends in the dead-letter queue.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from local.demo import onboarding_body
from local.estates.model import Estate, load_estate
from local.stack import Stack
from shared.messages import COLLECT_TASKS
from tests.conftest import DEMO_ESTATE, Api
from tests.e2e.onboarding_support import signed_body

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]
FINAL = ("complete", "partial", "failed")
SCAN_TIMEOUT = 240.0
_MESSAGE_ID = re.compile(r"Trigger Details: MessageId: (\S+),")


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(DEMO_ESTATE)


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack whose host has served nothing yet: its log starts with the first onboarding."""
    with Stack(DEMO_ESTATE, tmp_path_factory.mktemp("privacy")) as running:
        yield running


@pytest.fixture(scope="module")
def scanned(own_stack: Stack, estate: Estate) -> dict[str, Any]:
    """Every demo customer onboarded and its first scan finished; a forged message dead-lettered; the log."""
    api = Api(own_stack.endpoints["http_base"], ca_bundle=own_stack.endpoints["ca_bundle"])
    customers = []
    for tenant in estate.tenants:
        # a federated tenant's administrator signs in first: the sign-in routes' lines are in the log too
        answer = api.post("/api/onboarding", signed_body(api, tenant, estate))
        assert answer.status == 202, answer.body[:300]
        customers.append(answer.json())
    for customer in customers:
        deadline = time.monotonic() + SCAN_TIMEOUT
        path = f"/api/customers/{customer['customer_id']}/scans/{customer['first_scan_id']}"
        while (status := api.get(path, api_key=customer["api_key"]).json()["status"]) not in FINAL:
            assert time.monotonic() < deadline, f"scan still {status}"
            time.sleep(0.5)
    forged = forge_message(own_stack)
    sub = estate.tenants[0].subscriptions[0].subscription_id
    pseudonyms = api.post("/api/manage/pseudonyms", {"subscription_ids": [sub]},
                          headers={"Authorization": f"Bearer {own_stack.admin_token()}"})
    assert pseudonyms.status == 200, pseudonyms.body[:300]
    return {"log": Path(own_stack.host_log).read_text(errors="replace"), "forged": forged,
            "pseudonym": pseudonyms.json()["pseudonyms"][sub], "customers": customers}


def forge_message(stack: Stack) -> Any:
    """Send a collect task whose ids are path fragments; wait (bounded) until it is dead-lettered."""
    body = {"schema_version": 1, "customer_id": "../../x", "scan_id": "../../x",
            "subscription_id": "../../x", "source": "cost"}
    with ServiceBusClient.from_connection_string(stack.broker.connection_string) as client, \
            client.get_queue_sender(COLLECT_TASKS.name) as sender:
        sender.send_messages(ServiceBusMessage(json.dumps(body), message_id="forged-1"))
    deadline = time.monotonic() + 60
    while not (dead := [m for m in stack.broker.snapshot(COLLECT_TASKS.name).deadletter if m.message_id == "forged-1"]):
        assert time.monotonic() < deadline, "the forged message was not dead-lettered"
        time.sleep(0.2)
    return dead[0]


def identifiers(estate: Estate, customers: list[dict[str, Any]]) -> dict[str, str]:
    """Everything of the estate that must not be in a log line, by what it is."""
    found: dict[str, str] = {}
    for tenant in estate.tenants:
        body = onboarding_body(tenant, estate)
        found[tenant.tenant_id] = "tenant id"
        found[tenant.display_name] = "company"
        found[body["contact_email"]] = "e-mail"
        for user in tenant.users:
            found[user.user_principal_name] = "e-mail"
        for sub in tenant.subscriptions:
            found[sub.subscription_id] = "subscription id"
    return found


def test_the_log_names_no_tenant_subscription_company_or_email(scanned: dict[str, Any], estate: Estate) -> None:
    log = scanned["log"]
    lowered = log.lower()
    leaks = {f"{what}: {value}" for value, what in identifiers(estate, scanned["customers"]).items()
             if value.lower() in lowered}
    assert leaks == set()
    assert all(c["customer_id"] in log for c in scanned["customers"])  # customer ids are the operators' handle


def test_operators_find_a_subscription_by_its_pseudonym(scanned: dict[str, Any]) -> None:
    assert re.fullmatch(r"sub~[0-9a-f]{16}", scanned["pseudonym"])
    assert f"subscription_id={scanned['pseudonym']}" in scanned["log"]


def test_the_sdk_logs_no_request_from_the_first_onboarding_on(scanned: dict[str, Any]) -> None:
    log = scanned["log"]
    assert "Request URL:" not in log and "Response headers:" not in log and "Request headers:" not in log
    assert "azure.core.pipeline.policies.http_logging_policy" not in log


def test_every_message_id_the_host_logs_is_opaque(scanned: dict[str, Any]) -> None:
    ids = _MESSAGE_ID.findall(scanned["log"])
    pipeline_ids = [i for i in ids if i != "forged-1"]
    assert len(pipeline_ids) >= 3 * 3, ids[:5]  # at least a plan, collect tasks and an analysis per customer
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in pipeline_ids), pipeline_ids[:5]


def test_a_forged_message_is_refused_unused_and_dead_lettered(scanned: dict[str, Any]) -> None:
    dead = scanned["forged"]
    assert dead.dead_letter_reason == "MaxDeliveryCountExceeded"
    assert dead.delivery_count >= COLLECT_TASKS.max_delivery_count
    refusals = [line for line in scanned["log"].splitlines() if "message id=forged-1: malformed customer_id" in line]
    assert len(refusals) == COLLECT_TASKS.max_delivery_count
    assert "../../x" not in scanned["log"]
