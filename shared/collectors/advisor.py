"""Advisor collector: the subscription's Cost recommendations, every page, with their suppression ids.

Stored in the REST shape (camelCase, as the API sent it: model.serialize(keep_readonly=True)) so the analysis
reads the same keys whatever the SDK's model names are.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from azure.mgmt.advisor import AdvisorManagementClient

from shared.arm import advisor_client
from shared.collectors import Collected, CollectRequest
from shared.collectors.errors import with_throttle_retry

COST_FILTER = "Category eq 'Cost'"


def collect(request: CollectRequest, *, client: AdvisorManagementClient | None = None,
            sleep: Callable[[float], None] = time.sleep) -> Collected:
    """Read every Cost recommendation of the subscription (ItemPaged follows nextLink)."""
    client = client or advisor_client(request.credential, request.subscription_id)

    def read_all() -> list[dict[str, Any]]:
        # Re-listing from the first page after a 429 is simpler than resuming, and the list is small.
        return [dict(rec.serialize(keep_readonly=True)) for rec in client.recommendations.list(filter=COST_FILTER)]

    recommendations = with_throttle_retry(read_all, "advisor recommendations", sleep=sleep)
    for rec in recommendations:
        props = rec.setdefault("properties", {})
        props.setdefault("suppressionIds", [])
    return Collected(data={"recommendations": recommendations}, row_count=len(recommendations),
                     api_versions={"advisor": client._config.api_version})
