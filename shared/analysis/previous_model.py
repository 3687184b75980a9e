"""The previous review as "Since your last review" reads it: only the report.json fields the comparison uses.

Reading a stored report into the whole Report model cost ~320 MB on a 100,000-resource estate (a 69 MB
report.json); these types keep what `changes.compute_changes` reads, as slotted dataclasses (no per-instance
dict), and report_reader.read_fields fills them straight from the bytes, so the rest of the document never
becomes Python objects. Each field has the type of the same field in report_model.py (v2; older versions are
read after their upgrade), so the values are the ones the full model would give. Fields a type does not name
are ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass as plain_dataclass

from pydantic import ConfigDict, TypeAdapter
from pydantic.dataclasses import dataclass

from shared.analysis.changes_model import first_seen_map
from shared.analysis.report_model_findings import Kind

_SLIM = ConfigDict(extra="ignore")


@dataclass(frozen=True, slots=True, config=_SLIM)
class PreviousFinding:
    """A finding of the previous review: what matching, first-seen dates and a resolved finding need."""

    id: str
    rule: str
    kind: Kind
    category: str
    title: str
    resource_id: str
    resource_name: str
    subscription_id: str
    resources: list[str]
    monthly_savings: float
    currency: str
    counted: bool
    first_seen: dt.date | None = None


@dataclass(frozen=True, slots=True, config=_SLIM)
class PreviousPersisting:
    """A persisting finding of the previous review's own `changes` section, and the date it was first seen."""

    id: str
    first_seen: dt.date


@dataclass(frozen=True, slots=True, config=_SLIM)
class PreviousChanges:
    """The previous review's `changes` section: the ids it found new, and those persisting since a date."""

    new: list[str]
    persisting: list[PreviousPersisting]

    def first_seen_map(self, today: dt.date) -> dict[str, dt.date]:
        """First-seen date of every finding the section compared: new ones are first seen `today`."""
        return first_seen_map(self.new, self.persisting, today)


@dataclass(frozen=True, slots=True, config=_SLIM)
class PreviousWindow:
    """The previous review's data window: the last day of its cost data."""

    cost_to: dt.date | None


@dataclass(frozen=True, slots=True, config=_SLIM)
class PreviousAnalytics:
    """The previous review's analytics: its last-30-day spend."""

    total_last_30_days: float


@dataclass(frozen=True, slots=True, config=_SLIM)
class PreviousReport:
    """The previous review's report.json, reduced to what the comparison reads."""

    scan_id: str
    generated_at: dt.datetime
    currency: str
    data_window: PreviousWindow
    analytics: PreviousAnalytics
    findings: list[PreviousFinding]
    changes: PreviousChanges | None = None


PREVIOUS_REPORT: TypeAdapter[PreviousReport] = TypeAdapter(PreviousReport)


@plain_dataclass(frozen=True)
class PreviousReview:
    """The previous review's report as the comparison reads it, and the schema_version it was written with."""

    report: PreviousReport
    schema_version: int
