"""Scan now under concurrency, on the local stack: 30 parallel HTTP requests for one customer, with the
scheduler firing at the same moment, start exactly one scan (security finding 3)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from local.estates.model import Estate, load_estate
from tests.conftest import DEMO_ESTATE, Api, ApiResponse
from tests.e2e.test_lifecycle import onboard, wait_for_scan

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
PARALLEL = 30


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(DEMO_ESTATE)


def schedule_runs(stack: Any) -> int:
    return Path(stack.host_log).read_text(errors="replace").count("functions.lifecycle: schedule: ")


def scan_ids(api: Api, customer: dict[str, Any]) -> list[str]:
    answer = api.get(f"/api/customers/{customer['customer_id']}/scans", api_key=customer["api_key"])
    assert answer.status == 200, answer.body[:300]
    return [s["scan_id"] for s in answer.json()["scans"]]


def test_thirty_parallel_scan_now_requests_and_the_scheduler_start_one_scan_when_the_customer_is_idle(
        api: Api, stack: Any, estate: Estate) -> None:
    # given: an idle customer (its first scan has finished) that the schedule has not served this period
    customer = onboard(api, estate, "Pennine")
    wait_for_scan(api, customer, customer["first_scan_id"])
    before = set(scan_ids(api, customer))
    runs = schedule_runs(stack)
    # when: 30 requests and the schedule timer, released together
    gate = threading.Barrier(PARALLEL + 1)
    answers: list[ApiResponse] = []
    lock = threading.Lock()

    def scan_now() -> None:
        gate.wait()
        answer = api.post(f"/api/customers/{customer['customer_id']}/scans", api_key=customer["api_key"])
        with lock:
            answers.append(answer)

    def fire_schedule() -> None:
        gate.wait()
        assert api.post("/admin/functions/schedule_scans", {"input": None}, headers=stack.admin_headers()).status == 202

    threads = [threading.Thread(target=scan_now) for _ in range(PARALLEL)] + [threading.Thread(target=fire_schedule)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    deadline = time.monotonic() + 60
    while schedule_runs(stack) == runs:
        assert time.monotonic() < deadline, "the schedule timer did not run"
        time.sleep(0.2)
    # then: every request got the same scan, and it is the only new one (the scheduler's included)
    assert [a.status for a in answers] == [202] * PARALLEL, [a.body[:200] for a in answers if a.status != 202]
    returned = {a.json()["scan_id"] for a in answers}
    new = set(scan_ids(api, customer)) - before
    print(f"\n{PARALLEL} parallel scan-now requests + the scheduler -> {len(new)} new scan(s)")
    assert len(returned) == 1 and new == returned, (returned, new)
    assert wait_for_scan(api, customer, returned.pop())["status"] in ("complete", "partial")
