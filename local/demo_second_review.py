"""The demo's second review of Wessex Larder (issue 15): change its estate, move the calendar on, review again.

After the first reviews, the simulated tenant changes as a customer's would between two reviews: the old WMS data
disk is deleted, a WMS server is resized, a scratch disk is created and left unattached
(local/estates/demo_wessex.py:second_review_changes), through the simulator's /_sim/estate hooks. Then the
calendar moves on CALENDAR_DAYS days, which the function app follows (local/host/clock.py), and the customer asks
for a review again. 45 days from any day of the month always leaves at least a week of settled bill after the
first review (a month's charges settle on the 6th of the next month: shared/analysis/settled.py) and puts the
whole last-30-day window after the changes.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from local.estates.demo_wessex import NAME as WESSEX
from local.estates.demo_wessex import second_review_changes

CALENDAR_DAYS = 45
SECOND = "second-review"


class SimControl:
    """The simulator's loopback control API over HTTPS (the local CA), JSON in and out."""

    def __init__(self, base_url: str, ca_bundle: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._tls = ssl.create_default_context(cafile=ca_bundle)
        self.timeout = timeout

    def post(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST /_sim/{name}; raises RuntimeError with the simulator's answer on anything but 200."""
        request = urllib.request.Request(f"{self.base_url}/_sim/{name}", data=json.dumps(body).encode(),  # noqa: S310
                                         method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self._tls) as resp:  # noqa: S310 - loopback https
                answer: dict[str, Any] = json.loads(resp.read())
                return answer
        except urllib.error.HTTPError as err:
            raise RuntimeError(f"/_sim/{name}: HTTP {err.code}: {err.read()[:300]!r}") from None


def change_wessex(sim: SimControl, days: int = CALENDAR_DAYS) -> dict[str, Any]:
    """Apply Wessex Larder's changes today, then move the calendar on `days` days; the new today."""
    plan = second_review_changes()
    for resource_id in plan["delete"]:
        sim.post("estate/delete", {"resource_id": resource_id})
    for resize in plan["resize"]:
        sim.post("estate/resize", resize)
    for add in plan["add"]:
        sim.post("estate/add", add)
    return sim.post("estate/advance-days", {"days": days})


def changes_line(reviews: dict[str, Any]) -> str:
    """One summary line from GET …/reviews: the newest review against the one before."""
    latest = (reviews.get("reviews") or [{}])[0]
    if latest.get("new") is None:
        return "since the last review: nothing to compare with"
    realised = latest.get("realised_monthly") or 0.0
    return (f"since the last review: {latest['new']} new, {latest['persisting']} persisting, "
            f"{latest['resolved']} resolved; realised {realised:,.2f} {latest.get('currency') or ''} a month")


def is_wessex(company: str) -> bool:
    """Whether a demo customer is the one reviewed twice."""
    return company == WESSEX


def second_review_dir(out_dir: Path, slug: str) -> Path:
    """Where the second review's reports go: out/<customer>/second-review/."""
    return out_dir / slug / SECOND
