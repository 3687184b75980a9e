"""Governance recommendations per subscription (D10.2): budgets, anomaly alerts, deny and tag policies, agreement.

What was not read is said, never assumed: without the budgets (B1), scheduled actions (B2), policy assignments
(R3) or tags as billed (C6), the recommendation carries status `not_read` and names the missing data.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from shared.analysis import guardrail_commands as cmd
from shared.analysis.commands import Command
from shared.analysis.extras import Budget, PolicyAssignment, assigned
from shared.analysis.insights_model import money
from shared.analysis.insights_views import Guardrail
from shared.analysis.offers import Offer
from shared.analysis.wording import money_text, pct_text

BUDGET_HEADROOM = 1.2
BUDGET_MINIMUM = 50.0
TAG_COVERAGE_TARGET = 0.95
POLICY_ENVIRONMENTS = ("sandbox", "dev")


def round_up_2sf(value: float) -> float:
    """Rounded up to 2 significant figures (304.08 -> 310, 47.48 -> 48)."""
    value = round(value, 2)
    if value <= 0:
        return 0.0
    step = 10.0 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(round(value / step, 6)) * step


@dataclass(frozen=True)
class SubscriptionState:
    """What D10.2 reads of one subscription; None for data that was not collected."""

    subscription_id: str
    has_cost: bool  # cost data was read: without it a budget cannot be sized
    offer: Offer
    environment: str
    run_rate_monthly: float
    measured_monthly: float  # counted, measured savings on this subscription (D2's measured tier)
    budgets: tuple[Budget, ...] | None
    anomaly_alerts: int | None
    assignments: tuple[PolicyAssignment, ...] | None
    costly_types: tuple[str, ...]  # D10.2's costly types present (lower-case ARM types)
    # (allocation key, direct coverage of the estate's spend, direct coverage of this subscription's spend)
    tag_coverage: tuple[tuple[str, float, float], ...]
    direct_coverage: float | None  # main key on this subscription, resource tags only
    inventory_coverage: float | None  # main key on this subscription, with resource-group tags
    billed_coverage: float | None  # main key as billed (C6); None when not collected
    main_key: str | None
    location: str


def _guardrail(s: SubscriptionState, gid: str, title: str, detail: str, not_read: tuple[str, ...],
               commands: tuple[Command, ...] = (), amount: float | None = None,
               keys: tuple[str, ...] = ()) -> Guardrail:
    return Guardrail(gid, s.subscription_id, title, detail, "not_read" if not_read else "missing", not_read,
                     amount, keys, commands)


def _budget(s: SubscriptionState, currency: str, today: dt.date) -> Guardrail | None:
    if s.budgets or not s.has_cost:
        return None
    after = max(0.0, s.run_rate_monthly - s.measured_monthly)
    amount = max(BUDGET_MINIMUM, round_up_2sf(BUDGET_HEADROOM * after))
    amount = float(int(amount)) if amount.is_integer() else amount
    detail = (f"A monthly budget of {money_text(amount, currency)}: {BUDGET_HEADROOM:.0%} of the run-rate after the "
              f"measured savings ({money_text(after, currency)} a month), alerts at 80% actual and 100% forecast.")
    return _guardrail(s, "GV-B", "Set a monthly budget", detail, ("budgets",) if s.budgets is None else (),
                      (cmd.budget_command(s.subscription_id, amount, today.replace(day=1)),), money(amount))


def _anomaly_alert(s: SubscriptionState, today: dt.date) -> Guardrail | None:
    if s.anomaly_alerts or not s.has_cost:
        return None
    return _guardrail(s, "GV-A", "Turn on a cost anomaly alert",
                      "A Cost Management anomaly alert e-mails when a day's cost breaks the usual pattern; a budget "
                      "alert does not fire on a one-day spike inside the budget.",
                      ("scheduled actions",) if s.anomaly_alerts is None else (),
                      (cmd.anomaly_alert_command(s.subscription_id, today),))


def _deny_types(s: SubscriptionState) -> Guardrail | None:
    if s.environment not in POLICY_ENVIRONMENTS or not s.costly_types:
        return None
    if s.assignments is not None and cmd.NOT_ALLOWED_TYPES in {a.definition_id for a in s.assignments if a.enforced}:
        return None
    return _guardrail(s, "GV-P", "Deny costly resource types",
                      "DDoS protection plans, VPN gateways, ExpressRoute circuits, Azure Firewall and application "
                      "gateways cost hundreds a month each and are rarely needed in a sandbox or development "
                      "subscription.", ("policy assignments",) if s.assignments is None else (),
                      (cmd.deny_types_command(s.subscription_id),))


def _require_tags(s: SubscriptionState) -> Guardrail | None:
    """Allocation keys on less than 95% of the estate's spend, required on every subscription not yet enforcing them."""
    if not s.has_cost:
        return None
    keys = [k for k, estate, _ in s.tag_coverage if estate < TAG_COVERAGE_TARGET
            and not (s.assignments is not None and assigned(s.assignments, cmd.REQUIRE_TAG, k))]
    if not keys:
        return None
    commands = tuple(c for k in keys for c in cmd.require_tag_commands(
        s.subscription_id, k, "".join(ch for ch in k.lower() if ch.isalnum())[:40] or "key", s.location))
    shown = ", ".join(f"{k} on {pct_text(e)} of all spend ({pct_text(here)} here)"
                      for k, e, here in s.tag_coverage if k in keys)
    return _guardrail(s, "GV-T", "Require allocation tags", f"Allocation tags below 95% coverage: {shown}.",
                      ("policy assignments",) if s.assignments is None else (), commands, keys=tuple(keys))


def _tag_inheritance(s: SubscriptionState) -> Guardrail | None:
    if s.offer.label != "Enterprise Agreement" or s.main_key is None or s.inventory_coverage is None:
        return None
    if s.billed_coverage is not None and s.billed_coverage >= s.inventory_coverage - 0.0005:
        return None
    # Without the billed view, inheritance is worth suggesting only where resource-group tags add coverage.
    if s.billed_coverage is None and s.inventory_coverage <= (s.direct_coverage or 0.0) + 0.0005:
        return None
    detail = (f"Cost Management shows {s.main_key} on {pct_text(s.billed_coverage)} of spend against "
              f"{pct_text(s.inventory_coverage)} with resource-group tags." if s.billed_coverage is not None else
              "Tags as billed were not collected; tag inheritance lets resource-group tags reach the cost data.")
    return _guardrail(s, "GV-I", "Turn on tag inheritance", detail,
                      ("tags as billed",) if s.billed_coverage is None else (),
                      (cmd.tag_inheritance_command(s.subscription_id),), keys=(s.main_key,))


def _agreement(s: SubscriptionState) -> Guardrail | None:
    if not s.offer.outside_main_agreement or s.offer.sentence is None:
        return None
    return _guardrail(s, "GV-E", "Move the subscription under your agreement",
                      f"This subscription is {s.offer.sentence}: a billing change, no command.", ())


def guardrails(states: Sequence[SubscriptionState], currency: str, today: dt.date) -> tuple[Guardrail, ...]:
    """Every subscription's recommendations, in D10.2's order (B, A, P, T, I, E)."""
    out: list[Guardrail] = []
    for s in states:
        found = (_budget(s, currency, today), _anomaly_alert(s, today), _deny_types(s), _require_tags(s),
                 _tag_inheritance(s), _agreement(s))
        out += [g for g in found if g is not None]
    return tuple(out)
