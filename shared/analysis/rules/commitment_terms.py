"""Which commitment option counts, and how the report names and prices it (report-design D7.2 step 6, D6.3).

With less than 60 days of lookback (Advisor's own, or Microsoft's reservation recommendation), usage may not be
stable enough for three years: only 1-year options count and a 3-year option is upside. With 60 days or more,
the option with the largest saving counts. The command prices the reservation (Microsoft.Capacity
calculatePrice: POST, buys nothing); the purchase is a separate order a billing administrator places.
"""

from __future__ import annotations

import json
import re

from shared.analysis.commands import Command, arg, by_name

SHORT_LOOKBACK_DAYS = 60
TERM_LABELS = {"P1Y": "1 year", "P3Y": "3 years"}
TERM_NOTE = ("a 3-year term counts only with 60 days or more of lookback: shown beside the 1-year option as "
             "upside, not counted")
# azure-rest-api-specs reservations/resource-manager/Microsoft.Capacity/stable/2022-11-01, operation
# ReservationOrder_Calculate (example CalculateReservationOrder.json @ 3b06a589c412d9757dd130991fbd9f7c8ca29cb7).
CALCULATE_URL = "https://management.azure.com/providers/Microsoft.Capacity/calculatePrice?api-version=2022-11-01"
_DIGITS = re.compile(r"\d+")


def lookback_days(value: str | None) -> int | None:
    """Days of lookback from Advisor's `lookbackPeriod` ("30", "Last60Days"); None when not given."""
    match = _DIGITS.search(value or "")
    return int(match.group()) if match else None


def term_counts(term: str, lookback: int | None) -> bool:
    """Whether an option of this term may count (D7.2 step 6)."""
    return term.upper() == "P1Y" or (lookback is not None and lookback >= SHORT_LOOKBACK_DAYS)


def short_size(sku: str) -> str:
    """Standard_D4s_v5 -> D4s_v5 (for prose)."""
    return sku.removeprefix("Standard_").removeprefix("standard_")


def reservation_title(sku: str, term: str, quantity: int | None, resized: bool) -> str:
    """"Reserve 3 x D4s_v5 for 1 year after clean-up and right-sizing"."""
    count = f"{quantity} \u00d7 " if quantity is not None else ""
    after = " after clean-up and right-sizing" if resized else ""
    return f"Reserve {count}{short_size(sku)} for {TERM_LABELS.get(term.upper(), term)}{after}"


def plan_title(hourly: float, term: str, currency: str) -> str:
    """"Commit 1.21 GBP an hour to a 3-year compute savings plan"."""
    years = TERM_LABELS.get(term.upper(), term).replace(" years", "-year").replace(" year", "-year")
    return f"Commit {hourly:,.2f} {currency} an hour to a {years} compute savings plan"


def price_check(scope: str, sku: str, region: str, term: str, quantity: int) -> Command:
    """`az rest` asking Azure the price of the reservation (kind check: it buys nothing)."""
    subscription = scope.rstrip("/").split("/")[2] if scope.count("/") >= 2 else scope
    body = {"sku": {"name": sku}, "location": region,
            "properties": {"reservedResourceType": "VirtualMachines",
                           "billingScopeId": f"/subscriptions/{subscription}",
                           "term": term.upper(), "billingPlan": "Monthly", "quantity": quantity,
                           "displayName": f"caleta-{short_size(sku).lower()}-{term.lower()}",
                           "appliedScopeType": "Single", "appliedScopes": [f"/subscriptions/{subscription}"],
                           "reservedResourceProperties": {"instanceFlexibility": "On"}}}
    return by_name("rest", "", scope, arg("--method", "post"), arg("--url", CALCULATE_URL),
                   arg("--body", json.dumps(body, separators=(",", ":"))), kind="check",
                   warnings=("prices the reservation and buys nothing: the purchase is a separate order a billing "
                             "administrator places",))
