"""The headline by certainty (report-design D2.2): tier totals, the range, the exact sum and the run-rate.

Low end = the measured tier alone; high end = every tier with each estimate at its upper bound. The exact
counted sum (`counted_monthly`) is rounded once at the end and equals v1's `totals.monthly_savings`.

Run-rate (D8.2): the analytics' own (timeline.run_rate: the mean day of the last 28, or of the days since the
latest level shift when it is 7 to 28 days old, anomaly days replaced by the same weekday one week earlier;
monthly = 30 x, annual = 360 x), taken with `run_rate_from`. `run_rate_of` computes the same from a daily series
alone, for a stored v1 report that has no per-resource data (report_v2.py).
"""

from __future__ import annotations

import datetime as dt
import statistics

from shared.analysis.findings import TIERS, Finding
from shared.analysis.insights_model import RunRate as DetailedRunRate
from shared.analysis.report_model import Headline, RunRate, RunRateAfter, SavingsRange, TierTotal
from shared.analysis.tiers import range_of, tier_of

RUN_RATE_DAYS = 28
TIER_LABELS = {"measured": "Measured on your bill", "conditional": "If you hold the licences",
               "commitment": "Needs a commitment decision", "estimated": "Estimated"}
TIER_NEEDS = {"measured": "a change in your estate", "conditional": "licences with Software Assurance",
              "commitment": "a purchase your finance team approves", "estimated": "a check before you act"}
TIER_WORDS = {"measured": "measured", "conditional": "if licensed", "commitment": "commitment",
              "estimated": "estimate"}


def run_rate_from(rate: DetailedRunRate) -> RunRate:
    """The headline's run-rate: the analytics' D8.2 figure, so page 1 and the money section agree."""
    return RunRate(daily=rate.daily, monthly=rate.monthly, annual=rate.annual, from_=rate.start, days=rate.days,
                   excludes=list(rate.excludes))


def run_rate_of(daily: list[tuple[dt.date, float]], anomaly_days: set[dt.date],
                shift_day: dt.date | None = None) -> RunRate:
    """Today's daily spend rate from the daily totals (anomaly days replaced first)."""
    if not daily:
        return RunRate(daily=0.0, monthly=0.0, annual=0.0, from_=None, days=0, excludes=[])
    by_day = dict(daily)
    clean = {d: by_day.get(d - dt.timedelta(days=7), c) if d in anomaly_days else c for d, c in daily}
    end = daily[-1][0]
    days = RUN_RATE_DAYS
    if shift_day is not None and 7 <= (end - shift_day).days + 1 <= RUN_RATE_DAYS:
        days = (end - shift_day).days + 1
    window = [d for d, _ in daily][-days:]
    rate = statistics.fmean(clean[d] for d in window)
    return RunRate(daily=round(rate, 2), monthly=round(30 * rate, 2), annual=round(360 * rate, 2),
                   from_=window[0], days=len(window), excludes=sorted(d for d in anomaly_days if d in window))


def _share(amount: float, run_rate: RunRate) -> float | None:
    return round(amount / run_rate.monthly, 4) if run_rate.monthly > 0 else None


def build_headline(findings: list[Finding], currency: str, spend_30d: float, run_rate: RunRate) -> Headline:
    """Tier totals, the exact counted sum, the range and the run-rate before and after."""
    tiers = []
    for tier in TIERS:
        mine = [f for f in findings if f.currency == currency and tier_of(f) == tier]
        monthly = round(sum(f.monthly_savings for f in mine), 2)
        low = round(sum(range_of(f)[0] for f in mine), 2)
        high = round(sum(range_of(f)[1] for f in mine), 2)
        tiers.append(TierTotal(tier=tier, label=TIER_LABELS[tier], needs=TIER_NEEDS[tier], monthly=monthly,
                               monthly_low=low, monthly_high=high, annual=round(12 * monthly, 2),
                               share_of_run_rate=_share(monthly, run_rate), findings=len(mine)))
    counted = round(sum(f.monthly_savings for f in findings if f.counted and f.currency == currency), 2)
    low = tiers[0].monthly
    high = round(sum(t.monthly_high for t in tiers), 2)
    return Headline(
        currency=currency, spend_30d=round(spend_30d, 2), run_rate=run_rate, tiers=tiers, counted_monthly=counted,
        counted_annual=round(12 * counted, 2),
        range=SavingsRange(low_monthly=low, high_monthly=high, low_annual=round(12 * low, 2),
                           high_annual=round(12 * high, 2), low_share=_share(low, run_rate),
                           high_share=_share(high, run_rate)),
        run_rate_after=RunRateAfter(today_annual=run_rate.annual,
                                    measured_annual=round(12 * max(run_rate.monthly - low, 0.0), 2),
                                    all_high_annual=round(12 * max(run_rate.monthly - high, 0.0), 2)))
