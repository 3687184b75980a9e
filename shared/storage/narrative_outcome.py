"""How a published review's summary was written, kept in its scan row (issue 14 B1's fallback reporting).

Three properties: `narrative_source` (llm | deterministic), `narrative_fallback` (the closed-set reason of
shared/analysis/narrative_model.FallbackReason, '' for the model's) and `narrative_at`. Ids and a reason only:
no content of the summary, no figure, no name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

SOURCE, REASON, AT = "narrative_source", "narrative_fallback", "narrative_at"


def narrative_entity(source: str, reason: str | None, at: dt.datetime) -> dict[str, Any]:
    """The scan-row properties that record it."""
    return {SOURCE: source, REASON: reason or "", AT: at}


@dataclass(frozen=True)
class NarrativeFallback:
    """One review whose summary fell back to fixed rules, and why."""

    customer_id: str
    scan_id: str
    reason: str | None
    at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        """The admin API's shape."""
        return {"customer_id": self.customer_id, "scan_id": self.scan_id, "reason": self.reason,
                "at": self.at.isoformat()}


def fallback_of(entity: dict[str, Any]) -> NarrativeFallback | None:
    """The fallback a scan row records; None when its summary was the model's or nothing was recorded."""
    if entity.get(SOURCE) != "deterministic" or AT not in entity:
        return None
    at = entity[AT]
    when = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
    return NarrativeFallback(str(entity["PartitionKey"]), str(entity["RowKey"]), entity.get(REASON) or None,
                             when if when.tzinfo else when.replace(tzinfo=dt.UTC))
