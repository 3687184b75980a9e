"""Collectors: read one source for one subscription through the Azure SDKs, page fully, respect quotas.

Every collector has one signature, `Collector`: a `CollectRequest` in, a `Collected` out, failures raised as
product errors (shared/collectors/errors.py translates the SDK's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azure.core.credentials import TokenCredential

from shared.collectors.cost_state import CostProgress


@dataclass(frozen=True)
class CollectRequest:
    """One collection: which subscription, for which scan, with the customer's credential; `day` is the scan's
    day (every task of a scan reads the same windows, whenever it runs)."""

    scan_id: str
    subscription_id: str
    tenant_id: str
    credential: TokenCredential
    day: dt.date | None = None
    # Where a collection that spans deliveries keeps its progress (the cost collector; None: one delivery).
    checkpoint: CostProgress | None = None
    # How many subscriptions the scan reads: they share the tenant's Cost Management budget.
    scan_subscriptions: int = 1
    # The principal's row in the query ledgers (graph_turns.principal_row): its Resource Graph quota is shared by
    # every task querying as it. Empty: the caller shares no ledger (tests, one-off tools).
    principal: str = ""


@dataclass(frozen=True)
class Collected:
    """What a collector read: the `data` of the raw envelope, its row count and the API versions used."""

    data: dict[str, Any]
    row_count: int
    api_versions: dict[str, str]


Collector = Callable[[CollectRequest], Collected]
