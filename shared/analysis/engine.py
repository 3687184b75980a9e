"""The analysis run: index, rules, Advisor, de-duplication, analytics, narrative, rendering."""

from __future__ import annotations

import logging

from shared.analysis.advisor import advisor_finding, load_recs
from shared.analysis.analytics import compute_analytics
from shared.analysis.changes import compute_changes, current_review, read_previous
from shared.analysis.dedup import dedupe
from shared.analysis.findings import Finding
from shared.analysis.index import build_index
from shared.analysis.insights import compute_insights, findings_by_resource
from shared.analysis.model import Narrator, ReportBundle, ScanInputs
from shared.analysis.narrative import write_narrative
from shared.analysis.narrative_facts import build_narrative_facts
from shared.analysis.narrative_interim import inputs_from_findings, measured_by_subscription
from shared.analysis.narrative_model import FallbackReason, Narrative
from shared.analysis.render import render_csv, render_html, render_json
from shared.analysis.report_build import build_report
from shared.analysis.report_model import Narrative as NarrativeV1
from shared.analysis.report_model import Paragraph
from shared.analysis.rules.base import RuleContext
from shared.analysis.rules.commitments import commitment_findings
from shared.analysis.rules.costdata import cost_findings
from shared.analysis.rules.registry import all_rules

logger = logging.getLogger(__name__)


def _advisor_findings(ctx: RuleContext, inputs: ScanInputs) -> list[Finding]:
    raw = [rec for sub in inputs.subscriptions if "advisor" in sub.raw
           for rec in sub.raw["advisor"].data.get("recommendations") or []]
    recs, suppressed = load_recs(raw, ctx.index.advisor_configurations)
    logger.info("advisor recommendations active=%d suppressed=%d", len(recs), suppressed)
    out = commitment_findings(ctx, recs)
    out += [advisor_finding(ctx, rec) for rec in recs if not rec.is_commitment]
    return out


def log_narrative(inputs: ScanInputs, narrative: Narrative) -> None:
    """One line per fallback, with its reason and no content: the `narrative_fallback` log-based metric
    (docs/deploy.md). "No model" is a supported deployment, so it is information, not a warning."""
    reason = narrative.fallback_reason
    if reason is None:
        return
    level = logging.INFO if reason is FallbackReason.NO_MODEL else logging.WARNING
    logger.log(level, "narrative_fallback reason=%s detail=%s customer=%s scan=%s", reason.value,
               narrative.detail or "-", inputs.customer_id, inputs.scan_id,
               extra={"metric": "narrative_fallback", "reason": reason.value})


def as_v1(narrative: Narrative) -> NarrativeV1:
    """The narrative in report.json v1's shape (paragraphs), until report.json v2 embeds `narrative.to_dict()`."""
    return NarrativeV1(
        source=narrative.source, fallback_reason=narrative.fallback_reason.value if narrative.fallback_reason else None,
        summary=[Paragraph(text=text, facts=ids) for text, ids in narrative.paragraphs()], highlights=[],
        facts={f["id"]: f["text"] for f in narrative.to_dict()["facts"]})


def run_analysis(inputs: ScanInputs, narrator: Narrator | None, *, max_prompt_tokens: int) -> ReportBundle:
    """Analyse one scan and render its report; the prompt to `narrator` stays within `max_prompt_tokens`."""
    index = build_index(inputs)
    currency = index.cost.currency or "GBP"
    today = index.cost.window_to or inputs.generated_at.date()
    ctx = RuleContext(index=index, currency=currency, today=today)
    findings: list[Finding] = [f for rule in all_rules() for f in rule(ctx)]
    findings += _advisor_findings(ctx, inputs)
    analytics = compute_analytics(inputs, index)
    findings += cost_findings(ctx, analytics)
    final = dedupe(findings)
    names = {rid: str(row.get("name") or "") for rid, row in index.resources.items()}
    for row in index.containers:
        names.setdefault(str(row.get("id") or "").lower(), str(row.get("name") or ""))
    total = round(sum(f.monthly_savings for f in final if f.counted and f.currency == currency), 2)
    insights = compute_insights(inputs, index, findings=findings_by_resource(final),
                                measured_monthly=measured_by_subscription(final, currency))
    sheet = build_narrative_facts(inputs_from_findings(inputs.company, insights, final, names))
    narrative = write_narrative(sheet, narrator, max_prompt_tokens)
    log_narrative(inputs, narrative)
    changes = compute_changes(read_previous(inputs.previous_report),
                              current_review(inputs, index, final, analytics.total_30d, total))
    # Rendering seam (issue 15): report_build takes `changes` once report.json v2 carries the section.
    report = build_report(inputs, index, final, analytics, as_v1(narrative))
    sub_names = {s.subscription_id.lower(): s.display_name or s.subscription_id for s in inputs.subscriptions}
    logger.info("analysis done scan=%s findings=%d narrative=%s", inputs.scan_id, len(final), narrative.source)
    return ReportBundle(
        report_json=render_json(report), report_html=render_html(report, names, sub_names),
        findings_csv=render_csv(report), findings_count=len(final), total_monthly_savings=report.totals.monthly_savings,
        currency=currency, narrative_source=narrative.source, changes=changes,
        narrative_fallback_reason=narrative.fallback_reason.value if narrative.fallback_reason else None,
        spend_30d=round(analytics.total_30d, 2),
    )
