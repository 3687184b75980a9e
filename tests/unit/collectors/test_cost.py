"""Cost collector over a fake ARM: windows, every page, quota-aware retries, column fallback, errors."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest

from local.memtable import MemoryTable
from shared.arm import cost_management_client
from shared.collectors import CollectRequest
from shared.collectors.cost import collect, month_windows
from shared.collectors.errors import SIGN_IN_REFUSED
from shared.collectors.quota import QpuLedger
from shared.errors import AccessDenied, NotCollectable, Throttled, TransientError
from tests.unit.collectors.fake_arm import FakeArm, FakeCredential, Reply, Seen

SUB = "aaaaaaaa-0000-0000-0000-000000000001"
TODAY = dt.date(2026, 11, 27)
COLUMNS = [{"name": "Cost", "type": "Number"}, {"name": "UsageDate", "type": "Number"},
           {"name": "ResourceId", "type": "String"}, {"name": "MeterCategory", "type": "String"},
           {"name": "Currency", "type": "String"}]


class Sleeps:
    """A fake sleep that records each wait and moves a fake clock on by it."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = 1_000_000.0

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def run(handler: Any, sleep: Sleeps | None = None) -> tuple[Any, FakeArm]:
    arm = FakeArm(handler)
    client = cost_management_client(FakeCredential(), transport=arm, retry_total=0)
    sleep = sleep or Sleeps()
    ledger = QpuLedger(MemoryTable(), clock=sleep.clock, sleep=sleep)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential())
    return collect(request, history_days=90, client=client, budget=ledger, sleep=sleep, today=TODAY,
                   clock=sleep.clock), arm


def page(rows: list[list[Any]], next_link: str | None = None, columns: list[dict[str, str]] = COLUMNS) -> Reply:
    return Reply(200, {"properties": {"columns": columns, "rows": rows, "nextLink": next_link}})


def test_windows_are_calendar_months_covering_ninety_days_when_ending_yesterday():
    windows = month_windows(TODAY, 90)
    assert windows[0] == (dt.date(2026, 8, 29), dt.date(2026, 8, 31))
    assert windows[-1] == (dt.date(2026, 11, 1), dt.date(2026, 11, 26))
    assert sum((b - a).days + 1 for a, b in windows) == 90
    assert all(a.month == b.month for a, b in windows)


def test_every_window_is_queried_at_subscription_scope_when_collecting():
    collected, arm = run(lambda seen: page([]))
    assert len(arm.requests) == 4
    assert all(f"/subscriptions/{SUB}/providers/Microsoft.CostManagement/query" in r.url for r in arm.requests)
    body = arm.requests[0].body
    assert body["type"] == "AmortizedCost" and body["dataset"]["granularity"] == "Daily"
    assert [g["name"] for g in body["dataset"]["grouping"]] == ["ResourceId", "MeterCategory"]
    assert collected.data["window"] == {"from": "2026-08-29", "to": "2026-11-26"}


def test_next_link_is_posted_with_the_same_body_when_a_window_has_more_pages():
    link = "https://management.azure.com/subscriptions/x/providers/Microsoft.CostManagement/query?$skiptoken=p2"

    def handler(seen: Seen) -> Reply:
        if "skiptoken=p2" in seen.url:
            return page([[2.0, 20261102, "/r/b", "Storage", "GBP"]])
        if seen.body["timePeriod"]["from"].startswith("2026-11-01"):
            return page([[1.0, 20261101, "/r/a", "Virtual Machines", "GBP"]], link)
        return page([])

    collected, arm = run(handler)
    follow = [r for r in arm.requests if "skiptoken" in r.url]
    assert len(follow) == 1 and follow[0].method == "POST"
    assert follow[0].body == next(r.body for r in arm.requests if r.body["timePeriod"]["from"].startswith("2026-11"))
    assert collected.row_count == 2 and collected.data["currency"] == "GBP"


def test_rows_are_mapped_by_column_name_when_windows_order_columns_differently():
    swapped = [COLUMNS[4], COLUMNS[0], COLUMNS[1], COLUMNS[2], COLUMNS[3]]

    def handler(seen: Seen) -> Reply:
        if seen.body["timePeriod"]["from"].startswith("2026-08"):
            return page([[1.0, 20260829, "/r/a", "Storage", "GBP"]])
        if seen.body["timePeriod"]["from"].startswith("2026-09"):
            return page([["GBP", 2.0, 20260901, "/r/a", "Storage"]], columns=swapped)
        return page([])

    collected, _ = run(handler)
    assert [c["name"] for c in collected.data["columns"]] == [c["name"] for c in COLUMNS]
    assert collected.data["rows"][1] == [2.0, 20260901, "/r/a", "Storage", "GBP"]


def test_no_content_gives_no_rows_when_the_api_answers_204():
    collected, _ = run(lambda seen: Reply(204, None))
    assert collected.row_count == 0 and collected.data["rows"] == []


def test_waits_the_qpu_retry_after_when_throttled_then_succeeds():
    replies = [Reply(429, {"error": {"code": "TooManyRequests", "message": "QPU"}},
                     {"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "7"})]
    sleeps = Sleeps()
    _, arm = run(lambda seen: replies.pop() if replies else page([]), sleeps)
    assert len(arm.requests) == 5
    # one wait in the retry loop; the ledger then holds the tenant's other queries until the block ends
    assert 7.0 <= sleeps.calls[0] < 7.5
    assert sleeps.now - 1_000_000.0 < 15.0


def test_raises_throttled_when_the_service_keeps_refusing():
    throttled = Reply(429, {"error": {"code": "TooManyRequests", "message": "QPU"}},
                      {"x-ms-ratelimit-microsoft.costmanagement-entity-retry-after": "50"})
    with pytest.raises(Throttled):
        run(lambda seen: throttled)


def test_falls_back_to_pretaxcost_and_logs_the_code_when_cost_is_not_a_valid_column(
        caplog: pytest.LogCaptureFixture) -> None:
    def handler(seen: Seen) -> Reply:
        if seen.body["dataset"]["aggregation"]["totalCost"]["name"] == "Cost":
            return Reply(400, {"error": {"code": "BadRequest", "message": "Cost is not a valid aggregation column"}})
        return page([[3.0, 20261101, "/r/a", "Storage", "USD"]],
                    columns=[{"name": "PreTaxCost", "type": "Number"}, *COLUMNS[1:]])

    with caplog.at_level(logging.WARNING, logger="shared.collectors.cost"):
        collected, _ = run(handler)
    assert collected.data["columns"][0]["name"] == "PreTaxCost"
    assert collected.row_count == 4
    assert "code BadRequest" in caplog.text and "not a valid aggregation column" not in caplog.text


def test_raises_access_denied_when_the_role_is_missing():
    with pytest.raises(AccessDenied):
        run(lambda seen: Reply(403, {"error": {"code": "AuthorizationFailed", "message": "no"}}))


@pytest.mark.parametrize(("status", "code", "expected"), [
    (401, "AccountCostDisabled", NotCollectable), (401, "DepartmentCostDisabled", NotCollectable),
    (401, "IndirectCostDisabled", NotCollectable), (400, "DisallowedOperation", NotCollectable),
    (400, "SubscriptionTypeNotSupported", NotCollectable), (409, "ReadOnlyDisabledSubscription", NotCollectable),
    (401, "InvalidAuthenticationTokenTenant", NotCollectable), (401, "401", NotCollectable),
    (401, "", NotCollectable), (404, "SubscriptionNotFound", NotCollectable),
    (403, "AuthorizationFailed", AccessDenied), (403, "BillingAccessDenied", AccessDenied),
    (403, "RBACAccessDenied", AccessDenied), (401, "InvalidAuthenticationToken", AccessDenied),
    (503, "ServiceUnavailable", TransientError),
])
def test_cost_management_refusals_are_read_by_code_per_subscription(status: int, code: str,
                                                                    expected: type[Exception]) -> None:
    with pytest.raises(expected) as raised:
        run(lambda seen: Reply(status, {"error": {"code": code, "message": "refused"}}))
    if isinstance(raised.value, AccessDenied):
        # a subscription's denial carries ARM's code; only a token ARM refuses is the whole customer's sign-in
        assert raised.value.code == (SIGN_IN_REFUSED if code == "InvalidAuthenticationToken" else code)
    if code == "SubscriptionNotFound":
        assert "next scan" in str(raised.value)


def test_hands_the_task_back_when_the_collection_runs_past_its_time_budget():
    # given: every answer is a 429 asking for 60 s, and the collection may take 100 s in all
    sleeps = Sleeps()
    arm = FakeArm(lambda seen: Reply(429, {"error": {"code": "TooManyRequests", "message": "QPU"}},
                                     {"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "60"}))
    client = cost_management_client(FakeCredential(), transport=arm, retry_total=0)
    ledger = QpuLedger(MemoryTable(), clock=sleeps.clock, sleep=sleeps)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential())
    # when / then
    with pytest.raises(TransientError, match="time budget"):
        collect(request, history_days=90, client=client, budget=ledger, sleep=sleeps, today=TODAY, clock=sleeps.clock,
                max_seconds=100.0)
    assert len(arm.requests) == 2 and sleeps.now - 1_000_000.0 < 130.0
