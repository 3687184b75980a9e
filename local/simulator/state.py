"""The simulator's mutable state: the working estate, request log, counters, quotas, faults and AI mode."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.estates.model import CostKind, CostRow, Estate, Subscription, expand_costs, load_estate
from local.simulator.arm_limits import ArmReadLimits
from local.simulator.clock import SimClock
from local.simulator.consent_state import OidcState, service_principal
from local.simulator.estate_changes import EstateCalendar
from local.simulator.faults import FaultTable
from local.simulator.options import SimOptions
from local.simulator.quotas import SlidingWindows
from local.simulator.tokens import TokenMint

AI_MODES = ("ok", "invalid_json", "wrong_number", "invented_alias", "injected_url", "slow", "429")


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request the simulator answered (never bodies or tokens)."""

    method: str
    path: str
    status: int
    tenant_id: str | None
    client_id: str | None
    at: dt.datetime


class QueryCache:
    """The last few Cost Management answers (rows before paging), so nextLink pages do not re-aggregate."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._entries: OrderedDict[str, list[list[Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> list[list[Any]] | None:
        """The cached rows, if any."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
            return self._entries.get(key)

    def put(self, key: str, rows: list[list[Any]]) -> None:
        """Remember rows, forgetting the oldest entry beyond the size."""
        with self._lock:
            self._entries[key] = rows
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()


class SimState:
    """Everything the handlers read and change, behind one lock for the mutable parts."""

    def __init__(self, estate_path: Path, options: SimOptions) -> None:
        self.options = options
        self.estate_path = Path(estate_path).resolve()
        # The simulated tenant's calendar: the day the estate was loaded, moved on by the /_sim/estate hooks.
        self.calendar = EstateCalendar(dt.datetime.now(dt.UTC).date())
        self.estate: Estate = load_estate(self.estate_path, self.today)
        # Only role assignments change at run time (remove_role); keep the lists to restore on reset. A deep
        # copy of a 100k-resource estate would cost ten seconds.
        self._roles = {id(s): list(s.role_assignments) for t in self.estate.tenants for s in t.subscriptions}
        self._mg_roles = {id(g): list(g.role_assignments) for t in self.estate.tenants for g in t.management_groups}
        self.mint = TokenMint(options.token_lifetime_s)
        self.msi_header = secrets.token_urlsafe(24)
        self.lock = threading.RLock()
        self.faults = FaultTable()
        scale = options.time_scale
        self.arg_quota = SlidingWindows(((options.arg_quota, options.arg_window_s),))
        self.cm_quota = SlidingWindows(tuple((q, w * scale) for q, w in options.cm_qpu_limits))
        self.arm_reads = ArmReadLimits(options.arm_read_bucket, options.arm_read_refill_per_s,
                                       options.arm_read_global_factor, scale)
        self.request_log: list[LoggedRequest] = []
        self.refused_writes = 0
        self.arm_calls: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.qpu_used = 0
        self.ai_mode = "ok"
        self.revoked: set[tuple[str, str]] = set()
        # Sign-in codes and run-time consent changes (Entra ID part; see consent_state.py).
        self.oidc = OidcState()
        self.base_url = ""  # set by the server once it is bound
        # Costs change only through the /_sim/estate hooks (estate_changed() forgets them); expanding a large
        # subscription costs seconds, so keep it.
        self._cost_cache: dict[tuple[str, str], list[CostRow]] = {}
        self.query_cache = QueryCache()
        # Propagation delays run on this clock (local/simulator/clock.py); reset() sets it back to 0.
        self.clock = SimClock()

    @property
    def today(self) -> dt.date:
        """The simulated tenant's today (the cost data ends the day before)."""
        return self.calendar.today

    def estate_changed(self) -> None:
        """Forget every cost expansion and cached answer after the estate or its calendar changed."""
        with self.lock:
            self._cost_cache.clear()
            self.query_cache.clear()

    def cost_rows(self, sub: Subscription, kind: CostKind) -> list[CostRow]:
        """The subscription's daily cost rows (expanded once per kind)."""
        key = (sub.subscription_id.lower(), kind)
        with self.lock:
            if key not in self._cost_cache:
                self._cost_cache[key] = list(expand_costs(sub, self.today, kind))
            return self._cost_cache[key]

    def log(self, entry: LoggedRequest) -> None:
        """Append to the request log."""
        with self.lock:
            self.request_log.append(entry)

    def is_revoked(self, tenant_id: str, client_id: str) -> bool:
        """Whether the principal was disabled or deleted (in the estate, by revoke() or by the consent controls)."""
        tenant = self.estate.tenant(tenant_id)
        app = service_principal(self, tenant, client_id) if tenant else None
        gone = app is not None and (not app.enabled or app.deleted or not app.consented)
        return (tenant_id.lower(), client_id.lower()) in self.revoked or gone

    def stats(self) -> dict[str, object]:
        """Counters for tests and the benchmark."""
        with self.lock:
            return {"refused_writes": self.refused_writes, "arm_calls": dict(self.arm_calls),
                    "qpu_used": self.qpu_used, "throttled": dict(self.throttled),
                    "requests": len(self.request_log), "ai_mode": self.ai_mode}

    def reset(self) -> None:
        """Clear faults, modes, quotas, counters and log; restore the estate as loaded."""
        with self.lock:
            for tenant in self.estate.tenants:
                for sub in tenant.subscriptions:
                    sub.role_assignments = list(self._roles[id(sub)])
                for group in tenant.management_groups:
                    group.role_assignments = list(self._mg_roles[id(group)])
            self.faults.clear()
            self.arg_quota.clear()
            self.cm_quota.clear()
            self.arm_reads.clear()
            self.query_cache.clear()
            self.request_log.clear()
            self.refused_writes = 0
            self.arm_calls.clear()
            self.throttled.clear()
            self.qpu_used = 0
            self.ai_mode = "ok"
            self.revoked.clear()
            self.oidc.clear()
            self.clock.reset()
            self.calendar.restore()
            self._cost_cache.clear()
