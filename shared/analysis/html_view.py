"""What report.html shows, prepared from report.json v2 so the template only lays it out (report-design D13).

Page 1: the range, the run-rate before and after, the tier table, the waterfall and the summary. Then the plan
(one human action per row, where, owner, money with its tier in words, effort and risk, the script it runs),
the money, and the appendices: scripts (A), queries (B), methodology and data sources (C). Every figure goes
through money.py; ids and commands appear only in the appendices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.analysis.change_risk import EFFORT_SHORT
from shared.analysis.headline import TIER_WORDS
from shared.analysis.money import money, money_range, percent
from shared.analysis.report_model import Report
from shared.analysis.report_model_plan import PlanRow


@dataclass
class Page:
    """Page 1's sentences."""

    range_monthly: str
    range_annual: str
    range_note: str
    run_rate_line: str
    tiers: list[tuple[str, str, str, str, str]] = field(default_factory=list)


def page_one(r: Report) -> Page:
    """The summary box texts and the tier table."""
    h, cur = r.headline, r.currency
    low, high = h.range.low_monthly, h.range.high_monthly
    shares = [s for s in (h.range.low_share, h.range.high_share) if s is not None]
    share = " of spend" if not shares else f", {percent(shares[0])}" + (
        f"\u2013{percent(shares[-1])}" if percent(shares[0]) != percent(shares[-1]) else "") + " of spend"
    single = money(low, cur, "summary") == money(high, cur, "summary")
    note = ("all measured on your bill" if single and low else
            "from the savings measured on your bill alone to every saving at its upper estimate")
    today, after, best = (h.run_rate_after.today_annual, h.run_rate_after.measured_annual,
                          h.run_rate_after.all_high_annual)
    line = f"{money(today, cur, 'annual')} a year today → {money(after, cur, 'annual')} after the measured savings"
    if not single:
        line += f" → {money(best, cur, 'annual')} if every saving is taken"
    tiers = [(t.label, money(t.monthly, cur) if t.monthly else "—", money(t.annual, cur) if t.monthly else "—",
              percent(t.share_of_run_rate) if t.share_of_run_rate is not None and t.monthly else "—", t.needs)
             for t in h.tiers]
    return Page(money_range(low, high, cur) + " a month",
                money_range(h.range.low_annual, h.range.high_annual, cur, "annual") + f" a year{share}", note, line,
                tiers)


def where(row: PlanRow) -> str:
    """Subscription name · resource group · environment (what is known of them)."""
    parts = [row.subscription_name, row.resource_group, row.environment]
    return " · ".join(p for p in parts if p) or "several subscriptions"


def amount(row: PlanRow, currency: str) -> tuple[str, str]:
    """The money cell and the tier in words ("measured", "if licensed", "estimate", "not counted")."""
    if not row.counted and not row.monthly_high:
        return "—", "no saving claimed"
    if not row.counted:
        return money_range(row.monthly_low, row.monthly_high, currency, "table"), "range, not counted"
    words = " + ".join(TIER_WORDS.get(t, t) for t in row.tiers)
    if row.monthly_low != row.monthly_high and "estimated" in row.tiers:
        return money(row.monthly, currency), f"{words} ({money_range(row.monthly_low, row.monthly_high, currency)})"
    return money(row.monthly, currency), words


def effort_risk(row: PlanRow) -> str:
    """"minutes · low risk"."""
    return f"{EFFORT_SHORT[row.effort]} · {row.change_risk}"


def missing_sources(sources: dict[str, str]) -> list[tuple[str, str]]:
    """The sources of a subscription that were not collected, with why (Appendix C)."""
    return [(k, v) for k, v in sources.items() if v != "collected"]


def hygiene_names(r: Report, limit: int) -> tuple[list[str], int]:
    """The folded findings' resource names (at most `limit`) and how many more there are."""
    ids = set(r.action_plan.hygiene.finding_ids)
    names = [f"{f.resource_name} ({f.resource_type_label})" for f in r.findings if f.id in ids]
    return names[:limit], max(0, len(names) - limit)
