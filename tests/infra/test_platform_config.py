"""Config-as-test over infra/: HTTP-06 (the site), ISO-06 (storage), LLM-05 (AI), Service Bus, Key Vault, logs."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from tests.infra import bicepdoc
from tests.infra.conftest import ROOT


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


def test_cors_has_no_wildcard_when_deployed(site: dict[str, Any]) -> None:
    assert "*" not in site["properties"]["siteConfig"]["cors"]["allowedOrigins"]


def test_only_the_tunnel_may_call_when_deployed(site: dict[str, Any]) -> None:
    config = site["properties"]["siteConfig"]
    assert config["ipSecurityRestrictionsDefaultAction"] == "Deny"
    rule = config["ipSecurityRestrictions"]["config"]
    assert rule["action"] == "Allow"


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


def test_app_service_authentication_uses_entra_id_when_deployed(bicep: dict[str, Any]) -> None:
    auth = bicepdoc.only_resource(bicep["modules/functionapp.bicep"], "Microsoft.Web/sites/config")
    assert auth["name"] == "authsettingsV2"
    props = auth["properties"]
    assert props["platform"]["enabled"] is True
    assert props["identityProviders"]["azureActiveDirectory"]["enabled"] is True
    assert props["httpSettings"]["requireHttps"] is True


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


def test_ai_deployments_are_regional_standard_when_deployed(bicep: dict[str, Any]) -> None:
    deployments = bicepdoc.resources_anywhere(bicep, "Microsoft.CognitiveServices/accounts/deployments")
    assert deployments
    assert {body["sku"]["name"] for body in deployments.values()} == {"Standard"}


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
