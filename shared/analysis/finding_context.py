"""A finding's context (report-design D4.1 to D4.3), gathered from the one implementation of D4.

Environment, owner and cost centre come from context.py (EstateContext), disaster-recovery context from dr.py
(DrDetector); this module only puts them together per resource for the plan, the JSON and the CSV, cached.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.analysis.context import ENV_LABELS, EstateContext
from shared.analysis.dr import DrDetector
from shared.analysis.index import EstateIndex


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
    """Contexts of resources and subscriptions of one estate (the engine's EstateContext), computed on first use."""

    def __init__(self, estate: EstateContext) -> None:
        self.estate = estate
        self.index: EstateIndex = estate.index
        self.dr = DrDetector(estate.index, estate)
        self._cache: dict[str, Context] = {}

    @property
    def sub_names(self) -> dict[str, str]:
        """Subscription id (lower case) -> display name ('' when unknown)."""
        return self.estate.display_names

    def of(self, resource_id: str) -> Context:
        """The context of a resource (or a subscription or resource group scope)."""
        key = resource_id.lower()
        found = self._cache.get(key)
        if found is None:
            env, owner = self.estate.environment(key), self.estate.owner(key)
            found = self._cache[key] = Context(
                env.value, env.source, env.raw, owner.value, owner.source, self.estate.cost_centre(key).value,
                self.dr.of(key).reasons)
        return found
