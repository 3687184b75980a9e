"""The clocks agree: host.json, the Service Bus queues, the app settings and shared/config.py name the same times.

The purge waits FUNCTION_TIMEOUT_SECONDS + SERVICEBUS_LOCK_SECONDS before its second pass, so both must be the
real values; and a message lock must be renewed for as long as a function may run (audit S7), or a long
collection loses its lock, is redelivered and reads the tenant's cost budget twice.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from shared.config import Settings
from shared.messages import QUEUES
from tests.infra import bicepdoc
from tests.infra.conftest import ROOT

_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$")


def host_duration(value: str) -> int:
    """Seconds in a host.json TimeSpan ("00:10:00", "1.02:00:00")."""
    match = _TIMESPAN.match(value)
    if match is None:
        raise ValueError(f"not a TimeSpan: {value!r}")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return int(dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds).total_seconds())


@pytest.fixture(scope="module")
def host() -> dict[str, Any]:
    """host.json."""
    data: dict[str, Any] = json.loads((ROOT / "host.json").read_text())
    return data


def _default(name: str) -> Any:
    return next(field.default for field in Settings.model_fields.values() if field.alias == name)


def test_function_timeout_agrees_when_host_bicep_and_settings_are_compared(bicep: dict[str, Any],
                                                                           host: dict[str, Any]) -> None:
    app = bicep["modules/functionapp.bicep"]
    timeout = host_duration(host["functionTimeout"])
    assert bicepdoc.app_settings(bicep)["FUNCTION_TIMEOUT_SECONDS"] == {
        "function": {"type": "string", "parameters": {"value_to_convert": "functionTimeoutSeconds"}}}
    assert bicepdoc.param_default(app, "functionTimeoutSeconds") == timeout
    assert _default("FUNCTION_TIMEOUT_SECONDS") == timeout


def test_lock_duration_agrees_when_queues_bicep_and_settings_are_compared(bicep: dict[str, Any]) -> None:
    queues = bicep["modules/servicebus.bicep"]["variables"]["queues"]["value"]
    longest = max(bicepdoc.iso_seconds(queue["lockDuration"]) for queue in queues)
    assert longest == max(spec.lock_duration_seconds for spec in QUEUES)
    assert bicepdoc.app_settings(bicep)["SERVICEBUS_LOCK_SECONDS"] == {
        "function": {"type": "string", "parameters": {"value_to_convert": "serviceBusLockSeconds"}}}
    assert bicepdoc.param_default(bicep["modules/functionapp.bicep"], "serviceBusLockSeconds") == longest
    assert _default("SERVICEBUS_LOCK_SECONDS") == longest


def test_lock_is_renewed_as_long_as_a_function_runs_when_host_json_is_read(host: dict[str, Any]) -> None:
    renewal = host_duration(host["extensions"]["serviceBus"]["maxAutoLockRenewalDuration"])
    assert renewal >= host_duration(host["functionTimeout"])


def test_host_durations_parse_when_read() -> None:
    assert host_duration("00:10:00") == 600
    assert host_duration("1.02:00:00") == 93600
    with pytest.raises(ValueError):
        host_duration("ten minutes")
