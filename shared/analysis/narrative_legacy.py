"""A narrative written before checked claims, in report.json v2's narrative shape (report-design D12.2).

v1 reports, and v2 reports written before the narrative block became claims, carry paragraphs of free text
(`summary`, `highlights`), the facts as `{id: text}` and a fallback reason in words. read_report reads them in
today's shape without losing a word: each paragraph becomes a `legacy` slot (claim `legacy_text`) citing the same
facts, each fact keeps its id and text (key `legacy`, unit `label`: the old text holds its value), the reason
maps to the closed set, and the footnote says the text predates the checks. Stored bytes are never rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from shared.analysis.narrative_model import LEGACY_SLOT

LEGACY_CLAIM = "legacy_text"
_FOOTNOTE = {"llm": "Written by a language model from the computed facts, before Caleta checked each statement.",
             "deterministic": "Written from fixed templates, before Caleta checked each statement."}


def is_legacy(block: object) -> TypeGuard[dict[str, Any]]:
    """Whether a narrative block is in the paragraphs shape (v1, or v2 before checked claims)."""
    return isinstance(block, dict) and "slots" not in block and ("summary" in block or "highlights" in block)


def legacy_reason(source: object, reason: object) -> str | None:
    """The closed-set code for a reason an earlier release wrote in words."""
    if source == "llm":
        return None
    text = str(reason or "").lower()
    if not text or "no language model" in text:
        return "no_model"
    if "rejected" in text or "failed the check" in text:
        return "rejected"
    return "model_error"


def _paragraphs(block: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [p for key in ("summary", "highlights") for p in block.get(key) or [] if isinstance(p, dict)]


def upgrade_legacy(block: Mapping[str, Any]) -> dict[str, Any]:
    """The narrative block in today's shape (see the module docstring)."""
    source = "llm" if block.get("source") == "llm" else "deterministic"
    facts = block.get("facts") or {}
    return {
        "source": source,
        "fallback_reason": legacy_reason(source, block.get("fallback_reason")),
        "slots": [{"slot": LEGACY_SLOT, "claim": LEGACY_CLAIM, "fact_ids": [str(f) for f in p.get("facts") or []],
                   "alias_ids": [], "text": str(p.get("text") or "")} for p in _paragraphs(block)],
        "facts": [{"id": str(fid), "key": "legacy", "value": str(text), "unit": "label", "about": None,
                   "text": str(text)} for fid, text in (facts.items() if isinstance(facts, dict) else [])],
        "footnote": _FOOTNOTE[source],
    }
