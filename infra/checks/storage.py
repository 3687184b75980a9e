"""Storage: no public blob access and double encryption; checkov's Bicep checks miss both."""

from __future__ import annotations

from typing import Any

from checkov.bicep.checks.resource.base_resource_value_check import BaseResourceValueCheck
from checkov.common.models.enums import CheckCategories

_ACCOUNTS = ("Microsoft.Storage/storageAccounts",)


class StorageBlobPublicAccessDisabled(BaseResourceValueCheck):
    """Fails unless properties.allowBlobPublicAccess is false (CKV_AZURE_59 looks only at publicNetworkAccess)."""

    def __init__(self) -> None:
        super().__init__(name="Storage account forbids public blob access", id="CKV_CALETA_3",
                         categories=(CheckCategories.GENERAL_SECURITY,), supported_resources=_ACCOUNTS)

    def get_inspected_key(self) -> str:
        """The Bicep property path."""
        return "properties/allowBlobPublicAccess"

    def get_expected_value(self) -> Any:
        """Only an explicit false passes: the default changed over API versions."""
        return False


class StorageInfrastructureEncryption(BaseResourceValueCheck):
    """Fails unless properties.encryption.requireInfrastructureEncryption is true (double AES-256)."""

    def __init__(self) -> None:
        super().__init__(name="Storage account requires infrastructure (double) encryption", id="CKV_CALETA_4",
                         categories=(CheckCategories.ENCRYPTION,), supported_resources=_ACCOUNTS)

    def get_inspected_key(self) -> str:
        """The Bicep property path."""
        return "properties/encryption/requireInfrastructureEncryption"


class StorageSharedKeyDisabled(BaseResourceValueCheck):
    """Fails unless properties.allowSharedKeyAccess is false, so only Entra ID can reach the data."""

    def __init__(self) -> None:
        super().__init__(name="Storage account disables shared key access", id="CKV_CALETA_5",
                         categories=(CheckCategories.IAM,), supported_resources=_ACCOUNTS)

    def get_inspected_key(self) -> str:
        """The Bicep property path."""
        return "properties/allowSharedKeyAccess"

    def get_expected_value(self) -> Any:
        """Shared keys default to allowed, so only an explicit false passes."""
        return False


public_access_check = StorageBlobPublicAccessDisabled()
infrastructure_encryption_check = StorageInfrastructureEncryption()
shared_key_check = StorageSharedKeyDisabled()
