"""Deletion is final, on the local stack: work already in flight when a customer offboards writes nothing that
outlives the deletion certificate (security finding 2, runs a and b).

Each race is driven by the simulator's hold hook (a test hook, local/simulator/faults.py): the tenant's answer
to a collector, or the model's answer to an analysis, is held until the purge has deleted the customer's
container, then released. No long sleeps: every wait polls an observable condition, bounded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from local.estates.model import Estate, load_estate
from shared.messages import ANALYSE, COLLECT_TASKS, QueueSpec
from tests.conftest import DEMO_ESTATE, Api
from tests.e2e.test_lifecycle import onboard, scan_of, settled, wait_for_certificate, wait_for_scan

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
COST_QUERY = r"Microsoft\.CostManagement/query"
MODEL_CALL = r"^/openai/"


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(DEMO_ESTATE)


def wait_until(what: str, condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)


def container_exists(customer_id: str) -> bool:
    from shared.storage.clients import blob_service

    return bool(blob_service().get_container_client(f"c-{customer_id}").exists())


def messages_in_flight(stack: Any, queue: QueueSpec, customer_id: str) -> int:
    """Messages of the customer on `queue` that are waiting or being processed (locked by an invocation)."""
    snap = stack.broker.snapshot(queue.name)
    return sum(customer_id.encode() in view.body for view in [*snap.active, *snap.locked])


def offboard_while_held(api: Api, stack: Any, customer: dict[str, Any], hold: str, queue: QueueSpec) -> str:
    """Offboard while work is held at the simulator; release it once the purge has deleted the container, and
    wait until that work has ended. The certificate id."""
    faults = stack.simulator.state.faults
    cid = customer["customer_id"]
    try:
        answer = api.request("DELETE", f"/api/customers/{cid}", api_key=customer["api_key"])
        assert answer.status == 202, answer.body[:300]
        wait_until("the purge has deleted the customer's container", lambda: not container_exists(cid))
    finally:
        faults.release(hold)
    wait_until(f"every {queue.name} invocation of the customer has ended",
               lambda: messages_in_flight(stack, queue, cid) == 0)
    request_id: str = answer.json()["request_id"]
    return request_id


def assert_nothing_outlives_the_certificate(api: Api, stack: Any, customer_id: str, request_id: str) -> None:
    assert not container_exists(customer_id), "work in flight re-created the customer's container after the purge"
    certificate = wait_for_certificate(api, request_id, timeout=120)
    assert certificate["verification"]["result"] == "nothing found"
    left = settled(customer_id, stack)
    assert not any(left.values()), left
    assert not container_exists(customer_id)


def test_collectors_in_flight_leave_nothing_when_the_customer_offboards(
        api: Api, stack: Any, estate: Estate, in_process: None) -> None:
    # given: a customer whose next scan's cost queries are held at the tenant
    customer = onboard(api, estate, "Pennine")
    wait_for_scan(api, customer, customer["first_scan_id"])
    cid = customer["customer_id"]
    hold = f"cost-{cid}"
    faults = stack.simulator.state.faults
    faults.hold("POST", COST_QUERY, hold, times=1000)
    scan = api.post(f"/api/customers/{cid}/scans", api_key=customer["api_key"])
    assert scan.status == 202, scan.body[:300]
    wait_until("a collector waits for its cost answer", lambda: faults.holds()[hold]["waiting"] >= 1)
    # when: the customer offboards while those collectors are in flight, and they finish after the purge
    request_id = offboard_while_held(api, stack, customer, hold, COLLECT_TASKS)
    # then
    assert_nothing_outlives_the_certificate(api, stack, cid, request_id)


def test_analysis_in_flight_leaves_nothing_when_the_customer_offboards(
        api: Api, stack: Any, estate: Estate, in_process: None) -> None:
    # given: a customer whose next scan's analysis waits for the model
    customer = onboard(api, estate, "Pennine")
    wait_for_scan(api, customer, customer["first_scan_id"])
    cid = customer["customer_id"]
    hold = f"model-{cid}"
    faults = stack.simulator.state.faults
    faults.hold("POST", MODEL_CALL, hold, times=1000)
    scan = api.post(f"/api/customers/{cid}/scans", api_key=customer["api_key"])
    assert scan.status == 202, scan.body[:300]
    scan_id = scan.json()["scan_id"]
    wait_until("the analysis waits for the model", lambda: faults.holds()[hold]["waiting"] >= 1)
    assert scan_of(api, customer, scan_id)["status"] == "analysing"
    # when: the customer offboards while the analysis is in flight, and it gets its answer after the purge
    request_id = offboard_while_held(api, stack, customer, hold, ANALYSE)
    # then
    assert_nothing_outlives_the_certificate(api, stack, cid, request_id)
