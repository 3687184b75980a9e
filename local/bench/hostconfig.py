"""The product's own clocks and sizes, read from where the product declares them (no new literals).

- Service Bus: the collect-tasks queue's lock duration and maxDeliveryCount (`shared.messages.COLLECT_TASKS`,
  which infra/modules/servicebus.bicep mirrors).
- Functions host: functionTimeout, the Service Bus extension's maxAutoLockRenewalDuration and
  maxConcurrentCalls (`host.json`).
- Flex Consumption: instanceMemoryMB (infra/modules/functionapp.bicep); raw data's lifecycle age
  (rawDataMaxAgeDays, infra/modules/storage.bicep).
- The cost collector's cap per delivery (`shared.collectors.cost.MAX_SECONDS`), the turn it waits for
  in-process (`INLINE_WAIT_S`), how often it looks again for the scan's inventory and daily totals
  (`RECHECK_S`) and how long at most (`WAIT_FOR_SCAN_S`); the QPU ledger's longest wait (the `max_wait` default
  of `QpuLedger`).
- The watchdog: SCAN_STUCK_AFTER_MINUTES and the WATCHDOG_TIMER schedule (`shared.config.Settings` defaults).
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass
from pathlib import Path

from shared.collectors.cost import INLINE_WAIT_S, MAX_SECONDS, RECHECK_S, WAIT_FOR_SCAN_S
from shared.collectors.quota import QpuLedger
from shared.config import Settings
from shared.messages import COLLECT_TASKS, QueueSpec

ROOT = Path(__file__).resolve().parents[2]


def timespan_seconds(value: str) -> float:
    """A host.json timespan ("00:10:00", "1.00:00:00") in seconds."""
    match = re.fullmatch(r"(?:(\d+)\.)?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)", value.strip())
    if not match:
        raise ValueError(f"not a timespan: {value!r}")
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _bicep_int(path: Path, pattern: str) -> int:
    match = re.search(pattern, path.read_text())
    if not match:
        raise ValueError(f"{path.name}: no match for {pattern!r}")
    return int(match.group(1))


def cron_period_seconds(schedule: str) -> float:
    """The period of an every-N-minutes NCRONTAB schedule ("0 */5 * * * *" -> 300 s); one hour otherwise."""
    fields = schedule.split()
    if len(fields) == 6 and fields[0] == "0" and fields[1].startswith("*/") and fields[2] == "*":
        return int(fields[1][2:]) * 60.0
    return 3600.0


@dataclass(frozen=True)
class HostConfig:
    """Every product clock the bench scales, in real (Azure) seconds, and the sizes it prices."""

    lock_s: float
    max_deliveries: int
    function_timeout_s: float
    lock_renewal_s: float
    concurrent_calls: int
    instance_memory_mb: int
    raw_max_age_days: int
    cost_cap_s: float
    cost_inline_wait_s: float
    cost_recheck_s: float
    cost_wait_for_scan_s: float
    ledger_max_wait_s: float
    stuck_after_s: float
    watchdog_period_s: float


def load(root: Path = ROOT, queue: QueueSpec = COLLECT_TASKS) -> HostConfig:
    """Read the deployed values from host.json, Bicep, shared.messages, the collectors and the settings."""
    host = json.loads((root / "host.json").read_text())
    bus = host["extensions"]["serviceBus"]
    settings = Settings.model_fields
    return HostConfig(
        lock_s=float(queue.lock_duration_seconds), max_deliveries=queue.max_delivery_count,
        function_timeout_s=timespan_seconds(host["functionTimeout"]),
        lock_renewal_s=timespan_seconds(bus["maxAutoLockRenewalDuration"]),
        concurrent_calls=int(bus["maxConcurrentCalls"]),
        instance_memory_mb=_bicep_int(root / "infra/modules/functionapp.bicep", r"instanceMemoryMB:\s*(\d+)"),
        raw_max_age_days=_bicep_int(root / "infra/modules/storage.bicep", r"param rawDataMaxAgeDays int = (\d+)"),
        cost_cap_s=MAX_SECONDS, cost_inline_wait_s=INLINE_WAIT_S, cost_recheck_s=RECHECK_S,
        cost_wait_for_scan_s=WAIT_FOR_SCAN_S,
        ledger_max_wait_s=float(inspect.signature(QpuLedger).parameters["max_wait"].default),
        stuck_after_s=float(settings["scan_stuck_after_minutes"].default) * 60.0,
        watchdog_period_s=cron_period_seconds(str(settings["watchdog_timer"].default)),
    )
