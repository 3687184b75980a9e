"""A Cost Management query filter compiled once per query into a predicate over cost rows (the simulator's speed).

The same semantics as cost_query.row_matches (spec `QueryFilter`: and/or/not of `In` comparisons on dimensions or
tags, names case-insensitive), with each `In` list a set: the collector's daily-series filters name hundreds of
resources and are tested against every row of the window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local.estates.model import CostRow
from local.simulator.cost_query import DIMENSIONS, _canonical, _get


def compile_filter(node: dict[str, Any] | None) -> Callable[[CostRow], bool]:
    """row_matches as a predicate built once per query."""
    if node is None:
        return lambda row: True
    for key, combine in (("and", all), ("or", any)):
        children = _get(node, key)
        if children is not None:
            parts = [compile_filter(c) for c in children]
            return lambda row, parts=parts, combine=combine: combine(p(row) for p in parts)  # type: ignore[misc]
    if _get(node, "not") is not None:
        inner = compile_filter(_get(node, "not"))
        return lambda row: not inner(row)
    dims = _get(node, "dimensions")
    comparison = dims if dims is not None else _get(node, "tags")
    name = str(_get(comparison, "name"))
    values = frozenset(str(v).lower() for v in _get(comparison, "values"))
    if dims is not None:
        dimension = _canonical(name, DIMENSIONS, "Dimension")
        return lambda row: row.dims[dimension].lower() in values
    wanted = name.lower()

    def tagged(row: CostRow) -> bool:
        tag = next((v for k, v in row.tags.items() if k.lower() == wanted), None)
        return tag is not None and tag.lower() in values

    return tagged

