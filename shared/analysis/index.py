"""The estate index: resources by lower-cased id, and each resource's cost with its child resources.

A resource's cost includes its child resources (cost rows whose id starts with the resource id + "/").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from shared.analysis.costs import WINDOW_DAYS, CostIndex, build_cost_index
from shared.analysis.model import ScanInputs

__all__ = ["WINDOW_DAYS", "EstateIndex", "build_index", "parent_ids"]


def parent_ids(resource_id: str) -> list[str]:
    """The resource's own id and every ancestor resource id below the provider segment, longest first."""
    parts = resource_id.split("/")
    out = [resource_id]
    # /subscriptions/s/resourceGroups/rg/providers/ns/type/name = 9 parts; children add 2 each.
    length = len(parts) - 2
    while length >= 9:
        out.append("/".join(parts[:length]))
        length -= 2
    return out


@dataclass
class EstateIndex:
    """Everything the rules read, keyed for constant-time lookups."""

    resources: dict[str, dict[str, Any]]
    by_type: dict[str, list[dict[str, Any]]]
    containers: list[dict[str, Any]]
    cost: CostIndex
    # resource id -> last-30-day cost including children, and the same per meter category
    rolled30: dict[str, float]
    rolled30_meter: dict[str, dict[str, float]]
    rolled_window: dict[str, float]
    quota_by_subscription: dict[str, str]
    sources_missing: dict[str, dict[str, str]]

    def of_type(self, arm_type: str) -> list[dict[str, Any]]:
        """Resource rows of one (lower-case) type."""
        return self.by_type.get(arm_type, [])

    def cost30(self, resource_id: str) -> float:
        """The resource's last-30-day amortized cost, child resources included."""
        return self.rolled30.get(resource_id.lower(), 0.0)

    def cost30_meter(self, resource_id: str, meter_category: str) -> float:
        """The resource's last-30-day cost on one meter category."""
        return self.rolled30_meter.get(resource_id.lower(), {}).get(meter_category, 0.0)

    def cost_to_date(self, resource_id: str) -> float:
        """The resource's cost over the whole data window."""
        return self.rolled_window.get(resource_id.lower(), 0.0)


def build_index(inputs: ScanInputs) -> EstateIndex:
    """Index resources and costs of every subscription of the scan."""
    resources: dict[str, dict[str, Any]] = {}
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    containers: list[dict[str, Any]] = []
    quotas: dict[str, str] = {}
    for sub in inputs.subscriptions:
        if sub.quota_id:
            quotas[sub.subscription_id.lower()] = sub.quota_id
        graph = sub.raw.get("resource-graph")
        if graph is None:
            continue
        for row in graph.data.get("resources") or []:
            rid = str(row.get("id") or "").lower()
            if rid:
                resources[rid] = row
                by_type[str(row.get("type") or "").lower()].append(row)
        for row in graph.data.get("resource_containers") or []:
            containers.append(row)
            quota = ((row.get("properties") or {}).get("subscriptionPolicies") or {}).get("quotaId")
            if quota and str(row.get("type", "")).lower() == "microsoft.resources/subscriptions":
                quotas.setdefault(str(row.get("subscriptionId") or "").lower(), str(quota))
    cost = build_cost_index(inputs)
    rolled30: dict[str, float] = defaultdict(float)
    rolled30_meter: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    rolled_window: dict[str, float] = defaultdict(float)
    for rid, meters in cost.last30.items():
        for target in parent_ids(rid):
            if target == rid or target in resources:
                for meter, value in meters.items():
                    rolled30[target] += value
                    rolled30_meter[target][meter] += value
    for rid, value in cost.window_total.items():
        for target in parent_ids(rid):
            if target == rid or target in resources:
                rolled_window[target] += value
    missing = {s.subscription_id: dict(s.missing) for s in inputs.subscriptions if s.missing}
    return EstateIndex(resources, dict(by_type), containers, cost, dict(rolled30),
                       {k: dict(v) for k, v in rolled30_meter.items()}, dict(rolled_window), quotas, missing)
