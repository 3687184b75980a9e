"""Collectors: read one source for one subscription through the Azure SDKs, page fully, respect quotas.

Every collector has one signature, `Collector`: a `CollectRequest` in, a `Collected` out, failures raised as
product errors (shared/collectors/errors.py translates the SDK's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azure.core.credentials import TokenCredential


@dataclass(frozen=True)
class CollectRequest:
    """One collection: which subscription, for which scan, with the customer's credential."""

    scan_id: str
    subscription_id: str
    tenant_id: str
    credential: TokenCredential


@dataclass(frozen=True)
class Collected:
    """What a collector read: the `data` of the raw envelope, its row count and the API versions used."""

    data: dict[str, Any]
    row_count: int
    api_versions: dict[str, str]


Collector = Callable[[CollectRequest], Collected]
