"""The narrative: the model chooses claims for fixed slots, the checker validates them, templates write them.

The model sees aggregates and aliases only (ARCHITECTURE decision 7): facts with their key and value, and
aliases with kind, type label, rule and environment; never a name, id or tag. It writes no text and no figure.
Any failure (no model, timeout, throttling, refusal, an empty or cut answer, a rejected answer, a prompt budget
too small for the facts) publishes the deterministic narrative, which passes the same checker, with the reason.
"""

from __future__ import annotations

import dataclasses
import json
import logging

from shared.analysis.claim_check import NarrativeRejected, Offer, offered, parse_answer, slot_names
from shared.analysis.claim_schema import answer_schema
from shared.analysis.deterministic import deterministic_answer
from shared.analysis.facts import AliasKind, NarrativeFacts
from shared.analysis.model import Narrator
from shared.analysis.narrative_model import FallbackReason, Narrative, NarratorError

logger = logging.getLogger(__name__)

# The answer is about 2,000 characters of ids; the rest is room for a reasoning model's hidden reasoning, which
# counts against max_completion_tokens ("OpenAI recommends reserving at least 25,000 tokens for reasoning and
# outputs when you start experimenting", OpenAI reasoning guide). GPT-4o refuses more than 16,384 completion
# tokens ("This model supports at most 16384 completion tokens", the API's 400), so the one budget both families
# take is at most that. A cap, not a charge: only the tokens generated are billed.
MAX_ANSWER_TOKENS = 16_000
SYSTEM_PROMPT = (
    "You choose the statements of the executive summary of a cloud cost review for a company's finance and IT "
    "leads. You write no text and no numbers: for each slot of the answer you choose one claim object from the "
    "JSON schema, and Caleta's templates write the sentence and fill every figure from the facts. The facts "
    "(F1, F2, ...) are computed from the bill; aliases stand for drivers of a spend change (D#), plan rows (P#), "
    "review items (V#) and subscriptions (S#), shown by kind, type, rule and environment only. Every claim the "
    "schema offers is true. Choose what a finance lead needs first: why spend changed, how certain the savings "
    "are, the actions worth doing first (largest and safest), and context that changes a decision; do not say "
    "the same thing twice. Answer with JSON that follows the schema exactly."
)
_DROP_ORDER: tuple[AliasKind, ...] = ("subscription", "review", "driver", "action")


def user_prompt(sheet: NarrativeFacts, offer: Offer) -> str:
    """The data part of the prompt: facts and aliases as JSON (Caleta's words and enums only) and the slots."""
    payload = {
        "currency": sheet.currency,
        "facts": [{"id": f.id, "key": f.key.value, "label": f.label, "value": f.exact(sheet.currency),
                   **({"about": f.about} if f.about else {})} for f in sheet.facts],
        "aliases": [a.visible() for a in sheet.aliases],
        "slots": slot_names(offer),
    }
    return "Facts, aliases and the slots to fill:\n" + json.dumps(payload, ensure_ascii=True, separators=(",", ":"))


def estimate_tokens(text: str) -> int:
    """A conservative token estimate (about 3.5 characters per token for JSON-heavy English)."""
    return len(text) * 2 // 7 + 1


def _request_tokens(sheet: NarrativeFacts) -> int:
    offer = offered(sheet)
    return estimate_tokens(SYSTEM_PROMPT + user_prompt(sheet, offer) + json.dumps(answer_schema(offer)))


def _without(sheet: NarrativeFacts, alias_id: str) -> NarrativeFacts:
    return dataclasses.replace(sheet, aliases=[a for a in sheet.aliases if a.id != alias_id],
                               facts=[f for f in sheet.facts if f.about != alias_id])


def fit_budget(sheet: NarrativeFacts, max_tokens: int) -> NarrativeFacts | None:
    """The sheet, less subscriptions, review items, drivers and actions beyond three (last first), until the whole
    request fits `max_tokens`; None when even the estate's own facts do not fit."""
    while _request_tokens(sheet) > max_tokens:
        droppable = [a for kind in _DROP_ORDER for a in reversed(sheet.aliases_of(kind))
                     if not (kind == "action" and int(a.id[1:]) <= 3)]
        if not droppable:
            return None
        sheet = _without(sheet, droppable[0].id)
    return sheet


def _deterministic(sheet: NarrativeFacts, reason: FallbackReason, detail: str | None) -> Narrative:
    offer = offered(sheet)
    try:
        slots = parse_answer(json.dumps(deterministic_answer(sheet, offer)), sheet, offer)
    except NarrativeRejected as exc:  # a defect of ours: say so loudly, publish the report without a summary
        logger.error("deterministic narrative rejected by its own checker: %s", exc.rule)
        slots = []
    return Narrative("deterministic", reason, tuple(slots), tuple(sheet.facts), sheet.currency, detail)


def write_narrative(sheet: NarrativeFacts, narrator: Narrator | None, max_prompt_tokens: int) -> Narrative:
    """The model's choice when it passes every check, else the deterministic narrative with the reason."""
    if narrator is None:
        return _deterministic(sheet, FallbackReason.NO_MODEL, None)
    asked = fit_budget(sheet, max_prompt_tokens)
    if asked is None:
        return _deterministic(sheet, FallbackReason.BUDGET_TOO_SMALL, None)
    offer = offered(asked)
    try:
        raw = narrator.complete(SYSTEM_PROMPT, user_prompt(asked, offer), answer_schema(offer), MAX_ANSWER_TOKENS)
        slots = parse_answer(raw, asked, offer)
    except NarrativeRejected as exc:
        return _deterministic(sheet, FallbackReason.REJECTED, exc.rule)
    except NarratorError as exc:
        return _deterministic(sheet, exc.reason, exc.detail)
    except TimeoutError:
        return _deterministic(sheet, FallbackReason.TIMEOUT, "TimeoutError")
    except Exception as exc:  # any other model failure means the deterministic narrative
        return _deterministic(sheet, FallbackReason.MODEL_ERROR, type(exc).__name__)
    return Narrative("llm", None, tuple(slots), tuple(asked.facts), asked.currency)
