"""Config-as-test over infra/: HTTP-06 (the site), ISO-06 (storage), LLM-05 (AI), Service Bus, Key Vault, logs."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest

from tests.infra import bicepdoc
from tests.infra.conftest import INFRA, ROOT

REGIONAL = {"Standard", "ProvisionedManaged"}


@pytest.fixture(scope="module")
def site(bicep: dict[str, Any]) -> dict[str, Any]:
    """The function app resource body."""
    return bicepdoc.only_resource(bicep["modules/functionapp.bicep"], "Microsoft.Web/sites")


def test_site_is_https_only_with_tls12_when_deployed(site: dict[str, Any]) -> None:
    config = site["properties"]["siteConfig"]
    assert site["properties"]["httpsOnly"] is True
    assert config["minTlsVersion"] == "1.2"
    assert config["scmMinTlsVersion"] == "1.2"


def test_site_has_no_ftp_or_remote_debugging_when_deployed(bicep: dict[str, Any], site: dict[str, Any]) -> None:
    config = site["properties"]["siteConfig"]
    assert config["ftpsState"] == "Disabled"
    assert config["remoteDebuggingEnabled"] is False
    policies = bicepdoc.resources(bicep["modules/functionapp.bicep"],
                                  "Microsoft.Web/sites/basicPublishingCredentialsPolicies")
    assert {p["name"]: p["properties"]["allow"] for p in policies.values()} == {"scm": False, "ftp": False}


def test_platform_cors_is_not_configured_when_deployed(site: dict[str, Any]) -> None:
    # Audit S1: no platform CORS at all (so certainly no wildcard); the pages call the API from its own origin.
    assert "cors" not in site["properties"]["siteConfig"]


def test_only_the_tunnel_may_call_when_deployed(site: dict[str, Any]) -> None:
    config = site["properties"]["siteConfig"]
    assert config["ipSecurityRestrictionsDefaultAction"] == "Deny"
    rule = config["ipSecurityRestrictions"]["config"]
    assert rule["action"] == "Allow"
    # Audit M1: "a/32, b/32" must not give the rule " b/32".
    assert rule["ipAddress"] == {"function": {"type": "trim", "parameters": {"string_to_trim": "cidr"}}}


def test_site_runs_on_flex_consumption_with_the_project_python_when_deployed(bicep: dict[str, Any],
                                                                             site: dict[str, Any]) -> None:
    plan = bicepdoc.only_resource(bicep["modules/functionapp.bicep"], "Microsoft.Web/serverfarms")
    runtime = site["properties"]["functionAppConfig"]["runtime"]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert plan["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    assert plan["properties"]["reserved"] is True
    assert site["kind"] == "functionapp,linux"
    assert runtime == {"name": "python", "version": requires.removeprefix(">=")}


def test_site_runs_as_the_user_assigned_identity_when_deployed(site: dict[str, Any]) -> None:
    assert site["identity"]["type"] == "UserAssigned"
    storage = site["properties"]["functionAppConfig"]["deployment"]["storage"]
    assert storage["authentication"]["type"] == "UserAssignedIdentity"


def test_easy_auth_is_off_when_deployed(bicep: dict[str, Any]) -> None:
    # Design section 5 (audit B2/S1): App Service Authentication would answer the customers'
    # `Authorization: Bearer <api key>` with a platform 401, and Flex Consumption does not support it.
    # The admin routes validate Entra ID access tokens in the app instead (ADMIN_* settings).
    configs = bicepdoc.resources_anywhere(bicep, "Microsoft.Web/sites/config")
    auth = {key: body for key, body in configs.items() if str(body["name"]).lower().startswith("authsettings")}
    assert auth == {}
    assert not [name for name in bicepdoc.app_settings(bicep) if name.startswith("WEBSITE_AUTH")]


def test_storage_is_locked_down_when_deployed(bicep: dict[str, Any]) -> None:
    tree = bicep["modules/storage.bicep"]
    account = bicepdoc.only_resource(tree, "Microsoft.Storage/storageAccounts")
    props = account["properties"]
    assert account["kind"] == "StorageV2"
    assert props["minimumTlsVersion"] == "TLS1_2"
    assert props["allowBlobPublicAccess"] is False
    assert props["allowSharedKeyAccess"] is False
    assert props["supportsHttpsTrafficOnly"] is True
    assert props["encryption"]["requireInfrastructureEncryption"] is True


def test_storage_never_leaves_uk_south_when_any_allowed_sku_is_chosen(bicep: dict[str, Any]) -> None:
    for tree in (bicep["modules/storage.bicep"], bicep["main.bicep"]):
        param = "skuName" if "skuName" in tree["parameters"] else "storageSku"
        allowed = bicepdoc.decorator(tree, param, "allowed")
        assert set(allowed) <= {"Standard_LRS", "Standard_ZRS", "Premium_LRS", "Premium_ZRS"}
        assert bicepdoc.param_default(tree, param) in allowed


def test_service_bus_is_standard_with_entra_only_when_deployed(bicep: dict[str, Any]) -> None:
    bus = bicepdoc.only_resource(bicep["modules/servicebus.bicep"], "Microsoft.ServiceBus/namespaces")
    assert bus["sku"]["name"] == "Standard"
    assert bus["properties"]["disableLocalAuth"] is True
    assert bus["properties"]["minimumTlsVersion"] in ("1.2", "1.3")


def test_key_vault_uses_rbac_and_allows_purge_when_deployed(bicep: dict[str, Any]) -> None:
    vault = bicepdoc.only_resource(bicep["modules/keyvault.bicep"], "Microsoft.KeyVault/vaults")["properties"]
    assert vault["enableRbacAuthorization"] is True
    assert vault["softDeleteRetentionInDays"] == 7
    assert vault.get("enablePurgeProtection") is not True


def _sku_choices(tree: dict[str, Any], value: Any) -> set[str]:
    """Every sku name a deployment can get: a literal, or each value its parameter allows (and its default)."""
    if isinstance(value, str) and value in tree.get("parameters", {}):
        allowed = bicepdoc.decorator(tree, value, "allowed")
        assert allowed, f"parameter {value} must be @allowed"
        assert bicepdoc.param_default(tree, value) in allowed
        return set(allowed)
    return {value}


def test_ai_deployments_are_regional_when_deployed(bicep: dict[str, Any]) -> None:
    # Standard and ProvisionedManaged process prompts in the account region; every Global* and DataZone*
    # type does not (CKV_CALETA_6 refuses each of them on tests/infra/fixtures/insecure/main.bicep).
    tree = bicep["modules/ai.bicep"]
    deployments = bicepdoc.resources(tree, "Microsoft.CognitiveServices/accounts/deployments")
    assert deployments
    for body in deployments.values():
        assert _sku_choices(tree, body["sku"]["name"]) == REGIONAL
    main = bicep["main.bicep"]
    assert set(bicepdoc.decorator(main, "aiDeploymentType", "allowed")) == REGIONAL | {"None"}
    assert bicepdoc.body(main["modules"]["ai"])["params"]["deploymentType"] == "aiDeploymentType"


def test_model_choice_is_a_parameter_when_deployed(bicep: dict[str, Any]) -> None:
    (body,) = bicepdoc.resources(bicep["modules/ai.bicep"], "Microsoft.CognitiveServices/accounts/deployments").values()
    assert body["properties"]["model"]["name"] == "modelName"
    assert body["properties"]["model"]["version"] == "modelVersion"
    assert body["sku"]["capacity"] == "capacity"
    passed = bicepdoc.body(bicep["main.bicep"]["modules"]["ai"])["params"]
    assert (passed["modelName"], passed["modelVersion"], passed["capacity"]) == (
        "aiModelName", "aiModelVersion", "aiCapacity")
    params = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert params["aiDeploymentType"]["value"] == "${CALETA_AI_DEPLOYMENT_TYPE=None}"


def test_no_model_deploys_nothing_in_foundry_when_type_is_none(bicep: dict[str, Any]) -> None:
    main = bicep["main.bicep"]
    assert main["variables"]["aiEnabled"]["value"] == {
        "operator": {"type": "not_equals", "operands": {"operand_1": "aiDeploymentType", "operand_2": "None"}}}
    assert bicepdoc.condition(main["modules"]["ai"]) == "aiEnabled"
    api = bicepdoc.body(main["modules"]["api"])["params"]
    for setting in ("aiEndpoint", "aiDeployment"):
        choice = api[setting]["operator"]
        assert choice["type"] == "conditional", setting
        assert (choice["operands"]["condition"], choice["operands"]["false_value"]) == ("aiEnabled", ""), setting
    rbac = bicep["modules/rbac.bicep"]["resources"]
    assert bicepdoc.condition(rbac["aiUser"]) == "aiEnabled"
    assert bicepdoc.body(main["modules"]["rbac"])["params"]["aiEnabled"] == "aiEnabled"


def test_ai_account_accepts_only_entra_id_when_deployed(bicep: dict[str, Any]) -> None:
    account = bicepdoc.only_resource(bicep["modules/ai.bicep"], "Microsoft.CognitiveServices/accounts")
    assert account["kind"] == "AIServices"
    assert account["properties"]["disableLocalAuth"] is True


def test_logs_have_retention_and_no_local_auth_when_deployed(bicep: dict[str, Any]) -> None:
    tree = bicep["modules/monitoring.bicep"]
    workspace = bicepdoc.only_resource(tree, "Microsoft.OperationalInsights/workspaces")["properties"]
    insights = bicepdoc.only_resource(tree, "Microsoft.Insights/components")["properties"]
    assert workspace["features"]["disableLocalAuth"] is True
    assert insights["DisableLocalAuth"] is True
    assert bicepdoc.resolve(tree, workspace["retentionInDays"]) == 30
    assert bicepdoc.resolve(tree, insights["RetentionInDays"]) == 30
