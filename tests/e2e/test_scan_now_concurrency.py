"""Scan now under concurrency, on the local stack: 30 parallel HTTP requests for one customer, with the
scheduler firing at the same moment, then 10 more once that scan has ended, each start exactly one scan
(security finding 3; on the code before the marker, one run in three started two)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from local.estates.model import Estate, load_estate
from tests.conftest import DEMO_ESTATE, Api, ApiResponse
from tests.e2e.test_lifecycle import onboard, wait_for_scan

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(DEMO_ESTATE)


def schedule_runs(stack: Any) -> int:
    return Path(stack.host_log).read_text(errors="replace").count("functions.lifecycle: schedule: ")


def scan_ids(api: Api, customer: dict[str, Any]) -> list[str]:
    answer = api.get(f"/api/customers/{customer['customer_id']}/scans", api_key=customer["api_key"])
    assert answer.status == 200, answer.body[:300]
    return [s["scan_id"] for s in answer.json()["scans"]]


def at_once(api: Api, customer: dict[str, Any], parallel: int, also: Callable[[], None] | None = None
            ) -> list[ApiResponse]:
    """`parallel` scan-now requests (and `also`, when given) released together; every answer."""
    extra = [also] if also else []
    gate = threading.Barrier(parallel + len(extra))
    answers: list[ApiResponse] = []
    lock = threading.Lock()

    def scan_now() -> None:
        gate.wait()
        answer = api.post(f"/api/customers/{customer['customer_id']}/scans", api_key=customer["api_key"])
        with lock:
            answers.append(answer)

    def gated(run: Callable[[], None]) -> Callable[[], None]:
        def go() -> None:
            gate.wait()
            run()
        return go

    threads = [threading.Thread(target=scan_now) for _ in range(parallel)]
    threads += [threading.Thread(target=gated(run)) for run in extra]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [a.status for a in answers] == [202] * parallel, [a.body[:200] for a in answers if a.status != 202]
    return answers


@pytest.mark.parametrize("rounds", [(30, 10)])
def test_parallel_scan_now_requests_and_the_scheduler_start_one_scan_when_the_customer_is_idle(
        api: Api, stack: Any, estate: Estate, rounds: tuple[int, ...]) -> None:
    # given: an idle customer (its first scan has finished) that the schedule has not served this period
    customer = onboard(api, estate, "Pennine")
    wait_for_scan(api, customer, customer["first_scan_id"])
    runs = schedule_runs(stack)

    def fire_schedule() -> None:
        assert api.post("/admin/functions/schedule_scans", {"input": None}, headers=stack.admin_headers()).status == 202

    for number, parallel in enumerate(rounds):
        before = set(scan_ids(api, customer))
        # when: the requests (and, the first time, the schedule timer) all at once
        answers = at_once(api, customer, parallel, fire_schedule if number == 0 else None)
        if number == 0:
            deadline = time.monotonic() + 60
            while schedule_runs(stack) == runs:
                assert time.monotonic() < deadline, "the schedule timer did not run"
                time.sleep(0.2)
        # then: every request got the same scan, and it is the only new one (the scheduler's included)
        returned = {a.json()["scan_id"] for a in answers}
        new = set(scan_ids(api, customer)) - before
        print(f"\n{parallel} parallel scan-now requests -> {len(new)} new scan(s)")
        assert len(returned) == 1 and new == returned, (returned, new)
        assert wait_for_scan(api, customer, returned.pop())["status"] in ("complete", "partial")
