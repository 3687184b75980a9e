"""Typed settings read from the environment, loaded lazily.

The names are the Function App settings (and `local.settings.json` keys); `infra/` sets each one.
A bad or missing setting must never stop the app from indexing, so nothing is read at import time:
call `get_settings()` inside a function. This is the only module of shared/ and functions/ that reads
the environment.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting the product reads, with the environment variable that carries it."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, case_sensitive=True)

    # --- Entra ID and ARM: where the customer's tenant is reached -------------------------------
    authority_host: str = Field("https://login.microsoftonline.com", alias="AZURE_AUTHORITY_HOST")
    arm_endpoint: str = Field("https://management.azure.com", alias="ARM_ENDPOINT")

    # --- Caleta's own identity -----------------------------------------------------------------
    # Client id of Caleta's user-assigned managed identity (storage, Service Bus, Key Vault, AI).
    managed_identity_client_id: str | None = Field(None, alias="MANAGED_IDENTITY_CLIENT_ID")
    # Client id of Caleta's multi-tenant app, used by customers in federated mode.
    caleta_app_client_id: str | None = Field(None, alias="CALETA_APP_CLIENT_ID")

    # --- Storage (identity-based; blob and table service URIs) --------------------------------
    blob_endpoint: str = Field("", alias="STORAGE_BLOB_ENDPOINT")
    table_endpoint: str = Field("", alias="STORAGE_TABLE_ENDPOINT")

    # --- Service Bus: a connection string (local broker) or a namespace (Azure, identity) ------
    servicebus_connection: str | None = Field(None, alias="ServiceBusConnection")
    servicebus_namespace: str | None = Field(None, alias="ServiceBusConnection__fullyQualifiedNamespace")

    # --- Secret store for client_secret mode: a Key Vault URL, or file:// for the local store --
    secret_store_url: str = Field("", alias="SECRET_STORE_URL")
    # Key that encrypts the local file store at rest (base64, 32 bytes); unused with Key Vault.
    secret_store_key: str | None = Field(None, alias="SECRET_STORE_KEY")

    # --- LLM on Azure AI Foundry (any OpenAI-compatible /openai/v1/ endpoint) -----------------
    ai_endpoint: str = Field("", alias="AI_ENDPOINT")
    ai_deployment: str = Field("gpt-4o", alias="AI_DEPLOYMENT")
    ai_timeout_seconds: float = Field(30.0, alias="AI_TIMEOUT_SECONDS")
    ai_max_prompt_tokens: int = Field(8000, alias="AI_MAX_PROMPT_TOKENS")

    # --- Notifications: graph://<mailbox> in Azure, file://<dir> for the local outbox ----------
    notify_outbox_url: str = Field("", alias="NOTIFY_OUTBOX_URL")
    public_base_url: str = Field("http://localhost:7071", alias="PUBLIC_BASE_URL")

    # --- Schedules (NCRONTAB, six fields; bound as %SETTING% in the triggers) -----------------
    schedule_timer: str = Field("0 0 6 * * *", alias="SCHEDULE_TIMER")
    purge_timer: str = Field("0 30 2 * * *", alias="PURGE_TIMER")
    watchdog_timer: str = Field("0 */5 * * * *", alias="WATCHDOG_TIMER")

    # --- Scan behaviour -------------------------------------------------------------------------
    cost_history_days: int = Field(90, alias="COST_HISTORY_DAYS")
    scan_stuck_after_minutes: int = Field(60, alias="SCAN_STUCK_AFTER_MINUTES")
    deletion_deadline_days: int = Field(7, alias="DELETION_DEADLINE_DAYS")
    # What the analyses of one worker may hold together (shared/pipeline/analysis_memory.py): the Flex instance's
    # 2,048 MB less the Functions host (~300) and the worker itself (~98).
    analysis_memory_mb: int = Field(1640, alias="ANALYSIS_MEMORY_MB")

    # --- Issue 14 (infra): settings infra/modules/functionapp.bicep sets (docs/onboarding-design.md section 7) ---
    # Admin API tokens: v1 access tokens issued by Caleta's own tenant for the admin app, MFA required.
    admin_tenant_id: str = Field("", alias="ADMIN_TENANT_ID")
    admin_api_audience: str = Field("", alias="ADMIN_API_AUDIENCE")
    admin_require_mfa: bool = Field(True, alias="ADMIN_REQUIRE_MFA")
    # host.json functionTimeout and the longest queue lockDuration (tests/infra/test_clocks.py keeps them equal).
    function_timeout_seconds: int = Field(600, alias="FUNCTION_TIMEOUT_SECONDS")
    servicebus_lock_seconds: int = Field(300, alias="SERVICEBUS_LOCK_SECONDS")
    # --- end of the issue 14 (infra) block ---------------------------------------------------------------------

    # --- Issue 15 (review history): how long a review is kept (docs/api.md "Review history") --------------------
    # Finished scans older than this many calendar months are deleted, reports and raw data too, by the daily
    # retention run (it fires on PURGE_TIMER).
    review_retention_months: int = Field(13, alias="REVIEW_RETENTION_MONTHS", ge=1)
    # --- end of the issue 15 (review history) block ------------------------------------------------------------

    # --- Issue 13 (auth core, shared/auth): onboarding sign-in (docs/onboarding-design.md sections 2 and 7) -------
    # Custom directory role template ids that also count as tenant administrators (comma- or space-separated).
    onboarding_extra_admin_role_ids: str = Field("", alias="ONBOARDING_EXTRA_ADMIN_ROLE_IDS")
    # --- end of the issue 13 (auth core) block -----------------------------------------------------------------

    # --- Issue 13 (onboarding proof) and 14 S8: limits of the onboarding routes (docs/onboarding-design.md) ----
    # The whole onboarding POST answers within this many seconds (under Cloudflare's 100 s origin timeout).
    onboarding_deadline_seconds: float = Field(45.0, alias="ONBOARDING_DEADLINE_SECONDS", gt=0, lt=100)
    # Onboarding calls (sign-in, callback, consent, POST) one client address may make per hour.
    onboarding_rate_per_address_per_hour: int = Field(60, alias="ONBOARDING_RATE_PER_ADDRESS_PER_HOUR", ge=1)
    # Failed onboarding attempts (a refused proof handle or client secret) per tenant per hour.
    onboarding_failures_per_tenant_per_hour: int = Field(10, alias="ONBOARDING_FAILURES_PER_TENANT_PER_HOUR",
                                                         ge=1)
    # --- end of the issue 13 (onboarding proof) block ----------------------------------------------------------

    # --- Issue 14 (role validation, B4): customers awaiting roles (docs/onboarding-design.md sections 1 and 7) ---
    # Every ROLE_RECHECK_MINUTES (the ROLE_RECHECK_TIMER schedule says the same) subscriptions whose roles are not
    # visible yet are checked again, for ROLE_WAIT_MINUTES after they were first found unreadable.
    role_recheck_minutes: int = Field(5, alias="ROLE_RECHECK_MINUTES", ge=1, le=59)
    role_wait_minutes: int = Field(60, alias="ROLE_WAIT_MINUTES", ge=1)
    role_recheck_timer: str = Field("0 */5 * * * *", alias="ROLE_RECHECK_TIMER")
    # --- end of the issue 14 (role validation) block ----------------------------------------------------------


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings from the environment once per process."""
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings so the next read sees the current environment (tests, local host)."""
    get_settings.cache_clear()
