"""Which plan rows the summary may name as actions, which review items it may mention (report-design D11.3).

Action candidates, in order: the top 4 plan rows by counted amount (high end) outside hygiene; the guardrails of
the first row's subscription, placed second when the first row is a new recurring cost (D8.6: "so it cannot
recur") and last otherwise; the largest review item of the Decide section. At most 6. Review items: Decide
before Investigate, each by its range's high end.
"""

from __future__ import annotations

import dataclasses

from shared.analysis.narrative_inputs import NarrativeInputs, PlanItem, governance_item

TOP_ROWS = 4
MAX_CANDIDATES = 6
MAX_REVIEWS = 4
SECTIONS = ("do_now", "decide", "investigate")
RECUR_NOTE = "so it cannot recur"


def _counted_rows(inputs: NarrativeInputs) -> list[PlanItem]:
    rows = [r for r in inputs.rows if r.counted and r.section in SECTIONS and r.kind not in ("review", "hygiene")]
    return sorted(rows, key=lambda r: (-r.high, -r.monthly, r.row_id))[:TOP_ROWS]


def review_items(inputs: NarrativeInputs) -> list[PlanItem]:
    """Review items, Decide first, then Investigate, each by its range's high end (largest first)."""
    reviews = [r for r in inputs.rows if r.kind == "review" and r.section in SECTIONS and r.high > 0]
    return sorted(reviews, key=lambda r: (SECTIONS.index(r.section), -r.high, r.row_id))[:MAX_REVIEWS]


def is_new_cost(inputs: NarrativeInputs, row: PlanItem) -> bool:
    """Whether the row's resource started billing inside the window and still bills (D8.6)."""
    started = {c.resource_id.lower() for c in inputs.insights.new_costs}
    return any(rid in started for rid in row.resource_ids)


def action_candidates(inputs: NarrativeInputs) -> list[PlanItem]:
    """The rows the summary's action slots choose from, in the fallback's order."""
    out = _counted_rows(inputs)
    decide = [r for r in review_items(inputs) if r.section == "decide"]
    governance = governance_item(inputs.insights, out[0].subscription_id, out[0].subscription) if out else None
    if governance is not None and is_new_cost(inputs, out[0]):
        out.insert(1, dataclasses.replace(governance, note=RECUR_NOTE))
        governance = None
    if decide:
        out.append(decide[0])
    if governance is not None:
        out.append(governance)
    return out[:MAX_CANDIDATES]


def hygiene_row(inputs: NarrativeInputs) -> PlanItem | None:
    """The folded hygiene row, named so that a claim about it can be refused (it is never a candidate)."""
    return next((r for r in inputs.rows if r.kind == "hygiene"), None)
