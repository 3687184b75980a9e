"""Estate parts that shape ARM's answers: role propagation, groups, Cost Management errors, provider registration.

Every field is optional with a default that keeps older estates loading and answering as before
(docs/estate-format.md, "Access, propagation and refusals").
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

# The Cost Management refusals an estate can ask for (MicrosoftDocs/azure-docs
# articles/cost-management-billing/costs/cost-management-error-codes.md). "401" is the bare 401 the doc
# describes for EA "view charges" off or an MCA user without a billing role: no recognised code.
CostErrorCode = Literal[
    "AccountCostDisabled", "DepartmentCostDisabled", "IndirectCostDisabled", "DisallowedOperation",
    "SubscriptionTypeNotSupported", "ReadOnlyDisabledSubscription", "InvalidAuthenticationTokenTenant", "401",
    "SubscriptionNotFound", "AuthorizationFailed", "BillingAccessDenied", "RBACAccessDenied",
]

# "Registered by default" in learn.microsoft.com/azure/azure-resource-manager/management/
# azure-services-resource-providers (MicrosoftDocs/azure-docs, footnote 1): always registered, whatever
# an estate lists.
DEFAULT_REGISTERED_PROVIDERS = (
    "Microsoft.ADHybridHealthService", "Microsoft.Authorization", "Microsoft.Billing", "Microsoft.ClassicSubscription",
    "Microsoft.Commerce", "Microsoft.Consumption", "Microsoft.CostManagement", "Microsoft.Features",
    "Microsoft.MarketplaceOrdering", "Microsoft.Portal", "Microsoft.ResourceGraph", "Microsoft.Resources",
    "Microsoft.SerialConsole", "microsoft.support", "Microsoft.WorkloadMonitor",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Propagation(_Strict):
    """When a role assignment was made, and how long each reader of it takes to notice.

    Times are seconds on the simulator's clock, which starts at 0 when the estate is loaded (or the
    simulator reset). None everywhere means "made long ago": visible at once, as in older estates.
    """

    created_seconds_ago: float | None = Field(default=None, ge=0)
    arm_delay_seconds: float | None = Field(default=None, ge=0)
    graph_delay_seconds: float | None = Field(default=None, ge=0)
    # Set by the simulator for an assignment granted while it runs (clock time of the grant).
    _created_at: float | None = PrivateAttr(default=None)

    def created_at(self) -> float | None:
        """The clock time the assignment was made; None when it predates the simulator."""
        if self._created_at is not None:
            return self._created_at
        return None if self.created_seconds_ago is None else -self.created_seconds_ago

    def mark_created(self, at: float) -> None:
        """Record that the assignment was made at clock time `at` (a grant at run time)."""
        self._created_at = at


class Group(_Strict):
    """A security group: role assignments to it apply to its members (transitively, as Azure RBAC does)."""

    object_id: str
    display_name: str = ""
    members: list[str] = Field(default_factory=list)


class CostError(_Strict):
    """How Cost Management refuses every query on a subscription; status/message default to Azure's."""

    code: CostErrorCode
    status: int | None = Field(default=None, ge=400, le=599)
    message: str | None = None
