"""Caleta's own identity: the user-assigned managed identity in Azure, the simulated one locally.

Both worlds use `ManagedIdentityCredential`: in Azure the platform sets IDENTITY_ENDPOINT/IDENTITY_HEADER,
locally the stack points them at the simulated tenant. Customer credentials live in shared/credentials.py.
"""

from __future__ import annotations

from functools import lru_cache

from azure.core.credentials import TokenCredential
from azure.identity import ManagedIdentityCredential

from shared.config import get_settings


@lru_cache(maxsize=1)
def caleta_credential() -> TokenCredential:
    """The credential for Caleta's own resources (storage, Service Bus, Key Vault, AI Foundry)."""
    return ManagedIdentityCredential(client_id=get_settings().managed_identity_client_id)
