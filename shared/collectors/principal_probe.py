"""The principal probe: what onboarding validation asks of a customer's tenant, over the real SDK clients.

`AzurePrincipalProbe` reads Resource Graph (resourcecontainers, authorizationresources) and runs the
smallest Cost Management query; every client comes from shared/arm.py, so read-only is enforced.
"""

from __future__ import annotations

import io
import json
from typing import Any, Literal, Protocol

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

from shared.arm import ProviderRegistrationRefused, cost_management_client, resource_graph_client
from shared.collectors.arg import query_all
from shared.ids import is_guid

CostAccess = Literal["ok", "forbidden", "unavailable", "not_probed"]


class PrincipalProbe(Protocol):
    """What validation asks of the customer's tenant (Resource Graph and Cost Management)."""

    def subscriptions(self, subscription_ids: list[str]) -> list[dict[str, Any]]:
        """resourcecontainers rows of the subscriptions the principal can see."""

    def role_assignments(self, object_id: str, subscription_ids: list[str]) -> list[dict[str, Any]]:
        """authorizationresources role assignments of the principal, at and above the subscriptions."""

    def role_definitions(self, role_ids: list[str], subscription_ids: list[str]) -> list[dict[str, Any]]:
        """authorizationresources role definitions for these role GUIDs (custom roles and others)."""

    def cost_access(self, subscription_id: str) -> tuple[CostAccess, str | None]:
        """Run a tiny Cost Management query: ok, forbidden (403) or unavailable (with a plain reason)."""


class AzurePrincipalProbe:
    """The probe over the real SDK clients (pointed at settings.arm_endpoint, read-only enforced)."""

    def __init__(self, credential: TokenCredential) -> None:
        self._graph = resource_graph_client(credential)
        self._cost = cost_management_client(credential)

    def subscriptions(self, subscription_ids: list[str]) -> list[dict[str, Any]]:
        """resourcecontainers rows for the subscriptions."""
        query = ("resourcecontainers | where type =~ 'microsoft.resources/subscriptions' "
                 "| project id, name, subscriptionId, properties")
        return query_all(self._graph, query, subscription_ids)

    def role_assignments(self, object_id: str, subscription_ids: list[str]) -> list[dict[str, Any]]:
        """Role assignments of the principal at, below and above (management groups) the subscriptions."""
        if not is_guid(object_id):
            raise ValueError("object id is not a GUID")
        query = ("authorizationresources | where type =~ 'microsoft.authorization/roleassignments' "
                 f"| where tostring(properties.principalId) =~ '{object_id}' "
                 "| project id, roleDefinitionId = tostring(properties.roleDefinitionId), "
                 "scope = tostring(properties.scope)")
        return query_all(self._graph, query, subscription_ids, scope_filter="AtScopeAboveAndBelow")

    def role_definitions(self, role_ids: list[str], subscription_ids: list[str]) -> list[dict[str, Any]]:
        """Role definitions (with permissions) for role GUIDs other than the five known built-ins."""
        safe = [r for r in role_ids if is_guid(r)]
        if not safe:
            return []
        listed = ", ".join(f"'{r}'" for r in safe)
        query = ("authorizationresources | where type =~ 'microsoft.authorization/roledefinitions' "
                 f"| where name in~ ({listed}) "
                 "| project id, name, roleName = tostring(properties.roleName), permissions = properties.permissions")
        return query_all(self._graph, query, subscription_ids, scope_filter="AtScopeAboveAndBelow")

    def cost_access(self, subscription_id: str) -> tuple[CostAccess, str | None]:
        """A month-to-date total: the smallest query Cost Management answers."""
        body: dict[str, Any] = {"type": "ActualCost", "timeframe": "MonthToDate",
                "dataset": {"granularity": "None", "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}}}}
        try:
            self._cost.query.usage(scope=f"/subscriptions/{subscription_id}",
                                   parameters=io.BytesIO(json.dumps(body).encode("utf-8")))
        except ClientAuthenticationError:
            return "forbidden", None
        except ProviderRegistrationRefused as exc:  # ARM's 409 and the SDK's refused registration (audit S5)
            return "unavailable", (f"the subscription has not registered {exc.namespace}; register it "
                                   f"(az provider register --namespace {exc.namespace}) for cost data to be read.")
        except HttpResponseError as exc:
            if exc.status_code in (401, 403):
                return "forbidden", None
            if exc.status_code == 429:
                return "unavailable", "Cost Management is throttling queries; the scan will retry."
            return "unavailable", f"Cost Management answered {exc.status_code}."
        return "ok", None
