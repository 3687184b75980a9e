"""Lower bounds: the fewest calls that can fetch the data and the least time the quotas allow."""

from __future__ import annotations

import math
from collections.abc import Iterable

from shared.collectors.graph_turns import GRAPH_AZURE_LIMITS
from shared.collectors.quota import AZURE_LIMITS, wait_for

# Azure's documented limits as (window seconds, units): Resource Graph per principal, Cost Management per tenant.
ARG_LIMITS: tuple[tuple[float, int], ...] = GRAPH_AZURE_LIMITS
CM_LIMITS: tuple[tuple[float, int], ...] = AZURE_LIMITS
ARG_PAGE_ROWS = 1000


def pages(rows: int, page_size: int) -> int:
    """Requests needed to read `rows` rows at `page_size` per page (an empty answer still takes one)."""
    return max(1, math.ceil(rows / page_size))


def min_arg_calls(counts: Iterable[tuple[int, ...]]) -> int:
    """Resource Graph queries for the rows of each table (resources, containers, protected items, policy
    assignments) per subscription at 1,000 rows a page."""
    return sum(pages(rows, ARG_PAGE_ROWS) for tables in counts for rows in tables)


def min_cost_calls(window_rows: Iterable[int], page_size: int) -> int:
    """Cost Management requests (and QPU: one per page of a month window) for the given rows per window."""
    return sum(pages(rows, page_size) for rows in window_rows)


def min_cost_qpu(window_rows: list[int], page_size: int, per_page: bool) -> int:
    """Least QPU for the given rows per month window: a QPU per page, or one per window (1 QPU per month)."""
    return min_cost_calls(window_rows, page_size) if per_page else len(window_rows)


def design_qpu(steps: Iterable[tuple[int, int]], page_size: int, per_page: bool) -> int:
    """The QPU a collection of the given (rows, QPU per request) steps needs: every page charged like the first
    (the conservative reading), or only each query's first page (one charge per month of data queried)."""
    return sum(pages(rows, page_size) * qpu if per_page else qpu for rows, qpu in steps)


def scaled(limits: tuple[tuple[float, int], ...], time_scale: float) -> tuple[tuple[float, int], ...]:
    """The same limits with every window multiplied by `time_scale`."""
    return tuple((window * time_scale, cap) for window, cap in limits)


def quota_seconds(units: int, limits: tuple[tuple[float, int], ...], gap: float = 0.0) -> float:
    """Least time from the first to the last of `units` one-unit requests under sliding-window limits (and, with
    `gap`, at least that far apart: Caleta's ledger paces its turns).

    Granting each request at the earliest moment every window allows is optimal for sliding windows; requests
    themselves are taken as instantaneous, so this is a floor no client can beat.
    """
    grants: list[tuple[float, int]] = []
    now = -gap
    horizon = max(window for window, _ in limits)
    for _ in range(units):
        now = max(0.0, now + gap)
        grants = [(ts, q) for ts, q in grants if ts > now - horizon]
        now += wait_for(grants, 1, now, limits)
        # wait_for treats a grant at exactly now - window as still inside: nudge past the boundary.
        while wait_for(grants, 1, now, limits) > 0:
            now += wait_for(grants, 1, now, limits)
        grants.append((now, 1))
    return max(0.0, now)


def ratio(measured: float, bound: float) -> float | None:
    """measured / bound, rounded; None when the bound is zero (nothing to compare against)."""
    return round(measured / bound, 3) if bound > 0 else None
