"""The estate index: resources by lower-cased id, each resource's cost with its child resources, and the
optional evidence some rules read (lifecycle policies, protected backup items, cost by meter, Advisor).

A resource's cost includes its child resources (cost rows whose id starts with the resource id + "/").
Every optional source answers None (or "unknown") when a scan did not collect it: older raw envelopes
analyse exactly as before. The keys are listed in docs/data-contract.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from shared.analysis.cost_detail import MeterCosts, SeriesRecorder, daily_costs, read_meter_costs, series_sources
from shared.analysis.cost_sums import canonical, canonical_nested
from shared.analysis.costs import WINDOW_DAYS, CostIndex, build_cost_index
from shared.analysis.model import ScanInputs

__all__ = ["WINDOW_DAYS", "EstateIndex", "PolicyRead", "build_index", "parent_ids"]

PolicyRead = Literal["enabled", "no-enabled-rule", "absent", "unknown"]


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


def read_policy(entry: Any) -> PolicyRead:
    """One management-policy read: 200 with an enabled rule, 200 without one, 404 (none set), or unknown."""
    if not isinstance(entry, dict):
        return "unknown"
    status = entry.get("status")
    if status == 404:
        return "absent"
    if status != 200:
        return "unknown"  # 403, 429, 5xx: we could not see it, which is not "absent"
    policy = entry.get("policy")
    if isinstance(policy, dict) and isinstance(policy.get("properties"), dict):
        policy = policy["properties"].get("policy")  # the whole ARM body was stored
    rules = policy.get("rules") if isinstance(policy, dict) else None
    if not isinstance(rules, list):
        return "unknown"
    # The REST spec defaults a rule's `enabled` to true when omitted.
    return "enabled" if any(isinstance(r, dict) and r.get("enabled", True) is not False for r in rules) \
        else "no-enabled-rule"


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
    # Optional evidence (None when no subscription of the scan collected it).
    management_policies: dict[str, Any] | None = None
    recovery_services: list[dict[str, Any]] | None = None
    advisor_recs: list[dict[str, Any]] = field(default_factory=list)
    advisor_configurations: list[dict[str, Any]] | None = None
    meters: MeterCosts = field(default_factory=MeterCosts)
    rolled30_by_meter: dict[str, dict[str, float]] = field(default_factory=dict)
    cost_subscriptions: set[str] = field(default_factory=set)
    cost_data: list[dict[str, Any]] = field(default_factory=list)
    recorder: SeriesRecorder | None = None

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

    def cost_known(self, resource_id: str) -> bool:
        """Whether the bill of the resource's subscription was collected (so a zero cost means "billed nothing")."""
        parts = resource_id.lower().split("/")
        return len(parts) > 2 and parts[2] in self.cost_subscriptions

    def cost30_meters(self, resource_id: str) -> dict[str, float] | None:
        """Last-30-day cost by meter name, children included; None when the cost-by-meter data was not collected,
        or when some of the resource's cost has no meter name (a breakdown with a hole is not a breakdown)."""
        if not self.meters.collected:
            return None
        meters = self.rolled30_by_meter.get(resource_id.lower(), {})
        return None if "" in meters else meters

    def capacity_daily(self, resource_id: str) -> dict[dt.date, float] | None:
        """The daily cost of the resource's "Data Stored" meters; None when cost by meter was not collected."""
        if not self.meters.collected:
            return None
        if self.recorder is not None:
            self.recorder.capacity.add(resource_id.lower())
        return dict(self.meters.capacity_daily.get(resource_id.lower(), {}))

    def billed_before_last30(self, resource_id: str) -> bool | None:
        """Whether the resource billed before the last 30 days; None when the data window cannot tell."""
        start, cutoff = self.cost.window_from, self.cost.last30_from
        if not self.cost_known(resource_id) or start is None or cutoff is None or start >= cutoff:
            return None
        return self.cost_to_date(resource_id) - self.cost30(resource_id) > 0.005

    def daily_costs(self, resource_ids: set[str], categories: set[str] | None = None,
                    since: dt.date | None = None) -> dict[str, dict[dt.date, float]]:
        """Per-day cost of a few resources (lower-case ids) from `since` (default: the last 30 days), on some
        meter categories (default: all). One pass over the cost rows: ask for candidates only."""
        start = since or self.cost.last30_from
        if start is None:
            return {rid: {} for rid in resource_ids}
        if self.recorder is not None:
            self.recorder.series.append((frozenset(resource_ids), frozenset(categories or ()), start))
            return {rid: {} for rid in resource_ids}
        return daily_costs(self.cost_data, self.cost.currency, resource_ids, categories or set(), start)

    def management_policy(self, account_id: str) -> PolicyRead:
        """The storage account's lifecycle policy as read over ARM; "unknown" when it was not read."""
        if self.management_policies is None:
            return "unknown"
        return read_policy(self.management_policies.get(account_id.lower()))

    def protected_items(self) -> list[dict[str, Any]] | None:
        """Backup protected items (Resource Graph `recoveryservicesresources`); None when not collected."""
        return self.recovery_services


def _roll_up(per_resource: dict[str, dict[str, float]], resources: dict[str, Any]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for rid, values in per_resource.items():
        for target in parent_ids(rid):
            if target == rid or target in resources:
                for key, value in values.items():
                    out[target][key] += value
    return {k: dict(v) for k, v in canonical_nested(out).items()}


def _optional_graph(index: EstateIndex, data: dict[str, Any]) -> None:
    policies = data.get("management_policies")
    if isinstance(policies, dict):
        index.management_policies = index.management_policies or {}
        index.management_policies.update({str(k).lower(): v for k, v in policies.items()})
    items = data.get("recovery_services")
    if isinstance(items, list):
        index.recovery_services = (index.recovery_services or []) + [r for r in items if isinstance(r, dict)]


def build_index(inputs: ScanInputs) -> EstateIndex:
    """Index resources and costs of every subscription of the scan."""
    resources: dict[str, dict[str, Any]] = {}
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    containers: list[dict[str, Any]] = []
    quotas: dict[str, str] = {}
    graphs: list[dict[str, Any]] = []
    for sub in inputs.subscriptions:
        if sub.quota_id:
            quotas[sub.subscription_id.lower()] = sub.quota_id
        graph = sub.raw.get("resource-graph")
        if graph is None:
            continue
        graphs.append(graph.data)
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
    rolled = _roll_up(cost.last30, resources)
    rolled_window: dict[str, float] = defaultdict(float)
    for rid, value in cost.window_total.items():
        for target in parent_ids(rid):
            if target == rid or target in resources:
                rolled_window[target] += value
    missing = {s.subscription_id: dict(s.missing) for s in inputs.subscriptions if s.missing}
    index = EstateIndex(resources, dict(by_type), containers, cost,
                        canonical({rid: sum(meters.values()) for rid, meters in rolled.items()}), rolled,
                        dict(canonical(rolled_window)), quotas, missing)
    for data in graphs:
        _optional_graph(index, data)
    cost_data = [s.raw["cost"].data for s in inputs.subscriptions if "cost" in s.raw]
    index.cost_data = series_sources(cost_data)
    index.cost_subscriptions = {s.subscription_id.lower() for s in inputs.subscriptions
                                if "cost" in s.raw and str(s.raw["cost"].data.get("currency") or "") == cost.currency}
    index.meters = read_meter_costs(cost_data, cost.currency, cost.window_to)
    index.rolled30_by_meter = _roll_up(index.meters.last30, resources)
    for sub in inputs.subscriptions:
        advisor = sub.raw.get("advisor")
        if advisor is None:
            continue
        index.advisor_recs += [r for r in advisor.data.get("recommendations") or [] if isinstance(r, dict)]
        configurations = advisor.data.get("configurations")
        if isinstance(configurations, list):
            index.advisor_configurations = (index.advisor_configurations or []) + configurations
    return index
