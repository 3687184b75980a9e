"""Since your last review in the report itself (issue 15 section 4): `changes`, `previous_scan_id`, and each
finding's `first_seen` and `change`.

`changes.py` compares this review's published findings with the previous review's; this module says what each
published finding carries of the answer, so the findings are written with it once (a second copy of every
finding was 70 MB on a 100,000-resource estate). Every finding compared gets a `first_seen` date, on a first
review too (this review's date), so the next review can carry it forward; a one-off (category `anomaly`: an
event on a day, not a condition) is never compared and keeps both null.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.analysis.changes import SIGNAL_CATEGORIES, review_date
from shared.analysis.changes_model import Change, Changes


@dataclass(frozen=True)
class FindingChanges:
    """Each published finding's first-seen date and change, by id, against the previous review (if any)."""

    today: dt.date
    first_seen: dict[str, dt.date]
    kinds: dict[str, Change]

    def of(self, finding_id: str, category: str) -> tuple[dt.date | None, Change | None]:
        """The finding's `first_seen` and `change`: both null for a one-off, else first seen today and no change
        unless the previous review says otherwise."""
        if category in SIGNAL_CATEGORIES:
            return None, None
        return self.first_seen.get(finding_id, self.today), self.kinds.get(finding_id)


def finding_changes(generated_at: dt.datetime, changes: Changes | None) -> FindingChanges:
    """What the findings of a review generated at `generated_at` carry of `changes` (None: a first review)."""
    today = review_date(generated_at)
    if changes is None:
        return FindingChanges(today, {}, {})
    return FindingChanges(today, changes.first_seen_map(today), changes.change_map())
