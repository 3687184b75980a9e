"""When a day of the customer's bill has settled: its charges will not change any more.

Microsoft, "Understand Cost Management data" (learn.microsoft.com/azure/cost-management-billing/costs/
understand-cost-mgt-data, section "Cost and usage data updates and retention"):

- "Cost and usage data is typically available in Cost Management within 8-24 hours";
- "Azure finalizes or closes the current billing period up to 72 hours (three calendar days) after the billing
  period ends", and "During the open month (uninvoiced) period, cost management data should be considered an
  estimate only";
- "Usage charges can continue to accrue and can change until the fifth day of the month after your current
  billing period ends";
- "Rerated data": "expect the current billing period's charges to get rerated. Charges might change until the
  invoice is closed."

So a day counts as settled only once its month is closed: from 00:00 UTC on the sixth day of the next month
(after the fifth day on which charges can still change, itself later than the 72 hours). Such a day is always
older than 72 hours, and never in an open month being re-rated. Enterprise Agreement and Microsoft Customer
Agreement billing periods are calendar months; a pay-as-you-go billing period can end on another day of the
month, which the cost data we read does not say, so for those the calendar month is an approximation.
"""

from __future__ import annotations

import datetime as dt

# Charges can change until the fifth day of the following month; the sixth is the first day they cannot.
SETTLED_FROM_DAY = 6


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_settled_day(now: dt.datetime) -> dt.date:
    """The latest day of the bill whose charges can no longer change at `now` (UTC): the end of a closed month."""
    today = now.astimezone(dt.UTC).date()
    this_month = _first_of_month(today)
    if today.day >= SETTLED_FROM_DAY:
        return this_month - dt.timedelta(days=1)  # last month has closed
    last_month = _first_of_month(this_month - dt.timedelta(days=1))
    return last_month - dt.timedelta(days=1)  # last month is still open: the month before it is the latest closed


def settles_on(day: dt.date) -> dt.datetime:
    """The moment (UTC) from which `day`'s charges count as settled."""
    next_month = _first_of_month(_first_of_month(day) + dt.timedelta(days=32))
    return dt.datetime.combine(next_month.replace(day=SETTLED_FROM_DAY), dt.time(), tzinfo=dt.UTC)


def is_settled(day: dt.date, now: dt.datetime) -> bool:
    """Whether `day`'s charges are final at `now`."""
    return day <= last_settled_day(now)
