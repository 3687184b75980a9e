"""The simulator's hold hook: a matching request waits until a control call releases it."""

from __future__ import annotations

import json
import threading

import pytest

from local.simulator import control
from local.simulator.faults import FaultTable
from local.simulator.http import Request
from local.simulator.options import SimOptions
from local.simulator.state import SimState
from tests.conftest import DEMO_ESTATE

COST = "/subscriptions/s/providers/Microsoft.CostManagement/query"


def request(path: str = COST, method: str = "POST") -> Request:
    return Request(method, path, {}, b"")


def taken_in_thread(table: FaultTable, req: Request) -> tuple[threading.Thread, list[object]]:
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(table.take(req)))
    thread.start()
    return thread, out


def wait_until_waiting(table: FaultTable, name: str, count: int) -> None:
    pause = threading.Event()
    for _ in range(500):  # bounded: 5 s
        if table.holds()[name]["waiting"] >= count:
            return
        pause.wait(0.01)
    raise AssertionError(f"no request reached the hold {name!r}")


def test_held_request_waits_until_released_when_it_matches() -> None:
    table = FaultTable()
    table.hold("POST", r"CostManagement/query", "cost", times=2)
    thread, out = taken_in_thread(table, request())
    wait_until_waiting(table, "cost", 1)
    assert thread.is_alive() and not out
    assert table.release("cost") == 1
    thread.join(timeout=5)
    assert not thread.is_alive() and out and out[0] is not None
    assert table.holds() == {"cost": {"waiting": 0, "held": 1}}
    assert table.take(request()) is None  # released: the unused hold is gone too


def test_other_requests_pass_when_a_hold_is_set() -> None:
    table = FaultTable()
    table.hold("POST", r"CostManagement/query", "cost")
    assert table.take(request("/subscriptions/s/providers/Microsoft.Advisor/recommendations", "GET")) is None
    assert table.holds()["cost"]["held"] == 0


def test_held_request_goes_on_after_its_timeout_when_never_released() -> None:
    table = FaultTable()
    table.hold("*", r"query", "cost", timeout=0.05)
    assert table.take(request()) is not None and table.holds()["cost"] == {"waiting": 0, "held": 1}


def test_clear_releases_every_waiting_request_when_the_simulator_resets() -> None:
    table = FaultTable()
    table.hold("POST", r"query", "cost")
    thread, _ = taken_in_thread(table, request())
    wait_until_waiting(table, "cost", 1)
    table.clear()
    thread.join(timeout=5)
    assert not thread.is_alive() and table.holds() == {}


def test_release_of_an_unknown_hold_is_refused_when_named_wrongly() -> None:
    with pytest.raises(ValueError):
        FaultTable().release("nothing")


def test_control_endpoints_hold_list_and_release_when_called_over_http() -> None:
    state = SimState(DEMO_ESTATE, SimOptions())

    def call(method: str, name: str, body: dict[str, object] | None = None) -> dict[str, object]:
        answer = control.handle(state, Request(method, f"/_sim/{name}", {}, json.dumps(body or {}).encode()))
        assert answer.status == 200, answer.body
        out: dict[str, object] = json.loads(answer.body)
        return out

    call("POST", "hold", {"method": "POST", "path_regex": "/openai/", "name": "model", "times": 3})
    thread, _ = taken_in_thread(state.faults, request("/openai/v1/chat/completions"))
    wait_until_waiting(state.faults, "model", 1)
    assert call("GET", "holds") == {"holds": {"model": {"waiting": 1, "held": 1}}}
    assert call("POST", "release", {"name": "model"}) == {"held": 1}
    thread.join(timeout=5)
    assert not thread.is_alive()
    refused = control.handle(state, Request("POST", "/_sim/release", {}, b'{"name": "nope"}'))
    assert refused.status == 400
