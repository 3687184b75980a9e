"""The analysis: raw scan data in, a cost review report (json, html, csv) out.

Deterministic rules find and price the waste from the customer's own bill; an LLM may write the narrative
from aliased aggregates only. Nothing here performs I/O except the narrator's call to the AI endpoint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from shared.config import get_settings
from shared.rawdata import RawEnvelope

__all__ = [
    "Narrator",
    "ReportBundle",
    "ScanInputs",
    "SubscriptionInputs",
    "analyse_scan",
    "build_narrator",
]


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


class Narrator(Protocol):
    """Asks a language model for a JSON answer that follows `schema`; returns the raw answer text."""

    def complete(self, system: str, user: str, schema: dict[str, object], max_tokens: int) -> str:
        """Return the model's answer (JSON text); raise on timeout, throttling or transport failure."""
        ...


def analyse_scan(inputs: ScanInputs, narrator: Narrator | None) -> ReportBundle:
    """Run the rules, price and de-duplicate the findings, compute analytics and render the report."""
    from shared.analysis.engine import run_analysis

    return run_analysis(inputs, narrator, max_prompt_tokens=get_settings().ai_max_prompt_tokens)


def build_narrator() -> Narrator:
    """The openai client against settings.ai_endpoint, authenticated with Caleta's identity."""
    from shared.analysis.llm import build_openai_narrator

    return build_openai_narrator()
