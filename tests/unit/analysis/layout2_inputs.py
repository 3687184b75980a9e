"""Test helper: an estate's cost collected both ways, the same data in each.

Layout 2 is what the real cost collector writes: shared.collectors.cost.collect over a transport that answers
every query with the simulator's own query semantics (local.simulator.cost_query and cost_management.aggregate
over the estate's expanded rows), the real dry run for the daily series (shared.analysis.series_needs) and the
estate's anomalous days found across every subscription of the tenant, as the pipeline finds them. Layout 1 is
the pre-issue-17 envelope (demo_inputs.cost_data) plus, when asked, the rules' legacy `meters` key holding the
same cost by meter (daily, last 30 days), so both carry the same facts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from local.estates.model import Subscription, Tenant, expand_costs
from local.memtable import MemoryTable
from local.simulator.cost_management import aggregate
from local.simulator.cost_query import parse_definition, row_matches
from shared.analysis import ScanInputs
from shared.analysis.series_needs import driver_days, plan_needs
from shared.arm import cost_management_client
from shared.collectors import CollectRequest
from shared.collectors.cost import collect
from shared.collectors.cost_plan import EVERY_DAY_MAX_PAGES, METER_CATEGORIES
from shared.collectors.cost_state import MemoryProgress, SeriesNeeds
from shared.collectors.quota import QpuLedger
from shared.errors import Deferred
from tests.unit.analysis.demo_inputs import TODAY, cost_data, graph_data, scan_inputs
from tests.unit.collectors.fake_arm import FakeArm, FakeCredential, Reply, Seen

ARM = "https://management.azure.com"
UNLIMITED = ((1.0, 100_000), (2.0, 100_000), (3.0, 100_000))


def answer(sub: Subscription, today: dt.date) -> Any:
    """A transport handler: every query answered from the estate, as the simulator would (one page)."""
    rows = {kind: list(expand_costs(sub, today, kind)) for kind in ("ActualCost", "AmortizedCost")}

    def handler(seen: Seen) -> Reply:
        spec = parse_definition(seen.body, today)
        picked = [r for r in rows[spec.kind] if spec.start <= r.date <= spec.end and row_matches(spec.filter, r)]
        return Reply(200, {"properties": {"columns": spec.columns(), "rows": aggregate(spec, picked),
                                          "nextLink": None}})

    return handler


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def collect_tenant(tenant: Tenant, subscriptions: list[Subscription], today: dt.date = TODAY,
                   every_day_max_pages: int = EVERY_DAY_MAX_PAGES) -> dict[str, Any]:
    """Layout-2 cost data of each subscription (Cost Management refusing one: left out, as the collector fails)."""
    clock = _Clock()
    ledger = QpuLedger(MemoryTable(), clock=clock.time, sleep=clock.sleep, limits=UNLIMITED, hard_limits=UNLIMITED)
    live = [s for s in subscriptions if s.cost_error is None]
    progresses: dict[str, MemoryProgress] = {}

    def days_of(sub: Subscription) -> Any:
        def days(partial: dict[str, Any]) -> list[dt.date] | None:
            if any("estate" not in p.parts for p in progresses.values()):
                return None
            return driver_days([progresses[s.subscription_id].parts["estate"] for s in live], sub.subscription_id)
        return days

    def needs_of(sub: Subscription) -> Any:
        def needs(partial: dict[str, Any], final: bool) -> SeriesNeeds:
            return plan_needs(sub.subscription_id.lower(), graph_data(sub), partial)
        return needs

    for sub in live:
        progresses[sub.subscription_id] = MemoryProgress(needs=needs_of(sub), anomaly_days=days_of(sub))
    out: dict[str, Any] = {}
    while len(out) < len(live):
        for sub in live:
            if sub.subscription_id in out:
                continue
            request = CollectRequest(scan_id="scan-demo", subscription_id=sub.subscription_id, tenant_id="t",
                                     credential=FakeCredential(), day=today)
            client = cost_management_client(FakeCredential(), transport=FakeArm(answer(sub, today)), retry_total=0,
                                            base_url=ARM)
            try:
                out[sub.subscription_id] = collect(request, history_days=90, client=client, budget=ledger,
                                                   progress=progresses[sub.subscription_id], sleep=clock.sleep,
                                                   clock=clock.time, arm_endpoint=ARM,
                                                   every_day_max_pages=every_day_max_pages).data
            except Deferred:
                clock.now += 1.0  # waits for the other subscriptions' daily totals: they are collected next
    return out


def legacy_meters(sub: Subscription, today: dt.date = TODAY) -> dict[str, Any]:
    """The rules' layout-1 `meters` key: daily cost by ResourceId and Meter over the last 30 days (C2's data)."""
    start = today - dt.timedelta(days=30)
    sums: dict[tuple[int, str, str], float] = defaultdict(float)
    for row in expand_costs(sub, today, "AmortizedCost"):
        if row.date >= start and row.dims["MeterCategory"] in METER_CATEGORIES:
            sums[(int(row.date.strftime("%Y%m%d")), row.dims["ResourceId"], row.dims["Meter"])] += row.cost
    columns = [{"name": "Cost"}, {"name": "UsageDate"}, {"name": "ResourceId"}, {"name": "Meter"},
               {"name": "Currency"}]
    return {"columns": columns, "rows": [[round(v, 6), d, r, m, sub.billing_currency]
                                         for (d, r, m), v in sorted(sums.items())]}


def scan_both_ways(tenant: Tenant, today: dt.date = TODAY,
                   every_day_max_pages: int = EVERY_DAY_MAX_PAGES) -> tuple[ScanInputs, ScanInputs]:
    """The tenant's scan with layout-1 cost envelopes (plus legacy meters) and with layout-2 ones (0 pages: every
    subscription read by the summary steps, as a large one is)."""
    old = scan_inputs(tenant, today)
    subs = {s.subscription_id: s for s in tenant.subscriptions}
    new_data = collect_tenant(tenant, [subs[s.subscription_id] for s in old.subscriptions], today,
                              every_day_max_pages)
    layout1, layout2 = [], []
    for inputs in old.subscriptions:
        raw1, raw2 = dict(inputs.raw), dict(inputs.raw)
        if "cost" in inputs.raw:
            sub = subs[inputs.subscription_id]
            raw1["cost"] = inputs.raw["cost"].model_copy(
                update={"data": {**cost_data(sub, today), "meters": legacy_meters(sub, today)}})
            raw2["cost"] = inputs.raw["cost"].model_copy(update={"data": new_data[inputs.subscription_id]})
        layout1.append(inputs.__class__(**{**inputs.__dict__, "raw": raw1}))
        layout2.append(inputs.__class__(**{**inputs.__dict__, "raw": raw2}))
    return (ScanInputs(**{**old.__dict__, "subscriptions": layout1}),
            ScanInputs(**{**old.__dict__, "subscriptions": layout2}))
