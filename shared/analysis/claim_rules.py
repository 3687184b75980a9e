"""When a claim is true on its facts: the rejection rules of report-design D11.2, one function per claim type.

A role's fact is looked up when the rule first reads it: a fact of another key (or unit) is refused there
(`wrong_key`), a fact about another driver, row, item or subscription is refused (`wrong_item`), then the rule
tests the values. Every refusal names its rule, never the answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from shared.analysis.claim_read import NarrativeRejected, Read, roles_of
from shared.analysis.claims import Claim
from shared.analysis.facts import NOT_READ, FactKey, NarrativeFacts

K = FactKey
MIN_CHANGE = 0.05  # a change below 5% is "steady" (D11.2)
DRIVER_SHARE = (0.5, 1.5)
UNTAGGED_MIN, SUB_UNTAGGED_MIN = 0.10, 0.50  # COST-5's threshold; a subscription mostly untagged
DOMINANT_SHARE = 0.40
WEEKEND_DROP_MIN = 0.15  # weekends at most 85% of weekdays
SMALL_ESTATE = 2000.0
TOLERANCE = 0.011
__all__ = ["NarrativeRejected", "check_claim", "roles_of"]


def _no(rule: str, message: str) -> NarrativeRejected:
    return NarrativeRejected(rule, message)


def _change(r: Read) -> None:
    if abs(r.num("change_pct")) < MIN_CHANGE:
        raise _no("change_below_5pct", "a change below 5% is not a change")
    r.fact("now_daily"), r.fact("base_daily"), r.fact("base_from")


def _change_driver(r: Read) -> None:
    _change(r)
    d = r.alias("driver")
    share = r.num("driver_share", d.id)
    if share < 0:
        raise _no("driver_sign", "the driver moved the other way")
    if not DRIVER_SHARE[0] <= share <= DRIVER_SHARE[1]:
        raise _no("driver_share_out_of_range", "the driver's share of the change is below 50% or above 150%")
    first = r.opt("driver_first_cost", d.id)
    if first is not None and isinstance(first.value, dt.date):
        in_window = first.value >= r.date("base_from")
        if not in_window or not any(abs((first.value - s).days) <= 1 for s in r.sheet.shifts):
            raise _no("first_cost_not_at_a_shift", "the driver's first cost day is not the day spend stepped")
    r.fact("driver_cost_since", d.id)


def _level_shift(r: Read) -> None:
    if r.date("shift_date") not in r.sheet.shifts:
        raise _no("no_such_shift", "the analytics found no step on that day")
    r.fact("shift_delta"), r.opt("shift_pct")
    has_driver, has_share = r.claim.get("driver") is not None, r.claim.get("driver_share") is not None
    if has_driver != has_share:
        raise _no("driver_without_share", "a driver needs its share of the step, and a share its driver")
    if has_driver and not DRIVER_SHARE[0] <= r.num("driver_share", r.alias("driver").id) <= DRIVER_SHARE[1]:
        raise _no("driver_share_out_of_range", "the driver's share of the step is below 50% or above 150%")


def _steady(r: Read) -> None:
    if abs(r.num("change_pct")) >= MIN_CHANGE:
        raise _no("not_steady", "spend changed by 5% or more")
    if r.sheet.shifts:
        raise _no("steady_despite_a_shift", "spend stepped inside the window")
    r.fact("now_daily"), r.fact("base_from")


def _one_off(r: Read) -> None:
    day = r.date("anomaly_date")
    entry = r.sheet.one_offs.get(day)
    if entry is None:
        raise _no("not_a_one_off", "that day was not above the usual range")
    if r.sheet.recent_from is None or day < r.sheet.recent_from:
        raise _no("one_off_not_in_last_30_days", "that one-off is not in the last 30 days")
    if abs(r.num("one_off_amount") - entry[1]) > TOLERANCE:
        raise _no("one_off_of_another_day", "the amount is another day's one-off")
    r.fact("anomaly_service")
    if entry[0] not in r.alias("driver").resource_ids:
        raise _no("not_the_top_driver", "the driver named is not the one-off's top driver")


def _tiers(r: Read) -> tuple[float, float, float, float]:
    return r.num("tier_measured"), r.num("tier_conditional"), r.num("tier_commitment"), r.num("tier_est_high")


def _certainty(r: Read) -> None:
    measured, conditional, commitment, high = _tiers(r)
    r.fact("tier_est_low"), r.fact("range_low"), r.opt("share_low"), r.opt("share_high")
    r.fact("annual_low"), r.fact("annual_high")
    if conditional + commitment + high <= 0:
        raise _no("single_tier", "only the measured tier holds money: all_measured says it")
    if abs(r.num("range_high") - (measured + conditional + commitment + high)) > TOLERANCE:
        raise _no("range_sum_mismatch", "the high end is not the sum of the tiers at their upper bounds")


def _all_measured(r: Read) -> None:
    if r.num("tier_measured") <= 0:
        raise _no("nothing_measured", "no saving is measured")
    others = sum(r.sheet.number(k) for k in (K.TIER_CONDITIONAL, K.TIER_COMMITMENT, K.TIER_EST_HIGH))
    if others > 0:
        raise _no("other_tiers_not_zero", "some savings are conditional, a commitment or estimated")
    r.fact("share_measured")


def _action(r: Read) -> None:
    p = r.alias("item")
    if p.detail == "hygiene":
        raise _no("not_a_candidate", "the hygiene list is not an action")
    has = set(r.roles)
    if p.detail == "review" and "saving" in has:
        raise _no("review_takes_a_range", "a review item is not counted: it takes its range, not a saving")
    if p.detail == "guardrail" and has & {"saving", "range_low"}:
        raise _no("guardrail_has_no_saving", "guardrails carry no saving")
    if p.detail not in ("review", "guardrail") and "saving" not in has:
        raise _no("counted_takes_its_saving", "a counted row takes its saving")
    for role in sorted(has - {"item"}):
        r.fact(role, p.id)


def _review(r: Read) -> None:
    v = r.alias("item")
    r.fact("review_low", v.id), r.fact("review_high", v.id)


def _governance(r: Read) -> None:
    s = r.alias("subscription")
    clauses = [r.fact("outside_agreement", s.id).value == "yes"]
    for role, what in (("budget_count", "budgets"), ("alert_count", "anomaly alerts")):
        fact = r.opt(role, s.id)
        if fact is not None and fact.value == NOT_READ:
            raise _no(f"{role.split('_')[0]}s_not_read", f"{what} were not read: their absence is not known")
        clauses.append(fact is not None and fact.value == 0)
    if not any(clauses):
        raise _no("no_gap", "the subscription has its budget and alert and sits inside the agreement")


def _tagging(r: Read) -> None:
    if r.num("untagged_share") < UNTAGGED_MIN:
        raise _no("untagged_below_10pct", "less than 10% of spend is untagged")
    s = r.alias("subscription")
    if r.num("sub_untagged_share", s.id) < SUB_UNTAGGED_MIN:
        raise _no("subscription_mostly_tagged", "the subscription is mostly tagged")
    r.fact("sub_untagged_amount", s.id)


def _dominant(r: Read) -> None:
    if r.num("resource_share") < DOMINANT_SHARE:
        raise _no("share_below_40pct", "no resource holds 40% of spend")
    v = r.alias("item")
    if v.rule != "RV-DOMINANT" or r.sheet.top_resource not in v.resource_ids:
        raise _no("not_the_dominant_resource", "the item is not the largest resource's review")
    r.fact("resource_monthly"), r.fact("review_low", v.id)
    if r.num("review_high", v.id) <= r.num("counted_total"):
        raise _no("lever_not_above_counted", "the lever is not larger than the savings counted")


def _anomaly_days(r: Read) -> None:
    if r.num("anomaly_count") < 1:
        raise _no("no_day_outside_the_range", "no day fell outside the usual range")
    day, one_offs = r.date("anomaly_date"), r.sheet.one_offs
    if not one_offs or day != max(one_offs, key=lambda d: (one_offs[d][1], d)):
        raise _no("not_the_largest_one_off", "that day is not the largest one-off")


def _weekday(r: Read) -> None:
    if r.num("weekend_drop") < WEEKEND_DROP_MIN:
        raise _no("no_weekend_drop", "weekend spend is above 85% of weekday spend")


def _small(r: Read) -> None:
    if r.num("run_rate_monthly") >= SMALL_ESTATE:
        raise _no("not_a_small_estate", "the run-rate is 2,000 a month or more")
    r.fact("billed_resources")


def _spend_level(r: Read) -> None:
    r.fact("run_rate_monthly"), r.fact("spend_30d")


RULES: dict[str, Callable[[Read], None]] = {
    "spend_level": _spend_level, "spend_change": _change, "spend_change_driver": _change_driver,
    "level_shift": _level_shift, "spend_steady": _steady, "one_off_spike": _one_off, "certainty_split": _certainty,
    "all_measured": _all_measured, "action": _action, "review_not_counted": _review, "governance_gap": _governance,
    "tagging_gap": _tagging, "dominant_lever": _dominant, "anomaly_days": _anomaly_days, "weekday_pattern": _weekday,
    "small_estate": _small, "none": lambda r: None,
}


def check_claim(claim: Claim, sheet: NarrativeFacts) -> None:
    """Raise NarrativeRejected unless the claim is true on the sheet's facts."""
    roles = roles_of(claim)
    if roles is None:
        raise NarrativeRejected("schema", f"{claim.type}: not the claim's properties")
    for role in roles:
        ident = claim.get(role.name)
        if ident is None and not role.nullable:
            raise NarrativeRejected("missing_fact", f"{claim.type}: {role.name} cites nothing")
        if ident is not None and ident.startswith("F") and sheet.fact(ident) is None:
            raise NarrativeRejected("unknown_fact", "answer cites an unknown fact")
        if ident is not None and not ident.startswith("F") and sheet.alias(ident) is None:
            raise NarrativeRejected("unknown_alias", "answer names an unknown alias")
    RULES[claim.type](Read(claim, sheet, roles))
