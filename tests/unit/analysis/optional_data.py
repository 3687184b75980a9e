"""Test helper: the optional data of docs/data-contract.md (C5, C6, B1, B2, R3) in the raw-envelope shapes.

`cost-detail` and `cost-config` are not yet sources the collectors write (shared/messages.SOURCES), so their
envelopes are built with `model_construct`; the analysis reads them by key like any other envelope.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

from local.estates.model import Subscription, expand_costs
from shared.analysis import ScanInputs, SubscriptionInputs
from shared.rawdata import RawEnvelope

COLLECTED = dt.datetime(2026, 12, 6, 6, 0, tzinfo=dt.UTC)


def _columns(*names: str) -> list[dict[str, str]]:
    return [{"name": n, "type": "Number" if n == "Cost" else "String"} for n in names]


def _last30(sub: Subscription, today: dt.date, kind: str) -> list[Any]:
    start = today - dt.timedelta(days=30)
    return [r for r in expand_costs(sub, today, kind) if start <= r.date < today]  # type: ignore[arg-type]


def actual_cost_table(sub: Subscription, today: dt.date) -> dict[str, Any]:
    """C5: ActualCost over the last 30 days grouped by ChargeType and PricingModel."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for row in _last30(sub, today, "ActualCost"):
        totals[(row.dims["ChargeType"], row.dims["PricingModel"])] += row.cost
    return {"type": "ActualCost", "currency": sub.billing_currency, "columns": _columns(
        "Cost", "ChargeType", "PricingModel", "Currency"),
        "rows": [[round(v, 6), c, p, sub.billing_currency] for (c, p), v in sorted(totals.items())]}


def billed_tags_table(sub: Subscription, today: dt.date, key: str) -> dict[str, Any]:
    """C6: AmortizedCost over the last 30 days grouped by TagKey `key`; untagged rows carry empty key and value,
    as the simulator answers (resource tags only: no tag inheritance)."""
    totals: dict[str, float] = defaultdict(float)
    for row in _last30(sub, today, "AmortizedCost"):
        totals[next((v for k, v in row.tags.items() if k.lower() == key.lower()), "")] += row.cost
    return {"type": "AmortizedCost", "currency": sub.billing_currency,
            "columns": _columns("Cost", "TagKey", "TagValue", "Currency"),
            "rows": [[round(v, 6), key if value else "", value, sub.billing_currency]
                     for value, v in sorted(totals.items())]}


def budget(name: str, amount: float, spent: float | None = None) -> dict[str, Any]:
    """B1: a Consumption budget in the REST shape."""
    props: dict[str, Any] = {"category": "Cost", "amount": amount, "timeGrain": "Monthly"}
    if spent is not None:
        props["currentSpend"] = {"amount": spent, "unit": "GBP"}
    return {"id": f"/providers/Microsoft.Consumption/budgets/{name}", "name": name,
            "type": "Microsoft.Consumption/budgets", "properties": props}


def anomaly_alert(status: str = "Enabled") -> dict[str, Any]:
    """B2: a Cost Management scheduled action of kind InsightAlert."""
    view = "/providers/Microsoft.CostManagement/views/ms:DailyAnomalyByResourceGroup"
    return {"name": "daily-anomaly", "kind": "InsightAlert", "properties": {"status": status, "viewId": view}}


def assignment(sub_id: str, definition: str, tag: str | None = None, scope: str | None = None) -> dict[str, Any]:
    """R3: a policy assignment row (Resource Graph policyresources)."""
    props: dict[str, Any] = {"policyDefinitionId": f"/providers/Microsoft.Authorization/policyDefinitions/{definition}",
                             "scope": scope or f"/subscriptions/{sub_id}", "enforcementMode": "Default"}
    if tag is not None:
        props["parameters"] = {"tagName": {"value": tag}}
    return {"id": f"/subscriptions/{sub_id}/providers/Microsoft.Authorization/policyAssignments/a1",
            "name": "a1", "properties": props}


def _envelope(source: str, sub_id: str, data: dict[str, Any]) -> RawEnvelope:
    # `source` is not yet one of shared.messages.Source (the collectors do not write these sources yet).
    return RawEnvelope.model_construct(schema_version=1, source=source,  # type: ignore[arg-type]
                                       scan_id="scan-demo", subscription_id=sub_id, collected_at=COLLECTED,
                                       api_versions={}, row_count=0, data=data)


def with_optional(inputs: ScanInputs, *, detail: dict[str, dict[str, Any]] | None = None,
                  config: dict[str, dict[str, Any]] | None = None,
                  policies: dict[str, list[dict[str, Any]]] | None = None) -> ScanInputs:
    """The scan with cost-detail, cost-config envelopes and R3 rows added per subscription id."""
    subs = []
    for sub in inputs.subscriptions:
        raw = dict(sub.raw)
        sid = sub.subscription_id
        if detail and sid in detail:
            raw["cost-detail"] = _envelope("cost-detail", sid, detail[sid])
        if config and sid in config:
            raw["cost-config"] = _envelope("cost-config", sid, config[sid])
        if policies is not None and sid in policies and "resource-graph" in raw:
            graph = raw["resource-graph"]
            raw["resource-graph"] = graph.model_copy(update={"data": {**graph.data,
                                                                      "policy_assignments": policies[sid]}})
        subs.append(SubscriptionInputs(sid, sub.display_name, sub.quota_id, raw, dict(sub.missing)))
    return dataclasses.replace(inputs, subscriptions=subs)
