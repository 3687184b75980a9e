"""Every setting in shared/config.py is an app setting, and every connection is identity-based."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.config import Settings
from tests.infra import bicepdoc
from tests.infra.conftest import INFRA

# Settings that exist only for the machine-local world, with why Azure must NOT set them.
LOCAL_ONLY = {
    # A value here would make the Service Bus extension use a connection string instead of the identity
    # settings (ServiceBusConnection__*), and SAS is disabled on the namespace anyway.
    "ServiceBusConnection": "connection string for the local broker only",
    # The key of the local encrypted file store; in Azure the secret store is Key Vault.
    "SECRET_STORE_KEY": "local file-store key; Key Vault needs none",
}
# Settings the platform sets itself on an Azure host; infra/ must not declare them. (None is read today: the
# admin API checks Entra tokens itself, so WEBSITE_AUTH_ENABLED no longer means anything to the app.)
PLATFORM_SET: dict[str, str] = {}
# Names that must never be app settings, whether or not shared/config.py declares them
# (docs/onboarding-design.md section 7): the platform sets the first two on every instance, and the local
# stack's old per-run admin secret must never exist in Azure, where admins present Entra ID access tokens
# (the vouch is gone from the code too: tests/unit/test_admin_auth.py).
NEVER_SET = {
    "WEBSITE_INSTANCE_ID": "set by the platform per instance",
    "WEBSITE_SITE_NAME": "set by the platform",
    "CALETA_LOCAL_ADMIN_SECRET": "the local stack's admin vouch",
}


def _setting_names() -> set[str]:
    return {field.alias or name for name, field in Settings.model_fields.items()}


@pytest.fixture(scope="module")
def settings(bicep: dict[str, Any]) -> dict[str, Any]:
    """The app settings declared for the function app."""
    return bicepdoc.app_settings(bicep)


def test_every_config_setting_is_an_app_setting_when_infra_is_read(settings: dict[str, Any]) -> None:
    missing = _setting_names() - set(LOCAL_ONLY) - set(PLATFORM_SET) - set(NEVER_SET) - set(settings)
    assert missing == set()


def test_local_only_settings_are_absent_when_infra_is_read(settings: dict[str, Any]) -> None:
    assert set(LOCAL_ONLY) <= _setting_names(), "a LOCAL_ONLY entry no longer exists in shared/config.py"
    assert set(LOCAL_ONLY) & set(settings) == set()


def test_host_storage_uses_the_identity_when_infra_is_read(settings: dict[str, Any]) -> None:
    assert "AzureWebJobsStorage" not in settings
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert settings["AzureWebJobsStorage__clientId"] == "identityClientId"
    assert settings["AzureWebJobsStorage__blobServiceUri"] == "blobEndpoint"


def test_host_storage_names_no_queue_service_when_infra_is_read(settings: dict[str, Any]) -> None:
    # S3: the identity holds no Storage Queue role, so a queue URI would only invite 403s.
    assert "AzureWebJobsStorage__queueServiceUri" not in settings


def test_service_bus_uses_the_identity_when_infra_is_read(settings: dict[str, Any]) -> None:
    assert settings["ServiceBusConnection__credential"] == "managedidentity"
    assert settings["ServiceBusConnection__clientId"] == "identityClientId"
    assert settings["ServiceBusConnection__fullyQualifiedNamespace"] == "serviceBusNamespace"


def test_no_setting_carries_a_key_when_infra_is_read(settings: dict[str, Any]) -> None:
    text = repr(settings).lower()
    for marker in ("accountkey", "sharedaccesskey", "listkeys", "apikey", "secret="):
        assert marker not in text


def test_app_identity_is_the_managed_identity_when_infra_is_read(settings: dict[str, Any]) -> None:
    assert settings["MANAGED_IDENTITY_CLIENT_ID"] == "identityClientId"
    assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] == "Authorization=AAD;ClientId=${identityClientId}"


def test_notifications_go_through_microsoft_365_when_deployed(settings: dict[str, Any]) -> None:
    assert settings["NOTIFY_OUTBOX_URL"] == "graph://${notifyMailbox}"


def test_local_admin_vouch_is_never_set_when_infra_is_read(settings: dict[str, Any]) -> None:
    # The local stack's per-run admin secret must never exist in Azure, where Entra ID guards admin routes.
    assert "CALETA_LOCAL_ADMIN_SECRET" not in settings
    assert set(NEVER_SET) & set(settings) == set()


def test_admin_tokens_are_checked_by_the_app_when_deployed(settings: dict[str, Any]) -> None:
    # Design section 5: v1 access tokens from Caleta's own tenant (the deployment's), for the admin app, MFA on.
    assert settings["ADMIN_TENANT_ID"] == {"function": {"type": "tenant",
                                                        "property_name": "[Token('STRING', 'tenantId')]"}}
    assert settings["ADMIN_API_AUDIENCE"] == "adminApiAudience"
    assert settings["ADMIN_REQUIRE_MFA"] == "true"
    assert not [name for name in settings if name.startswith("WEBSITE_AUTH")]


def test_admin_audience_is_required_at_deploy_when_main_is_read(bicep: dict[str, Any]) -> None:
    main = bicep["main.bicep"]
    assert main["parameters"]["adminApiAudience"]["default"] is None
    assert bicepdoc.body(main["modules"]["api"])["params"]["adminApiAudience"] == "adminApiAudience"
    params = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert params["adminApiAudience"]["value"] == "${CALETA_ADMIN_API_AUDIENCE}"


def test_analyses_share_what_the_instance_leaves_the_worker_when_infra_is_read(settings: dict[str, Any]) -> None:
    # The Flex instance's memory less the Functions host (~300 MB, assumed) and the Python worker (~100 MB, measured).
    text = (INFRA / "modules" / "functionapp.bicep").read_text()
    instance_mb = int(text.split("instanceMemoryMB:", 1)[1].split()[0])
    assert int(settings["ANALYSIS_MEMORY_MB"]) + 400 <= instance_mb
