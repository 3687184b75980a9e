"""What the analysis reads and returns, and the narrator port it writes its narrative with: plain types only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from shared.analysis.changes_model import Changes
from shared.analysis.previous_model import PreviousReview
from shared.rawdata import RawEnvelope


@dataclass(frozen=True)
class SubscriptionInputs:
    """One subscription's raw data by source, and a plain reason for each source that is absent."""

    subscription_id: str
    display_name: str | None
    quota_id: str | None
    raw: dict[str, RawEnvelope]
    missing: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ScanInputs:
    """Everything one scan collected, as the analysis reads it."""

    customer_id: str
    scan_id: str
    company: str
    generated_at: dt.datetime
    subscriptions: list[SubscriptionInputs]
    # The customer's previous published review, for "Since your last review": its stored report.json (any schema
    # version) read with only the fields compared (changes.read_previous), so its bytes (69 MB on a 100,000-
    # resource estate) are not held through the analysis. None for a first review, or when it was unreadable.
    previous: PreviousReview | None = None


@dataclass(frozen=True)
class ReportBundle:
    """The three report files and the headline numbers the pipeline records."""

    report_json: bytes
    report_html: bytes
    findings_csv: bytes
    findings_count: int
    total_monthly_savings: float
    currency: str
    narrative_source: str  # "llm" | "deterministic"
    # Since the previous review (None for a first review), and this review's last-30-day spend: the pipeline
    # records both in the scan's summary row (the review history).
    changes: Changes | None = None
    spend_30d: float | None = None
    # Why the deterministic narrative was published (narrative_model.FallbackReason's value); None for the model's.
    narrative_fallback_reason: str | None = None


class Narrator(Protocol):
    """Asks a language model for a JSON answer that follows `schema`; returns the raw answer text."""

    def complete(self, system: str, user: str, schema: dict[str, object], max_tokens: int) -> str:
        """Return the model's answer (JSON text); raise on timeout, throttling or transport failure."""
        ...
