"""Test helper: a peer-check fixture (tests/fixtures/peer_checks/<rule>.json) as the raw envelopes a scan writes.

Fixture evidence becomes what the collectors provide (docs/data-contract.md): `cost_30d` daily cost rows by
meter category (spread evenly over the 90-day window, from `first_cost_day` when given), `cost_30d_meter` the
cost-by-meter section (and its category totals), `compute_days` the daily shape of a VM's compute cost,
`capacity_daily` a linear "Data Stored" series, `arm_get` the lifecycle policy reads, `tables` rows of
`recoveryservicesresources`, `advisor` recommendations, `resource_containers` the subscription rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from shared.analysis import ScanInputs, SubscriptionInputs
from shared.analysis.index import build_index
from shared.analysis.rules.base import RuleContext
from shared.rawdata import RawEnvelope

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "peer_checks"
WINDOW_DAYS = 90
_DICT_EVIDENCE = ("cost_30d", "cost_30d_meter", "compute_days", "capacity_daily", "arm_get", "tables")
_OTHER_EVIDENCE = ("first_cost_day", "advisor", "resource_containers")
CAPACITY_METER = "Hot LRS Data Stored"


def load_fixture(rule: str) -> dict[str, Any]:
    """The fixture of one rule (a missing file fails the caller)."""
    fixture: dict[str, Any] = json.loads((FIXTURES / f"{rule}.json").read_text(encoding="utf-8"))
    return fixture


def evidence_of(fixture: dict[str, Any], case: dict[str, Any] | None = None) -> dict[str, Any]:
    """The fixture's evidence, with a near miss's own evidence merged over it."""
    out: dict[str, Any] = {k: dict(fixture[k]) for k in _DICT_EVIDENCE if k in fixture}
    out |= {k: fixture[k] for k in _OTHER_EVIDENCE if k in fixture}
    for key, value in (case or {}).items():
        if key in _DICT_EVIDENCE:
            out[key] = {**out.get(key, {}), **value}
        elif key in _OTHER_EVIDENCE:
            out[key] = value
    return out


def _day(value: dt.date) -> int:
    return int(value.strftime("%Y%m%d"))


def _spread(amount: float, days: list[dt.date], weights: list[float]) -> list[tuple[dt.date, float]]:
    total = sum(weights)
    return [(d, amount * w / total) for d, w in zip(days, weights, strict=True) if w > 0] if total else []


def _compute_shape(amount: float, shape: dict[str, Any], last30: list[dt.date]) -> list[tuple[dt.date, float]]:
    """A VM's 30-day compute cost over the days it billed, weekends weighted as the fixture says."""
    billed, ratio = int(shape["days_billed_of_last_30"]), float(shape["weekend_to_weekday_daily_cost"])
    days = [d for d in last30 if ratio > 0 or d.weekday() < 5][-billed:]
    return _spread(amount, days, [ratio if d.weekday() >= 5 else 1.0 for d in days])


def cost_data(ev: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The cost envelope's data: rows by ResourceId and MeterCategory, and the meters section when given."""
    window = [today - dt.timedelta(days=WINDOW_DAYS - 1 - i) for i in range(WINDOW_DAYS)]
    last30 = window[-30:]
    by_category: dict[str, dict[str, float]] = defaultdict(dict)
    for rid, categories in ev.get("cost_30d", {}).items():
        by_category[rid].update(categories)
    meter_rows: list[list[Any]] = []
    for rid, meters in ev.get("cost_30d_meter", {}).items():
        for key, amount in meters.items():
            category, meter = key.split("|", 1)
            by_category[rid].setdefault(category, 0.0)
            if category not in ev.get("cost_30d", {}).get(rid, {}):
                by_category[rid][category] += amount
            meter_rows += [[a, _day(d), rid.lower(), meter, "GBP"] for d, a in _spread(amount, last30, [1.0] * 30)]
    rows: list[list[Any]] = []
    for rid, series in ev.get("capacity_daily", {}).items():
        step = (series["last_day"] - series["first_day"]) / 29
        for i, d in enumerate(last30):
            value = series["first_day"] + step * i
            meter_rows.append([value, _day(d), rid.lower(), CAPACITY_METER, "GBP"])
            rows.append([value, _day(d), rid.lower(), "Storage", "GBP"])
    first = dt.date.fromisoformat(ev["first_cost_day"]) if "first_cost_day" in ev else window[0]
    for rid, categories in by_category.items():
        for category, amount in categories.items():
            shape = ev.get("compute_days", {}).get(rid)
            if shape is not None and category == "Virtual Machines":
                spread = _compute_shape(amount, shape, last30)
            else:
                spread = [(d, amount / 30) for d in window if d >= first]
            rows += [[a, _day(d), rid.lower(), category, "GBP"] for d, a in spread]
    columns = [{"name": n, "type": "x"} for n in ("Cost", "UsageDate", "ResourceId", "MeterCategory", "Currency")]
    data: dict[str, Any] = {"currency": "GBP", "columns": columns, "rows": rows,
                            "window": {"from": window[0].isoformat(), "to": today.isoformat()}}
    if "cost_30d_meter" in ev or "capacity_daily" in ev:
        data["meters"] = {"columns": [{"name": n, "type": "x"} for n in
                                      ("Cost", "UsageDate", "ResourceId", "Meter", "Currency")], "rows": meter_rows}
    return data


def graph_data(rows: list[dict[str, Any]], ev: dict[str, Any]) -> dict[str, Any]:
    """Resource Graph rows by table, and the lifecycle policy reads (arm_get) keyed by account id."""
    tables = {k.lower(): v for k, v in ev.get("tables", {}).items()}
    data: dict[str, Any] = {
        "resources": [r for r in rows if str(r["id"]).lower() not in tables],
        "resource_containers": ev.get("resource_containers", []),
    }
    protected = [r for r in rows if tables.get(str(r["id"]).lower()) == "recoveryservicesresources"]
    if protected:
        data["recovery_services"] = protected
    if "arm_get" in ev:
        data["management_policies"] = {
            path.split("?", 1)[0].lower().rsplit("/managementpolicies/", 1)[0]:
                {"status": read["status"], "policy": read["body"]["properties"]["policy"]}
                if read["status"] == 200 else {"status": read["status"]}
            for path, read in ev["arm_get"].items()}
    return data


def fixture_inputs(fixture: dict[str, Any], rows: list[dict[str, Any]], ev: dict[str, Any]) -> ScanInputs:
    """One subscription's raw envelopes for the rows and evidence of a fixture case."""
    today = dt.date.fromisoformat(fixture["today"])
    sub = str(rows[0]["subscriptionId"])
    at = dt.datetime.combine(today, dt.time(6), tzinfo=dt.UTC)
    graph, cost = graph_data(rows, ev), cost_data(ev, today)
    advisor = {"recommendations": ev.get("advisor", [])}
    raw = {name: RawEnvelope(source=name, scan_id="s1", subscription_id=sub, collected_at=at,  # type: ignore[arg-type]
                             api_versions={}, row_count=0, data=data)
           for name, data in (("resource-graph", graph), ("cost", cost), ("advisor", advisor))}
    inputs = SubscriptionInputs(subscription_id=sub, display_name="Fixture", quota_id="EnterpriseAgreement_2014-09-01",
                                raw=raw)
    return ScanInputs(customer_id="c1", scan_id="s1", company="Fixture", generated_at=at, subscriptions=[inputs])


def fixture_context(fixture: dict[str, Any], rows: list[dict[str, Any]], ev: dict[str, Any]) -> RuleContext:
    """The rule context of a fixture case, as of the fixture's day."""
    return RuleContext(index=build_index(fixture_inputs(fixture, rows, ev)), currency="GBP",
                       today=dt.date.fromisoformat(fixture["today"]))
