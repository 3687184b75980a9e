"""Tag views (D8.8): today's inventory tags applied to each resource's last 30 days of cost.

Resource-group tags are a labelled fallback. Allocation keys are the owner, cost-centre and environment keys of
D4 that exist plus any other key on at least 25% of spend. Cost Management's tags as billed (C6), when collected,
give one reconciliation line: they miss resource-group tags unless tag inheritance is on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from shared.analysis.context import COST_CENTRE_KEYS, ENV_KEYS, OWNER_KEYS, norm_key
from shared.analysis.extras import Table
from shared.analysis.insights_model import money, share
from shared.analysis.insights_views import BilledTags, TagKeyView, Tags, TagValue
from shared.analysis.movers import PERIOD
from shared.analysis.spend import SpendBasis
from shared.analysis.wording import pct_text

OTHER_KEY_SHARE = 0.25
VALUES_SHOWN = 5
ROLES = (("owner", OWNER_KEYS), ("cost_centre", COST_CENTRE_KEYS), ("environment", ENV_KEYS))


@dataclass
class _KeyStats:
    direct: float = 0.0
    via_rg: float = 0.0
    spellings: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    values: dict[tuple[str, bool], float] = field(default_factory=lambda: defaultdict(float))
    by_sub: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0.0, 0.0]))


def _collect(basis: SpendBasis) -> tuple[dict[str, _KeyStats], dict[str, float]]:
    stats: dict[str, _KeyStats] = defaultdict(_KeyStats)
    untagged: dict[str, float] = defaultdict(float)
    for r, amount in enumerate(basis.now30):
        if not amount:
            continue
        rid, sub = basis.days.ids[r], basis.days.subs[r]
        row = basis.context.row_of(rid)
        raw = row.get("tags") if row else None
        raw_tags = raw if isinstance(raw, dict) else {}
        if not raw_tags:
            untagged[sub] += amount
        layers = basis.context.layers(rid)
        own, group = layers[0][1], layers[1][1]
        for key in raw_tags:
            stats[norm_key(str(key))].spellings[str(key)] += amount
        for key in set(own) | set(group):
            s = stats[key]
            if own.get(key, "").strip():
                s.direct += amount
                s.values[(own[key].strip()[:64], False)] += amount
                s.by_sub[sub][0] += amount
            elif group.get(key, "").strip():
                s.via_rg += amount
                s.values[(group[key].strip()[:64], True)] += amount
            else:
                continue
            s.by_sub[sub][1] += amount
    return stats, untagged


def _allocation_keys(stats: Mapping[str, _KeyStats], total: float) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = []
    for role, candidates in ROLES:
        present = [k for k in candidates if k in stats and stats[k].direct + stats[k].via_rg > 0]
        if present:
            keys.append((max(present, key=lambda k: (stats[k].direct, -candidates.index(k))), role))
    chosen = {k for k, _ in keys}
    others = sorted((k for k, s in stats.items() if k not in chosen and total and s.direct / total >= OTHER_KEY_SHARE),
                    key=lambda k: (-stats[k].direct, k))
    return keys + [(k, "other") for k in others]


def _view(key: str, role: str, s: _KeyStats, total: float, sub_totals: Mapping[str, float]) -> TagKeyView:
    spelling = max(sorted(s.spellings), key=lambda k: s.spellings[k]) if s.spellings else key
    ordered = sorted(s.values.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = tuple(TagValue(v, money(a), rg) for (v, rg), a in ordered[:VALUES_SHOWN])
    by_sub = tuple((sub, share(s.by_sub[sub][0] / t) if t else 0.0, share(s.by_sub[sub][1] / t) if t else 0.0)
                   for sub, t in sorted(sub_totals.items()))
    return TagKeyView(spelling, role, share(s.direct / total) if total else 0.0,
                      share((s.direct + s.via_rg) / total) if total else 0.0, by_sub, shown,
                      money(sum(a for _, a in ordered[VALUES_SHOWN:])), money(total - s.direct - s.via_rg))


def billed_coverage(table: Table) -> tuple[str, float, float]:
    """C6: (tag key, tagged cost, total cost) of a TagKey-grouped query (rows without a value are untagged)."""
    key, tagged, total = "", 0.0, 0.0
    for cost, tag_key, value in zip(table.costs(), table.column("TagKey"), table.column("TagValue"), strict=True):
        total += cost
        if str(value or "").strip():
            tagged += cost
            key = key or str(tag_key or "")
    return key, tagged, total


def tag_views(basis: SpendBasis, billed: Mapping[str, Table | None]) -> Tags:
    """D8.8's views, and the billed reconciliation when C6 was collected for every subscription."""
    stats, untagged = _collect(basis)
    total, sub_totals = basis.total, basis.by_sub()
    views = tuple(_view(k, role, stats[k], total, sub_totals) for k, role in _allocation_keys(stats, total))
    main = next((v for v in views if v.role in ("owner", "cost_centre")), None)
    rows, tagged_sum, billed_sum = [], 0.0, 0.0
    read = billed and all(t is not None for t in billed.values())
    for sub, table in sorted(billed.items()):
        if table is not None:
            key, tagged, sub_total = billed_coverage(table)
            coverage = share(tagged / sub_total) if sub_total else 0.0
            rows.append(BilledTags(sub, key or (main.key if main else ""), coverage))
            tagged_sum, billed_sum = tagged_sum + tagged, billed_sum + sub_total
    if main is None:
        text = "No owner or cost-centre tag is in use."
    elif not read:
        text = (f"Tags as billed (Cost Management) were not collected; these views apply today's tags to the last "
                f"{PERIOD} days' cost: {main.key} on {pct_text(main.coverage)} of spend, "
                f"{pct_text(main.coverage_with_rg)} with resource-group tags.")
    else:
        billed_share = tagged_sum / billed_sum if billed_sum else 0.0
        text = (f"Cost Management (tags as billed) gives {main.key} on {pct_text(billed_share)} of spend; today's "
                f"tags with resource-group tags give {pct_text(main.coverage_with_rg)}.")
        if billed_share < main.coverage_with_rg - 0.0005:
            text += " Turn on tag inheritance (GV-I) to make them agree."
    untagged_any = sum(untagged.values())
    return Tags("inventory", PERIOD, views, share(untagged_any / total) if total else 0.0,
                tuple((sub, money(untagged.get(sub, 0.0)), share(untagged.get(sub, 0.0) / t) if t else 0.0)
                      for sub, t in sorted(sub_totals.items())),
                tuple(rows) if read else None, text)
