"""Since your last review (issue 15): new, persisting and resolved findings, and the change in spend.

Pure: the previous review (its report.json of any schema version, only the fields compared: previous_model.py)
and this review's findings, estate index and spend in; a `Changes` (shared/analysis/changes_model.py) out.
Finding ids are stable across scans (shared/analysis/findings.py:finding_id), so matching is by id.

- new: in this review, not in the previous one; first seen today (this review's date).
- persisting: in both; first seen when the previous review says (its `changes`, else the finding's own
  `first_seen`, else the previous review's date), so the date survives any number of reviews.
- resolved: in the previous review, not in this one, in a subscription whose inventory this review read:
  `resource_gone` when the resource is no longer in the inventory, `cleared` when it is but the condition is
  not. Findings of subscriptions this review could not read are `not_reviewed`, never resolved.
- Cost signals are neither: they are events, not conditions to resolve. Report v2 publishes COST-1/3/5 in
  `analytics.signals`, not as findings, so they never reach this comparison; COST-2 (a one-off day, category
  `anomaly`) stays a finding to explain and is left out here, like the anomaly category of a v1 report.

Both sides are the findings as published (report.json v2's `findings`): an id in `new` or `persisting` is always
one the report lists, and a v1 report is compared after its own upgrade (report_reader.read_fields).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from shared.analysis.changes_model import (
    ChangeCounts,
    Changes,
    ChangeSavings,
    PersistingFinding,
    ResolvedFinding,
    SpendChange,
)
from shared.analysis.index import EstateIndex
from shared.analysis.model import ScanInputs
from shared.analysis.previous_model import PREVIOUS_REPORT, PreviousFinding, PreviousReport, PreviousReview
from shared.analysis.realised import Claim, bill_window, judge_all
from shared.analysis.report_reader import ReportUnreadable, read_fields

logger = logging.getLogger(__name__)

SIGNAL_CATEGORIES = frozenset({"anomaly"})


class Published(NamedTuple):
    """A finding this review publishes, as the comparison reads it (report.json v2's `id` and `category`)."""

    id: str
    category: str


@dataclass(frozen=True)
class CurrentReview:
    """What this review published, on which inventory, at what time."""

    findings: Sequence[Published]
    index: EstateIndex
    inventory_subscriptions: frozenset[str]  # lower-case ids of the subscriptions whose inventory was read
    currency: str
    spend_30d: float
    found_monthly: float
    now: dt.datetime


def read_previous(data: bytes | None) -> PreviousReview | None:
    """The previous review from its stored report.json bytes; None when absent or unreadable (logged)."""
    if data is None:
        return None
    try:
        return PreviousReview(*read_fields(data, PREVIOUS_REPORT))
    except ReportUnreadable as exc:
        logger.warning("previous report unreadable, no changes section: %s", exc)
        return None


def current_review(inputs: ScanInputs, index: EstateIndex, findings: Sequence[Published], spend_30d: float,
                   found_monthly: float) -> CurrentReview:
    """This review as compute_changes reads it (`findings`: report.json v2's published findings, in order)."""
    read = frozenset(s.subscription_id.lower() for s in inputs.subscriptions if "resource-graph" in s.raw)
    return CurrentReview(findings, index, read, index.cost.currency or "GBP", spend_30d, found_monthly,
                         inputs.generated_at)


def review_date(value: dt.datetime) -> dt.date:
    """The UTC date of a review's generated_at (a naive time is taken as UTC)."""
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).date()


def first_seen_before(report: PreviousReport) -> dict[str, dt.date]:
    """First-seen date of every finding of a stored review, from what it recorded (its date by default)."""
    default = review_date(report.generated_at)
    # The section's dates first (they survive any number of reviews), then each finding's own.
    recorded = report.changes.first_seen_map(default) if report.changes is not None else {}
    for finding in report.findings:
        if finding.first_seen is not None and finding.id not in recorded:
            recorded[finding.id] = finding.first_seen
    return {f.id: recorded.get(f.id, default) for f in report.findings}


def _spend(report: PreviousReport, current: CurrentReview) -> SpendChange:
    before = round(report.analytics.total_last_30_days, 2)
    now = round(current.spend_30d, 2)
    same = report.currency == current.currency
    delta = round(now - before, 2) if same else None
    pct = round(delta / before, 4) if delta is not None and before > 0 else None
    return SpendChange(currency=current.currency, previous_30d=before, current_30d=now, delta=delta, delta_pct=pct)


def _inventory_ids(index: EstateIndex) -> set[str]:
    """Lower-case ids of every resource, resource group and subscription of this review's inventory."""
    return set(index.resources) | {str(row.get("id") or "").lower() for row in index.containers}


def _claim(finding: PreviousFinding, currency: str) -> Claim:
    ids = frozenset({finding.resource_id.lower(), *(r.lower() for r in finding.resources)})
    claimable = (finding.kind in (None, "counted") and finding.counted and finding.monthly_savings > 0
                 and finding.currency == currency)
    return Claim(ids, float(finding.monthly_savings), claimable)


def compute_changes(previous: PreviousReview | None, current: CurrentReview) -> Changes | None:
    """The changes since the previous review; None for a customer's first review."""
    if previous is None:
        return None
    report = previous.report
    seen = first_seen_before(report)
    before = {f.id: f for f in report.findings if f.category not in SIGNAL_CATEGORIES}
    now_ids = [f.id for f in current.findings if f.category not in SIGNAL_CATEGORIES]
    new = [i for i in now_ids if i not in before]
    persisting = [PersistingFinding(id=i, first_seen=seen[i]) for i in now_ids if i in before]
    gone_ids = set(before) - set(now_ids)
    reviewed = [f for f in before.values() if f.id in gone_ids
                and f.subscription_id.lower() in current.inventory_subscriptions]
    not_reviewed = sorted(gone_ids - {f.id for f in reviewed})
    previous_end = report.data_window.cost_to or (review_date(report.generated_at) - dt.timedelta(days=1))
    window = bill_window(current.index, previous_end, current.now)
    inventory = _inventory_ids(current.index) if reviewed else set()
    verdicts = judge_all((_claim(f, current.currency) for f in reviewed), current.index, window)
    resolved = [ResolvedFinding(
        id=f.id, rule=f.rule, kind=f.kind, category=f.category, title=f.title, resource_id=f.resource_id.lower(),
        resource_name=f.resource_name, subscription_id=f.subscription_id.lower(), first_seen=seen[f.id],
        reason="cleared" if f.resource_id.lower() in inventory else "resource_gone", currency=f.currency,
        monthly_savings=round(f.monthly_savings, 2), saving=v.saving, evidence=v.evidence,
        realised_monthly=v.realised_monthly, bill=v.bill) for f, v in zip(reviewed, verdicts, strict=True)]
    return Changes(
        previous_scan_id=report.scan_id, previous_generated_at=report.generated_at,
        previous_schema_version=previous.schema_version,
        days_since_previous=(review_date(current.now) - review_date(report.generated_at)).days,
        settled_through=window.settled_through, spend=_spend(report, current),
        counts=ChangeCounts(new=len(new), persisting=len(persisting), resolved=len(resolved),
                            not_reviewed=len(not_reviewed)),
        savings=_savings(current, resolved), new=new, persisting=persisting, resolved=resolved,
        not_reviewed=not_reviewed)


def _savings(current: CurrentReview, resolved: list[ResolvedFinding]) -> ChangeSavings:
    claimed = [r for r in resolved if r.saving != "none"]
    realised = round(sum(r.realised_monthly or 0.0 for r in claimed if r.saving == "realised"), 2)
    return ChangeSavings(
        currency=current.currency, found_monthly=round(current.found_monthly, 2),
        resolved_monthly=round(sum(r.monthly_savings for r in claimed), 2), realised_monthly=realised,
        claimed_monthly=round(sum(r.monthly_savings for r in claimed if r.saving == "claimed"), 2))
