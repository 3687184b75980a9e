"""Since your last review in the report itself (issue 15 section 4): `changes`, `previous_scan_id`, and each
finding's `first_seen` and `change`.

`changes.py` compares this review's published findings with the previous review's; this module writes the
answer into report.json v2. Every finding compared gets a `first_seen` date, on a first review too (this
review's date), so the next review can carry it forward; a one-off (category `anomaly`: an event on a day, not a
condition) is never compared and keeps both null.
"""

from __future__ import annotations

from shared.analysis.changes import SIGNAL_CATEGORIES, review_date
from shared.analysis.changes_model import Changes
from shared.analysis.report_model import Report


def with_changes(report: Report, changes: Changes | None) -> Report:
    """The report with its `changes` section and every finding's first-seen date and change."""
    today = review_date(report.generated_at)
    kinds = changes.change_map() if changes else {}
    first = changes.first_seen_map(today) if changes else {}
    findings = [f if f.category in SIGNAL_CATEGORIES else
                f.model_copy(update={"first_seen": first.get(f.id, today), "change": kinds.get(f.id)})
                for f in report.findings]
    return report.model_copy(update={"findings": findings, "changes": changes,
                                     "previous_scan_id": changes.previous_scan_id if changes else None})
