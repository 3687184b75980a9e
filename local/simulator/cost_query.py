"""Parsing and validating a Cost Management QueryDefinition into a QuerySpec (no I/O)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from local.estates.model import CostKind, CostRow

DIMENSIONS = ("ResourceId", "ServiceName", "ResourceGroupName", "ResourceGroup", "ResourceLocation",
              "MeterCategory", "MeterSubCategory", "Meter", "ChargeType", "PricingModel", "ResourceType",
              "SubscriptionId")
AGGREGATION_SOURCES = ("Cost", "CostUSD", "PreTaxCost")
MAX_CUSTOM_DAYS = 365
LOOKBACK_MONTHS = 37
TIMEFRAMES = ("MonthToDate", "BillingMonthToDate", "TheLastMonth", "TheLastBillingMonth", "WeekToDate",
              "TheCurrentMonth", "Custom")


class QueryError(ValueError):
    """The query definition is invalid (a 400 BadRequest)."""


def _canonical(name: str, allowed: tuple[str, ...], what: str) -> str:
    found = next((a for a in allowed if a.lower() == str(name).lower()), None)
    if found is None:
        raise QueryError(f"{what} '{name}' is not supported. Allowed: {', '.join(allowed)}")
    return found


def _get(obj: dict[str, Any], key: str) -> Any:
    """A key case-insensitively (the service accepts "dataset" and "dataSet")."""
    return next((v for k, v in obj.items() if k.lower() == key.lower()), None)


@dataclass
class QuerySpec:
    """A validated query: what to sum, over which days, bucketed and grouped how, filtered by what."""

    kind: CostKind
    start: dt.date
    end: dt.date
    granularity: str
    aggregations: list[tuple[str, str]]
    groupings: list[tuple[str, str]]
    filter: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def columns(self) -> list[dict[str, str]]:
        """Aggregations first, then the date column, then groupings, then Currency."""
        cols = [{"name": source, "type": "Number"} for _, source in self.aggregations]
        if self.granularity == "Daily":
            cols.append({"name": "UsageDate", "type": "Number"})
        elif self.granularity == "Monthly":
            cols.append({"name": "BillingMonth", "type": "Datetime"})
        for kind, name in self.groupings:
            cols += ([{"name": "TagKey", "type": "String"}, {"name": "TagValue", "type": "String"}]
                     if kind == "TagKey" else [{"name": name, "type": "String"}])
        return [*cols, {"name": "Currency", "type": "String"}]

    def date_key(self, day: dt.date) -> tuple[Any, ...]:
        """The date bucket value(s) for a day."""
        if self.granularity == "Daily":
            return (int(day.strftime("%Y%m%d")),)
        if self.granularity == "Monthly":
            return (day.replace(day=1).strftime("%Y-%m-%dT00:00:00"),)
        return ()

    def group_values(self, row: CostRow) -> tuple[str, ...]:
        """The grouping values of a cost row."""
        out: list[str] = []
        for kind, name in self.groupings:
            if kind == "TagKey":
                value = next((v for k, v in row.tags.items() if k.lower() == name.lower()), None)
                out += [name, value] if value is not None else ["", ""]
            else:
                out.append(row.dims[name])
        return tuple(out)


def _window(body: dict[str, Any], today: dt.date) -> tuple[dt.date, dt.date]:
    timeframe = _canonical(_get(body, "timeframe") or "", TIMEFRAMES, "Timeframe")
    first = today.replace(day=1)
    if timeframe in ("MonthToDate", "BillingMonthToDate"):
        return first, today
    if timeframe == "TheCurrentMonth":
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        return first, nxt - dt.timedelta(days=1)
    if timeframe in ("TheLastMonth", "TheLastBillingMonth"):
        last = first - dt.timedelta(days=1)
        return last.replace(day=1), last
    if timeframe == "WeekToDate":
        return today - dt.timedelta(days=today.weekday()), today
    period = _get(body, "timePeriod")
    if not isinstance(period, dict) or not _get(period, "from") or not _get(period, "to"):
        raise QueryError("timePeriod with 'from' and 'to' is required when timeframe is Custom")
    start = dt.datetime.fromisoformat(str(_get(period, "from")).replace("Z", "+00:00")).date()
    end = dt.datetime.fromisoformat(str(_get(period, "to")).replace("Z", "+00:00")).date()
    if end < start:
        raise QueryError("timePeriod 'to' must not be before 'from'")
    # Seen live: a window of 366 calendar days (now minus 365 days to now) is refused with this text, 365 are not
    # (docs/estate-format.md, D10).
    if (end - start).days + 1 > MAX_CUSTOM_DAYS:
        raise QueryError("The time period for pulling the data cannot exceed 1 year(s)")
    if start < _months_before(today, LOOKBACK_MONTHS):
        # A Microsoft cost-query guardrail: "Requests exceeding 37 months return HTTP 400" (wording assumed).
        raise QueryError(f"The start of the time period cannot be more than {LOOKBACK_MONTHS} months ago")
    return start, end


def _months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_definition(body: Any, today: dt.date) -> QuerySpec:
    """Validate a QueryDefinition body; raises QueryError."""
    if not isinstance(body, dict):
        raise QueryError("the body must be a JSON object")
    kind_raw = _canonical(_get(body, "type") or "", ("Usage", "ActualCost", "AmortizedCost"), "Type")
    kind: CostKind = "AmortizedCost" if kind_raw == "AmortizedCost" else "ActualCost"
    start, end = _window(body, today)
    dataset = _get(body, "dataset") or {}
    granularity = str(_get(dataset, "granularity") or "None")
    granularity = _canonical(granularity, ("Daily", "Monthly", "None"), "Granularity")
    aggregation = _get(dataset, "aggregation") or {}
    if not isinstance(aggregation, dict) or len(aggregation) > 2:
        raise QueryError("at most 2 aggregations are allowed")
    aggs = []
    for alias, spec in aggregation.items():
        if str(_get(spec, "function") or "").lower() != "sum":
            raise QueryError(f"aggregation '{alias}': function must be Sum")
        aggs.append((alias, _canonical(_get(spec, "name") or "", AGGREGATION_SOURCES, "Aggregation column")))
    groupings = _get(dataset, "grouping") or []
    if len(groupings) > 2:
        raise QueryError("at most 2 groupings are allowed")
    groups = []
    for g in groupings:
        gtype = _canonical(_get(g, "type") or "", ("Dimension", "TagKey"), "Grouping type")
        name = str(_get(g, "name") or "")
        groups.append((gtype, _canonical(name, DIMENSIONS, "Dimension") if gtype == "Dimension" else name))
    filt = _get(dataset, "filter")
    if filt is not None:
        _validate_filter(filt)
    return QuerySpec(kind, start, min(end, today), granularity, aggs, groups, filt)


def _validate_filter(node: Any) -> None:
    if not isinstance(node, dict):
        raise QueryError("a filter must be an object")
    for key in ("and", "or"):
        if _get(node, key) is not None:
            children = _get(node, key)
            if not isinstance(children, list) or len(children) < 2:
                raise QueryError(f"'{key}' needs at least 2 expressions")
            for child in children:
                _validate_filter(child)
            return
    if _get(node, "not") is not None:
        _validate_filter(_get(node, "not"))
        return
    for key in ("dimensions", "tags"):
        comparison = _get(node, key)
        if comparison is not None:
            if str(_get(comparison, "operator") or "").lower() != "in" or not _get(comparison, "values"):
                raise QueryError("a comparison needs operator 'In' and at least one value")
            if key == "dimensions":
                _canonical(_get(comparison, "name") or "", DIMENSIONS, "Dimension")
            return
    raise QueryError("a filter needs one of and, or, not, dimensions, tags")


def row_matches(node: dict[str, Any] | None, row: CostRow) -> bool:
    """Whether a cost row passes a (validated) filter."""
    if node is None:
        return True
    if _get(node, "and") is not None:
        return all(row_matches(c, row) for c in _get(node, "and"))
    if _get(node, "or") is not None:
        return any(row_matches(c, row) for c in _get(node, "or"))
    if _get(node, "not") is not None:
        return not row_matches(_get(node, "not"), row)
    dims = _get(node, "dimensions")
    comparison = dims if dims is not None else _get(node, "tags")
    name = str(_get(comparison, "name"))
    values = {str(v).lower() for v in _get(comparison, "values")}
    if dims is not None:
        return row.dims[_canonical(name, DIMENSIONS, "Dimension")].lower() in values
    tag = next((v for k, v in row.tags.items() if k.lower() == name.lower()), None)
    return tag is not None and tag.lower() in values
