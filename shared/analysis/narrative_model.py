"""The published narrative (report.json v2's `narrative` block, report-design D12.2) and why it fell back.

`Narrative.to_dict()` is the block: source, fallback_reason (a closed set), slots (claim, cited fact and alias
ids, the sentence), facts (every fact of the sheet the answer was checked against) and the footnote.
`paragraphs()` groups the sentences as page 1 prints them; report.json's model groups its slots the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, Protocol

from shared.analysis.claim_check import SlotText
from shared.analysis.claims import group_of
from shared.analysis.facts import Fact


class FallbackReason(StrEnum):
    """Why the deterministic narrative was published instead of the model's choice."""

    NO_MODEL = "no_model"  # AI_ENDPOINT empty: the supported "no model" deployment
    TIMEOUT = "timeout"
    THROTTLED = "throttled"  # HTTP 429
    REFUSED = "refused"  # a refusal, or the content filter
    EMPTY_ANSWER = "empty_answer"
    CUT_ANSWER = "cut_answer"  # finish_reason "length": the answer budget ran out (reasoning included)
    REJECTED = "rejected"  # the answer broke the schema or a claim rule
    BUDGET_TOO_SMALL = "budget_too_small"  # the smallest fact sheet does not fit AI_MAX_PROMPT_TOKENS
    MODEL_ERROR = "model_error"  # any other failure: 4xx/5xx, a wrong deployment name, no connection


class NarratorError(Exception):
    """The model gave no usable answer; `reason` says which way, `detail` is an error class or code (no content)."""

    def __init__(self, reason: FallbackReason, detail: str | None = None) -> None:
        super().__init__(reason.value if detail is None else f"{reason.value} ({detail})")
        self.reason, self.detail = reason, detail


REASON_TEXT = {
    FallbackReason.NO_MODEL: "no language model is configured",
    FallbackReason.TIMEOUT: "the language model did not answer in time",
    FallbackReason.THROTTLED: "the language model was busy",
    FallbackReason.REFUSED: "the language model declined to answer",
    FallbackReason.EMPTY_ANSWER: "the language model gave no answer",
    FallbackReason.CUT_ANSWER: "the language model's answer was cut short",
    FallbackReason.REJECTED: "the language model's answer failed a check",
    FallbackReason.BUDGET_TOO_SMALL: "the facts did not fit the prompt budget",
    FallbackReason.MODEL_ERROR: "the language model could not be used",
}
FOOTNOTE_LLM = ("Written from checked templates; a language model chose which statements to include and never "
                "wrote a figure.")
FOOTNOTE_FIXED = "Written from checked templates; statements chosen by fixed rules ({reason})."
_JSON_UNITS = {"annual": "money"}
LEGACY_SLOT = "legacy"  # a paragraph of a report written before checked claims (narrative_legacy.py)


class SlotLike(Protocol):
    """A filled slot as SlotText and report.json's NarrativeSlot both carry it."""

    @property
    def slot(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def fact_ids(self) -> Sequence[str]: ...


def paragraphs_of(slots: Sequence[SlotLike]) -> list[tuple[str, list[str]]]:
    """Page 1's paragraphs with the facts each cites: spend and why it changed; the certainty split; each action,
    numbered; the context; then, in a report written before checked claims, its own paragraphs."""
    def para(chosen: list[SlotLike], prefix: str = "") -> tuple[str, list[str]]:
        text = " ".join(s.text for s in chosen if s.text)
        return (prefix + text if text else "", [f for s in chosen for f in s.fact_ids])

    def of(*groups: str) -> list[SlotLike]:
        return [s for s in slots if s.slot != LEGACY_SLOT and group_of(s.slot) in groups]

    actions = [s for s in of("action") if s.text]
    out = [para(of("opening", "trend", "one_off")), para(of("certainty"))]
    out += [para([s], f"{i}. ") for i, s in enumerate(actions, start=1)]
    out += [para(of("context")), *(para([s]) for s in slots if s.slot == LEGACY_SLOT)]
    return [p for p in out if p[0]]


def _value(value: float | dt.date | str) -> float | str:
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class Narrative:
    """The executive summary: who chose its statements, the statements, and the facts they stand on."""

    source: Literal["llm", "deterministic"]
    fallback_reason: FallbackReason | None
    slots: tuple[SlotText, ...]
    facts: tuple[Fact, ...]
    currency: str
    detail: str | None = None  # the rule or error class behind a fallback: logs and metrics only, never published

    @property
    def footnote(self) -> str:
        """What happened, in one sentence under the summary."""
        if self.source == "llm":
            return FOOTNOTE_LLM
        reason = REASON_TEXT[self.fallback_reason or FallbackReason.NO_MODEL]
        return FOOTNOTE_FIXED.format(reason=reason)

    def paragraphs(self) -> list[tuple[str, list[str]]]:
        """Page 1's paragraphs with the facts each cites (`paragraphs_of`)."""
        return paragraphs_of(self.slots)

    def to_dict(self) -> dict[str, Any]:
        """report.json v2's narrative block."""
        return {
            "source": self.source,
            "fallback_reason": self.fallback_reason.value if self.fallback_reason else None,
            "slots": [{"slot": s.slot, "claim": s.claim, "fact_ids": list(s.fact_ids), "alias_ids": list(s.alias_ids),
                       "text": s.text} for s in self.slots],
            "facts": [{"id": f.id, "key": f.key.value, "value": _value(f.value),
                       "unit": _JSON_UNITS.get(f.unit, f.unit), "about": f.about,
                       "text": f"{f.label}: {f.exact(self.currency)}"} for f in self.facts],
            "footnote": self.footnote,
        }
