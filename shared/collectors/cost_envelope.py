"""The cost envelope (layout 2) put together from the pages a collection kept, columns matched by name.

`data` = {"layout": 2, "type": "AmortizedCost", "currency", "window": {"from", "to"}, "last30": {"from", "to"},
"sections": {name: {"type", "currency", "window", "columns", "rows"}}, "missing": {section: reason},
"steps": {step: {"pages", "rows"}}}. The sections and what reads them are in docs/data-contract.md; a section
that was not collected is absent (never empty) and `missing` says why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from shared.collectors.cost_plan import AMORTIZED, RESOURCE_DAYS, Step, Windows
from shared.errors import NotCollectable

LAYOUT = 2


def reorder(rows: list[list[Any]], have: list[dict[str, Any]], want: list[dict[str, Any]]) -> list[list[Any]]:
    """Rows in the column order of `want`, mapped by name (pages and windows may order columns differently)."""
    names = [c["name"] for c in have]
    target = [c["name"] for c in want]
    if names == target:
        return rows
    if set(names) != set(target):
        raise NotCollectable("cost query: the columns changed between pages")
    index = [names.index(n) for n in target]
    return [[r[i] for i in index] for r in rows]


def _dated(part: dict[str, Any], day: str) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """A one-day answer without a date column gets one (UsageDate yyyymmdd), as a Daily answer would carry."""
    columns, rows = list(part.get("columns") or []), list(part.get("rows") or [])
    if not day or not columns or any(c["name"] == "UsageDate" for c in columns):
        return columns, rows
    stamp = int(day.replace("-", ""))
    return [*columns[:1], {"name": "UsageDate", "type": "Number"}, *columns[1:]], \
        [[*r[:1], stamp, *r[1:]] for r in rows]


def _currency(section: dict[str, Any]) -> str:
    names = [c["name"] for c in section["columns"]]
    if "Currency" not in names:
        return ""
    at = names.index("Currency")
    return next((str(r[at]) for r in section["rows"] if r[at]), "")


def assemble(steps: Iterable[Step], done: dict[str, dict[str, Any]], part: Callable[[str], dict[str, Any]],
             w: Windows, *, requests: list[dict[str, Any]] | None = None,
             missing: dict[str, str] | None = None) -> dict[str, Any]:
    """The envelope data from every finished step's pages (unfinished steps are left out)."""
    sections: dict[str, dict[str, Any]] = {}
    for step in steps:
        info = done.get(step.name)
        if info is None:
            continue
        section = sections.setdefault(step.section, {"type": step.cost_type, "columns": [], "rows": [],
                                                     "window": [step.start, step.end]})
        section["window"] = [min(section["window"][0], step.start), max(section["window"][1], step.end)]
        for page in range(int(info["pages"])):
            columns, rows = _dated(part(f"{step.name}.{page}"), str(step.note.get("day", "")))
            if not columns:
                continue
            section["columns"] = section["columns"] or columns
            section["rows"].extend(reorder(rows, columns, section["columns"]))
    for section in sections.values():
        start, end = section["window"]
        section["window"] = {"from": start.isoformat(), "to": end.isoformat()}
        section["currency"] = _currency(section)
    if requests is not None and "series" in sections:
        sections["series"]["requests"] = requests
    currency = next((sections[s]["currency"] for s in ("totals", "daily", "earlier", RESOURCE_DAYS) if s in sections
                     and sections[s]["currency"]), "")
    first, last = w.last30
    return {"layout": LAYOUT, "type": AMORTIZED, "currency": currency,
            "window": {"from": w.start.isoformat(), "to": w.end.isoformat()},
            "last30": {"from": first.isoformat(), "to": last.isoformat()},
            "sections": sections, "missing": dict(missing or {}),
            "steps": {name: {"pages": int(v["pages"]), "rows": int(v["rows"]), "qpu": int(v.get("qpu", 1))}
                      for name, v in done.items()}}


def daily_summary(partial: dict[str, Any], subscription_id: str = "") -> dict[str, Any]:
    """What other subscriptions' collections read of this one: currency, weight (resource totals, as
    costs.row_weight counts them), window and daily totals to find the estate's anomalous days, and the
    subscription with its last-30-day total to rank how far each one's day moved (series_needs.driver_days)."""
    every_day = partial["sections"].get(RESOURCE_DAYS)
    if every_day is not None:  # C1's rows: weighed by their count (costs.row_weight), summed per day
        daily = _per_day(every_day)
        first, last = (_day_number(partial["last30"][k]) or 0 for k in ("from", "to"))
        last30 = sum(float(cost) for cost, day in daily["rows"] if first <= (_day_number(day) or 0) <= last)
        return {"currency": every_day["currency"] or partial["currency"], "weight": len(every_day["rows"]),
                "window": partial["window"], "daily": daily, "subscription": subscription_id.lower(),
                "last30_total": round(last30, 6)}
    totals = partial["sections"].get("totals") or {"columns": [], "rows": []}
    cost_at = _cost_at([c["name"] for c in totals["columns"]])
    last30 = sum(float(row[cost_at] or 0.0) for row in totals["rows"]) if cost_at is not None else 0.0
    return {"currency": partial["currency"], "weight": len(totals["rows"]), "window": partial["window"],
            "daily": partial["sections"].get("daily") or {"columns": [], "rows": []},
            "subscription": subscription_id.lower(), "last30_total": round(last30, 6)}


def _cost_at(names: list[str]) -> int | None:
    """Where the cost column is (the API names it by cost type and version: Cost, PreTaxCost)."""
    return next((names.index(n) for n in ("Cost", "PreTaxCost") if n in names), None)


def _day_number(raw: Any) -> int | None:
    """A UsageDate (yyyymmdd number, or an ISO date string) as yyyymmdd; None when it is neither."""
    text = str(raw).replace("-", "")[:8]
    return int(text) if len(text) == 8 and text.isdigit() else None


def _per_day(rows_section: dict[str, Any]) -> dict[str, Any]:
    """A section of dated rows summed per day, as the `daily` section's UsageDate and cost columns."""
    names = [c["name"] for c in rows_section["columns"]]
    cost_at = _cost_at(names)
    if cost_at is None or "UsageDate" not in names:
        return {"columns": [], "rows": []}
    day_at, sums = names.index("UsageDate"), defaultdict[Any, float](float)
    for row in rows_section["rows"]:
        sums[row[day_at]] += float(row[cost_at] or 0.0)
    return {"columns": [{"name": names[cost_at], "type": "Number"}, {"name": "UsageDate", "type": "Number"}],
            "rows": [[round(cost, 6), day] for day, cost in sorted(sums.items())]}

