"""Assemble report.json v2 from the analysis (report-design D12.2).

Order: place every finding (context, effort, risk, tier, section), plan them and put them in their published
order (the draft, which the comparison with the previous review reads), then build the headline and publish each
finding with its row's script prefixes and its change since that review. COST-1/3/5 are analytics signals
(tiers.SIGNAL_RULES); COST-2 stays a risk with its one-off amount; the guardrails (GV-*) join the findings as
Decide items. The headline's run-rate is the analytics' (D8.2: one-off days replaced, the days since a level shift
when it is 7 to 28 days old), so page 1 and the money section say the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.analysis.analysed import Analysed
from shared.analysis.changes import Published
from shared.analysis.changes_model import Changes
from shared.analysis.commitment_view import commitments_of
from shared.analysis.customer_queries import queries_for
from shared.analysis.finding_context import ContextIndex
from shared.analysis.findings import Finding
from shared.analysis.headline import build_headline, run_rate_from, run_rate_of
from shared.analysis.index import WINDOW_DAYS, EstateIndex
from shared.analysis.model import ScanInputs
from shared.analysis.offers import offer_label
from shared.analysis.placement import SECTIONS, Placed, place
from shared.analysis.plan import Where, build_plan
from shared.analysis.report_analytics import analytics_out, impact_of, totals_of
from shared.analysis.report_changes import finding_changes
from shared.analysis.report_findings import finding_out, licence_series
from shared.analysis.report_model import DataWindow, Narrative, Report, RunRate, SubscriptionOut
from shared.analysis.report_model_plan import ActionPlan
from shared.analysis.scripts import prefixes_for
from shared.analysis.tiers import SIGNAL_RULES, rule_class
from shared.collectors.cost_plan import RESOURCE_DAYS

METHODOLOGY = [
    "Inventory from Azure Resource Graph, cost from the Cost Management Query API (amortized cost, daily, by "
    "resource and meter category), recommendations from Azure Advisor (Cost category).",
    "Every saving has a tier: measured on your bill, conditional on licences you hold, a commitment decision, or "
    "an estimate. The headline range runs from the measured tier alone to every tier at its upper estimate.",
    f"From your bill: the resource's own amortized cost over the last {WINDOW_DAYS} days (one-off days replaced by "
    "the same weekday a week earlier; a resource younger than 30 days at its daily rate since it started).",
    "From your bill (a similar resource's price): the full-day rate of a resource of the same size or tier in the "
    "same region on your bill, for the size or licence the change moves to.",
    "Advisor estimate: Advisor's figure (annual / 12, retail prices), counted only in your billing currency. Rule "
    "of thumb: a named share with its range, used only when no similar resource is on your bill.",
    "One finding per resource and family; mutually exclusive options count once; a resource's cost is never "
    "claimed by two counted findings; commitments are sized on the usage left after clean-up and right-sizing, "
    "and with less than 60 days of lookback only 1-year commitments count. Review items are never counted.",
    "The summary is checked statements, every figure filled from a computed fact; a language model (when used) "
    "only chooses among them and sees aggregates and aliases, never resource names, ids or tags.",
]


def limitations_of(inputs: ScanInputs, index: EstateIndex) -> list[str]:
    """What the granted permissions or the offer did not let us see, in plain words."""
    out = []
    for sub in inputs.subscriptions:
        for source, reason in sorted(sub.missing.items()):
            out.append(f"Subscription {sub.display_name or sub.subscription_id}: no {source} data ({reason}).")
        cost = sub.raw.get("cost")
        if cost is not None and (days := (cost.data.get("missing") or {}).get(RESOURCE_DAYS)):
            out.append(f"Subscription {sub.display_name or sub.subscription_id}: {days}.")
    if index.cost.other_currencies:
        out.append("Cost data in other currencies (" + ", ".join(sorted(index.cost.other_currencies))
                   + ") was left out of the spend figures.")
    out.append("Reader access cannot see licence entitlements: Hybrid Benefit findings assume you hold the licences.")
    out.append("Memory and disk performance metrics are not read: right-sizing relies on Advisor's CPU evidence.")
    out.append("Commitment coverage and utilisation are not visible: they need the bill split by pricing model and "
               "a billing reader for unused reservation charges.")
    return out


def _subscriptions(inputs: ScanInputs, contexts: ContextIndex) -> list[SubscriptionOut]:
    out = []
    for s in inputs.subscriptions:
        context = contexts.of(f"/subscriptions/{s.subscription_id}")
        out.append(SubscriptionOut(
            subscription_id=s.subscription_id.lower(), display_name=s.display_name, offer=s.quota_id,
            offer_label=offer_label(s.quota_id), environment=context.environment,
            environment_source=context.environment_source,
            sources={**dict.fromkeys(s.raw, "collected"), **s.missing}))
    return out


def _order(p: Placed, section: str) -> tuple[int, float, str]:
    return (SECTIONS.index(section), -p.high, p.name.lower())


@dataclass(frozen=True)
class Draft:
    """The findings the report publishes, placed and planned, in their published order: what the comparison with
    the previous review reads before the findings are written (report_changes.py)."""

    kept: list[Finding]
    contexts: ContextIndex
    run_rate: RunRate
    plan: ActionPlan
    where: Where
    row_prefixes: dict[str, dict[str, str]]
    published: list[Placed]

    def compared(self) -> list[Published]:
        """Each published finding as changes.py compares it, in published order."""
        return [Published(p.id, rule_class(p.finding.rule).category) for p in self.published]


def draft_report(done: Analysed) -> Draft:
    """Place the findings the report publishes, plan them and put them in their published order."""
    index, insights = done.index, done.insights
    currency = index.cost.currency or "GBP"
    contexts = ContextIndex(done.context)
    kept = [f for f in done.findings if f.rule not in SIGNAL_RULES] + done.governance
    placed = [place(f, contexts, *impact_of(f, insights)) for f in kept]
    run_rate = run_rate_from(insights.run_rate) if insights.run_rate else run_rate_of([], set())
    plan, where, rows = build_plan(placed, run_rate.monthly, currency, index)
    row_prefixes: dict[str, dict[str, str]] = {}
    for items in rows.values():
        shared = prefixes_for(c for q in items for c in q.finding.commands)
        row_prefixes |= dict.fromkeys((p.id for p in items), shared)
    published = sorted(placed, key=lambda p: _order(p, where[p.id][0]))
    return Draft(kept, contexts, run_rate, plan, where, row_prefixes, published)


def build_report(inputs: ScanInputs, done: Analysed, draft: Draft, narrative: Narrative,
                 changes: Changes | None = None) -> Report:
    """The whole report model; `changes` since the previous review (None for a first review)."""
    index, analytics, insights = done.index, done.analytics, done.insights
    currency = index.cost.currency or "GBP"
    kept, run_rate = draft.kept, draft.run_rate
    licence = licence_series(kept, index)
    since = finding_changes(inputs.generated_at, changes)
    out = [finding_out(p, draft.where[p.id], index, done.rates,
                       draft.row_prefixes.get(p.id) or prefixes_for(p.finding.commands), currency, licence,
                       since.of(p.id, rule_class(p.finding.rule).category))
           for p in draft.published]
    window_from, window_to = index.cost.window_from, index.cost.window_to
    return Report(
        customer_id=inputs.customer_id, scan_id=inputs.scan_id, company=inputs.company,
        generated_at=inputs.generated_at, currency=currency,
        data_window=DataWindow(cost_from=window_from, cost_to=window_to,
                               days=(window_to - window_from).days + 1 if window_from and window_to else 0,
                               savings_window_days=WINDOW_DAYS, run_rate_days=run_rate.days),
        subscriptions=_subscriptions(inputs, draft.contexts),
        headline=build_headline(kept, currency, analytics.total_30d, run_rate),
        totals=totals_of(kept, currency), findings=out, action_plan=draft.plan,
        commitments=commitments_of(kept, done.rates, done.twins),
        analytics=analytics_out(analytics, insights, done.governance),
        customer_queries=queries_for(out), narrative=narrative, limitations=limitations_of(inputs, index),
        methodology=METHODOLOGY, changes=changes, previous_scan_id=changes.previous_scan_id if changes else None)
