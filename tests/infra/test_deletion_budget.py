"""DEL-05: the 7-day deletion promise holds for every copy, computed from the values infra/ deploys."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from tests.infra import bicepdoc
from tests.infra.conftest import INFRA, ROOT
from tests.infra.deletion_budget import (
    PROMISE,
    Retention,
    alert_is_in_time,
    copy_lifetimes,
    max_timer_gap,
    over_budget,
)


def _hms(value: str) -> dt.timedelta:
    hours, minutes, seconds = (int(part) for part in value.split(":"))
    return dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _deployed_purge_timer(bicep: dict[str, Any]) -> str:
    # azd deploys main.parameters.json; main.bicep passes it on to the PURGE_TIMER app setting.
    params = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    timer = params["purgeTimer"]["value"]
    assert bicepdoc.app_settings(bicep)["PURGE_TIMER"] == "purgeTimer"
    return str(timer)


def deployed_retention(bicep: dict[str, Any]) -> Retention:
    """Read every retention value from the Bicep trees, main.parameters.json and host.json."""
    storage = bicep["modules/storage.bicep"]
    blob = bicepdoc.only_resource(storage, "Microsoft.Storage/storageAccounts/blobServices")["properties"]
    rules = bicepdoc.only_resource(storage, "Microsoft.Storage/storageAccounts/managementPolicies")[
        "properties"]["policy"]["rules"]
    raw_rule = next(rule for rule in rules if rule["enabled"] is True)
    lifecycle = raw_rule["definition"]["actions"]["baseBlob"]["delete"]["daysAfterCreationGreaterThan"]
    vault = bicepdoc.only_resource(bicep["modules/keyvault.bicep"], "Microsoft.KeyVault/vaults")["properties"]
    bus = bicep["modules/servicebus.bicep"]
    queues = bus["variables"]["queues"]["value"]
    queue_body = bicepdoc.only_resource(bus, "Microsoft.ServiceBus/namespaces/queues")["properties"]
    app = bicep["modules/functionapp.bicep"]
    host = json.loads((ROOT / "host.json").read_text())

    def soft_delete(policy: dict[str, Any]) -> int | None:
        return int(bicepdoc.resolve(storage, policy["days"])) if policy["enabled"] is True else None

    return Retention(
        purge_timer=_deployed_purge_timer(bicep),
        function_timeout=_hms(host["functionTimeout"]),
        deadline_days=int(bicepdoc.param_default(app, "deletionDeadlineDays")),
        blob_soft_delete_days=soft_delete(blob["deleteRetentionPolicy"]),
        container_soft_delete_days=soft_delete(blob["containerDeleteRetentionPolicy"]),
        versioning=blob["isVersioningEnabled"] is not False,
        lifecycle_days_after_creation=int(bicepdoc.resolve(storage, lifecycle)),
        key_vault_soft_delete_days=int(vault["softDeleteRetentionInDays"]),
        key_vault_purge_protection=vault.get("enablePurgeProtection", False) is not False,
        message_ttl=dt.timedelta(seconds=max(bicepdoc.iso_seconds(q["defaultMessageTimeToLive"]) for q in queues)),
        dead_letter_on_expiry=queue_body["deadLetteringOnMessageExpiration"] is not False,
    )


@pytest.fixture(scope="module")
def deployed(bicep: dict[str, Any]) -> Retention:
    """The retention values of this deployment."""
    return deployed_retention(bicep)


def test_every_copy_is_gone_within_7_days_when_deployed_as_infra_says(deployed: Retention) -> None:
    lifetimes = copy_lifetimes(deployed)
    assert over_budget(deployed) == {}, {name: str(life) for name, life in lifetimes.items()}


def test_late_purge_alert_leaves_room_for_soft_delete_when_deployed_as_infra_says(deployed: Retention) -> None:
    assert alert_is_in_time(deployed)


def test_purge_timer_fires_at_least_daily_when_deployed_as_infra_says(deployed: Retention) -> None:
    assert max_timer_gap(deployed.purge_timer) <= dt.timedelta(days=1)


def test_deadline_setting_is_the_promise_when_deployed_as_infra_says(deployed: Retention) -> None:
    assert dt.timedelta(days=deployed.deadline_days) == PROMISE


# The model must be able to fail: each change below breaks the promise on its own.
@pytest.mark.parametrize(("change", "broken_copy"), [
    ({"blob_soft_delete_days": 7}, "blob (soft delete)"),
    ({"container_soft_delete_days": 7}, "container (soft delete)"),
    ({"versioning": True}, "blob versions"),
    ({"key_vault_purge_protection": True}, "key vault secret"),
    ({"lifecycle_days_after_creation": 5}, "raw data missed by the purge"),
    ({"lifecycle_days_after_creation": None}, "raw data missed by the purge"),
    ({"message_ttl": dt.timedelta(days=14)}, "queued messages"),
    ({"dead_letter_on_expiry": True}, "queued messages"),
    ({"purge_timer": "0 30 2 * * 1"}, "table rows"),
])
def test_budget_is_exceeded_when_one_setting_is_loosened(deployed: Retention, change: dict[str, Any],
                                                         broken_copy: str) -> None:
    loosened = dataclasses.replace(deployed, **change)
    assert broken_copy in over_budget(loosened)


def test_late_purge_alert_is_too_late_when_soft_delete_is_two_days(deployed: Retention) -> None:
    loosened = dataclasses.replace(deployed, blob_soft_delete_days=2, container_soft_delete_days=2)
    assert not alert_is_in_time(loosened)
