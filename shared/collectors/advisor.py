"""Advisor collector: the subscription's Cost recommendations, every page, with their suppression ids, and its
Advisor configurations (docs/checks.md D2: the subscription's and its resource groups' `exclude` and
`lowCpuThreshold`, read under Reader or Cost Management Reader, `Microsoft.Advisor/configurations/read`).

Stored in the REST shape (camelCase, as the API sent it: model.serialize(keep_readonly=True)) so the analysis
reads the same keys whatever the SDK's model names are. The recommendations decide the task; configurations that
cannot be read are left out and named in `missing` (absent is "not read": the analysis then applies no override).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from azure.mgmt.advisor import AdvisorManagementClient

from shared.arm import advisor_client
from shared.collectors import Collected, CollectRequest
from shared.collectors.errors import with_throttle_retry
from shared.errors import CaletaError

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
    data: dict[str, Any] = {"recommendations": recommendations, "missing": {}}
    try:
        data["configurations"] = with_throttle_retry(
            lambda: [dict(c.serialize(keep_readonly=True)) for c in client.configurations.list_by_subscription()],
            "advisor configurations", sleep=sleep)
    except CaletaError as exc:  # 403, 409 unregistered, 429 after retries, 5xx: one optional read, not the task
        data["missing"]["configurations"] = str(getattr(exc, "reason", None) or exc)
    return Collected(data=data, row_count=len(recommendations),
                     api_versions={"advisor": client._config.api_version})
