"""Every role assignment of a tenant as one flat list, with who it reaches and when each reader sees it.

Two readers notice a new assignment on different clocks (docs/estate-format.md, "Propagation"):
ARM's authorisation ("can take up to 10 minutes", learn.microsoft.com/azure/role-based-access-control/
troubleshooting) and Resource Graph's authorizationresources table ("95% ... under 30s. There is no upper
bound", Azure/azure-dev#540). A role given to a group reaches its members, transitively ("Role assignments
are transitive for groups", learn.microsoft.com/azure/role-based-access-control/overview#groups).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from local.estates.arm_model import Propagation
from local.estates.model import Tenant

if TYPE_CHECKING:
    from local.simulator.state import SimState

MG_PREFIX = "/providers/Microsoft.Management/managementGroups/"


@dataclass(frozen=True, slots=True)
class Moment:
    """The simulator's time and the default delays, to judge what each reader sees."""

    now: float
    arm_delay: float
    graph_delay: float


def moment(state: SimState) -> Moment:
    """The current moment of a running simulator."""
    return Moment(state.clock.now(), state.options.rbac_propagation_s, state.options.arg_propagation_s)


@dataclass(frozen=True, slots=True)
class Grant:
    """One role assignment, flattened: its scope, principal, role and timings."""

    scope: str
    subscription_ids: tuple[str, ...]  # lower-case subscriptions it applies to (a group's: all below it)
    resource_group: str  # lower-case, "" unless the scope is a resource group
    principal_id: str
    principal_type: str
    role: str
    timing: Propagation

    @property
    def subscription_id(self) -> str:
        """The subscription the scope lies in; "" for a management group."""
        return "" if self.scope.startswith(MG_PREFIX) else self.subscription_ids[0]

    def seen_by_arm(self, at: Moment | None) -> bool:
        """Whether ARM's authorisation honours the assignment at that moment (None: always)."""
        return _seen(self.timing, at, self.timing.arm_delay_seconds, at.arm_delay if at else 0.0)

    def seen_by_graph(self, at: Moment | None) -> bool:
        """Whether Resource Graph's authorizationresources lists the assignment at that moment (None: always)."""
        return _seen(self.timing, at, self.timing.graph_delay_seconds, at.graph_delay if at else 0.0)


def _seen(timing: Propagation, at: Moment | None, own: float | None, default: float) -> bool:
    created = timing.created_at()
    if at is None or created is None:
        return True
    return at.now >= created + (default if own is None else own)


def principal_type(tenant: Tenant, principal_id: str) -> str:
    """Group for a tenant group's object id, User for a tenant user's (when the estate lists users), else
    ServicePrincipal."""
    wanted = principal_id.lower()
    if any(g.object_id.lower() == wanted for g in tenant.groups):
        return "Group"
    users = getattr(tenant, "users", None) or []  # users[] arrive with the identity side (onboarding design §5)
    return "User" if any(str(getattr(u, "object_id", "")).lower() == wanted for u in users) else "ServicePrincipal"


def identities(tenant: Tenant, principal_id: str) -> set[str]:
    """The principal and every group it belongs to, directly or through other groups (lower-case)."""
    found = {principal_id.lower()}
    changed = True
    while changed:
        changed = False
        for group in tenant.groups:
            gid = group.object_id.lower()
            if gid not in found and any(m.lower() in found for m in group.members):
                found.add(gid)
                changed = True
    return found


def grants(tenant: Tenant) -> list[Grant]:
    """Every role assignment of the tenant: subscription and resource-group ones, then management groups'."""
    out: list[Grant] = []
    for sub in tenant.subscriptions:
        sid = sub.subscription_id.lower()
        for a in sub.role_assignments:
            scope = a.scope or sub.scope
            parts = scope.strip("/").split("/")
            rg = parts[3].lower() if len(parts) >= 4 and parts[2].lower() == "resourcegroups" else ""
            out.append(Grant(scope, (sid,), rg, a.principal_id, principal_type(tenant, a.principal_id), a.role, a))
    for group in tenant.management_groups:
        covered = tuple(s.lower() for s in group.subscription_ids)
        for m in group.role_assignments:
            out.append(Grant(f"{MG_PREFIX}{group.id}", covered, "", m.principal_id,
                             principal_type(tenant, m.principal_id), m.role, m))
    return out
