"""AI Foundry: model deployments must be regional Standard, and accounts must not accept keys."""

from __future__ import annotations

from typing import Any

from checkov.bicep.checks.resource.base_resource_value_check import BaseResourceValueCheck
from checkov.common.models.enums import CheckCategories


class AiDeploymentRegionalStandard(BaseResourceValueCheck):
    """Fails unless sku.name is Standard: GlobalStandard, DataZone* and Global* process data outside the UK."""

    def __init__(self) -> None:
        super().__init__(name="AI model deployment is Standard (regional), never Global or DataZone",
                         id="CKV_CALETA_6", categories=(CheckCategories.GENERAL_SECURITY,),
                         supported_resources=("Microsoft.CognitiveServices/accounts/deployments",))

    def get_inspected_key(self) -> str:
        """The Bicep property path."""
        return "sku/name"

    def get_expected_values(self) -> list[Any]:
        """Exactly the regional Standard type."""
        return ["Standard"]


class AiAccountLocalAuthDisabled(BaseResourceValueCheck):
    """Fails unless properties.disableLocalAuth is true, so only Entra ID tokens are accepted."""

    def __init__(self) -> None:
        super().__init__(name="AI Services account disables local (key) authentication", id="CKV_CALETA_7",
                         categories=(CheckCategories.IAM,),
                         supported_resources=("Microsoft.CognitiveServices/accounts",))

    def get_inspected_key(self) -> str:
        """The Bicep property path."""
        return "properties/disableLocalAuth"


deployment_sku_check = AiDeploymentRegionalStandard()
local_auth_check = AiAccountLocalAuthDisabled()
