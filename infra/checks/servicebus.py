"""Service Bus: Entra ID only (SAS keys off) and TLS 1.2 or newer; checkov has no Service Bus check for Bicep."""

from __future__ import annotations

from typing import Any

from checkov.bicep.checks.resource.base_resource_value_check import BaseResourceValueCheck
from checkov.common.models.enums import CheckCategories

_NAMESPACES = ("Microsoft.ServiceBus/namespaces",)


class ServiceBusLocalAuthDisabled(BaseResourceValueCheck):
    """Fails unless properties.disableLocalAuth is true."""

    def __init__(self) -> None:
        super().__init__(name="Service Bus namespace disables local (SAS) authentication", id="CKV_CALETA_1",
                         categories=(CheckCategories.IAM,), supported_resources=_NAMESPACES)

    def get_inspected_key(self) -> str:
        """The Bicep property path."""
        return "properties/disableLocalAuth"


class ServiceBusMinimumTls12(BaseResourceValueCheck):
    """Fails unless properties.minimumTlsVersion is 1.2 or 1.3."""

    def __init__(self) -> None:
        super().__init__(name="Service Bus namespace requires TLS 1.2 or newer", id="CKV_CALETA_2",
                         categories=(CheckCategories.ENCRYPTION,), supported_resources=_NAMESPACES)

    def get_inspected_key(self) -> str:
        """The Bicep property path."""
        return "properties/minimumTlsVersion"

    def get_expected_values(self) -> list[Any]:
        """TLS 1.0 and 1.1 are refused."""
        return ["1.2", "1.3"]


local_auth_check = ServiceBusLocalAuthDisabled()
tls_check = ServiceBusMinimumTls12()
