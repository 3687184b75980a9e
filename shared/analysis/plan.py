"""The action plan (report-design D5.2 to D5.4): batches, the hygiene fold, order and the page bounds.

Batches: findings of one section that one script clears. Do this week groups by (subscription, resource group,
owner); Decide by the decision (licences, commitments); Investigate by (subscription, resource group, rule
family). Two or more findings make a batch row; one is a plain row. Batch ids are stable across scans.
Hygiene fold: risks without an amount, unbatched counted findings below H = max(10, 0.1% of the monthly
run-rate), and a Do-this-week batch whose whole total is below H (deviation from D5.3, which keeps such a batch:
clutter that bills nothing is one hygiene line, not a row). Bounds keep the HTML page small at any estate size.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from shared.analysis.change_risk import RISKS, bigger_effort
from shared.analysis.findings import TIERS
from shared.analysis.governance_items import ESTATE_WIDE
from shared.analysis.index import EstateIndex
from shared.analysis.movers import hygiene_threshold as movers_threshold
from shared.analysis.placement import SECTION_LABELS, SECTIONS, Placed
from shared.analysis.plan_text import batch_title, detail_of, kinds_line, what_to_do
from shared.analysis.report_model_plan import (
    ActionPlan,
    AmountByKey,
    Hygiene,
    PlanBounds,
    PlanRow,
    PlanSection,
)
from shared.analysis.scripts import declarations, prefixes_for, variable_checks
from shared.analysis.tiers import rule_class

BOUNDS = PlanBounds(rows_per_section=12, batch_names=8, script_commands=50, hygiene_names=20, review_items=10)


def hygiene_threshold(run_rate_monthly: float) -> float:
    """H = max(10 units, 0.1% of the monthly run-rate) (movers.hygiene_threshold, the one definition), in pence."""
    return round(movers_threshold(run_rate_monthly), 2)


def batch_id(section: str, key: tuple[str, ...]) -> str:
    """First 16 hex digits of sha256("batch|" + section + "|" + lower-cased key parts)."""
    text = "batch|" + section + "|" + "|".join(k.lower() for k in key)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _key(p: Placed) -> tuple[str, ...] | None:
    f = p.finding
    if p.section == "do_now":
        return (f.subscription_id.lower(), (p.resource_group or "").lower(), p.context.owner or "")
    if p.section == "decide":
        decision = rule_class(f.rule).decision
        if decision == "governance":  # D5.2: per subscription; the tag decision estate-wide
            return (decision, "all" if f.rule in ESTATE_WIDE else f.subscription_id.lower())
        return (decision,) if decision in ("licence", "commitment") and f.kind != "review" else None
    if p.section == "investigate" and f.kind != "risk":
        return (f.subscription_id.lower(), (p.resource_group or "").lower(), f.family)
    return None


@dataclass
class Group:
    """One plan row's findings before it becomes a PlanRow."""

    section: str
    key: tuple[str, ...] | None
    items: list[Placed]

    @property
    def high(self) -> float:
        return sum(p.high for p in self.items)


def group(placed: list[Placed], threshold: float) -> tuple[list[Group], list[Placed]]:
    """Batches and single rows per section, and the hygiene fold."""
    keyed: dict[tuple[str, tuple[str, ...]], list[Placed]] = defaultdict(list)
    singles: list[Placed] = []
    for p in placed:
        key = _key(p)
        if key is None:
            singles.append(p)
        else:
            keyed[(p.section, key)].append(p)
    groups, hygiene = [], []
    for (section, key), items in keyed.items():
        if len(items) == 1:
            singles.append(items[0])
        elif section == "do_now" and sum(p.high for p in items) < threshold:
            hygiene += items
        else:
            groups.append(Group(section, key, items))
    do_now = {(g.items[0].finding.subscription_id.lower(), (g.items[0].resource_group or "").lower()): g
              for g in groups if g.section == "do_now"}
    for p in singles:
        home = do_now.get((p.finding.subscription_id.lower(), (p.resource_group or "").lower()))
        if p.finding.kind == "risk" and not p.impact and home is not None:
            home.items.append(p)
        elif p.section == "hygiene" or (p.finding.kind == "counted" and p.high < threshold):
            hygiene.append(p)
        else:
            groups.append(Group(p.section, None, [p]))
    return groups, hygiene


def _row(g: Group, currency: str, index: EstateIndex) -> PlanRow:
    items, first = g.items, g.items[0]
    counted = [p for p in items if p.tier]
    monthly = round(sum(p.finding.monthly_savings for p in counted), 2)
    low, high = round(sum(p.low for p in items), 2), round(sum(p.high for p in items), 2)
    single = len(items) == 1
    # A guardrail's or a commitment's "resource" is its scope, which the row's title and Where already name.
    scoped = g.key is not None and g.key[0] in ("governance", "commitment")
    names = [] if scoped else sorted({p.name for p in items}, key=str.lower)
    same = len({p.resource_group for p in items}) == 1 and len({p.finding.subscription_id for p in items}) == 1
    owners = {p.context.owner for p in items}
    envs = {p.context.environment_label for p in items}
    return PlanRow(
        row_type="finding" if single else "batch", id=first.id if single else batch_id(g.section, g.key or ()),
        title=what_to_do(first, currency) if single else batch_title(g.section, g.key or (), items, high, currency,
                                                                      index),
        detail=detail_of(first, currency) if single else "the options side by side in the table below"
        if (g.key or ("",))[0] == "commitment" else kinds_line(items), finding_ids=[p.id for p in items],
        names=names[:BOUNDS.batch_names], names_more=max(0, len(names) - BOUNDS.batch_names),
        subscription_id=first.finding.subscription_id.lower() if same else None,
        subscription_name=first.subscription_name if same else None,
        resource_group=first.resource_group if same else None,
        owner=owners.pop() if len(owners) == 1 else None, environment=envs.pop() if len(envs) == 1 else None,
        monthly=monthly, monthly_low=low, monthly_high=high, counted=bool(counted),
        tiers=sorted({p.tier for p in counted if p.tier}), effort=bigger_effort([p.effort for p in items], len(items)),  # type: ignore[arg-type]
        change_risk=RISKS[max(RISKS.index(p.change_risk) for p in items)], script_anchor=None,  # type: ignore[arg-type]
        script_prefixes=[])


def _order(row: PlanRow) -> tuple[float, str]:
    return (-row.monthly_high, row.title.lower())


Where = dict[str, tuple[str, str | None, str | None]]


def build_plan(placed: list[Placed], run_rate_monthly: float, currency: str,
               index: EstateIndex) -> tuple[ActionPlan, Where, dict[str, list[Placed]]]:
    """The plan; finding id -> (section, batch id, batch title); and the findings of each shown row."""
    threshold = hygiene_threshold(run_rate_monthly)
    groups, folded = group(placed, threshold)
    where: Where = {p.id: ("hygiene", None, None) for p in folded}
    shown: dict[str, list[Placed]] = {}
    sections, anchor, reviews = [], 0, 0
    for section in SECTIONS[:3]:
        rows = sorted(((_row(g, currency, index), g) for g in groups if g.section == section),
                      key=lambda r: _order(r[0]))
        visible: list[PlanRow] = []
        for row, g in rows:
            review = any(p.finding.kind == "review" for p in g.items)
            for p in g.items:
                where[p.id] = (section, row.id, row.title) if row.row_type == "batch" else (section, None, None)
            if len(visible) >= BOUNDS.rows_per_section or (review and reviews >= BOUNDS.review_items):
                continue
            reviews += review
            if any(c.usable for p in g.items for c in p.finding.commands):
                anchor += 1
                commands = [c for p in g.items for c in p.finding.commands if c.usable]
                prefixes = declarations(prefixes_for(commands)) + variable_checks(commands)
                row = row.model_copy(update={"script_anchor": f"A-{anchor}", "script_prefixes": prefixes})
            visible.append(row)
            shown[row.id] = g.items
        hidden = [r for r, _ in rows if r not in visible and r.id not in shown]
        by_tier: dict[str, float] = defaultdict(float)
        for _, g in rows:
            for p in g.items:
                if p.tier:
                    by_tier[p.tier] += p.finding.monthly_savings
        sections.append(PlanSection(
            section=section, label=SECTION_LABELS[section],  # type: ignore[arg-type]
            monthly_by_tier=[AmountByKey(key=t, amount=round(by_tier[t], 2)) for t in TIERS if t in by_tier],
            rows=visible, rows_total=len(rows), rows_shown=len(visible),
            monthly_not_shown=round(sum(r.monthly for r in hidden), 2)))
    hygiene = Hygiene(threshold=threshold, finding_ids=[p.id for p in folded],
                      monthly=round(sum(p.finding.monthly_savings for p in folded if p.tier), 2))
    return ActionPlan(sections=sections, hygiene=hygiene, bounds=BOUNDS), where, shown
