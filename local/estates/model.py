"""The estate format: pydantic models and the loader (the daily cost expansion is in costs.py, re-exported).

An estate describes what customers' tenants show Caleta (docs/estate-format.md). Dates in costs are relative
to "today" so a file stays valid forever. This module only parses and expands; it serves nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

# ARM-side parts (propagation, groups, cost errors, providers) live in arm_model; re-exported here.
from local.estates.arm_model import CostError as CostError
from local.estates.arm_model import Group as Group
from local.estates.arm_model import Propagation

# Re-exported: the cost expansion is part of the estate model's public interface.
from local.estates.costs import ID_PARTS
from local.estates.costs import CostKind as CostKind
from local.estates.costs import CostRow as CostRow
from local.estates.costs import expand_costs as expand_costs
from local.estates.identity import GROUP_MEMBERSHIP_CLAIMS, AdminApi, FederatedCredential, User
from local.estates.inventory_model import (
    check_items,
    check_policies,
    check_rows,
    management_group_row,
    split_legacy_policies,
)

BUILTIN_ROLES: dict[str, str] = {
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Cost Management Reader": "72fafb9e-0641-4937-9268-a91bfd8191a3",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "Billing Reader": "fa23ad8b-c56e-40d8-ac0c-ce449e1d2c64",
    "Monitoring Reader": "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
}
_PLACEHOLDER = re.compile(r"\{\{days_ago:(\d+)\}\}")


class _Model(BaseModel):
    # Estates are hand-written: a misspelt key must fail loudly rather than be ignored.
    model_config = ConfigDict(extra="forbid")


class Secret(_Model):
    """A client secret of a service principal."""

    value: str
    expires: dt.datetime


class Application(_Model):
    """A service principal in a customer tenant."""

    client_id: str
    object_id: str
    display_name: str = "caleta-reader"
    secrets: list[Secret] = Field(default_factory=list)
    federated: bool = False
    enabled: bool = True
    # Identity (docs/estate-format.md, "Entra ID"): deleted answers AADSTS700016, disabled (enabled false)
    # AADSTS7000112. consented false (Caleta's app only): listed but not yet admin-consented in this tenant.
    deleted: bool = False
    consented: bool = True

    @model_validator(mode="after")
    def _only_caleta_app_awaits_consent(self) -> Application:
        if not self.consented and not self.federated:
            raise ValueError("consented: false applies to Caleta's multi-tenant app (federated: true) only")
        return self


class MgRoleAssignment(Propagation):
    """A role assignment at management-group scope."""

    principal_id: str
    role: str


class ManagementGroup(_Model):
    """A management group and the subscriptions directly under it."""

    id: str
    display_name: str = ""
    subscription_ids: list[str] = Field(default_factory=list)
    role_assignments: list[MgRoleAssignment] = Field(default_factory=list)
    # policyresources rows of assignments made at this management group (inventory_model).
    policy_assignments: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("policy_assignments")
    @classmethod
    def _assignment_rows(cls, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return check_rows(rows)


class CustomRole(_Model):
    """A custom role definition in a tenant."""

    id: str
    role_name: str
    actions: list[str] = Field(default_factory=list)
    not_actions: list[str] = Field(default_factory=list)
    assignable_scopes: list[str] = Field(default_factory=list)


class RoleAssignment(Propagation):
    """A role assignment at a subscription or resource group; scope defaults to the subscription."""

    principal_id: str
    role: str
    scope: str | None = None


class ResourceGroup(_Model):
    """A resource group."""

    name: str
    location: str = "uksouth"
    tags: dict[str, str] = Field(default_factory=dict)


class Spike(_Model):
    """Extra cost on one day."""

    days_ago: int = Field(ge=0)
    cost: float


class CostLine(_Model):
    """A compact daily cost rate for one (resource, meter), expanded into one row per day."""

    resource_id: str
    meter_category: str
    meter_subcategory: str = ""
    meter: str = ""
    service_name: str | None = None
    resource_location: str | None = None
    charge_type: str = "Usage"
    pricing_model: str = "OnDemand"
    daily_cost: float = Field(ge=0)
    amortized_daily_cost: float | None = Field(default=None, ge=0)
    from_days_ago: int = Field(default=90, ge=0)
    to_days_ago: int = Field(default=1, ge=0)
    weekend_factor: float = Field(default=1.0, ge=0)
    growth_per_day: float = Field(default=0.0, gt=-1)
    spikes: list[Spike] = Field(default_factory=list)

    @model_validator(mode="after")
    def _window_in_order(self) -> CostLine:
        if self.from_days_ago < self.to_days_ago:
            raise ValueError("from_days_ago must be >= to_days_ago")
        return self


class Subscription(_Model):
    """A subscription: its roles, resource groups, Resource Graph rows, costs and Advisor recommendations."""

    subscription_id: str
    display_name: str
    quota_id: str = "PayAsYouGo_2014-09-01"
    billing_currency: str = "GBP"
    state: str = "Enabled"
    role_assignments: list[RoleAssignment] = Field(default_factory=list)
    resource_groups: list[ResourceGroup] = Field(default_factory=list)
    resources: list[dict[str, Any]] = Field(default_factory=list)
    costs: list[CostLine] = Field(default_factory=list)
    advisor: list[dict[str, Any]] = Field(default_factory=list)
    # ARM side (arm_model): Cost Management's refusal for this subscription, and the registered providers
    # (None: every provider registered).
    cost_error: CostError | None = None
    registered_providers: list[str] | None = None
    # Inventory beyond `resources` (inventory_model): Resource Graph's recoveryservicesresources and policyresources
    # rows, and what ARM's configuration GETs answer. management_policies: storage account id -> the policy GET's
    # `properties` (None: taken from legacy managementPolicies rows of `resources` when loaded).
    recovery_services: list[dict[str, Any]] = Field(default_factory=list)
    policy_assignments: list[dict[str, Any]] = Field(default_factory=list)
    management_policies: dict[str, dict[str, Any]] | None = None
    advisor_configurations: list[dict[str, Any]] = Field(default_factory=list)
    budgets: list[dict[str, Any]] = Field(default_factory=list)
    scheduled_actions: list[dict[str, Any]] = Field(default_factory=list)
    reservation_recommendations: list[dict[str, Any]] = Field(default_factory=list)
    _usd_rate: float = PrivateAttr(default=1.0)
    _tenant_id: str = PrivateAttr(default="")

    @field_validator("resources")
    @classmethod
    def _rows_have_identity(cls, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            for key in ("id", "name", "type"):
                if not isinstance(row.get(key), str) or not row[key]:
                    raise ValueError(f"every resource needs a string {key!r}")
        return rows

    @field_validator("recovery_services", "policy_assignments")
    @classmethod
    def _table_rows(cls, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return check_rows(rows)

    @field_validator("advisor_configurations", "budgets", "scheduled_actions", "reservation_recommendations")
    @classmethod
    def _rest_items(cls, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return check_items(items)

    @field_validator("management_policies")
    @classmethod
    def _policies(cls, policies: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]] | None:
        return check_policies(policies)

    @field_validator("advisor")
    @classmethod
    def _recommendations_have_ids(cls, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for rec in recs:
            if not isinstance(rec.get("id"), str) or not isinstance(rec.get("properties"), dict):
                raise ValueError("every Advisor recommendation needs 'id' and 'properties'")
        return recs

    @property
    def scope(self) -> str:
        """The ARM scope of the subscription."""
        return f"/subscriptions/{self.subscription_id}"

    @property
    def usd_rate(self) -> float:
        """USD per unit of the billing currency (from the estate's usd_rates)."""
        return self._usd_rate

    @property
    def tenant_id(self) -> str:
        """The tenant that holds the subscription."""
        return self._tenant_id


class Tenant(_Model):
    """A customer tenant."""

    tenant_id: str
    display_name: str
    default_domain: str = ""
    applications: list[Application] = Field(default_factory=list)
    management_groups: list[ManagementGroup] = Field(default_factory=list)
    custom_roles: list[CustomRole] = Field(default_factory=list)
    subscriptions: list[Subscription] = Field(default_factory=list)
    # Identity: who can sign in (none listed: one implicit Global Administrator).
    users: list[User] = Field(default_factory=list)
    # ARM side (arm_model): groups whose role assignments apply to their members.
    groups: list[Group] = Field(default_factory=list)

    @model_validator(mode="after")
    def _roles_are_known(self) -> Tenant:
        custom = {r.id for r in self.custom_roles}
        roles = [a.role for s in self.subscriptions for a in s.role_assignments]
        roles += [a.role for m in self.management_groups for a in m.role_assignments]
        for role in roles:
            if role not in BUILTIN_ROLES and role not in custom:
                raise ValueError(f"unknown role {role!r}: use a built-in role name or a custom role id")
        return self

    def application(self, client_id: str) -> Application | None:
        """The service principal with this client id, if any."""
        return next((a for a in self.applications if a.client_id.lower() == client_id.lower()), None)


class Caleta(_Model):
    """Caleta's own identity: its tenant, multi-tenant app registration, managed identity and staff."""

    tenant_id: str
    app_client_id: str
    managed_identity_client_id: str
    managed_identity_object_id: str
    # Identity: the app registration's web redirect URIs (none registered by default), the groupMembershipClaims
    # manifest value docs/deploy.md sets, its federated credentials (None: the one the managed identity needs),
    # client secrets, Caleta's own users (staff) and the admin API registration.
    redirect_uris: list[str] = Field(default_factory=list)
    group_membership_claims: GROUP_MEMBERSHIP_CLAIMS = "DirectoryRole"
    federated_credentials: list[FederatedCredential] | None = None
    secrets: list[Secret] = Field(default_factory=list)
    users: list[User] = Field(default_factory=list)
    admin_api: AdminApi | None = None

    def effective_federated_credentials(self) -> list[FederatedCredential]:
        """The listed credentials, or the default trusting Caleta's managed identity (issuer, subject, audience)."""
        if self.federated_credentials is not None:
            return self.federated_credentials
        return [FederatedCredential(issuer=f"https://login.microsoftonline.com/{self.tenant_id}/v2.0",
                                    subject=self.managed_identity_object_id)]


class Estate(_Model):
    """The whole estate file."""

    schema_version: Literal[1] = 1
    description: str = ""
    usd_rates: dict[str, float] = Field(default_factory=lambda: {"GBP": 1.27, "EUR": 1.08, "USD": 1.0})
    caleta: Caleta
    tenants: list[Tenant] = Field(default_factory=list)

    @model_validator(mode="after")
    def _currencies_have_rates(self) -> Estate:
        for tenant in self.tenants:
            for sub in tenant.subscriptions:
                if sub.billing_currency not in self.usd_rates:
                    raise ValueError(f"no usd_rates entry for {sub.billing_currency}")
        return self

    def tenant(self, tenant_id: str) -> Tenant | None:
        """The tenant with this id (case-insensitive), if any."""
        return next((t for t in self.tenants if t.tenant_id.lower() == tenant_id.lower()), None)

    def subscription(self, subscription_id: str) -> Subscription | None:
        """The subscription with this id in any tenant, if any."""
        wanted = subscription_id.lower()
        return next((s for t in self.tenants for s in t.subscriptions if s.subscription_id.lower() == wanted), None)


def _resolve(value: Any, today: dt.date) -> Any:
    """Replace "{{days_ago:N}}" placeholders anywhere inside strings of a JSON value."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: days_ago_iso(int(m.group(1)), today), value)
    if isinstance(value, list):
        return [_resolve(v, today) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, today) for k, v in value.items()}
    return value


def days_ago_iso(days: int, today: dt.date) -> str:
    """The ISO timestamp (midnight UTC) `days` before `today`, as a placeholder resolves to."""
    return f"{(today - dt.timedelta(days=days)).isoformat()}T00:00:00Z"


def _complete_row(row: dict[str, Any], sub: Subscription, tenant_id: str) -> dict[str, Any]:
    """Fill the Resource Graph columns an estate may leave out, deriving ids from the resource id."""
    match = ID_PARTS.match(row["id"])
    out = dict(row)
    out["type"] = row["type"].lower()
    out.setdefault("subscriptionId", match.group(1) if match else sub.subscription_id)
    out.setdefault("resourceGroup", (match.group(2) or "") if match else "")
    out.setdefault("tenantId", tenant_id)
    for key, default in (("kind", ""), ("location", "uksouth"), ("managedBy", ""), ("sku", None),
                         ("zones", None), ("identity", None), ("plan", None)):
        out.setdefault(key, default)
    out.setdefault("tags", {})
    out.setdefault("properties", {})
    return out


def resolve_resource(row: dict[str, Any], sub: Subscription, tenant_id: str, today: dt.date) -> dict[str, Any]:
    """One resource row as the loader holds it: placeholders resolved, Resource Graph columns filled in."""
    return _complete_row(_resolve(row, today), sub, tenant_id)


def parse_estate(data: dict[str, Any], today: dt.date | None = None) -> Estate:
    """Validate an estate document and resolve everything relative to `today` (default: UTC today)."""
    return _build(data, today or dt.datetime.now(dt.UTC).date(), resolve=True)


_RESOLVED = ("resources", "advisor", "recovery_services", "policy_assignments", "management_policies",
             "advisor_configurations", "budgets", "scheduled_actions", "reservation_recommendations")


def _build(data: dict[str, Any], day: dt.date, resolve: bool) -> Estate:
    estate = Estate.model_validate(data)
    for tenant in estate.tenants:
        for group in tenant.management_groups:
            group.policy_assignments = [management_group_row(group.id, tenant.tenant_id, _resolve(r, day))
                                        for r in group.policy_assignments]
        for sub in tenant.subscriptions:
            sub._usd_rate = estate.usd_rates[sub.billing_currency]
            sub._tenant_id = tenant.tenant_id
            if resolve:
                for name in _RESOLVED:
                    setattr(sub, name, _resolve(getattr(sub, name), day))
            if sub.management_policies is None:
                sub.resources, sub.management_policies = split_legacy_policies(sub.resources)
            sub.resources = [_complete_row(r, sub, tenant.tenant_id) for r in sub.resources]
            sub.recovery_services = [_complete_row(r, sub, tenant.tenant_id) for r in sub.recovery_services]
            sub.policy_assignments = [_complete_row(r, sub, tenant.tenant_id) for r in sub.policy_assignments]
            for assignment in sub.role_assignments:
                assignment.scope = assignment.scope or sub.scope
    return estate


def load_estate(path: Path, today: dt.date | None = None) -> Estate:
    """Read, validate and resolve an estate file."""
    day = today or dt.datetime.now(dt.UTC).date()
    # Substituting placeholders in the text is much faster than walking 100k parsed rows, and equivalent:
    # neither the placeholder nor the timestamp contains a character JSON would escape.
    text = _PLACEHOLDER.sub(lambda m: days_ago_iso(int(m.group(1)), day), Path(path).read_text(encoding="utf-8"))
    return _build(json.loads(text), day, resolve=False)


def estate_json_schema() -> dict[str, Any]:
    """The JSON schema of the estate format (committed as local/estates/schema.json)."""
    return Estate.model_json_schema()
