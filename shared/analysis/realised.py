"""Whether the customer's own bill confirms the saving of a resolved finding (realised) or not yet (claimed).

The current review's cost data covers the days before the previous review and the days since, so one bill
answers: the finding's resources (and their child resources) cost `before_daily` a day over the 30 days the
previous review priced (its last 30 days of cost data), and `after_daily` over the last 7 settled days since it.
Only settled days count (shared/analysis/settled.py: a closed month). The drop, x 30 and capped at the claim,
is realised when it is at least half the claim (prices and usage drift; half is "the bill confirms it");
otherwise the saving stays claimed. Seven days hold every weekday once, so a weekend pattern cannot fake a drop.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from shared.analysis.changes_model import BillComparison, Evidence, SavingStatus
from shared.analysis.costs import WINDOW_DAYS
from shared.analysis.index import EstateIndex, parent_ids
from shared.analysis.settled import last_settled_day

AFTER_DAYS = 7
CONFIRM_SHARE = 0.5
_CENT = 0.005


@dataclass(frozen=True)
class Claim:
    """What the previous review claimed for a resolved finding, and on which resources."""

    resource_ids: frozenset[str]  # lower case: the finding's resource and the resources it named
    monthly: float
    claimable: bool  # counted, in the billing currency, above zero


@dataclass(frozen=True)
class Verdict:
    """A resolved finding's saving as this review's bill shows it."""

    saving: SavingStatus
    evidence: Evidence
    realised_monthly: float | None = None
    bill: BillComparison | None = None


@dataclass(frozen=True)
class BillWindow:
    """The settled days this review compares: before (the previous review's last 30 days) and after it."""

    settled_through: dt.date | None
    before: tuple[dt.date, dt.date] | None
    after: tuple[dt.date, dt.date] | None
    problem: Evidence | None  # why nothing can be confirmed for any finding, when that is so


def bill_window(index: EstateIndex, previous_end: dt.date, now: dt.datetime) -> BillWindow:
    """The days compared for every resolved finding of this review."""
    start, end = index.cost.window_from, index.cost.window_to
    if start is None or end is None:
        return BillWindow(None, None, None, "cost_not_collected")
    settled = min(last_settled_day(now), end)
    if (settled - previous_end).days < AFTER_DAYS:
        return BillWindow(settled, None, None, "not_settled")
    before = (max(previous_end - dt.timedelta(days=WINDOW_DAYS - 1), start), min(previous_end, settled))
    if before[0] > before[1]:
        return BillWindow(settled, None, None, "outside_window")
    after = (max(previous_end + dt.timedelta(days=1), settled - dt.timedelta(days=AFTER_DAYS - 1)), settled)
    return BillWindow(settled, before, after, None)


def _with_children(index: EstateIndex, parents: set[str]) -> dict[str, str]:
    """Every billed resource id that is one of `parents` or a child of one, mapped to that parent."""
    out: dict[str, str] = {}
    for rid in index.cost.window_total:
        for ancestor in parent_ids(rid):
            if ancestor in parents:
                out[rid] = ancestor
                break
    return out


def _mean(daily: dict[dt.date, float], span: tuple[dt.date, dt.date]) -> float:
    days = (span[1] - span[0]).days + 1
    return sum(v for d, v in daily.items() if span[0] <= d <= span[1]) / days


def judge_all(claims: Iterable[Claim], index: EstateIndex, window: BillWindow) -> list[Verdict]:
    """The verdict of each claim, in order; the bill is read once for all of them."""
    claims = list(claims)
    parents = {rid for c in claims if c.claimable for rid in c.resource_ids}
    daily: dict[str, dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))
    if parents and window.before is not None:
        owner = _with_children(index, parents)
        for rid, series in index.daily_costs(set(owner), since=window.before[0]).items():
            for day, cost in series.items():
                daily[owner[rid]][day] += cost
    return [_judge(c, index, window, daily) for c in claims]


def _judge(claim: Claim, index: EstateIndex, window: BillWindow,
           daily: dict[str, dict[dt.date, float]]) -> Verdict:
    if not claim.claimable:
        return Verdict("none", "no_saving")
    if not all(index.cost_known(rid) for rid in claim.resource_ids):
        return Verdict("claimed", "cost_not_collected")
    if window.problem is not None or window.before is None or window.after is None:
        return Verdict("claimed", window.problem or "not_settled")
    combined: dict[dt.date, float] = defaultdict(float)
    for rid in claim.resource_ids:
        for day, cost in daily.get(rid, {}).items():
            combined[day] += cost
    before, after = _mean(combined, window.before), _mean(combined, window.after)
    if before < _CENT:
        return Verdict("claimed", "not_billed")
    drop = round(max(0.0, before - after) * WINDOW_DAYS, 2)
    bill = BillComparison(before_from=window.before[0], before_to=window.before[1], before_daily=round(before, 4),
                          after_from=window.after[0], after_to=window.after[1], after_daily=round(after, 4),
                          drop_monthly=drop)
    realised = round(min(drop, claim.monthly), 2)
    if realised >= CONFIRM_SHARE * claim.monthly:
        return Verdict("realised", "bill_confirms", realised, bill)
    return Verdict("claimed", "no_drop", None, bill)
