"""The one enforcement point for read-only access to a customer's Azure, and the ARM client factories.

Every ARM client the product builds comes from here and carries `ReadOnlyArmPolicy`, which refuses any
request other than GET and the two read-only query POSTs (Resource Graph, Cost Management). It sits after
the retry policy, so it also sees requests other policies make on their own: azure-mgmt-core's
ARMAutoResourceProviderRegistrationPolicy answers ARM's 409 MissingSubscriptionRegistration by POSTing
`{subscription}/providers/{namespace}/register`, a write to the customer's subscription. That refusal names
the namespace (`ProviderRegistrationRefused`), so the collectors can say which provider the customer has not
registered instead of failing with an unexplained error (first-deploy audit S5).
"""

from __future__ import annotations

import re
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.advisor import AdvisorManagementClient
from azure.mgmt.costmanagement import CostManagementClient
from azure.mgmt.resourcegraph import ResourceGraphClient

from shared.config import get_settings
from shared.errors import ArmWriteRefused

ARM_SCOPE = "https://management.azure.com/.default"
# azure-mgmt-resourcegraph 8.0.1 sends api-version 2021-03-01 unless told otherwise (its _configuration.py), and
# that version's QueryRequestOptions has no authorizationScopeFilter: the option first appears in
# azure-rest-api-specs specification/resourcegraph/.../stable/2022-10-01/resourcegraph.json. 2024-04-01 is the
# newest stable version there and keeps the option (first-deploy audit B4).
RESOURCE_GRAPH_API_VERSION = "2024-04-01"

_REGISTER = re.compile(r"^/subscriptions/[^/]+/providers/(?P<ns>[^/]+)/register$", re.IGNORECASE)
_READ_ONLY_POSTS = (
    re.compile(r"^/providers/Microsoft\.ResourceGraph/resources$", re.IGNORECASE),
    re.compile(r"^/subscriptions/[^/]+(/resourceGroups/[^/]+)?/providers/Microsoft\.CostManagement/query$",
               re.IGNORECASE),
)


def is_read_only(method: str, path: str) -> bool:
    """True for GET/HEAD and for POSTs to the Resource Graph or Cost Management query endpoints."""
    verb = method.upper()
    if verb in ("GET", "HEAD"):
        return True
    return verb == "POST" and any(p.match(path) for p in _READ_ONLY_POSTS)


class ProviderRegistrationRefused(ArmWriteRefused):
    """The SDK tried to register a resource provider the subscription has not registered (ARM's 409 before it)."""

    def __init__(self, namespace: str) -> None:
        super().__init__(f"refused POST to register {namespace}: Caleta only reads")
        self.namespace = namespace


class ReadOnlyArmPolicy(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """Refuses every ARM request that is not read-only."""

    def on_request(self, request: PipelineRequest) -> None:  # type: ignore[type-arg]
        """Raise ArmWriteRefused (ProviderRegistrationRefused for a registration) before a write is sent."""
        http = request.http_request
        path = re.sub(r"^https?://[^/]+", "", http.url).split("?", 1)[0].rstrip("/")
        if is_read_only(http.method, path):
            return
        registration = _REGISTER.match(path) if http.method.upper() == "POST" else None
        if registration:
            raise ProviderRegistrationRefused(registration.group("ns"))
        raise ArmWriteRefused(f"refused {http.method} to ARM: Caleta only reads")


def _client_kwargs() -> dict[str, Any]:
    settings = get_settings()
    return {
        "base_url": settings.arm_endpoint,
        "credential_scopes": [ARM_SCOPE],
        "per_retry_policies": [ReadOnlyArmPolicy()],
    }


def resource_graph_client(credential: TokenCredential, **kwargs: Any) -> ResourceGraphClient:
    """A Resource Graph client for the configured ARM endpoint at RESOURCE_GRAPH_API_VERSION, read-only enforced."""
    return ResourceGraphClient(credential, **{**_client_kwargs(), "api_version": RESOURCE_GRAPH_API_VERSION,
                                              **kwargs})


def cost_management_client(credential: TokenCredential, **kwargs: Any) -> CostManagementClient:
    """A Cost Management client for the configured ARM endpoint, read-only enforced."""
    return CostManagementClient(credential, **{**_client_kwargs(), **kwargs})


def advisor_client(credential: TokenCredential, subscription_id: str, **kwargs: Any) -> AdvisorManagementClient:
    """An Advisor client for one subscription, read-only enforced."""
    return AdvisorManagementClient(credential, subscription_id, **{**_client_kwargs(), **kwargs})
