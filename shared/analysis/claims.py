"""The narrative's claim types, their roles and slots (report-design D11.1, D11.2).

A claim is a claim type plus, for each of its roles, the id of a fact (F#) or alias (D#, P#, V#, S#). A role
names the fact key it takes (`key`), or only the unit when the checker verifies the value itself (`unit`: the
date of a one-off, the high end of the range), or the alias kind. claim_instances.py builds every claim a sheet could
support; the checker (claim_check.py) decides which hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.analysis.facts import AliasKind, FactKey, Unit

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
