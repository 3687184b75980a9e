"""Actual (cash) against amortised cost over the last 30 days (D8.9), from the optional C5 query.

Amortised cost spreads reservation and savings plan purchases over their term (right for showback); actual cost
is what the invoice shows, purchases included. Compared only over the subscriptions whose C5 was collected.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.analysis.extras import Table
from shared.analysis.insights_model import money
from shared.analysis.insights_views import ActualVsAmortized
from shared.analysis.wording import money_text

# Below this share of spend (or a unit of currency) the two are "the same".
SAME_SHARE = 0.005
_COMMITMENTS = {"Reservation": "reservation", "SavingsPlan": "savings plan"}


def actual_vs_amortized(tables: Mapping[str, Table | None], amortized: Mapping[str, float],
                        currency: str) -> ActualVsAmortized:
    """C5 against C1's last 30 days; `tables` holds every subscription with cost (None where C5 is absent)."""
    read = {sub: t for sub, t in tables.items() if t is not None}
    amortized_all = sum(amortized.values())
    if not read:
        return ActualVsAmortized(None, money(amortized_all), None, None,
                                 "Actual (cash) cost was not collected: every figure here is amortised, which "
                                 "spreads reservation and savings plan purchases over their term.", 0, len(tables))
    actual = purchases = 0.0
    models: set[str] = set()
    for table in read.values():
        rows = zip(table.costs(), table.column("ChargeType"), table.column("PricingModel"), table.column("Currency"),
                   strict=True)
        for cost, charge, model, row_currency in rows:
            if row_currency and str(row_currency) != currency:
                continue
            actual += cost
            if str(charge).lower() == "purchase":
                purchases += cost
            elif str(model) in _COMMITMENTS:
                models.add(_COMMITMENTS[str(model)])
    compared = sum(amortized.get(sub, 0.0) for sub in read)
    difference = compared - actual
    scope = "" if len(read) == len(tables) else f" (for {len(read)} of {len(tables)} subscriptions)"
    if abs(difference) <= max(1.0, SAME_SHARE * compared) and not purchases:
        reason = ("Actual and amortised cost are the same" + scope +
                  ": no reservation or savings plan purchases in this period.")
    elif purchases:
        reason = (f"Actual cost{scope} includes purchases of {money_text(purchases, currency)} paid up front; "
                  "amortised cost spreads them over their term.")
    elif difference > 0:
        what = " and ".join(sorted(models)) or "reservation or savings plan"
        reason = (f"{money_text(difference, currency)} of amortised cost{scope} is {what} usage whose purchase is "
                  "billed outside these subscriptions or before this period.")
    else:
        reason = (f"Actual cost{scope} is {money_text(-difference, currency)} above amortised cost: unused "
                  "reservation or savings plan charges, or purchases billed here for use elsewhere.")
    return ActualVsAmortized(money(actual), money(compared), money(difference), money(purchases), reason,
                             len(read), len(tables))
