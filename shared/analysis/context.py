"""Environment, owner hint and cost centre of every resource (report design D4.1, D4.2), derived once.

Findings, batches, analytics and the CSV read the same values from one `EstateContext`. Tag values are customer
data: they come back truncated to 64 characters and must be escaped wherever they are shown; keys such as
`contact`, `description` or `notes` are never read (the demo estate plants instructions there).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from shared.analysis.index import EstateIndex, parent_ids

ENV_KEYS = ("env", "environment", "stage", "envtype")
OWNER_KEYS = ("owner", "createdby", "technicalowner", "technicalcontact", "team", "squad")
COST_CENTRE_KEYS = ("costcentre", "costcenter", "cc", "chargecode", "billingcode")
NEVER_READ = frozenset({"contact", "description", "notes"})
AKS_CLUSTER_RG = "aksmanagedclusterrg"
MAX_VALUE = 64

ENV_VALUES = {
    **dict.fromkeys(("prod", "production", "prd", "live"), "prod"),
    **dict.fromkeys(("dev", "development"), "dev"),
    **dict.fromkeys(("test", "tst", "qa", "uat", "staging", "stg", "preprod"), "test"),
    **dict.fromkeys(("sandbox", "sbx", "poc", "lab", "demo", "experiment"), "sandbox"),
}
ENV_LABELS = {"prod": "Production", "dev": "Development", "test": "Test", "sandbox": "Sandbox", "other": "Other",
              "unknown": "Unknown"}
_NAME_SPLIT = re.compile(r"[-_.() ]+")
_NON_ALNUM = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=4096)
def norm_key(key: str) -> str:
    """A tag key compared case-insensitively with non-alphanumerics removed (`Cost-Centre` -> `costcentre`)."""
    return _NON_ALNUM.sub("", key.lower())


def name_tokens(name: str) -> list[str]:
    """A name split on `-_.() ` and case-folded (`rg-sandbox-ddos` -> rg, sandbox, ddos)."""
    return [t for t in _NAME_SPLIT.split(name.casefold()) if t]


def env_of_value(value: str) -> str | None:
    """The environment an environment tag value or name token stands for, None when unmapped."""
    return ENV_VALUES.get(_NON_ALNUM.sub("", value.lower()))


def offer_is_dev_test(quota_id: str | None) -> bool:
    """Dev/Test offers are for non-production use (the same test as licensing's Dev/Test check)."""
    quota = quota_id or ""
    return "devtest" in quota.lower() or quota.upper().startswith("MSDN")


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


def split_id(resource_id: str) -> tuple[str, str]:
    """(subscription id, resource group), both lower case ('' when the id has none)."""
    parts = resource_id.lower().split("/")
    sub = parts[2] if len(parts) > 2 and parts[1] == "subscriptions" else ""
    group = parts[4] if len(parts) > 4 and parts[3] == "resourcegroups" else ""
    return sub, group


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
        if cached is not None:
            return cached
        sub, group = split_id(rid)
        row = self.row_of(rid)
        own = _normalised(row.get("tags")) if row else {}
        out: list[Layer] = [("tag", own), ("resource group tag", self.group_tags.get((sub, group), {})),
                            ("subscription tag", self.sub_tags.get(sub, {}))]
        cluster = self._cluster_group(sub, group, own)
        if cluster:
            out.append(("cluster tag", self.group_tags.get((sub, cluster), {})))
        self._layers[rid] = out
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

    def _environment(self, rid: str) -> Environment:
        layers = self.layers(rid)
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
