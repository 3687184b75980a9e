"""Every claim a fact sheet could support, per slot group, in the fallback's order of preference: one per driver,
plan row, review item or subscription, its roles filled from the facts about it. The checker decides which hold;
roles the sheet has no fact for stay None."""

from __future__ import annotations

import datetime as dt

from shared.analysis.claims import CLAIM_ROLES, Claim, SlotGroup
from shared.analysis.facts import NOT_READ, FactKey, NarrativeFacts

K = FactKey


def _id(sheet: NarrativeFacts, key: FactKey, about: str | None = None) -> str | None:
    fact = sheet.of(key, about)
    return fact.id if fact is not None else None


def _read(sheet: NarrativeFacts, key: FactKey, about: str) -> str | None:
    """The fact's id when its data was read (a count), None when it was not (its clause is left out)."""
    fact = sheet.of(key, about)
    return fact.id if fact is not None and fact.value != NOT_READ else None


def _claim(claim_type: str, **ids: str | None) -> Claim:
    return Claim(claim_type, tuple(ids.items()))


def _trend(s: NarrativeFacts) -> list[Claim]:
    change = {"now_daily": _id(s, K.RUN_RATE_DAILY), "base_daily": _id(s, K.BASE_DAILY),
              "change_pct": _id(s, K.CHANGE_PCT), "base_from": _id(s, K.BASE_FROM)}
    out = [_claim("spend_change", **change),
           _claim("spend_steady", now_daily=change["now_daily"], change_pct=change["change_pct"],
                  base_from=change["base_from"])]
    for d in s.aliases_of("driver"):
        for first in (_id(s, K.DRIVER_FIRST_COST, d.id), None):
            out.append(_claim("spend_change_driver", **change, driver=d.id,
                              driver_share=_id(s, K.CHANGE_DRIVER_SHARE, d.id), driver_first_cost=first,
                              driver_cost_since=_id(s, K.DRIVER_COST_SINCE, d.id)))
    shift = {"shift_date": _id(s, K.SHIFT_DATE), "shift_delta": _id(s, K.SHIFT_DELTA), "shift_pct": _id(s, K.SHIFT_PCT)}
    out.append(_claim("level_shift", **shift, driver=None, driver_share=None))
    out += [_claim("level_shift", **shift, driver=d.id, driver_share=_id(s, K.SHIFT_DRIVER_SHARE, d.id))
            for d in s.aliases_of("driver")]
    return out


def _actions(s: NarrativeFacts) -> list[Claim]:
    out = []
    for p in s.aliases_of("action"):
        common = {"effort": _id(s, K.ACTION_EFFORT, p.id), "risk": _id(s, K.ACTION_RISK, p.id)}
        if p.detail == "review":
            out.append(_claim("action", item=p.id, range_low=_id(s, K.ACTION_LOW, p.id),
                              range_high=_id(s, K.ACTION_HIGH, p.id), **common))
        elif p.detail == "guardrail":
            out.append(_claim("action", item=p.id, **common))
        else:
            out.append(_claim("action", item=p.id, saving=_id(s, K.ACTION_SAVING, p.id), **common))
    return out


def _context(s: NarrativeFacts) -> list[Claim]:
    out = [_claim("review_not_counted", item=v.id, review_low=_id(s, K.REVIEW_LOW, v.id),
                  review_high=_id(s, K.REVIEW_HIGH, v.id)) for v in s.aliases_of("review")]
    out += [_claim("dominant_lever", resource_share=_id(s, K.TOP_RESOURCE_SHARE), item=v.id,
                   resource_monthly=_id(s, K.TOP_RESOURCE_MONTHLY), review_low=_id(s, K.REVIEW_LOW, v.id),
                   review_high=_id(s, K.REVIEW_HIGH, v.id), counted_total=_id(s, K.COUNTED_TOTAL))
            for v in s.aliases_of("review")]
    for sub in s.aliases_of("subscription"):
        out.append(_claim("governance_gap", subscription=sub.id, outside_agreement=_id(s, K.OUTSIDE_AGREEMENT, sub.id),
                          budget_count=_read(s, K.BUDGET_COUNT, sub.id), alert_count=_read(s, K.ALERT_COUNT, sub.id)))
        out.append(_claim("tagging_gap", untagged_share=_id(s, K.UNTAGGED_SHARE), subscription=sub.id,
                          sub_untagged_share=_id(s, K.SUB_UNTAGGED_SHARE, sub.id),
                          sub_untagged_amount=_id(s, K.SUB_UNTAGGED_AMOUNT, sub.id)))
    out += [_claim("anomaly_days", anomaly_count=_id(s, K.ANOMALY_COUNT), anomaly_date=_id(s, K.ANOMALY_DATE)),
            _claim("weekday_pattern", weekend_drop=_id(s, K.WEEKEND_DROP)),
            _claim("small_estate", run_rate_monthly=_id(s, K.RUN_RATE_MONTHLY),
                   billed_resources=_id(s, K.BILLED_RESOURCES)),
            _claim("none")]
    return out


def _one_off_driver(s: NarrativeFacts) -> str | None:
    """The alias of the top driver of the one-off the sheet states (ANOMALY_DATE)."""
    day = s.of(K.ANOMALY_DATE)
    top = s.one_offs.get(day.value) if day is not None and isinstance(day.value, dt.date) else None
    return next((d.id for d in s.aliases_of("driver") if top and d.resource_ids[0] == top[0]), None)


def instances(sheet: NarrativeFacts) -> dict[SlotGroup, list[Claim]]:
    """Every claim the sheet could support, per slot group, in the fallback's order of preference.

    Roles the sheet has no fact for stay None; the checker refuses such a claim unless the role is nullable.
    """
    s = sheet
    return {
        "opening": [_claim("spend_level", run_rate_monthly=_id(s, K.RUN_RATE_MONTHLY), spend_30d=_id(s, K.SPEND_30D))],
        "trend": _trend(s),
        "one_off": [_claim("one_off_spike", anomaly_date=_id(s, K.ANOMALY_DATE),
                           one_off_amount=_id(s, K.ONE_OFF_AMOUNT), anomaly_service=_id(s, K.ANOMALY_SERVICE),
                           driver=_one_off_driver(s)),
                    _claim("none")],
        "certainty": [_claim("certainty_split", **{r.name: _id(s, r.key) if r.key else _id(s, K.RANGE_HIGH)
                                                   for r in CLAIM_ROLES["certainty_split"][0]}),
                      _claim("all_measured", tier_measured=_id(s, K.TIER_MEASURED),
                             share_measured=_id(s, K.SHARE_LOW))],
        "action": _actions(s),
        "context": _context(s),
    }
