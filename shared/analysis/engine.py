"""The analysis run: index, rules, Advisor, de-duplication, analytics, narrative, rendering."""

from __future__ import annotations

import logging

from shared.analysis.advisor import advisor_finding, load_recs
from shared.analysis.analytics import compute_analytics
from shared.analysis.changes import compute_changes, current_review, read_previous
from shared.analysis.dedup import dedupe
from shared.analysis.facts import build_facts
from shared.analysis.findings import Finding
from shared.analysis.index import build_index
from shared.analysis.model import Narrator, ReportBundle, ScanInputs
from shared.analysis.narrative import write_narrative
from shared.analysis.render import render_csv, render_html, render_json
from shared.analysis.report_build import build_report
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
    sheet = build_facts(final, analytics, currency, total, names)
    narrative = write_narrative(sheet, narrator, max_prompt_tokens)
    changes = compute_changes(read_previous(inputs.previous_report),
                              current_review(inputs, index, final, analytics.total_30d, total))
    # Rendering seam (issue 15): report_build takes `changes` once report.json v2 carries the section.
    report = build_report(inputs, index, final, analytics, narrative)
    sub_names = {s.subscription_id.lower(): s.display_name or s.subscription_id for s in inputs.subscriptions}
    logger.info("analysis done scan=%s findings=%d narrative=%s", inputs.scan_id, len(final), narrative.source)
    return ReportBundle(
        report_json=render_json(report), report_html=render_html(report, names, sub_names),
        findings_csv=render_csv(report), findings_count=len(final), total_monthly_savings=report.totals.monthly_savings,
        currency=currency, narrative_source=narrative.source, changes=changes,
        spend_30d=round(analytics.total_30d, 2),
    )
