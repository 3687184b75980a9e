"""Resource Graph collector: the subscription's inventory (resources, and its resourcecontainers: the
subscription itself and its resource groups), every page, projected to the columns of shared/rawdata.py.

Paging, quota headers, 429s and the translation of SDK errors are shared.collectors.arg.query_all's job; it
fails closed on a truncated result or a missing or repeated skip token, so the analysis never prices half an
inventory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from azure.mgmt.resourcegraph import ResourceGraphClient

from shared.arm import resource_graph_client
from shared.collectors import Collected, CollectRequest
from shared.collectors.arg import query_all

API_VERSION = "2021-03-01"
RESOURCES_QUERY = ("resources | project id, name, type, kind, location, resourceGroup, subscriptionId, sku, "
                   "tags, managedBy, properties, zones")
CONTAINERS_QUERY = ("resourcecontainers | where type =~ 'microsoft.resources/subscriptions' or "
                    "type =~ 'microsoft.resources/subscriptions/resourcegroups' | project id, name, type, location, "
                    "resourceGroup, subscriptionId, tags, properties")


def _lower_type(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resource types in lower case, as the raw-data contract promises (ARG usually sends them so)."""
    return [{**row, "type": str(row.get("type", "")).lower()} for row in rows]


def collect(request: CollectRequest, *, client: ResourceGraphClient | None = None,
            sleep: Callable[[float], None] = time.sleep, page_size: int = 1000) -> Collected:
    """Read every resource and resource container of the subscription."""
    client = client or resource_graph_client(request.credential)
    subscriptions = [request.subscription_id]
    resources = query_all(client, RESOURCES_QUERY, subscriptions, page_size=page_size, sleep=sleep)
    containers = query_all(client, CONTAINERS_QUERY, subscriptions, page_size=page_size, sleep=sleep)
    data = {"resources": _lower_type(resources), "resource_containers": _lower_type(containers)}
    return Collected(data=data, row_count=len(resources) + len(containers),
                     api_versions={"resourcegraph": client._config.api_version or API_VERSION})
