"""The narrative's inputs from report.json v2's own parts: the headline, the action plan and the findings.

Coded against the field names of report-core's models as read-only protocols (narrative_report_types.py), so
those models are passed in as they are. A row's kind follows its first finding: a review item, a licence or
commitment decision, a Do-this-week batch (a clean-up), a single delete, or another change. Licence counts are
read from the licence row's title, which report-core words as "... if you hold 4 SQL Server Enterprise core
licences and 32 Windows Server core licences (...)": a structured `licences` field on the row would be better.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from shared.analysis.insights_views import CostInsights
from shared.analysis.narrative_inputs import NarrativeInputs, PlanItem, RowKind, TierFigures
from shared.analysis.narrative_report_types import FindingLike, HeadlineLike, PlanLike, RowLike

_LICENCES = re.compile(r"(\d+) ((?:SQL Server \w+)|(?:Windows Server)) core licences")
_TERMS = {"P1Y": "1-year", "P3Y": "3-year"}


def tiers_from_headline(headline: HeadlineLike, commitment_term: str | None = None) -> TierFigures:
    """The headline's tiers and range as the narrative's facts read them."""
    by = {t.tier: t for t in headline.tiers}

    def monthly(tier: str) -> float:
        return by[tier].monthly if tier in by else 0.0

    est = by.get("estimated")
    r = headline.range
    return TierFigures(monthly("measured"), monthly("conditional"), monthly("commitment"),
                       est.monthly_low if est else 0.0, est.monthly_high if est else 0.0, r.low_monthly,
                       r.high_monthly, r.low_annual, r.high_annual, r.low_share, r.high_share,
                       headline.counted_monthly, commitment_term)


def commitment_term(statuses: Sequence[tuple[str, str]]) -> str | None:
    """"1-year" or "3-year" from the commitment options' (term, status): the counted option's term."""
    return next((_TERMS.get(term) for term, status in statuses if status == "counted"), None)


def _kind(row: RowLike, section: str, first: FindingLike) -> RowKind:
    if first.kind == "review":
        return "review"
    if first.rule.startswith("LIC-"):
        return "licence"
    if first.rule.startswith("CMT-"):
        return "commitment"
    if row.row_type == "batch" and section == "do_now":
        return "cleanup"
    return "delete" if first.action_text.startswith("Delete") else "change"


def _review_rule(first: FindingLike) -> str:
    """RV-* as published; a counted rule held back for its disaster-recovery context is RV-DR (D4.3); any other
    review item (a lifecycle policy, a backup with no recent point, ...) keeps its own rule."""
    if first.rule.startswith("RV-"):
        return first.rule
    return "RV-DR" if first.dr_context.value else first.rule


def _item(row: RowLike, section: str, findings: Mapping[str, FindingLike]) -> PlanItem | None:
    mine = [findings[i] for i in row.finding_ids if i in findings]
    if not mine:
        return None
    first, kind = mine[0], _kind(row, section, mine[0])
    evidence = {e.key: e.value for e in first.evidence}
    count = evidence.get("protected_public_ips")
    return PlanItem(
        row_id=row.id, kind=kind, section=section, rule=_review_rule(first) if kind == "review" else first.rule,
        type_label=first.resource_type_label, environment=first.environment, names=tuple(row.names),
        subscription_id=(row.subscription_id or "").lower() or None, subscription=row.subscription_name,
        resource_group=row.resource_group, resource_ids=tuple(f.resource_id.lower() for f in mine),
        monthly=row.monthly, low=row.monthly_low, high=row.monthly_high, counted=row.counted, effort=row.effort,
        risk=row.change_risk, items=len(mine),
        licences=tuple((p, int(n)) for n, p in _LICENCES.findall(row.title)) if kind == "licence" else (),
        review_count=int(count) if isinstance(count, int | float) and not isinstance(count, bool) else None)


def inputs_from_report(company: str, insights: CostInsights, headline: HeadlineLike, plan: PlanLike,
                       findings: Sequence[FindingLike], term: str | None = None) -> NarrativeInputs:
    """The narrative's inputs from the report's headline, plan and findings and the analytics (D8)."""
    by_id = {f.id: f for f in findings}
    rows = [item for s in plan.sections for row in s.rows if (item := _item(row, s.section, by_id)) is not None]
    if plan.hygiene.finding_ids:
        rows.append(PlanItem("hygiene", "hygiene", "hygiene", "", "Hygiene", None, (), None, None, None, (),
                             plan.hygiene.monthly, plan.hygiene.monthly, plan.hygiene.monthly, False, "minutes",
                             "low", len(plan.hygiene.finding_ids)))
    rules = {f.resource_id.lower(): f.rule for f in findings if f.kind == "counted" and f.counted}
    return NarrativeInputs(company, insights.currency, insights, tiers_from_headline(headline, term), tuple(rows),
                           rules)
