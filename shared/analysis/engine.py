"""The analysis run: index, rules, Advisor, pricing from the bill, de-duplication, analytics, narrative, rendering.

The analytics of report-design D8 and D10 (insights.py) run once per scan, once the findings are final: the
has-finding markers and each subscription's measured savings (GV-B sizes a budget on the run-rate after them)
come from the findings; the governance recommendations come back as findings of their own (governance_items.py).
The same insights feed the report's analytics block and the narrative, which is written last, from the report's
own headline, plan and findings (report-design D11), and swapped into the report before it is rendered.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from shared.analysis.advisor import advisor_finding, load_recs
from shared.analysis.analysed import Analysed
from shared.analysis.analytics import compute_analytics
from shared.analysis.bill_rates import BillRates
from shared.analysis.changes import compute_changes, current_review
from shared.analysis.changes_model import Changes
from shared.analysis.context import EstateContext
from shared.analysis.dedup import dedupe
from shared.analysis.findings import Finding
from shared.analysis.governance_items import governance_findings
from shared.analysis.index import build_index
from shared.analysis.insights import compute_insights, findings_by_resource
from shared.analysis.model import Narrator, ReportBundle, ScanInputs
from shared.analysis.narrative import write_narrative
from shared.analysis.narrative_facts import build_narrative_facts
from shared.analysis.narrative_inputs import NarrativeInputs
from shared.analysis.narrative_model import FallbackReason, Narrative
from shared.analysis.narrative_report import commitment_term, inputs_from_report
from shared.analysis.pricing import reprice
from shared.analysis.render import render_csv, render_html, render_json
from shared.analysis.report_build import build_report, draft_report
from shared.analysis.report_model import Report
from shared.analysis.report_model_narrative import Narrative as NarrativeOut
from shared.analysis.review_items import review_candidates, review_items
from shared.analysis.rules.base import RuleContext
from shared.analysis.rules.commitments import commitment_findings
from shared.analysis.rules.costdata import cost_findings
from shared.analysis.rules.registry import all_rules
from shared.analysis.tiers import SIGNAL_RULES, tier_of
from shared.analysis.twins import Twins

logger = logging.getLogger(__name__)
# The report is built before its summary, which is written from the report's own headline, plan and findings;
# run_analysis swaps the written narrative in before anything is rendered or stored.
UNWRITTEN = NarrativeOut(source="deterministic", fallback_reason=None, slots=[], facts=[], footnote="")
__all__ = ["Analysed", "analyse_findings", "log_narrative", "measured_by_subscription", "narrative_inputs",
           "run_analysis"]


def measured_by_subscription(findings: list[Finding], currency: str) -> dict[str, float]:
    """Each subscription's measured tier (D2): what GV-B's budget is sized after."""
    out: dict[str, float] = defaultdict(float)
    for f in findings:
        if f.currency == currency and tier_of(f) == "measured":
            out[f.subscription_id.lower()] += f.monthly_savings
    return dict(out)


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


def narrative_inputs(inputs: ScanInputs, done: Analysed, report: Report) -> NarrativeInputs:
    """What the summary is written from: the report's headline, plan and findings, and the scan's insights."""
    term = commitment_term([(o.term, o.status) for rec in report.commitments.recommendations for o in rec.options])
    return inputs_from_report(inputs.company, done.insights, report.headline, report.action_plan, report.findings,
                              term)


def analyse_findings(inputs: ScanInputs) -> Analysed:
    """Every rule, priced from the bill and de-duplicated (what the report publishes)."""
    index = build_index(inputs)
    currency = index.cost.currency or "GBP"
    today = index.cost.window_to or inputs.generated_at.date()
    ctx = RuleContext(index=index, currency=currency, today=today)
    findings: list[Finding] = [f for rule in all_rules() for f in rule(ctx)]
    findings += _advisor_findings(ctx, inputs)
    analytics = compute_analytics(inputs, index)
    findings += cost_findings(ctx, analytics)
    twins = Twins(index)
    priced = {k.split("|", 1)[0] for f in findings for k in (*f.priced, *f.resources, f.resource_id.lower())}
    others = twins.storage_ids() | {k.lower() for k in priced} | review_candidates(ctx)
    rates = BillRates(index, twins.compute_ids(), others,
                      {a.day for a in analytics.anomalies})
    findings = reprice(ctx, findings, rates, twins)
    findings += review_items(ctx, findings, analytics, rates)
    final = dedupe(findings)
    context = EstateContext(index, {s.subscription_id.lower(): s.display_name for s in inputs.subscriptions})
    published = [f for f in final if f.rule not in SIGNAL_RULES]
    insights = compute_insights(inputs, index, findings=findings_by_resource(published),
                                measured_monthly=measured_by_subscription(final, currency), context=context)
    governance = governance_findings(insights.guardrails, currency)
    return Analysed(index, ctx, final, analytics, rates, twins, insights, governance, context)


@dataclass(frozen=True)
class _Written:
    """A scan's finished report model and what the bundle records beside it; none of the analysis's working state."""

    report: Report
    names: dict[str, str]  # lower-case resource id -> name, for the html's analytics tables
    narrative: Narrative
    changes: Changes | None
    spend_30d: float


def _write_report(inputs: ScanInputs, narrator: Narrator | None, max_prompt_tokens: int) -> _Written:
    """The report model with its narrative and changes written in."""
    done = analyse_findings(inputs)
    index, final, currency = done.index, done.findings, done.ctx.currency
    names = {rid: str(row.get("name") or "") for rid, row in index.resources.items()}
    for row in index.containers:
        names.setdefault(str(row.get("id") or "").lower(), str(row.get("name") or ""))
    total = round(sum(f.monthly_savings for f in final if f.counted and f.currency == currency), 2)
    draft = draft_report(done)
    # Compared on the published findings (before they are written, so each is written once with its change):
    # COST-1/3/5 are signals in report v2, never new or persisting.
    changes = compute_changes(inputs.previous,
                              current_review(inputs, index, draft.compared(), done.analytics.total_30d, total))
    report = build_report(inputs, done, draft, UNWRITTEN, changes)
    narrative = write_narrative(build_narrative_facts(narrative_inputs(inputs, done, report)), narrator,
                                max_prompt_tokens)
    log_narrative(inputs, narrative)
    report = report.model_copy(update={"narrative": NarrativeOut.model_validate(narrative.to_dict())})
    logger.info("analysis done scan=%s findings=%d narrative=%s", inputs.scan_id, len(final), narrative.source)
    return _Written(report, names, narrative, changes, round(done.analytics.total_30d, 2))


def run_analysis(inputs: ScanInputs, narrator: Narrator | None, *, max_prompt_tokens: int) -> ReportBundle:
    """Analyse one scan and render its report; the prompt to `narrator` stays within `max_prompt_tokens`."""
    # The index, the context and the prices are gone by the time the files are rendered: the renderers' buffers
    # (report.json alone is 70 MB on a 100,000-resource estate) come on top of whatever is still held then.
    written = _write_report(inputs, narrator, max_prompt_tokens)
    report, narrative = written.report, written.narrative
    return ReportBundle(
        report_json=render_json(report), report_html=render_html(report, written.names),
        findings_csv=render_csv(report), findings_count=len(report.findings),
        total_monthly_savings=report.totals.monthly_savings, currency=report.currency,
        narrative_source=narrative.source, changes=written.changes, spend_30d=written.spend_30d,
        narrative_fallback_reason=narrative.fallback_reason.value if narrative.fallback_reason else None,
    )
