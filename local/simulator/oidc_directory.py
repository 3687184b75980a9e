"""Who can sign in where: directory tenants and their users, the client apps that may ask, and the resources.

Customer tenants come from the estate's tenants; Caleta's own tenant from its `caleta` block (its staff and the
admin API). A tenant without users has one implicit Global Administrator, so older estates keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from local.estates.identity import User, implicit_admin
from local.estates.model import Tenant
from local.simulator.tokens import GRAPH_APP_ID

if TYPE_CHECKING:
    from local.simulator.state import SimState

# The Azure CLI's first-party public client: present in every tenant, its registration accepts http://localhost on
# any port (loopback port rule, reply-url.md), the redirect `az login` listens on.
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
ARM_APP_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
_ARM_NAMES = frozenset({"https://management.azure.com", "https://management.core.windows.net", ARM_APP_ID})
_GRAPH_NAMES = frozenset({"https://graph.microsoft.com", GRAPH_APP_ID})


def find_tenant(state: SimState, tenant: str) -> Tenant | None:
    """A customer tenant by id or default domain."""
    found = state.estate.tenant(tenant)
    return found or next((t for t in state.estate.tenants if t.default_domain.lower() == tenant.lower()), None)


@dataclass(frozen=True)
class Directory:
    """A tenant users sign in to."""

    tenant_id: str
    display_name: str
    users: tuple[User, ...]
    customer: Tenant | None

    def sign_in(self, login_hint: str | None) -> User | None:
        """The user named by login_hint (UPN), else the first administrator who can consent, else the first user."""
        if login_hint:
            return next((u for u in self.users if u.user_principal_name.lower() == login_hint.lower()), None)
        return next((u for u in self.users if u.can_consent()), self.users[0])

    def user(self, object_id: str) -> User | None:
        """A user by object id."""
        return next((u for u in self.users if u.object_id.lower() == object_id.lower()), None)


def directory(state: SimState, ref: str) -> Directory | None:
    """The directory a tenant id (or a customer's default domain) names."""
    caleta = state.estate.caleta
    if ref.lower() == caleta.tenant_id.lower():
        users = caleta.users or [implicit_admin(caleta.tenant_id, "")]
        return Directory(caleta.tenant_id, "Caleta", tuple(users), None)
    tenant = find_tenant(state, ref)
    if tenant is None:
        return None
    users = tenant.users or [implicit_admin(tenant.tenant_id, tenant.default_domain)]
    return Directory(tenant.tenant_id, tenant.display_name, tuple(users), tenant)


@dataclass(frozen=True)
class ClientApp:
    """An app registration that may start a sign-in."""

    client_id: str
    display_name: str
    redirect_uris: tuple[str, ...]
    public: bool
    group_membership_claims: str
    first_party: bool


def client_app(state: SimState, client_id: str) -> ClientApp | None:
    """Caleta's multi-tenant app, or the Azure CLI (for admin tokens); None for anything else."""
    caleta = state.estate.caleta
    if client_id.lower() == caleta.app_client_id.lower():
        return ClientApp(caleta.app_client_id, "Caleta Cost Review", tuple(caleta.redirect_uris), False,
                         caleta.group_membership_claims, False)
    if client_id.lower() == AZURE_CLI_CLIENT_ID:
        return ClientApp(AZURE_CLI_CLIENT_ID, "Microsoft Azure CLI", ("http://localhost",), True, "None", True)
    return None


@dataclass(frozen=True)
class Resource:
    """The API an access token is for."""

    audience: str
    app_id: str
    version: int
    scopes: tuple[str, ...]
    name: str = ""  # as the client named it; "" for Microsoft Graph's bare permissions
    admin_api: bool = False

    def granted(self) -> list[str]:
        """The delegated permissions in the form the token response's `scope` lists them."""
        return [f"{self.name}/{s}" if self.name else s for s in self.scopes]


def split_scopes(scope: str) -> tuple[list[str], list[str]]:
    """(OpenID Connect scopes, resource scopes) of a space-separated scope parameter."""
    items = [s for s in scope.split(" ") if s]
    return [s for s in items if s in OIDC_SCOPES], [s for s in items if s not in OIDC_SCOPES]


def resource_for(state: SimState, tenant_id: str, resource_scopes: list[str]) -> Resource | str:
    """The first resource the scopes name (Microsoft Graph when none); the unknown name as a str if not found."""
    if not resource_scopes:
        return Resource(GRAPH_APP_ID, GRAPH_APP_ID, 1, ("User.Read",))
    name, _, permission = resource_scopes[0].rpartition("/")
    if not name:  # a bare permission such as User.Read is Microsoft Graph's
        return Resource(GRAPH_APP_ID, GRAPH_APP_ID, 1, (permission,))
    name = name.rstrip("/")
    key = name.lower()
    if key in _ARM_NAMES:
        return Resource(name, ARM_APP_ID, 1, _permissions(permission, "user_impersonation"), name)
    if key in _GRAPH_NAMES:
        return Resource(name, GRAPH_APP_ID, 1, _permissions(permission, "User.Read"), name)
    admin = state.estate.caleta.admin_api
    if admin is not None and tenant_id.lower() == state.estate.caleta.tenant_id.lower() and key in admin.identifiers():
        # v1 tokens carry the name the client asked for; v2 tokens the API's client id.
        audience = name if admin.access_token_version == 1 else admin.client_id
        return Resource(audience, admin.client_id, admin.access_token_version,
                        _permissions(permission, "user_impersonation"), name, admin_api=True)
    return name


def _permissions(permission: str, default: str) -> tuple[str, ...]:
    return (default,) if permission in ("", ".default") else (permission,)
