"""Since your last review, in words (issue 15 section 4; report-design D13.2's reserved slot near the top).

What the HTML section and the CSV's resolved rows say of `report.changes`: the spend change, what was resolved
with the saving realised on the settled bill or why it is not (yet), what is new, and what persists since when.
Names are customer data (the template escapes them); money goes through money.py. Lists are bounded like the plan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from shared.analysis.changes import review_date
from shared.analysis.changes_model import Changes, ResolvedFinding
from shared.analysis.money import money, percent
from shared.analysis.report_model import Report

NAMES_SHOWN = 8
RESOLVED_SHOWN = 10


def _day(value: dt.date) -> str:
    return f"{value:%-d %b %Y}"


def resolved_sentence(r: ResolvedFinding) -> str:
    """Whether the saving of a resolved finding is realised on the settled bill, and if not, why."""
    bill, cur = r.bill, r.currency
    if r.evidence == "bill_confirms" and bill is not None:
        return (f"realised {money(r.realised_monthly or 0.0, cur)} a month: the settled bill shows "
                f"{money(bill.before_daily, cur)} a day before the last review and {money(bill.after_daily, cur)} "
                f"from {_day(bill.after_from)} to {_day(bill.after_to)}")
    return {
        "no_drop": (f"not realised: the settled bill still shows {money(bill.after_daily, cur)} a day from "
                    f"{_day(bill.after_from)} to {_day(bill.after_to)}, against {money(bill.before_daily, cur)} "
                    "before" if bill else "not realised: the settled bill shows no drop"),
        "not_settled": "not confirmed yet: fewer than 7 days of the bill since the last review have settled "
                       "(a month settles on the 6th of the next)",
        "not_billed": "nothing to confirm: its resources cost nothing before the last review",
        "outside_window": "cannot be confirmed: the last review's days are older than this review's cost data",
        "cost_not_collected": "cannot be confirmed: this review could not read the subscription's bill",
        "no_saving": "no saving was claimed for it",
    }.get(r.evidence, r.evidence)


@dataclass
class Persisting:
    """Findings first seen on one date: how many, their counted money and their names (bounded)."""

    first_seen: str
    count: int
    monthly: str
    names: list[str] = field(default_factory=list)
    more: int = 0


@dataclass
class ChangesView:
    """The section's lines and lists."""

    compared: str
    spend: str
    counts: str
    savings: str
    resolved: list[tuple[str, str, str, str]]  # (what, where, claimed, outcome)
    resolved_more: int
    new: list[str]
    new_more: int
    persisting: list[Persisting]


def _spend(c: Changes) -> str:
    s, cur = c.spend, c.spend.currency
    line = (f"Spend over the last 30 days: {money(s.previous_30d, cur)} at the last review, "
            f"{money(s.current_30d, cur)} now")
    if s.delta is None:
        return line + " (the two reviews are in different currencies)."
    way = "up" if s.delta > 0 else "down" if s.delta < 0 else "unchanged"
    pct = f", {percent(abs(s.delta_pct))}" if s.delta_pct is not None and s.delta else ""
    return line + (f" ({way} {money(abs(s.delta), cur)}{pct})." if s.delta else " (unchanged).")


def changes_view(r: Report) -> ChangesView | None:
    """The section, or None on a customer's first review."""
    c = r.changes
    if c is None:
        return None
    cur = c.savings.currency
    by_id = {f.id: f for f in r.findings}
    counts = f"{c.counts.resolved} resolved · {c.counts.new} new · {c.counts.persisting} persisting"
    if c.counts.not_reviewed:
        counts += f" · {c.counts.not_reviewed} not reviewed (their subscription could not be read this time)"
    savings = (f"Resolved since: {money(c.savings.resolved_monthly, cur)} a month claimed by the last review, "
               f"{money(c.savings.realised_monthly, cur)} of it realised on the settled bill"
               + (f" (bill settled through {_day(c.settled_through)})." if c.settled_through else "."))
    resolved = [(f"{x.title}: {x.resource_name}", f"first seen {_day(x.first_seen)}",
                 money(x.monthly_savings, x.currency) if x.saving != "none" else "—", resolved_sentence(x))
                for x in sorted(c.resolved, key=lambda x: (-x.monthly_savings, x.resource_name.lower()))]
    new = [f"{f.resource_name}: {f.title}" + (f" ({money(f.monthly_savings, f.currency)} a month)" if f.counted else "")
           for f in (by_id[i] for i in c.new if i in by_id)]
    groups: dict[dt.date, list[str]] = defaultdict(list)
    for p in c.persisting:
        groups[p.first_seen].append(p.id)
    persisting = []
    for day, ids in sorted(groups.items()):
        found = [by_id[i] for i in ids if i in by_id]
        names = sorted({f.resource_name for f in found}, key=str.lower)
        total = sum(f.monthly_savings for f in found if f.counted and f.currency == r.currency)
        persisting.append(Persisting(_day(day), len(ids), money(total, r.currency), names[:NAMES_SHOWN],
                                     max(0, len(names) - NAMES_SHOWN)))
    return ChangesView(
        compared=f"Compared with your review of {_day(review_date(c.previous_generated_at))} "
                 f"({c.days_since_previous} days earlier).",
        spend=_spend(c), counts=counts, savings=savings, resolved=resolved[:RESOLVED_SHOWN],
        resolved_more=max(0, len(resolved) - RESOLVED_SHOWN), new=new[:NAMES_SHOWN],
        new_more=max(0, len(new) - NAMES_SHOWN), persisting=persisting)
