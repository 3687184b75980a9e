"""The narrative's claim types, their roles and slots (report-design D11.1, D11.2).

A claim is a claim type plus, for each of its roles, the id of a fact (F#) or alias (D#, P#, V#, S#). A role
names the fact key it takes (`key`), or only the unit when the checker verifies the value itself (`unit`: the
date of a one-off, the high end of the range), or the alias kind. `instances` builds every claim the sheet could
support, one per driver, plan row, review item or subscription; the checker (claim_check.py) decides which hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from shared.analysis.facts import NOT_READ, AliasKind, FactKey, NarrativeFacts, Unit

K = FactKey
Ids = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class Role:
    """One property of a claim object: a fact of `key` (or any fact of `unit`), or an alias of `alias` kind."""

    name: str
    key: FactKey | None = None
    unit: Unit | None = None
    alias: AliasKind | None = None
    nullable: bool = False


@dataclass(frozen=True)
class Claim:
    """A claim type with its role values (ids, or None for an unused nullable role)."""

    type: str
    ids: Ids = ()

    def get(self, role: str) -> str | None:
        """The id in one role (None when absent or null)."""
        return dict(self.ids).get(role)

    def as_json(self) -> dict[str, str | None]:
        """The claim object as the answer carries it."""
        return {"claim": self.type, **dict(self.ids)}


def _r(name: str, key: FactKey | None = None, **kw: object) -> Role:
    return Role(name, key, **kw)  # type: ignore[arg-type]


_CHANGE = (_r("now_daily", K.RUN_RATE_DAILY), _r("base_daily", K.BASE_DAILY), _r("change_pct", K.CHANGE_PCT),
           _r("base_from", K.BASE_FROM))
ACTION_COUNTED = (_r("item", alias="action"), _r("saving", K.ACTION_SAVING), _r("effort", K.ACTION_EFFORT),
                  _r("risk", K.ACTION_RISK))
ACTION_REVIEW = (_r("item", alias="action"), _r("range_low", K.ACTION_LOW), _r("range_high", K.ACTION_HIGH),
                 _r("effort", K.ACTION_EFFORT), _r("risk", K.ACTION_RISK))
ACTION_GUARDRAIL = (_r("item", alias="action"), _r("effort", K.ACTION_EFFORT), _r("risk", K.ACTION_RISK))
# Each claim type's role sets: one, except `action`, whose roles follow its row (a saving, a range, neither).
CLAIM_ROLES: dict[str, tuple[tuple[Role, ...], ...]] = {
    "spend_level": ((_r("run_rate_monthly", K.RUN_RATE_MONTHLY), _r("spend_30d", K.SPEND_30D)),),
    "spend_change": (_CHANGE,),
    "spend_change_driver": ((*_CHANGE, _r("driver", alias="driver"), _r("driver_share", K.CHANGE_DRIVER_SHARE),
                             _r("driver_first_cost", K.DRIVER_FIRST_COST, nullable=True),
                             _r("driver_cost_since", K.DRIVER_COST_SINCE)),),
    "level_shift": ((_r("shift_date", K.SHIFT_DATE), _r("shift_delta", K.SHIFT_DELTA),
                     _r("shift_pct", K.SHIFT_PCT, nullable=True), _r("driver", alias="driver", nullable=True),
                     _r("driver_share", K.SHIFT_DRIVER_SHARE, nullable=True)),),
    "spend_steady": ((_r("now_daily", K.RUN_RATE_DAILY), _r("change_pct", K.CHANGE_PCT),
                      _r("base_from", K.BASE_FROM)),),
    "one_off_spike": ((_r("anomaly_date", unit="date"), _r("one_off_amount", K.ONE_OFF_AMOUNT),
                       _r("anomaly_service", K.ANOMALY_SERVICE), _r("driver", alias="driver")),),
    "certainty_split": ((_r("tier_measured", K.TIER_MEASURED), _r("tier_conditional", K.TIER_CONDITIONAL),
                         _r("tier_commitment", K.TIER_COMMITMENT), _r("tier_est_low", K.TIER_EST_LOW),
                         _r("tier_est_high", K.TIER_EST_HIGH), _r("range_low", K.RANGE_LOW),
                         _r("range_high", unit="money"), _r("share_low", K.SHARE_LOW, nullable=True),
                         _r("share_high", K.SHARE_HIGH, nullable=True),
                         _r("annual_low", K.ANNUAL_LOW), _r("annual_high", K.ANNUAL_HIGH)),),
    "all_measured": ((_r("tier_measured", K.TIER_MEASURED), _r("share_measured", K.SHARE_LOW)),),
    "action": (ACTION_COUNTED, ACTION_REVIEW, ACTION_GUARDRAIL),
    "review_not_counted": ((_r("item", alias="review"), _r("review_low", K.REVIEW_LOW),
                            _r("review_high", K.REVIEW_HIGH)),),
    "governance_gap": ((_r("subscription", alias="subscription"), _r("outside_agreement", K.OUTSIDE_AGREEMENT),
                        _r("budget_count", K.BUDGET_COUNT, nullable=True),
                        _r("alert_count", K.ALERT_COUNT, nullable=True)),),
    "tagging_gap": ((_r("untagged_share", K.UNTAGGED_SHARE), _r("subscription", alias="subscription"),
                     _r("sub_untagged_share", K.SUB_UNTAGGED_SHARE),
                     _r("sub_untagged_amount", K.SUB_UNTAGGED_AMOUNT)),),
    "dominant_lever": ((_r("resource_share", K.TOP_RESOURCE_SHARE), _r("item", alias="review"),
                        _r("resource_monthly", K.TOP_RESOURCE_MONTHLY), _r("review_low", K.REVIEW_LOW),
                        _r("review_high", K.REVIEW_HIGH), _r("counted_total", K.COUNTED_TOTAL)),),
    "anomaly_days": ((_r("anomaly_count", K.ANOMALY_COUNT), _r("anomaly_date", unit="date")),),
    "weekday_pattern": ((_r("weekend_drop", K.WEEKEND_DROP),),),
    "small_estate": ((_r("run_rate_monthly", K.RUN_RATE_MONTHLY), _r("billed_resources", K.BILLED_RESOURCES)),),
    "none": ((),),
}
CONTEXT = ("review_not_counted", "governance_gap", "tagging_gap", "dominant_lever", "anomaly_days",
           "weekday_pattern", "small_estate", "none")
SlotGroup = Literal["opening", "trend", "one_off", "certainty", "action", "context"]
GROUPS: dict[SlotGroup, tuple[str, ...]] = {
    "opening": ("spend_level",),
    "trend": ("spend_change_driver", "spend_change", "level_shift", "spend_steady"),
    "one_off": ("one_off_spike", "none"),
    "certainty": ("certainty_split", "all_measured"),
    "action": ("action",),
    "context": CONTEXT,
}
OPTIONAL: tuple[SlotGroup, ...] = ("one_off", "context")  # groups that offer `none`
MAX_ACTIONS = 3
CONTEXT_SLOTS = ("context_1", "context_2")


def group_of(slot: str) -> SlotGroup:
    """The slot group of a slot name (action_2 -> action)."""
    return slot.rsplit("_", 1)[0] if slot.startswith(("action_", "context_")) else slot  # type: ignore[return-value]


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
