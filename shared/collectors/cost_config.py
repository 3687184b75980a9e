"""Cost configuration collector (source `cost-config`): budgets, anomaly alerts, reservation recommendations.

Three subscription-scope GETs (docs/data-contract.md B1-B3), read under the roles Caleta already asks for: Cost
Management Reader grants `Microsoft.Consumption/*/read` and `Microsoft.CostManagement/*/read` ("Can view cost data
and configuration (e.g. budgets, exports)", built-in role 72fafb9e-0641-4937-9268-a91bfd8191a3) and Reader's
`*/read` covers them as well; Microsoft's anomaly-alert page asks the alert's creator to keep "Reader role assigned
or Microsoft.CostManagement/scheduledActions/read permission" (MicrosoftDocs/azure-docs cost-management-billing/
understand/analyze-unexpected-charges.md).

- B1 `GET /subscriptions/{id}/providers/Microsoft.Consumption/budgets?api-version=2023-05-01`
- B2 `GET /subscriptions/{id}/providers/Microsoft.CostManagement/scheduledActions?api-version=2023-11-01`: the
  shared scheduled actions; an anomaly alert is one of kind InsightAlert ("Insight Alerts are only available on
  subscription scope", Scheduled Actions REST reference).
- B3 `GET /subscriptions/{id}/providers/Microsoft.Consumption/reservationRecommendations?api-version=2023-05-01`
  with `$filter=properties/scope eq 'Single' AND properties/lookBackPeriod eq 'Last30Days'`, then `Last60Days`
  (report-design D7: the 60-day lookback decides what counts). A 204 is the documented "no recommendations".

Data: {"budgets": [...], "scheduled_actions": [...], "reservation_recommendations": [...], "missing": {name:
reason}, "reads": {...}}, each list the REST `value` items unchanged, every page. A read that fails (403, 404, 409
for an unregistered provider, 429 after its retries, 5xx) leaves its key out and names it in `missing`: absent is
"not read", never "none". B3's two lookbacks are kept only together, so a 30-day list is never taken for the whole.
The task itself fails only when the tenant refuses the sign-in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from azure.mgmt.costmanagement import CostManagementClient

from shared.arm import cost_management_client
from shared.collectors import Collected, CollectRequest
from shared.collectors.arm_reads import Answer, ArmReader

BUDGETS = ("Microsoft.Consumption/budgets", "2023-05-01")
SCHEDULED_ACTIONS = ("Microsoft.CostManagement/scheduledActions", "2023-11-01")
RESERVATIONS = ("Microsoft.Consumption/reservationRecommendations", "2023-05-01")
LOOKBACKS = ("Last30Days", "Last60Days")
READ_BUDGET_SECONDS = 120.0


def _items(answer: Answer) -> list[dict[str, Any]] | None:
    if answer.status == 204:
        return []
    return list(answer.body) if answer.ok and isinstance(answer.body, list) else None


def collect(request: CollectRequest, *, client: CostManagementClient | None = None,
            sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> Collected:
    """Read the subscription's budgets, scheduled actions and reservation recommendations."""
    client = client or cost_management_client(request.credential)
    # The generated client's send_request runs a custom request through its pipeline (ReadOnlyArmPolicy included).
    reader = ArmReader(client.send_request, sleep=sleep, clock=clock, budget_s=READ_BUDGET_SECONDS)
    scope = f"/subscriptions/{request.subscription_id}/providers"
    data: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for key, (path, version) in (("budgets", BUDGETS), ("scheduled_actions", SCHEDULED_ACTIONS)):
        answer = reader.list(f"{scope}/{path}", version)
        items = _items(answer)
        if items is None:
            missing[key] = f"{key.replace('_', ' ')}: {answer.reason()}"
        else:
            data[key] = items
    recommendations: list[dict[str, Any]] = []
    for lookback in LOOKBACKS:
        answer = reader.list(f"{scope}/{RESERVATIONS[0]}", RESERVATIONS[1], **{
            "$filter": f"properties/scope eq 'Single' AND properties/lookBackPeriod eq '{lookback}'"})
        items = _items(answer)
        if items is None:
            missing["reservation_recommendations"] = f"reservation recommendations ({lookback}): {answer.reason()}"
            break
        recommendations.extend(items)
    else:
        data["reservation_recommendations"] = recommendations
    data["missing"] = missing
    data["reads"] = reader.stats()
    rows = sum(len(data.get(k) or []) for k in ("budgets", "scheduled_actions", "reservation_recommendations"))
    return Collected(data=data, row_count=rows, api_versions={
        "consumption.budgets": BUDGETS[1], "costmanagement.scheduledActions": SCHEDULED_ACTIONS[1],
        "consumption.reservationRecommendations": RESERVATIONS[1]})
