"""The principal probe: what onboarding validation asks of a customer's tenant, over the real SDK clients.

What the principal can actually read decides the verdict: the subscription's `resourcecontainers` row and a
count of its resources (Resource Graph), and the smallest Cost Management query. The ARM role-assignment
list of the principal, `$filter=assignedTo('{oid}')`, which includes roles held through groups ("transitive
for groups", learn.microsoft.com/azure/role-based-access-control/role-assignments-list-rest; `principalId eq`
lists only the principal's own), names the roles and feeds the excess-privilege warning; that the list is
readable at all shows `Microsoft.Authorization/roleAssignments/read`, which Reader's `*/read` grants. Every
client comes from shared/arm.py, so read-only is enforced.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from azure.core.credentials import TokenCredential
from azure.core.exceptions import (
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.rest import HttpRequest

from shared.arm import ProviderRegistrationRefused, cost_management_client, resource_graph_client
from shared.collectors.arg import query_batched
from shared.deadline import Deadline
from shared.ids import is_guid

logger = logging.getLogger(__name__)

CostAccess = Literal["ok", "forbidden", "unavailable", "not_probed"]
AUTHORIZATION_API_VERSION = "2022-04-01"
CONTAINERS_QUERY = ("resourcecontainers | where type =~ 'microsoft.resources/subscriptions' "
                    "| project id, name, subscriptionId, properties")
RESOURCE_COUNT_QUERY = "resources | summarize resources = count() by subscriptionId"
# Cost Management refusals that are about billing, not roles (MicrosoftDocs/azure-docs
# cost-management-billing/costs/cost-management-error-codes.md): the review runs without cost data.
_BILLING_SIDE = {
    "AccountCostDisabled": "cost data is switched off for the billing account (EA 'AO view charges'): ask the "
                           "enterprise administrator to enable it",
    "DepartmentCostDisabled": "cost data is switched off for the department (EA 'DA view charges')",
    "IndirectCostDisabled": "the partner has not published prices for this indirect enterprise agreement",
    "401": "cost data is not visible for this billing account (EA view charges, or an MCA billing role)",
    "DisallowedOperation": "this subscription type cannot incur charges",
    "SubscriptionTypeNotSupported": "Cost Management does not support this offer",
    "SubscriptionNotFound": "Cost Management does not know this subscription yet (new subscriptions take up to "
                            "48 hours)",
    "ReadOnlyDisabledSubscription": "the subscription is disabled",
}


@dataclass
class GraphView:
    """What Resource Graph shows the principal of the subscriptions asked about (lower-case ids)."""

    containers: dict[str, dict[str, Any]] = field(default_factory=dict)
    resource_counts: dict[str, int] = field(default_factory=dict)
    unfinished: set[str] = field(default_factory=set)


class PrincipalProbe(Protocol):
    """What validation asks of the customer's tenant (Resource Graph, ARM authorisation, Cost Management)."""

    def graph(self, subscription_ids: list[str], deadline: Deadline) -> GraphView:
        """resourcecontainers rows and resource counts the principal can see; batches not done in time named."""
        ...

    def role_assignments(self, object_id: str, subscription_id: str, deadline: Deadline) -> list[dict[str, Any]] | None:
        """The principal's role assignments (its groups' too) at, above and below the subscription; None when
        the principal may not list them (403)."""
        ...

    def role_definition(self, role_id: str, subscription_id: str, deadline: Deadline) -> dict[str, Any] | None:
        """One role definition (name, permissions); None when unreadable or unknown."""
        ...

    def cost_access(self, subscription_id: str, deadline: Deadline) -> tuple[CostAccess, str | None]:
        """Run a tiny Cost Management query: ok, forbidden (a role refusal) or unavailable (with a plain reason)."""
        ...


def _left(deadline: Deadline) -> float:
    """Seconds one call may take: azure-core's retry policy honours `timeout` for the whole operation, and the
    transport `connection_timeout`/`read_timeout` per attempt, so a slow answer cannot overrun the deadline."""
    return max(1.0, deadline.remaining())


def _error_code(exc: HttpResponseError) -> str:
    code = getattr(getattr(exc, "error", None), "code", None)
    if code:
        return str(code)
    try:
        body = json.loads(exc.response.text()) if exc.response is not None else {}
    except ValueError:  # an unreadable body: the status alone decides
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code", "")) if isinstance(error, dict) else ""


def cost_verdict(exc: HttpResponseError) -> tuple[CostAccess, str]:
    """A Cost Management refusal as the validation sees it: a role refusal, or billing-side trouble."""
    code, status = _error_code(exc), exc.status_code
    if code in _BILLING_SIDE:
        return "unavailable", f"Cost data is unavailable: {_BILLING_SIDE[code]}."
    if status == 403 or (status == 401 and not code):
        return "forbidden", f"Cost Management refused the query (HTTP {status} {code})."
    if status == 429:
        return "unavailable", "Cost Management is throttling queries; the scan will retry."
    return "unavailable", f"Cost Management answered {status} {code}.".replace(" .", ".")


class AzurePrincipalProbe:
    """The probe over the real SDK clients (pointed at settings.arm_endpoint, read-only enforced)."""

    def __init__(self, credential: TokenCredential) -> None:
        self._graph = resource_graph_client(credential)
        self._cost = cost_management_client(credential)

    def graph(self, subscription_ids: list[str], deadline: Deadline) -> GraphView:
        """Two queries per batch: the subscriptions' containers, and how many resources each shows."""
        view = GraphView()
        containers = query_batched(self._graph, CONTAINERS_QUERY, subscription_ids, deadline=deadline)
        view.containers = {str(r.get("subscriptionId") or "").lower(): r for r in containers.rows}
        visible = [s for s in subscription_ids if s.lower() in view.containers]
        counts = query_batched(self._graph, RESOURCE_COUNT_QUERY, visible, deadline=deadline) if visible else None
        if counts is not None:
            view.resource_counts = {str(r.get("subscriptionId") or "").lower(): int(r.get("resources") or 0)
                                    for r in counts.rows}
        view.unfinished = {s.lower() for s in [*containers.unfinished, *(counts.unfinished if counts else [])]}
        return view

    def _get(self, path: str, params: dict[str, str], deadline: Deadline) -> dict[str, Any] | None:
        """GET an ARM path: the JSON body, None on 403/404; other failures raise as SDK errors."""
        request = HttpRequest("GET", path, params={**params, "api-version": AUTHORIZATION_API_VERSION})
        left = _left(deadline)
        # The Resource Graph client's own pipeline: same credential, same read-only policy.
        # One retry at most, with a short backoff: anything slower is left for the re-check.
        response = self._graph._send_request(request, timeout=left, connection_timeout=min(left, 10.0),
                                             read_timeout=left, retry_total=1, retry_backoff_max=2)
        if response.status_code in (403, 404):
            return None
        response.raise_for_status()
        body = json.loads(response.text() or "null")
        return body if isinstance(body, dict) else None

    def role_assignments(self, object_id: str, subscription_id: str, deadline: Deadline) -> list[dict[str, Any]] | None:
        """GET …/roleAssignments?$filter=assignedTo('{oid}') at the subscription (2022-04-01)."""
        if not is_guid(object_id) or not is_guid(subscription_id):
            raise ValueError("object and subscription ids must be GUIDs")
        path = f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleAssignments"
        try:
            body = self._get(path, {"$filter": f"assignedTo('{object_id}')"}, deadline)
        except HttpResponseError as exc:
            if exc.status_code != 400:
                raise
            # Should ARM refuse the filter, its own-assignments form still answers (groups' roles then unseen).
            logger.warning("assignedTo filter refused (HTTP 400): listing the principal's own assignments")
            body = self._get(path, {"$filter": f"principalId eq '{object_id}'"}, deadline)
        if body is None:
            return None
        return [row for row in body.get("value") or [] if isinstance(row, dict)]

    def role_definition(self, role_id: str, subscription_id: str, deadline: Deadline) -> dict[str, Any] | None:
        """GET /subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/{guid}."""
        if not is_guid(role_id) or not is_guid(subscription_id):
            return None
        return self._get(f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/"
                         f"{role_id}", {}, deadline)

    def cost_access(self, subscription_id: str, deadline: Deadline) -> tuple[CostAccess, str | None]:
        """A month-to-date total: the smallest query Cost Management answers."""
        body: dict[str, Any] = {"type": "ActualCost", "timeframe": "MonthToDate",
                                "dataset": {"granularity": "None",
                                            "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}}}}
        try:
            left = _left(deadline)
            # No retry: a throttled or failing probe is "unavailable" (noted), never a wait past the deadline.
            self._cost.query.usage(scope=f"/subscriptions/{subscription_id}",
                                   parameters=io.BytesIO(json.dumps(body).encode("utf-8")), timeout=left,
                                   connection_timeout=min(left, 10.0), read_timeout=left, retry_total=0)
        except ProviderRegistrationRefused as exc:  # ARM's 409 and the SDK's refused registration (audit S5)
            return "unavailable", (f"the subscription has not registered {exc.namespace}; register it "
                                   f"(az provider register --namespace {exc.namespace}) for cost data to be read.")
        except HttpResponseError as exc:  # ClientAuthenticationError (401) included
            return cost_verdict(exc) if exc.response is not None else ("forbidden", None)
        except (ServiceRequestError, ServiceResponseError) as exc:
            logger.info("cost probe did not answer in time (%s)", type(exc).__name__)
            return "unavailable", "Cost Management did not answer in time; the scan will try again."
        return "ok", None
