"""The deterministic narrative: the same placeholders the model would write, from fixed templates.

Facts are found by key, never by their wording; findings are named by their rule's narrative phrase
(declared with the rule, see rules/registry.py).
"""

from __future__ import annotations

from typing import Any

from shared.analysis.facts import FactKey, FactSheet
from shared.analysis.rules.registry import narrative_phrase

MAX_HIGHLIGHTS = 5


def _id(sheet: FactSheet, key: FactKey) -> str | None:
    fact = sheet.by_key(key)
    return fact.id if fact is not None else None


def deterministic_answer(sheet: FactSheet) -> dict[str, Any]:
    """An answer in the model's schema, written from templates (so the same checks and renderer apply)."""
    total, annual, counted = (_id(sheet, FactKey.TOTAL_MONTHLY_SAVINGS), _id(sheet, FactKey.TOTAL_ANNUAL_SAVINGS),
                              _id(sheet, FactKey.COUNTED_FINDINGS))
    spend, share = _id(sheet, FactKey.SPEND_30D), _id(sheet, FactKey.SAVINGS_SHARE_OF_SPEND)
    summary = [{
        "text": f"Over the last 30 days the subscriptions reviewed cost {{{spend}}}. We found {{{counted}}} "
                f"findings with a saving we can count: together {{{total}}} a month ({{{annual}}} a year), "
                f"{{{share}}} of that spend.",
        "facts": [spend, counted, total, annual, share],
    }]
    categories = sheet.all_of(FactKey.CATEGORY_SAVINGS)
    if categories:
        best = max(categories, key=lambda f: f.value)
        summary.append({"text": f"The largest share is {best.param}: {{{best.id}}} a month.", "facts": [best.id]})
    forecast, mom = _id(sheet, FactKey.FORECAST_MONTH_END), _id(sheet, FactKey.MONTH_OVER_MONTH)
    if forecast:
        text = f"This month's spend is forecast to reach {{{forecast}}}"
        text += f"; month to date, spend changed by {{{mom}}} against the same days last month." if mom else "."
        summary.append({"text": text, "facts": [f for f in (forecast, mom) if f]})
    untagged, anomalies = _id(sheet, FactKey.UNTAGGED_SHARE), _id(sheet, FactKey.ANOMALY_DAYS)
    if untagged and anomalies:
        summary.append({"text": f"Untagged resources account for {{{untagged}}} of the spend. Days with spend "
                                f"outside the expected band: {{{anomalies}}}.", "facts": [untagged, anomalies]})
    highlights = [{"alias": a.id, "text": f"{narrative_phrase(a.rule)}, saving {{{a.saving_fact}}} a month.",
                   "facts": [a.saving_fact]}
                  for a in sheet.aliases[:MAX_HIGHLIGHTS]]
    return {"summary": [p for p in summary if all(p["facts"])], "highlights": highlights}
