"""report.json v2: the narrative block (report-design D11, D12.2), filled from `narrative_model.Narrative.to_dict()`.

The summary is a list of slots, each a claim Caleta's checker accepted and the sentence its template wrote, and
the facts the claims were checked against. A report written before checked claims (v1, and v2 until this block
existed) is read with its old paragraphs as `legacy` slots (narrative_legacy.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.analysis.narrative_model import paragraphs_of
from shared.analysis.report_model_findings import Model

FallbackCode = Literal["no_model", "timeout", "throttled", "refused", "empty_answer", "cut_answer", "rejected",
                       "budget_too_small", "model_error"]


class NarrativeSlot(Model):
    """One filled slot of the summary: the claim chosen, the facts and aliases it cites, the sentence."""

    slot: str = Field(description="opening, trend, one_off, certainty, action_1..action_3, context_1, context_2; "
                                  "legacy for a paragraph of a report written before checked claims")
    claim: str = Field(description="the claim type (spend_level, action, none, ...; docs/report-format.md); "
                                   "legacy_text for such a paragraph")
    fact_ids: list[str]
    alias_ids: list[str] = Field(description="D# drivers, P# plan rows, V# review items, S# subscriptions")
    text: str = Field(description="the sentence the template wrote; empty for `none`")


class NarrativeFact(Model):
    """One computed value the summary's claims were checked against."""

    id: str
    key: str = Field(description="what it measures (shared/analysis/fact_keys.py); legacy for a fact of a "
                                 "report written before checked claims")
    value: float | str = Field(description="a number (a percent as a fraction), an ISO date, or a label")
    unit: Literal["money", "percent", "count", "date", "label"]
    about: str | None = Field(description="the alias (D#, P#, V#, S#) the fact belongs to")
    text: str = Field(description="label and value in words, e.g. 'spend over the last 30 days: £13,331.89'")


class Narrative(Model):
    """The executive summary: who chose its statements, the statements and the facts they stand on."""

    source: Literal["llm", "deterministic"]
    fallback_reason: FallbackCode | None = Field(description="why fixed rules chose the statements; null for llm")
    slots: list[NarrativeSlot]
    facts: list[NarrativeFact]
    footnote: str

    def paragraphs(self) -> list[tuple[str, list[str]]]:
        """Page 1's paragraphs with the facts each cites (as `narrative_model.Narrative.paragraphs`)."""
        return paragraphs_of(self.slots)
