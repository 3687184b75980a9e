"""The simulator's bench options through its router, in process: ARM read buckets and QPU charging modes."""

from __future__ import annotations

import json
from pathlib import Path

from local.simulator.http import Request
from local.simulator.options import SimOptions
from local.simulator.routes import handle
from local.simulator.state import SimState

ESTATE = Path(__file__).resolve().parents[1] / "fixtures" / "estates" / "small.json"
TENANT = "11111111-0000-0000-0000-000000000001"
READER_APP, READER_OBJECT = "11111111-0000-0000-0000-0000000000a1", "11111111-0000-0000-0000-0000000000b1"
PROD = "11111111-1111-0000-0000-000000000001"
ADVISOR = f"/subscriptions/{PROD}/providers/Microsoft.Advisor/recommendations?api-version=2025-01-01"
QUERY = f"/subscriptions/{PROD}/providers/Microsoft.CostManagement/query?api-version=2025-03-01"
QPU = "x-ms-ratelimit-microsoft.costmanagement-qpu"
BODY = {"type": "ActualCost", "timeframe": "TheLastMonth", "dataset": {
    "granularity": "Daily", "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}},
    "grouping": [{"type": "Dimension", "name": "ResourceId"}]}}


def _state(**options: object) -> SimState:
    state = SimState(ESTATE, SimOptions(**options))  # type: ignore[arg-type]
    state.base_url = "https://127.0.0.1:1"
    return state


def _request(state: SimState, method: str, target: str, body: object = None) -> Request:
    token, _ = state.mint.mint(tenant_id=TENANT, object_id=READER_OBJECT, app_id=READER_APP,
                               audience="https://management.azure.com")
    payload = json.dumps(body).encode() if body is not None else b""
    return Request(method, target, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                   payload)


def test_an_arm_read_carries_the_remaining_reads_and_is_refused_with_retry_after_past_the_bucket() -> None:
    state = _state(arm_read_bucket=2, arm_read_refill_per_s=0.001)
    answers = [handle(state, _request(state, "GET", ADVISOR)) for _ in range(3)]
    assert [a.status for a in answers] == [200, 200, 429]
    assert answers[0].headers["x-ms-ratelimit-remaining-subscription-reads"] == "1"
    assert int(answers[2].headers["Retry-After"]) >= 1
    assert json.loads(answers[2].body)["error"]["code"] == "SubscriptionRequestsThrottled"
    assert state.stats()["throttled"] == {"arm_reads": 1}


def test_the_query_posts_are_not_charged_to_arms_read_bucket() -> None:
    state = _state(arm_read_bucket=1, arm_read_refill_per_s=0.001)
    statuses = [handle(state, _request(state, "POST", QUERY, BODY)).status for _ in range(2)]
    assert statuses == [200, 200]


def _pages(state: SimState) -> list[str]:
    """The QPU each page of one query was charged, following nextLink."""
    charged, target = [], QUERY
    while target:
        answer = handle(state, _request(state, "POST", target, BODY))
        assert answer.status == 200
        charged.append(answer.headers[f"{QPU}-consumed"])
        link = json.loads(answer.body)["properties"]["nextLink"]
        target = link.removeprefix(state.base_url) if link else ""
    return charged


def test_every_page_costs_a_qpu_when_charging_per_page() -> None:
    state = _state(cost_page_size=40)  # 145 rows: 4 pages, inside 12 QPU per 10 s
    charged = _pages(state)
    assert len(charged) > 1 and set(charged) == {"1"}
    assert state.stats()["qpu_used"] == len(charged)


def test_only_the_first_page_costs_a_qpu_when_charging_per_month_queried() -> None:
    state = _state(cost_page_size=40, cm_qpu_per_page=False)
    charged = _pages(state)
    assert len(charged) > 1 and charged[0] == "1" and set(charged[1:]) == {"0"}
    assert state.stats()["qpu_used"] == 1
