"""What a fact measures (`FactKey`), in Caleta's words and with its unit: the one table the prompt and the
published facts list read. Changing a wording changes every prompt and every report's facts: do it on purpose."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Unit = Literal["money", "annual", "percent", "count", "date", "label"]


class FactKey(StrEnum):
    """What a fact measures; its wording and unit are in `_SPEC` (changing one changes every prompt)."""

    RUN_RATE_MONTHLY = "run_rate_monthly"
    RUN_RATE_DAILY = "run_rate_daily"
    SPEND_30D = "spend_30d"
    BASE_DAILY = "base_daily"
    BASE_FROM = "base_from"
    CHANGE_PCT = "change_pct"
    SHIFT_DATE = "shift_date"
    SHIFT_DELTA = "shift_delta"
    SHIFT_PCT = "shift_pct"
    ANOMALY_COUNT = "anomaly_count"
    ANOMALY_DATE = "anomaly_date"
    ONE_OFF_AMOUNT = "one_off_amount"
    ANOMALY_SERVICE = "anomaly_service"
    UNTAGGED_SHARE = "untagged_share"
    WEEKEND_DROP = "weekend_drop"
    BILLED_RESOURCES = "billed_resources"
    TOP_RESOURCE_SHARE = "top_resource_share"
    TOP_RESOURCE_MONTHLY = "top_resource_monthly"
    TIER_MEASURED = "tier_measured"
    TIER_CONDITIONAL = "tier_conditional"
    TIER_COMMITMENT = "tier_commitment"
    TIER_EST_LOW = "tier_est_low"
    TIER_EST_HIGH = "tier_est_high"
    RANGE_LOW = "range_low"
    RANGE_HIGH = "range_high"
    SHARE_LOW = "share_low"
    SHARE_HIGH = "share_high"
    ANNUAL_LOW = "annual_low"
    ANNUAL_HIGH = "annual_high"
    COUNTED_TOTAL = "counted_total"
    COMMITMENT_TERM = "commitment_term"
    MAIN_AGREEMENT = "main_agreement"
    CHANGE_DRIVER_SHARE = "change_driver_share"
    SHIFT_DRIVER_SHARE = "shift_driver_share"
    DRIVER_FIRST_COST = "driver_first_cost"
    DRIVER_COST_SINCE = "driver_cost_since"
    ACTION_SAVING = "action_saving"
    ACTION_LOW = "action_low"
    ACTION_HIGH = "action_high"
    ACTION_EFFORT = "action_effort"
    ACTION_RISK = "action_risk"
    ITEM_COUNT = "item_count"
    LICENCE_CORES = "licence_cores"
    GUARDRAIL_BUDGET = "guardrail_budget"
    REVIEW_LOW = "review_low"
    REVIEW_HIGH = "review_high"
    REVIEW_COUNT = "review_count"
    OFFER = "offer"
    OUTSIDE_AGREEMENT = "outside_agreement"
    BUDGET_COUNT = "budget_count"
    ALERT_COUNT = "alert_count"
    SUB_UNTAGGED_SHARE = "sub_untagged_share"
    SUB_UNTAGGED_AMOUNT = "sub_untagged_amount"


K = FactKey
SPEC: dict[FactKey, tuple[str, Unit]] = {
    K.RUN_RATE_MONTHLY: ("monthly run-rate: 30 days at today's daily rate", "money"),
    K.RUN_RATE_DAILY: ("daily run-rate: mean of the last 28 days, one-off days replaced", "money"),
    K.SPEND_30D: ("spend over the last 30 days", "money"),
    K.BASE_DAILY: ("daily spend over the first 28 days of the window", "money"),
    K.BASE_FROM: ("first day of the cost window", "date"),
    K.CHANGE_PCT: ("change of the daily run-rate since the start of the window", "percent"),
    K.SHIFT_DATE: ("day of the largest step in daily spend", "date"),
    K.SHIFT_DELTA: ("size of that step per day", "money"),
    K.SHIFT_PCT: ("size of that step against the spend before it", "percent"),
    K.ANOMALY_COUNT: ("days outside the usual range in the window", "count"),
    K.ANOMALY_DATE: ("day of the largest one-off in the last 30 days", "date"),
    K.ONE_OFF_AMOUNT: ("that day's cost above its usual level", "money"),
    K.ANOMALY_SERVICE: ("meter category with most of that one-off", "label"),
    K.UNTAGGED_SHARE: ("share of the last 30 days' spend on resources without tags", "percent"),
    K.WEEKEND_DROP: ("how much lower daily spend is at weekends than on weekdays", "percent"),
    K.BILLED_RESOURCES: ("resources billed in the last 30 days", "count"),
    K.TOP_RESOURCE_SHARE: ("share of the last 30 days' spend on the largest resource", "percent"),
    K.TOP_RESOURCE_MONTHLY: ("last-30-day cost of the largest resource", "money"),
    K.TIER_MEASURED: ("monthly savings measured on the bill", "money"),
    K.TIER_CONDITIONAL: ("monthly savings if the licences are held", "money"),
    K.TIER_COMMITMENT: ("monthly savings with a commitment purchase", "money"),
    K.TIER_EST_LOW: ("estimated monthly savings, low end", "money"),
    K.TIER_EST_HIGH: ("estimated monthly savings, high end", "money"),
    K.RANGE_LOW: ("monthly savings range, low end (measured only)", "money"),
    K.RANGE_HIGH: ("monthly savings range, high end (every tier at its upper bound)", "money"),
    K.SHARE_LOW: ("low end as a share of the monthly run-rate", "percent"),
    K.SHARE_HIGH: ("high end as a share of the monthly run-rate", "percent"),
    K.ANNUAL_LOW: ("annual savings, low end", "annual"),
    K.ANNUAL_HIGH: ("annual savings, high end", "annual"),
    K.COUNTED_TOTAL: ("monthly savings counted, all tiers", "money"),
    K.COMMITMENT_TERM: ("term of the counted commitment", "label"),
    K.MAIN_AGREEMENT: ("the agreement most spend is under", "label"),
    K.CHANGE_DRIVER_SHARE: ("driver's share of the change since the start of the window", "percent"),
    K.SHIFT_DRIVER_SHARE: ("driver's share of the step", "percent"),
    K.DRIVER_FIRST_COST: ("driver's first cost day inside the window", "date"),
    K.DRIVER_COST_SINCE: ("driver's cost since its first cost day (or the window start)", "money"),
    K.ACTION_SAVING: ("plan row's counted monthly saving", "money"),
    K.ACTION_LOW: ("plan row's monthly range, low end (not counted)", "money"),
    K.ACTION_HIGH: ("plan row's monthly range, high end (not counted)", "money"),
    K.ACTION_EFFORT: ("plan row's effort", "label"),
    K.ACTION_RISK: ("plan row's change risk", "label"),
    K.ITEM_COUNT: ("findings in the plan row", "count"),
    K.LICENCE_CORES: ("core licences the plan row needs: {param}", "count"),
    K.GUARDRAIL_BUDGET: ("suggested monthly budget", "money"),
    K.REVIEW_LOW: ("review item's monthly range, low end (not counted)", "money"),
    K.REVIEW_HIGH: ("review item's monthly range, high end (not counted)", "money"),
    K.REVIEW_COUNT: ("public IPs the plan protects", "count"),
    K.OFFER: ("subscription's offer", "label"),
    K.OUTSIDE_AGREEMENT: ("subscription outside the main agreement", "label"),
    K.BUDGET_COUNT: ("Cost Management budgets on the subscription", "count"),
    K.ALERT_COUNT: ("cost anomaly alerts on the subscription", "count"),
    K.SUB_UNTAGGED_SHARE: ("subscription's share of spend without tags", "percent"),
    K.SUB_UNTAGGED_AMOUNT: ("subscription's last-30-day spend without tags", "money"),
}
