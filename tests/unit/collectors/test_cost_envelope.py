"""What a cost collection shares with the others of its scan (cost_envelope.daily_summary)."""

from __future__ import annotations

from typing import Any

from shared.collectors.cost_envelope import daily_summary
from shared.collectors.cost_plan import RESOURCE_DAYS

WINDOW = {"from": "2026-09-08", "to": "2026-12-06"}
LAST30 = {"from": "2026-11-07", "to": "2026-12-06"}
COST, DAY = {"name": "Cost", "type": "Number"}, {"name": "UsageDate", "type": "Number"}
RID, CAT = {"name": "ResourceId", "type": "String"}, {"name": "MeterCategory", "type": "String"}


def partial(sections: dict[str, Any]) -> dict[str, Any]:
    return {"currency": "GBP", "window": WINDOW, "last30": LAST30, "sections": sections}


def test_a_summary_read_shares_its_daily_totals_and_its_last_30_days_total() -> None:
    # given: the summary steps' daily totals and resource totals
    data = partial({"daily": {"currency": "GBP", "columns": [COST, DAY, CAT], "rows": [[5.0, 20261106, "Storage"]]},
                    "totals": {"currency": "GBP", "columns": [COST, RID, CAT],
                               "rows": [[30.0, "/r/a", "Storage"], [12.5, "/r/b", "Backup"]]}})
    # when
    shared = daily_summary(data, "SUB-1")
    # then
    assert shared["subscription"] == "sub-1" and shared["last30_total"] == 42.5
    assert shared["weight"] == 2 and shared["daily"] is data["sections"]["daily"]


def test_every_resources_days_share_their_sums_per_day_and_the_last_30_days_only() -> None:
    # given: C1 rows on a day before the savings window and two inside it
    rows = [[7.0, 20261106, "/r/a", "Storage"], [1.0, 20261107, "/r/a", "Storage"],
            [2.0, 20261107, "/r/b", "Backup"], [4.0, 20261206, "/r/a", "Storage"]]
    data = partial({RESOURCE_DAYS: {"currency": "GBP", "columns": [COST, DAY, RID, CAT], "rows": rows}})
    # when
    shared = daily_summary(data, "sub-2")
    # then: the day before the window counts in the days, not in the 30-day total
    assert shared["daily"]["rows"] == [[7.0, 20261106], [3.0, 20261107], [4.0, 20261206]]
    assert shared["last30_total"] == 7.0 and shared["subscription"] == "sub-2"
