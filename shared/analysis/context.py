"""Environment, owner hint and cost centre of every resource (report design D4.1, D4.2), derived once.

The one implementation of D4: findings, batches, the plan, the analytics and the CSV read the same values from
one `EstateContext` (the engine builds it once per scan); dr.py adds D4.3 on top and finding_context.py gathers
both for a finding. A subscription scope (a guardrail, a commitment) takes the environment of most of its
last-30-day spend, so the subscription reads the same in the plan, the analytics and `subscriptions[]`. Tag
values are customer data: they come back truncated to 64 characters and must be escaped wherever they are shown;
keys such as `contact`, `description` or `notes` are never read (the demo estate plants instructions there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.analysis.context_keys import (
    AKS_CLUSTER_RG,
    COST_CENTRE_KEYS,
    ENV_KEYS,
    ENV_LABELS,
    ENV_VALUES,
    MAX_VALUE,
    NEVER_READ,
    OWNER_KEYS,
    env_of_value,
    name_tokens,
    norm_key,
    offer_is_dev_test,
    split_id,
)
from shared.analysis.index import EstateIndex, parent_ids

__all__ = ["COST_CENTRE_KEYS", "ENV_KEYS", "ENV_LABELS", "MAX_VALUE", "OWNER_KEYS", "Environment", "EstateContext",
           "TagHint", "name_tokens", "norm_key", "split_id"]

@dataclass(frozen=True, slots=True)
class Environment:
    """A resource's environment, which rule gave it, and the raw tag value when it was not one we map."""

    value: str  # prod | dev | test | sandbox | other | unknown
    source: str  # tag | resource group tag | subscription tag | cluster tag | offer | resource group name | ...
    raw: str | None = None

    @property
    def label(self) -> str:
        """Production, Development, Test, Sandbox, Other or Unknown."""
        return ENV_LABELS[self.value]


@dataclass(frozen=True, slots=True)
class TagHint:
    """An owner or cost-centre value (customer data, at most 64 characters) and where it came from."""

    value: str | None
    source: str  # tag | resource group tag | subscription tag | cluster tag | none


Layer = tuple[str, Mapping[str, str]]  # (source, tags with normalised keys)


def _normalised(tags: Any) -> dict[str, str]:
    if not isinstance(tags, dict):
        return {}
    return {norm_key(str(k)): str(v) for k, v in tags.items() if norm_key(str(k)) not in NEVER_READ}


class EstateContext:
    """Environment, owner and cost centre per resource id, from inventory tags, containers and offers."""

    def __init__(self, index: EstateIndex, display_names: Mapping[str, str | None]) -> None:
        self.index = index
        self.display_names = {k.lower(): v or "" for k, v in display_names.items()}
        self.group_tags: dict[tuple[str, str], dict[str, str]] = {}
        self.group_names: dict[tuple[str, str], str] = {}
        self.sub_tags: dict[str, dict[str, str]] = {}
        for row in index.containers:
            kind = str(row.get("type") or "").lower()
            sub = str(row.get("subscriptionId") or "").lower()
            if kind == "microsoft.resources/subscriptions":
                self.sub_tags[sub] = _normalised(row.get("tags"))
                self.display_names.setdefault(sub, str(row.get("name") or ""))
            elif kind == "microsoft.resources/subscriptions/resourcegroups":
                name = str(row.get("name") or "")
                self.group_tags[(sub, name.lower())] = _normalised(row.get("tags"))
                self.group_names[(sub, name.lower())] = name
        self.node_groups = self._node_groups()
        self._layers: dict[str, list[Layer]] = {}
        self._env: dict[str, Environment] = {}
        self._env_above: dict[tuple[str, str, str], Environment] = {}
        self._by_spend: dict[str, str] | None = None

    def _node_groups(self) -> dict[tuple[str, str], str]:
        """AKS node resource group -> the cluster's resource group (from the clusters' own properties)."""
        out: dict[tuple[str, str], str] = {}
        for row in self.index.of_type("microsoft.containerservice/managedclusters"):
            node = str((row.get("properties") or {}).get("nodeResourceGroup") or "").lower()
            if node:
                out[(str(row.get("subscriptionId") or "").lower(), node)] = str(row.get("resourceGroup") or "").lower()
        return out

    def row_of(self, resource_id: str) -> dict[str, Any] | None:
        """The inventory row of the resource, or of its nearest ancestor in inventory (child cost rows)."""
        for candidate in parent_ids(resource_id.lower()):
            row = self.index.resources.get(candidate)
            if row is not None:
                return row
        return None

    def _cluster_group(self, sub: str, group: str, own: Mapping[str, str]) -> str:
        """The AKS cluster's resource group for a resource in its node resource group ('' otherwise)."""
        return own.get(AKS_CLUSTER_RG, "").lower() or self.node_groups.get((sub, group), "")

    def layers(self, resource_id: str) -> list[Layer]:
        """Tag layers in fallback order: resource, resource group, subscription, AKS cluster resource group."""
        rid = resource_id.lower()
        cached = self._layers.get(rid)
        if cached is None:
            cached = self._layers[rid] = self._layers_of(rid)
        return cached

    def _layers_of(self, rid: str) -> list[Layer]:
        """layers() of a lower-case id, worked out afresh."""
        sub, group = split_id(rid)
        row = self.row_of(rid)
        own = _normalised(row.get("tags")) if row else {}
        out: list[Layer] = [("tag", own), ("resource group tag", self.group_tags.get((sub, group), {})),
                            ("subscription tag", self.sub_tags.get(sub, {}))]
        cluster = self._cluster_group(sub, group, own)
        if cluster:
            out.append(("cluster tag", self.group_tags.get((sub, cluster), {})))
        return out

    def _hint(self, resource_id: str, keys: tuple[str, ...]) -> TagHint:
        for source, tags in self.layers(resource_id):
            for key in keys:
                value = tags.get(key, "").strip()
                if value:
                    return TagHint(value[:MAX_VALUE], source)
        return TagHint(None, "none")

    def owner(self, resource_id: str) -> TagHint:
        """D4.2: the first owner-like key on the resource, its group, the subscription, then the cluster's group."""
        return self._hint(resource_id, OWNER_KEYS)

    def cost_centre(self, resource_id: str) -> TagHint:
        """D4.2: the first cost-centre-like key, in the same fallback order as the owner."""
        return self._hint(resource_id, COST_CENTRE_KEYS)

    def environment(self, resource_id: str) -> Environment:
        """D4.1: the first rule that fires (tags, cluster group, offer, names), else unknown."""
        rid = resource_id.lower()
        found = self._env.get(rid)
        if found is None:
            found = self._env[rid] = self._environment(rid)
        return found

    def _subscription_by_spend(self, sub: str) -> Environment | None:
        """A subscription's environment: the one with most of its resources' last-30-day spend (None: no cost)."""
        if self._by_spend is None:
            spend: dict[str, dict[str, float]] = {}
            for rid, meters in self.index.cost.last30.items():
                if split_id(rid)[1]:
                    envs = spend.setdefault(split_id(rid)[0], {})
                    env = self.environment(rid).value
                    envs[env] = envs.get(env, 0.0) + sum(meters.values())
            self._by_spend = {s: max(sorted(envs), key=lambda e: envs[e]) for s, envs in spend.items() if envs}
        value = self._by_spend.get(sub)
        return Environment(value, "most of its spend") if value else None

    def _environment(self, rid: str) -> Environment:
        sub, group = split_id(rid)
        if sub and not group and rid.rstrip("/") == f"/subscriptions/{sub}":
            found = self._subscription_by_spend(sub)
            if found is not None:
                return found
        # The environment is kept (`_env`) and asked for every billed resource; the layers are kept only by the
        # reads that come back to them (owner, cost centre, DR): every billed resource's were 40 MB at 100,000.
        layers = self._layers.get(rid)
        if layers is None:
            layers = self._layers_of(rid)
        found = self._env_from_tags(layers[:1])
        if found is not None:
            return found
        # Everything above the resource is shared by its resource group: worked out once per group (and cluster).
        sub, group = split_id(rid)
        key = (sub, group, self._cluster_group(sub, group, layers[0][1]))
        above = self._env_above.get(key)
        if above is None:
            above = self._env_above[key] = self._env_from_tags(layers[1:]) or self._env_from_names(sub, group)
        return above

    @staticmethod
    def _env_from_tags(layers: list[Layer]) -> Environment | None:
        for source, tags in layers:
            value = next((tags[k].strip() for k in ENV_KEYS if tags.get(k, "").strip()), None)
            if value is not None:
                mapped = env_of_value(value)
                return Environment(mapped, source) if mapped else Environment("other", source, value[:MAX_VALUE])
        return None

    def _env_from_names(self, sub: str, group: str) -> Environment:
        if offer_is_dev_test(self.index.quota_by_subscription.get(sub)):
            return Environment("test", "offer")
        for source, name in (("resource group name", self.group_names.get((sub, group), group)),
                             ("subscription name", self.display_names.get(sub, ""))):
            for token in name_tokens(name):
                if token in ENV_VALUES:
                    return Environment(ENV_VALUES[token], source)
        return Environment("unknown", "none")
