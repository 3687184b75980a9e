"""Test helper: a scan whose resource and resource-group names are hostile to a shell (report-design D6.4).

Every resource name and resource-group name gets a suffix with `'`, `$(...)`, a backtick, `;`, `&`, `|`, spaces
and parentheses, 90 characters in all; every string of every raw envelope is rewritten consistently (ids in
rows, cost rows, Advisor recommendations), so the analysis sees the same estate under hostile names.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from shared.analysis import ScanInputs
from shared.rawdata import RawEnvelope

SUFFIX = "-q'x$(touch pwned)`id`;a&b|c d(1)"


def hostile_name(name: str) -> str:
    """The name with the hostile suffix, padded to at least 90 characters."""
    grown = name + SUFFIX
    return grown + "z" * max(0, 90 - len(grown))


def _names(inputs: ScanInputs) -> set[str]:
    out: set[str] = set()
    for sub in inputs.subscriptions:
        graph = sub.raw.get("resource-graph")
        for row in (graph.data.get("resources") or []) if graph else []:
            parts = str(row.get("id") or "").split("/")
            if len(parts) > 4:
                out.add(parts[4].lower())
            if row.get("name"):
                out.add(str(row["name"]).lower())
    return {n for n in out if len(n) >= 3}


def _rewrite(value: Any, names: set[str]) -> Any:
    if isinstance(value, str):
        if value.lower() in names:
            return hostile_name(value)
        if "/" in value:
            return "/".join(hostile_name(p) if p.lower() in names else p for p in value.split("/"))
        return value
    if isinstance(value, list):
        return [_rewrite(v, names) for v in value]
    if isinstance(value, dict):
        return {k if not isinstance(k, str) or "/" not in k else _rewrite(k, names): _rewrite(v, names)
                for k, v in value.items()}
    return value


def hostile_inputs(inputs: ScanInputs) -> ScanInputs:
    """The same scan with every resource and resource-group name made hostile."""
    names = _names(inputs)
    subscriptions = []
    for sub in inputs.subscriptions:
        raw: dict[str, RawEnvelope] = {
            source: envelope.model_copy(update={"data": _rewrite(envelope.data, names)})
            for source, envelope in sub.raw.items()}
        subscriptions.append(dataclasses.replace(sub, raw=raw))
    return dataclasses.replace(inputs, subscriptions=subscriptions)
