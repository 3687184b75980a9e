"""DEL-05: the 7-day deletion promise holds for every copy, computed from the values infra/ deploys."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest

from shared.storage.blobs import EXPORT_TAGS, RAW_DATA_TAGS, REPORT_NAMES, REPORT_TAGS
from shared.storage.certificates import KEY_VAULT_SOFT_DELETE_DAYS, SOFT_DELETE_DAYS
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


@dataclass(frozen=True)
class Blob:
    """A blob as a lifecycle rule sees it: type, `container/name`, index tags."""

    path: str
    tags: dict[str, str]
    blob_type: str = "blockBlob"


RAW = Blob("c-0123456789abcdef0123456789abcdef/raw/s1/sub/cost.json.gz", dict(RAW_DATA_TAGS))
EXPORT = Blob("c-0123456789abcdef0123456789abcdef/exports/ffff.zip", dict(EXPORT_TAGS))
REPORTS = [Blob(f"c-0123456789abcdef0123456789abcdef/reports/01a2/{name}", tags)
           for name in REPORT_NAMES for tags in (dict(REPORT_TAGS), {})]  # tagged, and as older versions wrote


def lifecycle_rules(bicep: dict[str, Any]) -> list[dict[str, Any]]:
    """The storage account's lifecycle rules, parameters resolved."""
    storage = bicep["modules/storage.bicep"]
    rules: list[dict[str, Any]] = bicepdoc.only_resource(
        storage, "Microsoft.Storage/storageAccounts/managementPolicies")["properties"]["policy"]["rules"]
    return rules


def rule_matches(rule: dict[str, Any], blob: Blob) -> bool:
    """Whether a lifecycle rule selects the blob. Filters are ANDed; blobTypes is required; prefixMatch (any
    one, a `container/prefix`) and blobIndexMatch (every condition; `==` is the only operator lifecycle rules
    take) are optional (learn.microsoft.com/azure/storage/blobs/lifecycle-management-policy-structure, Filters)."""
    if rule.get("enabled", True) is False:
        return False
    filters = rule["definition"].get("filters", {})
    if blob.blob_type not in filters["blobTypes"]:
        return False
    prefixes = filters.get("prefixMatch") or []
    if prefixes and not any(blob.path.startswith(p) for p in prefixes):
        return False
    for condition in filters.get("blobIndexMatch") or []:
        assert condition["op"] == "==", condition
        if blob.tags.get(condition["name"]) != condition["value"]:
            return False
    return True


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
    raw_rule = next(rule for rule in lifecycle_rules(bicep) if rule_matches(rule, RAW))
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
        lock_duration=dt.timedelta(seconds=max(bicepdoc.iso_seconds(q["lockDuration"]) for q in queues)),
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


def test_no_lifecycle_rule_can_match_a_report_when_deployed_as_infra_says(bicep: dict[str, Any]) -> None:
    rules = lifecycle_rules(bicep)
    assert rules and all(rule_matches(rule, EXPORT) or rule_matches(rule, RAW) for rule in rules)
    assert [r["name"] for r in rules for report in REPORTS if rule_matches(r, report)] == []


def test_a_rule_without_a_tag_filter_would_match_a_report_so_the_check_can_fail() -> None:
    everything = {"name": "expire-all", "enabled": True,
                  "definition": {"filters": {"blobTypes": ["blockBlob"]}, "actions": {}}}
    by_prefix = {"name": "by-prefix", "definition": {"filters": {"blobTypes": ["blockBlob"], "prefixMatch": ["c-"]}}}
    assert all(rule_matches(everything, report) and rule_matches(by_prefix, report) for report in REPORTS)


def test_exports_expire_by_their_own_short_rule_when_deployed_as_infra_says(bicep: dict[str, Any]) -> None:
    storage = bicep["modules/storage.bicep"]
    (export_rule,) = [r for r in lifecycle_rules(bicep) if rule_matches(r, EXPORT)]
    (raw_rule,) = [r for r in lifecycle_rules(bicep) if rule_matches(r, RAW)]
    assert export_rule is not raw_rule and not rule_matches(export_rule, RAW)
    days = bicepdoc.resolve(storage, export_rule["definition"]["actions"]["baseBlob"]["delete"][
        "daysAfterCreationGreaterThan"])
    assert days == 1 and bicepdoc.decorator(storage, "exportMaxAgeDays", "max_value") == 2


def test_certificate_states_the_soft_delete_periods_infra_deploys(deployed: Retention) -> None:
    assert max(deployed.blob_soft_delete_days or 0, deployed.container_soft_delete_days or 0) == SOFT_DELETE_DAYS
    assert deployed.key_vault_soft_delete_days == KEY_VAULT_SOFT_DELETE_DAYS
    assert not deployed.key_vault_purge_protection  # the purge can purge, as the certificate says


def test_purge_waits_for_both_passes_within_the_budget_when_deployed_as_infra_says(deployed: Retention) -> None:
    # two backstop firings (daily) and the grace between the passes, still far inside the promise
    done = copy_lifetimes(deployed)["table rows"]
    assert dt.timedelta(days=2) < done < dt.timedelta(days=2, hours=1)
