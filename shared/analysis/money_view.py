"""Where the money goes (report-design D8, D13.2 section 3): what report.html shows of `analytics.insights`.

Prepared from report.json v2 only, so the template lays out and never computes: the monthly table with partial
months labelled, the run-rate against the first weeks and its drivers, the bill's events (level shifts, one-offs,
growth, forecast, untagged spend), movers, new and stopped costs, spend by subscription, environment, service
(with an "other" row), resource group (with its subscription, truncation said) and resource (with its findings),
tags (which keys, coverage, the reconciliation), cash against amortised, and the guardrails per subscription.
Tables stop at ROWS rows (D13.5's first cut); report.json holds them all. Names are escaped by the template.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass

from shared.analysis.context import ENV_LABELS
from shared.analysis.governance_items import GUARDRAIL_WORDS
from shared.analysis.money import money, percent
from shared.analysis.report_model import Report
from shared.analysis.report_model_insights import Driver, Mover
from shared.analysis.report_model_tags import Insights

ROWS = 6  # D13.5's first cut: analytics tables to fewer rows (report.json has them all)
SERVICES = 8
STEADY = 0.005  # a change under half a percent reads as steady
MOVED = 0.01  # a mover is shown when it moved by more than 1% of its spend and one unit of currency


def _moved_enough(m: Mover) -> bool:
    return m.status != "changed" or (abs(m.delta) >= 1.0 and abs(m.delta) >= MOVED * max(m.before, m.now))
Row = tuple[str, ...]
Rows = Sequence[Row]


@dataclass
class MoneyView:
    """Rows and sentences of the money section (tuples of printed cells)."""

    months: Rows
    run_rate: str
    events: list[str]
    services_moved: str
    resources_moved: Rows
    moved_total: str
    new_costs: Rows
    subscriptions: Rows
    environments: Rows
    services: Rows
    groups: Rows
    groups_note: str
    resources: Rows
    tag_keys: Rows
    tag_note: str
    cash: str
    coverage: str
    guardrails: Rows


def _month(label: str) -> str:
    year, month = int(label[:4]), int(label[5:])
    return f"{calendar.month_abbr[month]} {year}"


def _role(key: str, role: str) -> str:
    """What an allocation key is for, when its name does not say it."""
    word = {"owner": "owner", "cost_centre": "cost centre", "environment": "environment"}.get(role, "on 25%+ of spend")
    return "" if word.replace(" ", "") in key.lower() else f"({word})"


def _signed_pct(fraction: float) -> str:
    return ("+" if fraction >= 0 else "\u2212") + percent(abs(fraction))


def _drivers(drivers: list[Driver], cur: str) -> str:
    return ", ".join(f"{d.name} {'+' if d.delta >= 0 else ''}{money(d.delta, cur)} ({percent(abs(d.share))})"
                     for d in drivers)


def _run_rate(i: Insights, cur: str) -> str:
    r = i.run_rate
    if r is None:
        return "No run-rate: no cost data was read."
    text = (f"Run-rate {money(r.daily, cur)} a day ({money(r.monthly, cur)} a month, about "
            f"{money(r.annual, cur, 'annual')} a year), the mean of the {r.days} days from {r.from_:%-d %b}"
            + (", one-off days replaced" if r.excludes else "") + ".")
    if r.base_daily is not None and r.change_daily is not None and r.base_from is not None:
        if r.change_pct is not None and abs(r.change_pct) < STEADY:
            return text + (f" Steady: {money(r.base_daily, cur)} a day in the first {r.base_days} days from "
                           f"{r.base_from:%-d %b}.")
        pct = f" ({_signed_pct(r.change_pct)})" if r.change_pct is not None else ""
        text += (f" Against {money(r.base_daily, cur)} a day in the first {r.base_days} days from "
                 f"{r.base_from:%-d %b}: {'+' if r.change_daily >= 0 else ''}{money(r.change_daily, cur)} a day{pct}")
        text += f"; the main drivers: {_drivers(r.drivers, cur)}." if r.drivers and r.change_daily else "."
    return text


def _moved(m: Mover, cur: str) -> Row:
    change = {"new": "new", "stopped": "stopped"}.get(m.status) or (
        _signed_pct(m.delta_pct) if m.delta_pct is not None else "")
    when = f" since {m.first_cost:%-d %b}" if m.first_cost and m.status == "new" else (
        f", last billed {m.last_cost:%-d %b}" if m.last_cost else "")
    note = f"{change}{when}" + (f"; one-off {money(m.one_off, cur)}" if m.one_off else "")
    return (m.label, money(m.before, cur), money(m.now, cur), note, "in the plan" if m.finding_ids else "")


def money_view(r: Report) -> MoneyView | None:
    """The section's content, or None when the analytics of D8 are absent (an upgraded v1 report)."""
    i, cur = r.analytics.insights, r.currency
    if i is None:
        return None
    months = [(_month(m.month), f"{m.days_with_data} of {m.days_in_month}" if m.partial else str(m.days_in_month),
               money(m.total, cur), money(m.daily_average, cur), m.note or "") for m in i.months]
    events = [s.text for s in r.analytics.signals if s.type != "forecast"]
    mv = i.movers
    subs = [(s.name, s.offer_label + (" (outside your agreement)" if s.outside_main_agreement else ""),
             ENV_LABELS.get(s.environment, s.environment), money(s.amount, cur),
             percent(s.share), percent(s.untagged_share),
             "not read" if s.budgets is None else
             ", ".join(money(b.amount, cur, "summary") for b in s.budgets) or "none")
            for s in i.by_subscription]
    services = [(a.label, money(a.amount, cur), percent(a.share)) for a in i.by_service[:SERVICES]]
    rest = i.by_service[SERVICES:]
    other = sum(a.amount for a in rest) + i.by_service_other
    if other > 0:
        count = len(rest) + i.services_other_count
        services.append((f"Other ({count} services)", money(other, cur), percent(other / (i.spend_30d or 1.0))))
    groups = [(g.group, g.subscription_name, money(g.amount, cur)) for g in i.by_resource_group[:ROWS]]
    shown = min(ROWS, len(i.by_resource_group))
    return MoneyView(
        months=months, run_rate=_run_rate(i, cur), events=events,
        services_moved="; ".join(f"{m[0]} {m[1]} → {m[2]} ({m[3]})" for m in (
            _moved(x, cur) for x in [x for x in mv.services if _moved_enough(x)][:5])) or "no service moved by more "
        "than 1%" if mv else "",
        resources_moved=[_moved(m, cur) for m in [m for m in mv.resources if _moved_enough(m)][:ROWS]] if mv else [],
        moved_total=(f"Last 30 days {money(mv.total_now, cur)} against {money(mv.total_before, cur)} the 30 days "
                     "before" + (f" ({mv.prior_days} days of data)" if mv.prior_days < 30 else "")) if mv else "",
        new_costs=[("started" if c in i.new_costs else "stopped", c.name, c.type_label, f"{c.date:%-d %b}",
                    money(c.daily, cur), money(c.monthly, cur), "in the plan" if c.finding_ids else "")
                   for c in [*i.new_costs, *i.stopped_costs][:ROWS]],
        subscriptions=subs,
        environments=[(a.label, money(a.amount, cur), percent(a.share)) for a in i.by_environment],
        services=services, groups=groups,
        groups_note=(f"The top {shown} of {i.resource_groups_total} resource groups; the rest are in report.json."
                     if i.resource_groups_total > shown else ""),
        resources=[(t.name, t.type_label, f"{t.resource_group} · {ENV_LABELS.get(t.environment, t.environment)}",
                    money(t.amount, cur),
                    "in the plan" if t.finding_ids else "") for t in i.top_resources[:ROWS]],
        tag_keys=[(k.key, _role(k.key, k.role), percent(k.coverage), percent(k.coverage_with_rg),
                   money(k.untagged, cur),
                   "; ".join(f"{v.value}{' (via its group)' if v.via_resource_group else ''} {money(v.amount, cur)}"
                             for v in k.values[:4])) for k in i.tags.keys],
        tag_note=i.tags.reconciliation, cash=i.actual_vs_amortized.reason,
        coverage=r.commitments.coverage.reason or "",
        guardrails=_guardrails(r, i))


def _guardrails(r: Report, i: Insights) -> Rows:
    """Per subscription: budgets, anomaly alerts and the recommendations the plan's Decide section carries."""
    recommended = {g.subscription_id: g.recommendation_ids for g in i.governance}
    out: list[Row] = []
    for s in i.by_subscription:
        alerts = "not read" if s.anomaly_alerts is None else str(s.anomaly_alerts)
        budgets = "not read" if s.budgets is None else (", ".join(
            money(b.amount, r.currency, "summary")
            + (f" ({percent(b.spent_ratio)} spent)" if b.spent_ratio is not None else "")
            for b in s.budgets) or "none")
        words = [GUARDRAIL_WORDS.get(g, g) for g in recommended.get(s.subscription_id, [])]
        out.append((s.name, budgets, alerts, ", ".join(words) or "—"))
    return out

