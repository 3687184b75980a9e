"""Sums of cost rows, made the same whichever way the rows came (shared by the cost readers).

Cost rows carry at most six decimals, so every sum of them is a six-decimal number: rounding sums to six
decimals and keying them in sorted order gives the same floats, in the same order, whichever rows they were
added from (a day at a time in layout 1, pre-summed by Cost Management in layout 2) and in whichever order.
(A sum ending on exactly half a penny then rounds as Python rounds that float, no longer as the additions'
error happened to fall.)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

PRECISION = 6


def _nested() -> dict[Any, dict[str, float]]:
    return defaultdict(lambda: defaultdict(float))


def canonical(values: dict[Any, float]) -> dict[Any, float]:
    """Sums rounded to PRECISION, keyed in sorted order (a defaultdict stays one)."""
    out: dict[Any, float] = defaultdict(float) if isinstance(values, defaultdict) else {}
    for key in sorted(values):
        out[key] = round(values[key], PRECISION)
    return out


def canonical_nested(values: dict[Any, dict[str, float]]) -> dict[Any, dict[str, float]]:
    """canonical() one level down as well."""
    out: dict[Any, dict[str, float]] = _nested() if isinstance(values, defaultdict) else {}
    for key in sorted(values):
        out[key] = canonical(values[key])
    return out


