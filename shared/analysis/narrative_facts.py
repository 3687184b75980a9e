"""The fact sheet of one review, built in one place from the narrative's inputs (report-design D11.1).

Estate facts first (run-rate, change, the largest step and one-off, tags, weekends, the tiers), then drivers
(D#: of the change, of the step, the one-off's top driver), plan rows (P#: the action candidates and the hygiene
row), review items (V#) and subscriptions (S#), each followed by its facts.
"""

from __future__ import annotations

import datetime as dt

from shared.analysis.facts import NOT_READ, Alias, AliasKind, Fact, FactKey, NarrativeFacts, Value
from shared.analysis.insights_model import AnomalyRow, Driver, LevelShift
from shared.analysis.narrative_candidates import action_candidates, hygiene_row, review_items
from shared.analysis.narrative_inputs import NarrativeInputs, PlanItem
from shared.analysis.offers import AGREEMENTS
from shared.analysis.wording import resource_type_of, type_label

K = FactKey
LAST_DAYS = 30
MAX_SUBSCRIPTIONS = 5


class _Builder:
    def __init__(self, inputs: NarrativeInputs) -> None:
        self.inputs = inputs
        self.sheet = NarrativeFacts(inputs.company, inputs.currency)
        self.counts: dict[str, int] = {}
        self.drivers: dict[str, Alias] = {}
        self.envs = {s.subscription_id: s.environment for s in inputs.insights.by_subscription}

    def env_of(self, rid: str) -> str | None:
        parts = rid.split("/")
        return self.envs.get(parts[2]) if len(parts) > 2 else None

    def add(self, key: FactKey, value: Value | None, about: str | None = None, param: str = "") -> None:
        if value is None:
            return
        stored = round(float(value), 4) if isinstance(value, float | int) else value
        self.sheet.facts.append(Fact(f"F{len(self.sheet.facts) + 1}", key, stored, about, param))

    def alias(self, prefix: str, kind: AliasKind, **fields: object) -> Alias:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        alias = Alias(f"{prefix}{self.counts[prefix]}", kind, **fields)  # type: ignore[arg-type]
        self.sheet.aliases.append(alias)
        return alias

    def driver(self, d: Driver) -> str:
        rid = d.resource_id.lower()
        if rid not in self.drivers:
            self.drivers[rid] = self.alias("D", "driver", type_label=type_label(resource_type_of(rid)),
                                           rule=self.inputs.rules.get(rid), environment=self.env_of(rid),
                                           name=d.name, resource_ids=(rid,))
            self.add(K.DRIVER_FIRST_COST, d.first_cost, self.drivers[rid].id)
            self.add(K.DRIVER_COST_SINCE, d.cost_since, self.drivers[rid].id)
        return self.drivers[rid].id


def _largest_shift(shifts: tuple[LevelShift, ...]) -> LevelShift | None:
    return max(shifts, key=lambda s: (abs(s.delta_daily), s.date)) if shifts else None


def _one_offs(b: _Builder) -> list[AnomalyRow]:
    """Anomaly days above the band with a one-off and a driver (a dip below the band is no one-off)."""
    return [a for a in b.inputs.insights.anomalies if a.cost > a.band_high and a.one_off > 0 and a.drivers]


def _estate(b: _Builder) -> None:
    ins, rate = b.inputs.insights, b.inputs.insights.run_rate
    if rate is None or not ins.daily:
        return
    b.add(K.RUN_RATE_MONTHLY, rate.monthly)
    b.add(K.RUN_RATE_DAILY, rate.daily)
    b.add(K.SPEND_30D, ins.spend_30d)
    if rate.base_daily is not None and rate.change_pct is not None:
        b.add(K.BASE_DAILY, rate.base_daily)
        b.add(K.BASE_FROM, rate.base_from)
        b.add(K.CHANGE_PCT, rate.change_pct)
    shift = _largest_shift(ins.level_shifts)
    if shift is not None:
        b.add(K.SHIFT_DATE, shift.date)
        b.add(K.SHIFT_DELTA, shift.delta_daily)
        b.add(K.SHIFT_PCT, shift.delta_pct)
    b.add(K.ANOMALY_COUNT, len(ins.anomalies))
    one_offs = _one_offs(b)
    recent = ins.daily[-1].date - dt.timedelta(days=LAST_DAYS - 1)
    b.sheet.one_offs = {a.date: (a.drivers[0].resource_id.lower(), a.one_off) for a in one_offs}
    b.sheet.recent_from, b.sheet.shifts = recent, frozenset(s.date for s in ins.level_shifts)
    b.sheet.top_resource = ins.top_resources[0].resource_id.lower() if ins.top_resources else None
    largest = max((a for a in one_offs if a.date >= recent), key=lambda a: (a.one_off, a.date), default=None)
    if largest is not None:
        b.add(K.ANOMALY_DATE, largest.date)
        b.add(K.ONE_OFF_AMOUNT, largest.one_off)
        b.add(K.ANOMALY_SERVICE, max(largest.meters, key=lambda m: m.amount).meter if largest.meters else None)
    b.add(K.UNTAGGED_SHARE, ins.tags.untagged_share_any)
    b.add(K.WEEKEND_DROP, None if ins.weekend_ratio is None else max(0.0, 1 - ins.weekend_ratio))
    b.add(K.BILLED_RESOURCES, ins.billed_resources)
    if ins.top_resources and ins.spend_30d > 0:
        b.add(K.TOP_RESOURCE_SHARE, ins.top_resources[0].amount / ins.spend_30d)
        b.add(K.TOP_RESOURCE_MONTHLY, ins.top_resources[0].amount)
    agreements = {s.offer_label: 0.0 for s in ins.by_subscription if s.offer_label in AGREEMENTS}
    for s in ins.by_subscription:
        if s.offer_label in agreements:
            agreements[s.offer_label] += s.amount
    b.add(K.MAIN_AGREEMENT, max(sorted(agreements), key=lambda k: agreements[k]) if agreements else None)
    for d in rate.drivers if rate.change_daily else ():
        if d.delta:
            b.add(K.CHANGE_DRIVER_SHARE, d.share, b.driver(d))
    for d in shift.drivers if shift is not None else ():
        if d.delta:
            b.add(K.SHIFT_DRIVER_SHARE, d.share, b.driver(d))
    if largest is not None:
        b.driver(largest.drivers[0])


def _tiers(b: _Builder) -> None:
    t = b.inputs.tiers
    if t is None:
        return
    for key, value in ((K.TIER_MEASURED, t.measured), (K.TIER_CONDITIONAL, t.conditional),
                       (K.TIER_COMMITMENT, t.commitment), (K.TIER_EST_LOW, t.estimated_low),
                       (K.TIER_EST_HIGH, t.estimated_high), (K.RANGE_LOW, t.range_low),
                       (K.RANGE_HIGH, t.range_high), (K.SHARE_LOW, t.share_low), (K.SHARE_HIGH, t.share_high),
                       (K.ANNUAL_LOW, t.annual_low), (K.ANNUAL_HIGH, t.annual_high), (K.COUNTED_TOTAL, t.counted)):
        b.add(key, value)
    b.add(K.COMMITMENT_TERM, t.commitment_term if t.commitment > 0 else None)


def _row(b: _Builder, row: PlanItem, follows: str) -> None:
    alias = b.alias("P", "action", type_label=row.type_label, rule=row.rule, environment=row.environment,
                    detail=row.kind, name=row.names[0] if row.names else "", where=row.subscription or "",
                    group=row.resource_group or "", words=row.names or row.guardrails,
                    resource_ids=row.resource_ids, note=row.note, follows=follows)
    if row.kind == "review":
        b.add(K.ACTION_LOW, row.low, alias.id)
        b.add(K.ACTION_HIGH, row.high, alias.id)
        b.add(K.REVIEW_COUNT, row.review_count, alias.id)
    elif row.kind != "guardrail":
        b.add(K.ACTION_SAVING, row.monthly, alias.id)
    b.add(K.GUARDRAIL_BUDGET, row.budget, alias.id)
    if row.kind != "hygiene":
        b.add(K.ACTION_EFFORT, row.effort, alias.id)
        b.add(K.ACTION_RISK, row.risk, alias.id)
    if row.items > 1:
        b.add(K.ITEM_COUNT, row.items, alias.id)
    for product, cores in row.licences:
        b.add(K.LICENCE_CORES, cores, alias.id, product)


def _review(b: _Builder, row: PlanItem) -> None:
    alias = b.alias("V", "review", type_label=row.type_label, rule=row.rule, environment=row.environment,
                    detail=row.rule, name=row.names[0] if row.names else "", where=row.subscription or "",
                    resource_ids=row.resource_ids)
    b.add(K.REVIEW_LOW, row.low, alias.id)
    b.add(K.REVIEW_HIGH, row.high, alias.id)
    b.add(K.REVIEW_COUNT, row.review_count, alias.id)


def _subscriptions(b: _Builder, wanted: list[str]) -> None:
    ins = b.inputs.insights
    by_id = {s.subscription_id: s for s in ins.by_subscription}
    ranked = [s.subscription_id for s in sorted(ins.by_subscription, key=lambda s: (-s.amount, s.subscription_id))]
    chosen = list(dict.fromkeys([w for w in wanted if w in by_id] + ranked))[:MAX_SUBSCRIPTIONS]
    untagged = {sub: (amount, share) for sub, amount, share in ins.tags.untagged_by_subscription}
    for sid in chosen:
        s = by_id[sid]
        alias = b.alias("S", "subscription", type_label="Subscription", environment=s.environment, name=s.name,
                        resource_ids=(sid,))
        b.add(K.OFFER, s.offer_label, alias.id)
        b.add(K.OUTSIDE_AGREEMENT, "yes" if s.outside_main_agreement else "no", alias.id)
        b.add(K.BUDGET_COUNT, NOT_READ if s.budgets is None else len(s.budgets), alias.id)
        b.add(K.ALERT_COUNT, NOT_READ if s.anomaly_alerts is None else s.anomaly_alerts, alias.id)
        if sid in untagged:
            b.add(K.SUB_UNTAGGED_SHARE, untagged[sid][1], alias.id)
            b.add(K.SUB_UNTAGGED_AMOUNT, untagged[sid][0], alias.id)


def build_narrative_facts(inputs: NarrativeInputs) -> NarrativeFacts:
    """The one fact sheet a review's narrative is chosen and checked against."""
    b = _Builder(inputs)
    _estate(b)
    _tiers(b)
    candidates = action_candidates(inputs)
    hygiene = hygiene_row(inputs)
    for row in [*candidates, *([hygiene] if hygiene else [])]:
        _row(b, row, "P1" if row.note else "")
    for row in review_items(inputs):
        _review(b, row)
    _subscriptions(b, [r.subscription_id for r in candidates if r.subscription_id])
    return b.sheet
