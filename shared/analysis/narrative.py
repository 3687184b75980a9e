"""The narrative: ask the model for prose that cites facts by id, check every word of it, or write it ourselves.

The model writes placeholders ({F3}, {R1}); the renderer fills in the numbers and names. An answer is
rejected if it is not the requested JSON, states a number that is not a fact, cites an unknown id, or
contains a URL, an e-mail address or markup. Any failure gives the deterministic narrative instead.
"""

from __future__ import annotations

import json
import logging
import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.analysis.deterministic import deterministic_answer
from shared.analysis.facts import FactSheet
from shared.analysis.model import Narrator
from shared.analysis.report_model import Narrative, Paragraph

logger = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 20_000
MAX_TEXT_CHARS = 600
MAX_ANSWER_TOKENS = 1200
_PLACEHOLDER = re.compile(r"\{([FR]\d{1,3})\}")
_BARE_ID = re.compile(r"\b([FR]\d{1,3})\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_FORBIDDEN = (
    (re.compile(r"https?:|ftp:|www\.|\bdata:", re.IGNORECASE), "a URL"),
    (re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+"), "an e-mail address"),
    (re.compile(r"[<>`]|\]\(|!\["), "markup"),
    (re.compile(r"\b[\w-]+\.(?:com|net|org|io|co|uk|ru|xyz|info|biz|app|dev)\b", re.IGNORECASE), "a domain name"),
)

SYSTEM_PROMPT = (
    "You write the executive summary of a cloud cost review for a company's finance and IT leads. "
    "You receive only computed facts (ids F1, F2, ...) and aliases for resources (R1, R2, ...). "
    "Write plain British English. Never write a digit: refer to every number with its fact placeholder such as {F1}, "
    "and to a resource only with its alias placeholder such as {R1}. List in 'facts' every fact you used. "
    "No links, e-mail addresses, markup or advice beyond the facts. Answer with JSON that follows the schema."
)


class _Para(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=MAX_TEXT_CHARS)
    facts: list[str] = Field(max_length=20)


class _Highlight(_Para):
    alias: str


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    summary: list[_Para] = Field(min_length=1, max_length=4)
    highlights: list[_Highlight] = Field(default_factory=list, max_length=5)


class NarrativeRejected(Exception):
    """The model's answer broke a rule; the message names the rule, never the answer."""


def answer_schema(sheet: FactSheet) -> dict[str, object]:
    """The JSON schema requested from the model; fact and alias ids are enums of the ids present."""
    fact_ids: dict[str, object] = {"type": "array", "items": {"type": "string", "enum": [f.id for f in sheet.facts]}}
    para = {"type": "object", "additionalProperties": False, "required": ["text", "facts"],
            "properties": {"text": {"type": "string"}, "facts": fact_ids}}
    properties: dict[str, object] = {"summary": {"type": "array", "items": para}}
    if sheet.aliases:
        properties["highlights"] = {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["alias", "text", "facts"],
            "properties": {"alias": {"type": "string", "enum": [a.id for a in sheet.aliases]},
                           "text": {"type": "string"}, "facts": fact_ids}}}
    return {"type": "object", "additionalProperties": False, "required": list(properties), "properties": properties}


def user_prompt(sheet: FactSheet) -> str:
    """The data part of the prompt: facts and aliases as JSON, nothing from the customer's own strings."""
    payload = {
        "currency": sheet.currency,
        "facts": [{"id": f.id, "label": f.label, "value": f.render(sheet.currency)} for f in sheet.facts],
        "aliases": [{"id": a.id, "rule": a.rule, "category": a.category, "resource_type": a.resource_type,
                     "saving_fact": a.saving_fact} for a in sheet.aliases],
    }
    return "Facts and aliases:\n" + json.dumps(payload, ensure_ascii=True, indent=0)


def estimate_tokens(text: str) -> int:
    """A conservative token estimate (about 3.5 characters per token for JSON-heavy English)."""
    return len(text) * 2 // 7 + 1


def fit_budget(sheet: FactSheet, max_tokens: int) -> FactSheet:
    """Drop trailing aliases and facts until the prompt fits the token budget."""
    while estimate_tokens(SYSTEM_PROMPT + user_prompt(sheet)) > max_tokens and len(sheet.facts) > 1:
        if sheet.aliases:
            dropped = sheet.aliases.pop()
            sheet.facts = [f for f in sheet.facts if f.id != dropped.saving_fact]
        else:
            sheet.facts.pop()
    return sheet


def _check_text(text: str, sheet: FactSheet) -> None:
    known = {f.id for f in sheet.facts} | {a.id for a in sheet.aliases}
    for pattern, what in _FORBIDDEN:
        if pattern.search(text):
            raise NarrativeRejected(f"answer contains {what}")
    for ident in _BARE_ID.findall(text):
        if ident not in known:
            raise NarrativeRejected("answer cites an unknown id")
    bare = _BARE_ID.sub(" ", _PLACEHOLDER.sub(" ", text))
    allowed = {n for f in sheet.facts for n in _NUMBER.findall(f.render(sheet.currency))}
    values = {f.value for f in sheet.facts}
    for number in _NUMBER.findall(bare):
        try:
            value = float(number.replace(",", ""))
        except ValueError:
            raise NarrativeRejected("answer states a malformed number") from None
        if number not in allowed and not any(abs(value - v) <= 0.005 for v in values):
            raise NarrativeRejected("answer states a number that is not in the facts")


def parse_answer(raw: str, sheet: FactSheet) -> _Answer:
    """Validate the model's answer against the schema and every content rule."""
    if len(raw) > MAX_ANSWER_CHARS:
        raise NarrativeRejected("answer too long")
    try:
        answer = _Answer.model_validate_json(raw)
    except ValidationError:
        raise NarrativeRejected("answer is not the requested JSON") from None
    fact_ids = {f.id for f in sheet.facts}
    alias_ids = {a.id for a in sheet.aliases}
    for para in [*answer.summary, *answer.highlights]:
        if not set(para.facts) <= fact_ids:
            raise NarrativeRejected("answer cites an unknown fact")
        _check_text(para.text, sheet)
    if any(h.alias not in alias_ids for h in answer.highlights):
        raise NarrativeRejected("answer names an unknown alias")
    return answer


def render_text(text: str, sheet: FactSheet) -> str:
    """Fill in placeholders: facts become formatted numbers, aliases the customer's resource names."""
    def fill(match: re.Match[str]) -> str:
        ident = match.group(1)
        fact = sheet.fact(ident)
        if fact is not None:
            return fact.render(sheet.currency)
        alias = next((a for a in sheet.aliases if a.id == ident), None)
        return alias.display_name or alias.resource_type if alias else ident

    return _PLACEHOLDER.sub(fill, text)


def _published(answer: _Answer, sheet: FactSheet, source: str, reason: str | None) -> Narrative:
    summary = [Paragraph(text=render_text(p.text, sheet), facts=p.facts) for p in answer.summary]
    highlights = [Paragraph(text=render_text(f"{{{h.alias}}}: {h.text}", sheet), facts=h.facts)
                  for h in answer.highlights]
    facts = {f.id: f"{f.label}: {f.render(sheet.currency)}" for f in sheet.facts}
    return Narrative(source=source, fallback_reason=reason, summary=summary,  # type: ignore[arg-type]
                     highlights=highlights, facts=facts)


def write_narrative(sheet: FactSheet, narrator: Narrator | None, max_prompt_tokens: int) -> Narrative:
    """The LLM narrative when it passes every check, else the deterministic one (saying why)."""
    fallback = deterministic_answer(sheet)
    if narrator is None:
        return _published(_Answer.model_validate(fallback), sheet, "deterministic", "no language model configured")
    sheet = fit_budget(sheet, max_prompt_tokens)
    try:
        raw = narrator.complete(SYSTEM_PROMPT, user_prompt(sheet), answer_schema(sheet), MAX_ANSWER_TOKENS)
        answer = parse_answer(raw, sheet)
    except NarrativeRejected as exc:
        logger.warning("narrative rejected: %s", exc)
        return _published(_Answer.model_validate(deterministic_answer(sheet)), sheet, "deterministic",
                          f"the model's answer was rejected ({exc})")
    except Exception as exc:  # any model failure means the deterministic narrative
        logger.warning("narrative model failed: %s", type(exc).__name__)
        return _published(_Answer.model_validate(deterministic_answer(sheet)), sheet, "deterministic",
                          "the language model did not answer in time or failed")
    return _published(answer, sheet, "llm", None)
