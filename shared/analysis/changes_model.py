"""The `changes` section of report.json ("Since your last review", issue 15): its pydantic model.

docs/report-format.md ("Since your last review") documents every field. The report model takes it as an
optional field (`changes: Changes | None = None`), so a report without a previous review, or written before
this section existed, still reads. Ids are lower case; money is in the billing currency (`currency`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

Change = Literal["new", "persisting", "resolved"]
SavingStatus = Literal["realised", "claimed", "none"]
# Why a resolved finding's saving is (or is not) shown as realised; the renderer words each one.
Evidence = Literal[
    "bill_confirms",       # settled days after the review cost at least half the claim less than before it
    "no_drop",             # the settled bill shows a smaller drop than half the claim
    "not_settled",         # fewer than AFTER_DAYS settled days of the bill since the previous review
    "not_billed",          # the resources had no cost before the review (nothing the bill can confirm)
    "outside_window",      # the previous review's days are older than this review's cost data
    "cost_not_collected",  # this review could not read the subscription's bill
    "no_saving",           # review items, risks, £0 hygiene, uncounted or other-currency savings
]


class Seen(Protocol):
    """A finding a review found persisting, and the date it was first seen."""

    @property
    def id(self) -> str: ...

    @property
    def first_seen(self) -> dt.date: ...


def first_seen_map(new: Iterable[str], persisting: Iterable[Seen], today: dt.date) -> dict[str, dt.date]:
    """First-seen date of every finding a review compared: the new ones are first seen `today` (that review)."""
    return {**dict.fromkeys(new, today), **{p.id: p.first_seen for p in persisting}}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpendChange(_Model):
    """The last-30-day spend of the previous review against this one's (billing currency)."""

    currency: str
    previous_30d: float
    current_30d: float
    delta: float | None = Field(description="current - previous; None when the two reviews' currencies differ")
    delta_pct: float | None = Field(description="delta / previous (a fraction); None when previous is 0")


class BillComparison(_Model):
    """The resolved finding's resources in this review's bill: daily cost before and after the previous review."""

    before_from: dt.date
    before_to: dt.date
    before_daily: float
    after_from: dt.date
    after_to: dt.date
    after_daily: float
    drop_monthly: float = Field(description="(before_daily - after_daily) x 30, at least 0")


class PersistingFinding(_Model):
    """A finding of this review that the previous review also listed."""

    id: str
    first_seen: dt.date


class ResolvedFinding(_Model):
    """A finding of the previous review that this one no longer lists (its fields as the previous review had them)."""

    id: str
    rule: str
    kind: Literal["counted", "review", "risk"] | None
    category: str
    title: str
    resource_id: str
    resource_name: str
    subscription_id: str
    first_seen: dt.date
    reason: Literal["resource_gone", "cleared"]
    currency: str
    monthly_savings: float = Field(description="the monthly saving the previous review claimed (counted)")
    saving: SavingStatus
    evidence: Evidence
    realised_monthly: float | None = Field(
        description="what the settled bill shows saved a month, capped at the claim; set only when realised")
    bill: BillComparison | None


class ChangeCounts(_Model):
    """How many findings are new, persisting and resolved; not_reviewed: the previous review's findings in
    subscriptions this review could not read (neither persisting nor resolved)."""

    new: int
    persisting: int
    resolved: int
    not_reviewed: int


class ChangeSavings(_Model):
    """Savings found by this review and savings resolved since the previous one (monthly, billing currency)."""

    currency: str
    found_monthly: float
    resolved_monthly: float
    realised_monthly: float
    claimed_monthly: float


class Changes(_Model):
    """Since your last review: what is new, what persists (since when), what was resolved, how spend moved."""

    previous_scan_id: str
    previous_generated_at: dt.datetime
    previous_schema_version: int
    days_since_previous: int
    settled_through: dt.date | None = Field(description="the last day of the bill that has settled (closed month)")
    spend: SpendChange
    counts: ChangeCounts
    savings: ChangeSavings
    new: list[str]
    persisting: list[PersistingFinding]
    resolved: list[ResolvedFinding]
    not_reviewed: list[str]

    def change_map(self) -> dict[str, Change]:
        """new or persisting for every finding of this review, by id (one pass: renderers call it once)."""
        return {**dict.fromkeys(self.new, "new"), **{p.id: "persisting" for p in self.persisting}}

    def first_seen_map(self, today: dt.date) -> dict[str, dt.date]:
        """First-seen date of every finding of this review: new ones are first seen `today` (this review)."""
        return first_seen_map(self.new, self.persisting, today)
