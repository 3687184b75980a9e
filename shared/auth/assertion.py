"""Caleta's client assertion: its managed identity's token for the token exchange.

Caleta's multi-tenant app has no secret; it authenticates with a federated identity credential that trusts the
managed identity (workload-identity-federation-config-app-trust-managed-identity.md). The same assertion signs
in to ARM in a customer's tenant (shared/credentials.py:federated_credential) and redeems sign-in codes
(shared/auth/signin.py:redeem_code).
"""

from __future__ import annotations

from azure.core.credentials import TokenCredential

FEDERATION_SCOPE = "api://AzureADTokenExchange/.default"


def federation_assertion(source: TokenCredential) -> str:
    """A fresh client assertion from `source` (Caleta's managed identity, from the composition root)."""
    return source.get_token(FEDERATION_SCOPE).token
