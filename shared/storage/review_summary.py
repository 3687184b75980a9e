"""A published review's headline, kept in its scan row so the review history is read without its reports.

One `review` property (JSON, well under Table storage's 64 KiB string limit) written when the report is
published: the review's date, spend, savings found and realised, and how many findings are new, persisting or
resolved since the previous review. Ids, counts and amounts only: no resource names.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

REVIEW_PROPERTY = "review"


@dataclass(frozen=True)
class ReviewSummary:
    """The headline of one published review (counts are None when not known, e.g. a first review)."""

    generated_at: dt.datetime
    currency: str
    spend_30d: float | None
    savings_monthly: float
    realised_monthly: float | None
    findings: int
    new: int | None = None
    persisting: int | None = None
    resolved: int | None = None
    previous_scan_id: str | None = None

    def to_entity(self) -> dict[str, str]:
        """The scan-row property that holds it."""
        data = asdict(self) | {"generated_at": self.generated_at.isoformat()}
        return {REVIEW_PROPERTY: json.dumps(data, separators=(",", ":"))}

    def to_dict(self) -> dict[str, Any]:
        """The API shape (dates as ISO text)."""
        return asdict(self) | {"generated_at": self.generated_at.isoformat()}


def summary_of(entity: dict[str, Any]) -> ReviewSummary | None:
    """The summary a scan row holds; None for a row written before summaries existed (or unreadable)."""
    text = entity.get(REVIEW_PROPERTY)
    if not text:
        return None
    try:
        data = json.loads(text)
        data["generated_at"] = dt.datetime.fromisoformat(data["generated_at"])
        return ReviewSummary(**data)
    except (ValueError, TypeError, KeyError):
        return None
