"""AI Foundry: model deployments must be regional (processing in the account's region), accounts must not accept keys.

The regional deployment types are Standard (pay per token) and ProvisionedManaged (provisioned throughput); every
other type processes prompts outside the region: GlobalStandard, GlobalBatch and GlobalProvisionedManaged anywhere
Azure OpenAI runs, DataZoneStandard, DataZoneBatch and DataZoneProvisionedManaged anywhere in the data zone (the
deployment-types page of the Azure OpenAI docs). checkov renders parameter defaults into the value it checks, so
ai.bicep's sku parameter is also restricted by @allowed (tests/infra/test_platform_config.py).
"""

from __future__ import annotations

from typing import Any

from checkov.bicep.checks.resource.base_resource_value_check import BaseResourceValueCheck
from checkov.common.models.enums import CheckCategories

REGIONAL_DEPLOYMENT_TYPES = ("Standard", "ProvisionedManaged")


class AiDeploymentRegional(BaseResourceValueCheck):
    """Fails unless sku.name is Standard or ProvisionedManaged: Global* and DataZone* process data outside the UK."""

    def __init__(self) -> None:
        super().__init__(name="AI model deployment is regional (Standard or ProvisionedManaged)",
                         id="CKV_CALETA_6", categories=(CheckCategories.GENERAL_SECURITY,),
                         supported_resources=("Microsoft.CognitiveServices/accounts/deployments",))

    def get_inspected_key(self) -> str:
        """The Bicep property path."""
        return "sku/name"

    def get_expected_values(self) -> list[Any]:
        """Exactly the two regional types."""
        return list(REGIONAL_DEPLOYMENT_TYPES)


class AiAccountLocalAuthDisabled(BaseResourceValueCheck):
    """Fails unless properties.disableLocalAuth is true, so only Entra ID tokens are accepted."""

    def __init__(self) -> None:
        super().__init__(name="AI Services account disables local (key) authentication", id="CKV_CALETA_7",
                         categories=(CheckCategories.IAM,),
                         supported_resources=("Microsoft.CognitiveServices/accounts",))

    def get_inspected_key(self) -> str:
        """The Bicep property path."""
        return "properties/disableLocalAuth"


deployment_sku_check = AiDeploymentRegional()
local_auth_check = AiAccountLocalAuthDisabled()
