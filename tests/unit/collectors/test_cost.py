"""Cost collector over a fake ARM: the query plan, every page, checkpoints and resumption, refused and foreign
next-page links, the column fallback, quota-aware retries, Cost Management's refusals by code."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest

from local.memtable import MemoryTable
from shared.arm import cost_management_client
from shared.collectors import CollectRequest
from shared.collectors.cost import collect
from shared.collectors.cost_plan import METER_CATEGORIES, windows_for
from shared.collectors.cost_state import MemoryProgress, SeriesNeeds
from shared.collectors.errors import SIGN_IN_REFUSED
from shared.collectors.quota import QpuLedger
from shared.errors import AccessDenied, Deferred, NotCollectable, Throttled, TransientError
from tests.unit.collectors.fake_arm import FakeArm, FakeCredential, Reply, Seen

SUB = "aaaaaaaa-0000-0000-0000-000000000001"
TODAY = dt.date(2026, 11, 27)
ARM = "https://management.azure.com"
QUERY = f"{ARM}/subscriptions/{SUB}/providers/Microsoft.CostManagement/query"


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


def columns_for(body: dict[str, Any], cost: str = "Cost") -> list[dict[str, str]]:
    """The columns Cost Management answers for a body: cost, the date when Daily, the groupings, Currency."""
    dataset = body["dataset"]
    cols = [{"name": dataset["aggregation"]["totalCost"]["name"], "type": "Number"}]
    if dataset["granularity"] == "Daily":
        cols.append({"name": "UsageDate", "type": "Number"})
    for group in dataset["grouping"]:
        cols += ([{"name": "TagKey", "type": "String"}, {"name": "TagValue", "type": "String"}]
                 if group["type"] == "TagKey" else [{"name": group["name"], "type": "String"}])
    return [*cols, {"name": "Currency", "type": "String"}]


def one_row(body: dict[str, Any]) -> list[Any]:
    """A plausible row for any body: 1.0, the window's first day, "/r/a" or a name per grouping, GBP."""
    out: list[Any] = []
    for col in columns_for(body):
        name = col["name"]
        out.append(1.0 if col["type"] == "Number" and name != "UsageDate" else
                   int(body["timePeriod"]["from"][:10].replace("-", "")) if name == "UsageDate" else
                   "GBP" if name == "Currency" else "/subscriptions/x/r/a" if name == "ResourceId" else name.lower())
    return out


def page(body: dict[str, Any], rows: list[list[Any]] | None = None, next_link: str | None = None) -> Reply:
    props = {"columns": columns_for(body), "rows": [one_row(body)] if rows is None else rows, "nextLink": next_link}
    return Reply(200, {"properties": props}, {"x-ms-ratelimit-microsoft.costmanagement-qpu-consumed": "1"})


def client_for(arm: FakeArm) -> Any:
    return cost_management_client(FakeCredential(), transport=arm, retry_total=0, base_url=ARM)


def run(handler: Any, sleep: Sleeps | None = None, progress: MemoryProgress | None = None,
        **kwargs: Any) -> tuple[Any, FakeArm]:
    arm = FakeArm(handler)
    sleep = sleep or Sleeps()
    ledger = kwargs.pop("ledger", None) or QpuLedger(MemoryTable(), clock=sleep.clock, sleep=sleep)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential(), day=TODAY)
    return collect(request, history_days=90, client=client_for(arm), budget=ledger, sleep=sleep, clock=sleep.clock,
                   progress=progress, arm_endpoint=ARM, **kwargs), arm


def step_of(seen: Seen) -> str:
    """Which query a request belongs to, told from its body (granularity, window, groupings, type)."""
    d = seen.body["dataset"]
    groups = ",".join(g["name"] for g in d["grouping"])
    return f'{seen.body["type"]}|{d["granularity"]}|{seen.body["timePeriod"]["from"][:10]}|{groups}'


def test_a_small_subscription_reads_meters_and_totals_then_every_resources_days_a_month_at_a_time_when_collecting():
    # given: T answers one row (one resource and category billed: C1 is 4 pages over 90 days)
    collected, arm = run(lambda seen: page(seen.body))
    # then: C2 and T first, then C1 by ResourceId and MeterCategory, one calendar month per query, nothing else
    w = windows_for(TODAY, 90)
    assert all(r.url.startswith(QUERY) and r.method == "POST" for r in arm.requests)
    meters, totals, *days = [r.body for r in arm.requests]
    assert [g["name"] for g in meters["dataset"]["grouping"]] == ["ResourceId", "Meter"]
    assert meters["dataset"]["filter"]["dimensions"]["values"] == list(METER_CATEGORIES)
    assert [g["name"] for g in totals["dataset"]["grouping"]] == ["ResourceId", "MeterCategory"]
    assert totals["dataset"]["granularity"] == "None"
    assert totals["timePeriod"] == {"from": "2026-10-28T00:00:00Z", "to": "2026-11-26T23:59:59Z"}
    assert [b["timePeriod"]["from"][:10] for b in days] == [a.isoformat() for a, _ in w.months()]
    assert all(b["dataset"]["granularity"] == "Daily" and [g["name"] for g in b["dataset"]["grouping"]]
               == ["ResourceId", "MeterCategory"] for b in days)
    data = collected.data
    assert data["layout"] == 2 and data["currency"] == "GBP"
    assert data["window"] == {"from": "2026-08-29", "to": "2026-11-26"}
    assert set(data["sections"]) == {"meters", "totals", "resource_days"}
    assert data["missing"] == {"series": "no inventory was given"}


def test_the_summary_steps_ask_daily_totals_by_month_and_resource_totals_when_every_day_is_not_read():
    # given: no subscription may read every day
    collected, arm = run(lambda seen: page(seen.body), every_day_max_pages=0)
    w = windows_for(TODAY, 90)
    daily = [r.body for r in arm.requests if r.body["dataset"]["granularity"] == "Daily"]
    assert [b["timePeriod"]["from"][:10] for b in daily] == [a.isoformat() for a, _ in w.months()]
    assert all([g["name"] for g in b["dataset"]["grouping"]] == ["MeterCategory"] for b in daily)
    assert all(r.body["type"] == "AmortizedCost" for r in arm.requests)
    data = collected.data
    assert set(data["sections"]) == {"daily", "totals", "earlier", "meters"}  # no week totals (COST-1 growth)
    assert data["missing"]["series"] == "no inventory was given"
    assert "about 4 pages" in data["missing"]["resource_days"]


def test_a_large_subscription_is_read_by_the_summary_steps_and_says_how_many_pages_its_days_would_take():
    # given: T answers 10,000 resource and category rows (C1 would be about 180 pages over 90 days)
    def handler(seen: Seen) -> Reply:
        if [g["name"] for g in seen.body["dataset"]["grouping"]] == ["ResourceId", "MeterCategory"] \
                and seen.body["dataset"]["granularity"] == "None":
            return page(seen.body, [[1.0, f"/subscriptions/x/r/{i}", "Storage", "GBP"] for i in range(10_000)])
        return page(seen.body)

    collected, arm = run(handler)
    assert not any([g["name"] for g in r.body["dataset"]["grouping"]] == ["ResourceId", "MeterCategory"]
                   and r.body["dataset"]["granularity"] == "Daily" for r in arm.requests)
    assert "resource_days" not in collected.data["sections"] and "daily" in collected.data["sections"]
    assert "about 180 pages" in collected.data["missing"]["resource_days"]


def test_next_link_is_posted_with_the_same_body_when_a_step_has_more_pages():
    link = f"{QUERY}?api-version=2021-10-01&$skiptoken=p2"

    def handler(seen: Seen) -> Reply:
        if "skiptoken=p2" in seen.url:
            return page(seen.body, [[2.0, "/r/b", "Storage", "GBP"]])
        if step_of(seen).endswith("ResourceId,MeterCategory") and seen.body["dataset"]["granularity"] == "None":
            return page(seen.body, [[1.0, "/r/a", "Virtual Machines", "GBP"]], link)
        return page(seen.body)

    collected, arm = run(handler)
    follow = [r for r in arm.requests if "skiptoken" in r.url]
    first = next(r for r in arm.requests if step_of(r).endswith("|None|2026-10-28|ResourceId,MeterCategory"))
    assert len(follow) == 1 and follow[0].body == first.body
    assert collected.data["sections"]["totals"]["rows"] == [[1.0, "/r/a", "Virtual Machines", "GBP"],
                                                            [2.0, "/r/b", "Storage", "GBP"]]
    assert collected.data["steps"]["totals"] == {"pages": 2, "rows": 2, "qpu": 1}


def test_rows_are_mapped_by_column_name_when_pages_order_columns_differently():
    link = f"{QUERY}?$skiptoken=p2"

    def handler(seen: Seen) -> Reply:
        body = seen.body
        if [g["name"] for g in body["dataset"]["grouping"]] != ["MeterCategory"] \
                or not body["timePeriod"]["from"].startswith("2026-09"):
            return page(body)
        if "skiptoken" in seen.url:
            swapped = [{"name": "Currency"}, {"name": "Cost"}, {"name": "UsageDate"}, {"name": "MeterCategory"}]
            return Reply(200, {"properties": {"columns": swapped, "rows": [["GBP", 2.0, 20260902, "Storage"]]}})
        return page(body, [[1.0, 20260901, "Storage", "GBP"]], link)

    collected, _ = run(handler, every_day_max_pages=0)
    daily = collected.data["sections"]["daily"]
    assert [c["name"] for c in daily["columns"]] == ["Cost", "UsageDate", "MeterCategory", "Currency"]
    assert [2.0, 20260902, "Storage", "GBP"] in daily["rows"]


def test_no_content_gives_empty_sections_when_the_api_answers_204():
    collected, _ = run(lambda seen: Reply(204, None))
    assert collected.row_count == 0 and collected.data["sections"]["totals"]["rows"] == []


def test_a_redelivery_resumes_at_the_next_page_and_never_reads_a_written_page_again():
    # given: the budget allows a turn every 5 s only, and a delivery may wait 1 s in-process
    link = f"{QUERY}?$skiptoken=p2"
    sleeps, progress = Sleeps(), MemoryProgress()
    ledger = QpuLedger(MemoryTable(), clock=sleeps.clock, sleep=sleeps, limits=((5.0, 2), (60.0, 50), (3600.0, 500)))

    def handler(seen: Seen) -> Reply:
        if step_of(seen).endswith("|None|2026-10-28|ResourceId,MeterCategory") and "skiptoken" not in seen.url:
            return page(seen.body, [[1.0, "/r/a", "Storage", "GBP"]], link)
        return page(seen.body)

    arm = FakeArm(handler)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential(), day=TODAY)

    def deliver() -> Any:
        return collect(request, history_days=90, client=client_for(arm), budget=ledger, sleep=sleeps,
                       clock=sleeps.clock, progress=progress, inline_wait=1.0, arm_endpoint=ARM, every_day_max_pages=0)

    # when: every delivery ends at the first far turn; the next one comes when that turn is due
    deliveries = 0
    while True:
        deliveries += 1
        try:
            collected = deliver()
            break
        except Deferred as exc:
            sleeps.now += exc.resume_after
    # then: one request per page, none repeated, across many deliveries
    keys = [(step_of(r), "skiptoken" in r.url) for r in arm.requests]
    assert deliveries > 5 and len(keys) == len(set(keys)) == 8  # 7 steps, one of two pages
    assert collected.data["steps"]["totals"] == {"pages": 2, "rows": 2, "qpu": 1}
    assert collected.data["steps"]["earlier"]["qpu"] == 2  # 60 days: a QPU per 31 days


def test_a_refused_next_link_restarts_its_step_and_no_other():
    link = f"{QUERY}?$skiptoken=expired"
    refused: list[str] = []

    def handler(seen: Seen) -> Reply:
        if "skiptoken=expired" in seen.url and not refused:
            refused.append(seen.url)
            return Reply(400, {"error": {"code": "BadRequest", "message": "Invalid skiptoken"}})
        if step_of(seen).endswith("|None|2026-10-28|ResourceId,MeterCategory") and "skiptoken" not in seen.url:
            return page(seen.body, [[1.0, "/r/a", "Storage", "GBP"]], link)
        return page(seen.body, [])

    collected, arm = run(handler, every_day_max_pages=0)
    totals_first = [r for r in arm.requests if step_of(r).endswith("|None|2026-10-28|ResourceId,MeterCategory")
                    and "skiptoken" not in r.url]
    daily = [r for r in arm.requests if r.body["dataset"]["granularity"] == "Daily"
             and [g["name"] for g in r.body["dataset"]["grouping"]] == ["MeterCategory"]]
    assert len(totals_first) == 2 and len(daily) == 4  # the step read twice; the months before it once
    assert collected.data["steps"]["totals"] == {"pages": 2, "rows": 1, "qpu": 1}


@pytest.mark.parametrize("link", [
    "https://evil.example/subscriptions/" + SUB + "/providers/Microsoft.CostManagement/query?$skiptoken=x",
    f"{ARM}/subscriptions/bbbbbbbb-0000-0000-0000-000000000002/providers/Microsoft.CostManagement/query?x=1",
    f"{ARM}/providers/Microsoft.Billing/billingAccounts/1/providers/Microsoft.CostManagement/query?$skiptoken=x",
    f"http://management.azure.com/subscriptions/{SUB}/providers/Microsoft.CostManagement/query?$skiptoken=x",
])
def test_a_next_link_outside_the_subscriptions_endpoint_is_not_collectable_at_once(link: str):
    calls: list[str] = []

    def handler(seen: Seen) -> Reply:
        calls.append(seen.url)
        return page(seen.body, next_link=link)

    with pytest.raises(NotCollectable, match="outside this subscription"):
        run(handler)
    assert len(calls) == 1  # the foreign link was never requested (the token does not follow it)


def test_falls_back_to_pretaxcost_and_logs_the_code_when_cost_is_not_a_valid_column(caplog: pytest.LogCaptureFixture):
    def handler(seen: Seen) -> Reply:
        if seen.body["dataset"]["aggregation"]["totalCost"]["name"] == "Cost":
            return Reply(400, {"error": {"code": "BadRequest", "message": "Cost is not a valid aggregation column"}})
        return page(seen.body)

    with caplog.at_level(logging.WARNING):
        collected, _ = run(handler)
    assert collected.data["sections"]["totals"]["columns"][0]["name"] == "PreTaxCost"
    assert "code BadRequest" in caplog.text


def test_waits_the_qpu_retry_after_when_throttled_then_succeeds():
    replies = [Reply(429, {"error": {"code": "429", "message": "Too many requests. Please retry."}},
                     {"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "7"})]
    sleeps = Sleeps()
    _, arm = run(lambda seen: replies.pop() if replies else page(seen.body), sleeps)
    assert len(arm.requests) == 7  # 6 steps (C2, T, C1's four months), one of them asked twice
    assert any(7.0 <= s < 7.5 for s in sleeps.calls)


def test_raises_throttled_when_the_service_keeps_refusing():
    throttled = Reply(429, {"error": {"code": "429", "message": "Too many requests."}},
                      {"x-ms-ratelimit-microsoft.costmanagement-entity-retry-after": "5"})
    with pytest.raises(Throttled):
        run(lambda seen: throttled)


def test_hands_the_task_back_when_the_next_turn_is_past_its_time_budget():
    # given: every answer is a 429 asking for 60 s, and the delivery may take 100 s in all
    sleeps = Sleeps()
    arm = FakeArm(lambda seen: Reply(429, {"error": {"code": "429", "message": "Too many requests"}},
                                     {"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "60"}))
    ledger = QpuLedger(MemoryTable(), clock=sleeps.clock, sleep=sleeps)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential(), day=TODAY)
    # when / then
    with pytest.raises(TransientError):
        collect(request, history_days=90, client=client_for(arm), budget=ledger, sleep=sleeps, clock=sleeps.clock,
                max_seconds=100.0, arm_endpoint=ARM)
    assert len(arm.requests) == 2 and sleeps.now - 1_000_000.0 < 130.0


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
def test_cost_management_refusals_are_read_by_code_per_subscription(status: int, code: str, expected: type):
    with pytest.raises(expected) as raised:
        run(lambda seen: Reply(status, {"error": {"code": code, "message": "refused"}}))
    if expected is AccessDenied:
        # a subscription's denial carries ARM's code; only a token ARM refuses is the whole customer's sign-in
        assert raised.value.code == (SIGN_IN_REFUSED if code == "InvalidAuthenticationToken" else code)  # type: ignore[attr-defined]
    if code == "SubscriptionNotFound":
        assert "next scan" in raised.value.reason  # type: ignore[attr-defined]


def test_the_capacity_step_follows_the_needs_when_the_inventory_answers():
    needs = SeriesNeeds(requests=(), capacity_accounts=("/subscriptions/x/r/a",))
    seen_meters: list[str] = []

    def handler(seen: Seen) -> Reply:
        groups = [g["name"] for g in seen.body["dataset"]["grouping"]]
        if groups == ["ResourceId", "Meter"] and seen.body["dataset"]["granularity"] == "None":
            return page(seen.body, [[2.0, "/subscriptions/x/r/a", "Hot LRS Data Stored", "GBP"],
                                    [1.0, "/subscriptions/x/r/a", "Hot Write Operations", "GBP"]])
        if groups == ["ResourceId", "Meter"]:
            seen_meters.extend(seen.body["dataset"]["filter"]["and"][1]["dimensions"]["values"])
        return page(seen.body)

    collected, _ = run(handler, progress=MemoryProgress(needs=lambda partial, final: needs))
    assert seen_meters == ["Hot LRS Data Stored"]
    assert "capacity" in collected.data["sections"]
    assert collected.data["missing"] == {}
