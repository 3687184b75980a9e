"""Every setting in shared/config.py is an app setting, and every connection is identity-based."""

from __future__ import annotations

from typing import Any

import pytest

from shared.config import Settings
from tests.infra import bicepdoc

# Settings that exist only for the machine-local world, with why Azure must NOT set them.
LOCAL_ONLY = {
    # A value here would make the Service Bus extension use a connection string instead of the identity
    # settings (ServiceBusConnection__*), and SAS is disabled on the namespace anyway.
    "ServiceBusConnection": "connection string for the local broker only",
    # The key of the local encrypted file store; in Azure the secret store is Key Vault.
    "SECRET_STORE_KEY": "local file-store key; Key Vault needs none",
    # The local host's per-run admin vouch (shared/admin_auth.py); Entra ID guards admin routes in Azure.
    "CALETA_LOCAL_ADMIN_SECRET": "the local host's admin vouch only",
}
# Settings the platform sets itself on an Azure host; infra/ must not declare them.
PLATFORM_SET = {
    "WEBSITE_AUTH_ENABLED": "set by App Service Authentication when it is on",
}


def _setting_names() -> set[str]:
    return {field.alias or name for name, field in Settings.model_fields.items()}


@pytest.fixture(scope="module")
def settings(bicep: dict[str, Any]) -> dict[str, Any]:
    """The app settings declared for the function app."""
    return bicepdoc.app_settings(bicep)


def test_every_config_setting_is_an_app_setting_when_infra_is_read(settings: dict[str, Any]) -> None:
    missing = _setting_names() - set(LOCAL_ONLY) - set(PLATFORM_SET) - set(settings)
    assert missing == set()


def test_local_only_settings_are_absent_when_infra_is_read(settings: dict[str, Any]) -> None:
    assert set(LOCAL_ONLY) <= _setting_names(), "a LOCAL_ONLY entry no longer exists in shared/config.py"
    assert set(LOCAL_ONLY) & set(settings) == set()


def test_host_storage_uses_the_identity_when_infra_is_read(settings: dict[str, Any]) -> None:
    assert "AzureWebJobsStorage" not in settings
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert settings["AzureWebJobsStorage__clientId"] == "identityClientId"
    assert settings["AzureWebJobsStorage__blobServiceUri"] == "blobEndpoint"


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
    from shared.admin_auth import LOCAL_ADMIN_SETTING

    assert LOCAL_ADMIN_SETTING not in settings
