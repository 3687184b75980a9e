"""Directory identities in an estate: users with Entra directory roles, federated credentials, the admin API.

Kept apart from model.py (resources, costs, role assignments) so each part of the format has one home. Every
field is optional with a default that keeps older estate files loading and behaving as before.
"""

from __future__ import annotations

import re
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Role template ids, as listed in "Microsoft Entra built-in roles" (entra-docs permissions-reference.md). A token's
# `wids` claim carries these ids (access-token-claims-reference.md).
DIRECTORY_ROLES: dict[str, str] = {
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "Cloud Application Administrator": "158c047a-c907-4556-b7ef-446551a6b5f7",
    "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "Application Developer": "cf1c38e5-3621-4004-a7cb-879624dced7c",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "Security Reader": "5d6b6bb7-de71-4623-b4af-96380a352509",
    "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "Billing Administrator": "b0f54661-2d74-4c50-afa3-1ec803f12efe",
    "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "Directory Readers": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    "Reports Reader": "4a5d8f65-41da-4de4-8968-e035b65339cf",
}
# The roles that may grant tenant-wide admin consent ("Grant tenant-wide admin consent to an application",
# prerequisites). A custom role with the consent permission could too; the estate does not model role permissions.
CONSENT_ROLES = frozenset(DIRECTORY_ROLES[name] for name in (
    "Global Administrator", "Privileged Role Administrator", "Cloud Application Administrator",
    "Application Administrator"))
# Every member user's `wids` also carries the default user role (seen beside Global Administrator in the Microsoft
# Graph security API documentation's token example).
DEFAULT_USER_ROLE = "b79fbf4d-3ef9-4689-8143-76b194e85509"
EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
GROUP_MEMBERSHIP_CLAIMS = Literal["None", "SecurityGroup", "DirectoryRole", "ApplicationGroup", "All"]
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class User(_Model):
    """A user who can sign in to a tenant, with Entra directory roles (built-in names or role template ids)."""

    object_id: str
    user_principal_name: str
    display_name: str = ""
    directory_roles: list[str] = Field(default_factory=list)
    # Clicks "Cancel" on any consent prompt (admin consent, or a sign-in that asks for consent).
    declines_consent: bool = False
    # App roles granted on Caleta's admin API (meaningful for users in Caleta's own tenant).
    app_roles: list[str] = Field(default_factory=list)
    # Whether the sign-in satisfies multi-factor authentication (the `amr` claim carries "mfa").
    mfa: bool = True

    @field_validator("directory_roles")
    @classmethod
    def _roles_are_known(cls, roles: list[str]) -> list[str]:
        for role in roles:
            if role not in DIRECTORY_ROLES and not _GUID.match(role):
                raise ValueError(f"unknown directory role {role!r}: use a built-in role name or a role template id")
        return roles

    def role_template_ids(self) -> list[str]:
        """The `wids` values: each role's template id, then the default user role."""
        ids = [DIRECTORY_ROLES.get(role, role).lower() for role in self.directory_roles]
        return [*dict.fromkeys(ids), DEFAULT_USER_ROLE]

    def can_consent(self) -> bool:
        """Whether the user may grant tenant-wide admin consent."""
        return any(role in CONSENT_ROLES for role in self.role_template_ids())


def implicit_admin(tenant_id: str, domain: str) -> User:
    """The Global Administrator a tenant without `users` gets: ids derived from the tenant id, so stable."""
    object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"caleta-sim:{tenant_id.lower()}:implicit-global-admin"))
    upn_domain = domain or f"{tenant_id.lower()}.onmicrosoft.com"
    return User(object_id=object_id, user_principal_name=f"admin@{upn_domain}", display_name="Global Administrator",
                directory_roles=["Global Administrator"])


class FederatedCredential(_Model):
    """A federated identity credential on Caleta's app registration; Entra matches all three values exactly."""

    name: str = "caleta-managed-identity"
    # The simulator's authority stands for https://login.microsoftonline.com, so write the issuer as Azure has it.
    issuer: str
    subject: str
    audiences: list[str] = Field(default_factory=lambda: [EXCHANGE_AUDIENCE])


class AdminApi(_Model):
    """Caleta's admin API app registration (in Caleta's tenant): the resource admin tokens are issued for."""

    client_id: str
    identifier_uri: str = ""
    app_roles: list[str] = Field(default_factory=lambda: ["Caleta.Admin"])
    # accessTokenAcceptedVersion: unset (null) means v1 tokens; 2 gives v2 tokens.
    access_token_version: Literal[1, 2] = 1

    def identifiers(self) -> set[str]:
        """Every name a client may request the API by (identifier URI, api://client_id, the client id)."""
        names = {self.client_id.lower(), f"api://{self.client_id.lower()}"}
        return names | ({self.identifier_uri.lower()} if self.identifier_uri else set())

    def resource_uri(self) -> str:
        """The identifier URI (default api://client_id)."""
        return self.identifier_uri or f"api://{self.client_id}"
