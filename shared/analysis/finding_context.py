"""Environment, owner, cost centre and disaster-recovery context of a resource (report-design D4.1 to D4.3).

Derived once per resource from inventory tags (the resource, its resource group, its subscription, and for an
AKS node resource group the cluster's), the subscription's offer and names, and the bill; findings, the plan
and the CSV read the same values. Tag values are customer data: truncated, never put in a prompt, escaped
wherever shown. Keys such as `contact`, `description` or `notes` are never read.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from shared.analysis.index import EstateIndex
from shared.analysis.rules.environment import PAIRED_REGION, SITE_RECOVERY_METER

ENV_KEYS = ("env", "environment", "stage", "envtype")
OWNER_KEYS = ("owner", "createdby", "technicalowner", "technicalcontact", "team", "squad")
COST_CENTRE_KEYS = ("costcentre", "costcenter", "cc", "chargecode", "billingcode")
DR_TAG_KEYS = ("app", "role", "purpose", "workload")
DR_WORDS = {"dr", "disaster", "recovery", "failover", "asr", "standby", "secondary"}
ENV_WORDS = {**dict.fromkeys(("prod", "production", "prd", "live"), "prod"),
             **dict.fromkeys(("dev", "development"), "dev"),
             **dict.fromkeys(("test", "tst", "qa", "uat", "staging", "stg", "preprod"), "test"),
             **dict.fromkeys(("sandbox", "sbx", "poc", "lab", "demo", "experiment"), "sandbox")}
ENV_LABELS = {"prod": "Production", "dev": "Development", "test": "Test", "sandbox": "Sandbox", "other": "Other",
              "unknown": "Unknown"}
MAX_TAG_CHARS = 64
_TOKENS = re.compile(r"[-_.() ]+")


def _norm(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _pick(tags: Any, keys: tuple[str, ...]) -> str | None:
    if not isinstance(tags, dict):
        return None
    found = {_norm(str(k)): str(v) for k, v in tags.items() if v not in (None, "")}
    return next((found[k][:MAX_TAG_CHARS] for k in keys if k in found), None)


def tokens(text: str) -> set[str]:
    """Name tokens, split on `-_.() ` and case-folded."""
    return {t for t in _TOKENS.split(text.casefold()) if t}


@dataclass(frozen=True, slots=True)
class Context:
    """Who and what a resource is for."""

    environment: str
    environment_source: str
    environment_raw: str | None
    owner: str | None
    owner_source: str
    cost_centre: str | None
    dr_reasons: tuple[str, ...]

    @property
    def environment_label(self) -> str:
        """Production, Development, Test, Sandbox, Other or Unknown."""
        return ENV_LABELS.get(self.environment, "Unknown")


class ContextIndex:
    """Contexts of resources and subscriptions of one estate, computed on first use."""

    def __init__(self, index: EstateIndex) -> None:
        self.index = index
        self._cache: dict[str, Context] = {}
        self.group_tags: dict[tuple[str, str], Any] = {}
        self.sub_tags: dict[str, Any] = {}
        self.sub_names: dict[str, str] = {}
        for row in index.containers:
            kind, sub = str(row.get("type") or "").lower(), str(row.get("subscriptionId") or "").lower()
            if kind == "microsoft.resources/subscriptions":
                self.sub_tags[sub] = row.get("tags")
                self.sub_names[sub] = str(row.get("name") or "")
            elif kind == "microsoft.resources/subscriptions/resourcegroups":
                self.group_tags[(sub, str(row.get("name") or "").lower())] = row.get("tags")

    @cached_property
    def dr_regions(self) -> dict[str, str]:
        """Subscription -> the paired region of its main region (most spend), when the estate runs Site Recovery."""
        if not any(meters.get(SITE_RECOVERY_METER, 0) > 0 for meters in self.index.rolled30_meter.values()):
            return {}
        spend: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for rid, meters in self.index.cost.last30.items():
            row = self.index.resources.get(rid)
            if row is not None and str(row.get("location") or "") not in ("", "global"):
                spend[rid.split("/")[2]][str(row["location"]).lower()] += sum(meters.values())
        mains = {sub: max(sorted(by_region), key=lambda r: by_region[r]) for sub, by_region in spend.items()}
        return {sub: PAIRED_REGION[main] for sub, main in mains.items() if main in PAIRED_REGION}

    def of(self, resource_id: str) -> Context:
        """The context of a resource (or a subscription or resource group scope)."""
        key = resource_id.lower()
        if key not in self._cache:
            self._cache[key] = self._build(key)
        return self._cache[key]

    def _layers(self, rid: str) -> list[tuple[str, Any]]:
        parts = rid.split("/")
        sub = parts[2] if len(parts) > 2 else ""
        group = parts[4] if len(parts) > 4 and parts[3] == "resourcegroups" else ""
        row = self.index.resources.get(rid) or {}
        layers = [("tag", row.get("tags")), ("resource group tag", self.group_tags.get((sub, group))),
                  ("subscription tag", self.sub_tags.get(sub))]
        cluster_group = _pick(row.get("tags"), ("aksmanagedclusterrg",))
        if cluster_group:
            layers.append(("cluster tag", self.group_tags.get((sub, cluster_group.lower()))))
        return layers

    def _environment(self, rid: str, layers: list[tuple[str, Any]]) -> tuple[str, str, str | None]:
        for source, tags in layers:
            value = _pick(tags, ENV_KEYS)
            if value:
                mapped = ENV_WORDS.get(value.casefold().strip())
                return (mapped, source, None) if mapped else ("other", source, value)
        parts = rid.split("/")
        quota = self.index.quota_by_subscription.get(parts[2] if len(parts) > 2 else "", "")
        if "devtest" in quota.lower() or quota.lower().startswith("msdn"):
            return "test", "offer", None
        group = parts[4] if len(parts) > 4 and parts[3] == "resourcegroups" else ""
        for source, text in (("resource group name", group), ("subscription name", self.sub_names.get(parts[2], "")
                                                                 if len(parts) > 2 else "")):
            found = [ENV_WORDS[t] for t in sorted(tokens(text)) if t in ENV_WORDS]
            if found:
                return found[0], source, None
        return "unknown", "none", None

    def _dr(self, rid: str, row: dict[str, Any]) -> tuple[str, ...]:
        parts = rid.split("/")
        reasons = []
        group = parts[4] if len(parts) > 4 and parts[3] == "resourcegroups" else ""
        if tokens(str(row.get("name") or parts[-1])) & DR_WORDS or tokens(group) & DR_WORDS:
            reasons.append("its name or resource group names disaster recovery")
        values = {str(v).casefold() for k, v in (row.get("tags") or {}).items() if _norm(str(k)) in DR_TAG_KEYS}
        if any(tokens(v) & DR_WORDS for v in values):
            reasons.append("its tags mark it as disaster recovery")
        region = str(row.get("location") or "").lower()
        if region and len(parts) > 2 and self.dr_regions.get(parts[2]) == region:
            reasons.append("it sits in the paired region of the subscription's main region, and Site Recovery bills")
        return tuple(reasons)

    def _build(self, rid: str) -> Context:
        layers = self._layers(rid)
        environment, env_source, raw = self._environment(rid, layers)
        owner, owner_source = None, "none"
        for source, tags in layers:
            owner = _pick(tags, OWNER_KEYS)
            if owner:
                owner_source = source
                break
        centre = next((v for _, tags in layers if (v := _pick(tags, COST_CENTRE_KEYS))), None)
        row = self.index.resources.get(rid) or {}
        return Context(environment, env_source, raw, owner, owner_source, centre, self._dr(rid, row))
