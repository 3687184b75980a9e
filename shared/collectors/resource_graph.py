"""Resource Graph collector: the subscription's inventory and the configuration the rules judge it by.

- `resources` and `resource_containers` (the subscription and its resource groups): every page, or the task fails
  (shared.collectors.arg.query_all fails closed on a truncated result or a broken skip token).
- `recovery_services` (protected backup items, `recoveryservicesresources`, BKP-1) and `policy_assignments`
  (`policyresources`, R3: the subscription's and those of the management groups above it): optional tables; a table
  the service refuses is named in `missing` and left out, which the analysis reads as "not collected".
- `management_policies`: each candidate storage account's lifecycle policy over ARM (shared.collectors.lifecycle),
  through this client's own pipeline, so it needs the inventory just read and adds no task of its own.
- `reads`: ARM GETs made, 429s met and accounts left unknown (what the scan cost; never evidence).

Every Resource Graph query takes its turn in the principal's ledger (`turns_for`, shared/collectors/graph_turns.py)
when the request names the principal: the scan's inventory tasks run at once and share one quota.

The default client speaks api-version 2022-10-01, the first with `authorizationScopeFilter`, without which
Resource Graph shows no management group's assignments. docs/data-contract.md holds every key's shape.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from azure.mgmt.resourcegraph import ResourceGraphClient

from shared.arm import resource_graph_client
from shared.collectors import Collected, CollectRequest
from shared.collectors.arg import Turns, query_all
from shared.collectors.arm_reads import ArmReader
from shared.collectors.lifecycle import API_VERSION as LIFECYCLE_API
from shared.collectors.lifecycle import candidates, read_policies
from shared.errors import NotCollectable

API_VERSION = "2022-10-01"
RESOURCES_QUERY = ("resources | project id, name, type, kind, location, resourceGroup, subscriptionId, sku, "
                   "tags, managedBy, properties, zones")
CONTAINERS_QUERY = ("resourcecontainers | where type =~ 'microsoft.resources/subscriptions' or "
                    "type =~ 'microsoft.resources/subscriptions/resourcegroups' | project id, name, type, location, "
                    "resourceGroup, subscriptionId, tags, properties")
RECOVERY_QUERY = ("recoveryservicesresources | where type =~ "
                  "'microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems' "
                  "| project id, name, type, resourceGroup, subscriptionId, properties")
POLICY_QUERY = ("policyresources | where type =~ 'microsoft.authorization/policyassignments' "
                "| project id, name, type, subscriptionId, properties")
# The task must end inside host.json's functionTimeout (10 minutes) with time to write its blob: the policy reads get
# what the inventory queries left of TASK_BUDGET_SECONDS, at most READ_BUDGET_SECONDS; accounts not read by then stay
# unknown.
TASK_BUDGET_SECONDS = 480.0
READ_BUDGET_SECONDS = 300.0


def _lower_type(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resource types in lower case, as the raw-data contract promises (ARG usually sends them so)."""
    return [{**row, "type": str(row.get("type", "")).lower()} for row in rows]


def collect(request: CollectRequest, *, client: ResourceGraphClient | None = None,
            sleep: Callable[[float], None] = time.sleep, page_size: int = 1000,
            clock: Callable[[], float] = time.monotonic, read_budget_s: float = READ_BUDGET_SECONDS,
            turns_for: Callable[[str, str], Turns] | None = None) -> Collected:
    """Read every resource and resource container of the subscription, its optional tables and policies."""
    started = clock()
    client = client or resource_graph_client(request.credential, api_version=API_VERSION)
    subscriptions = [request.subscription_id]
    turns = turns_for(request.tenant_id, request.principal) if turns_for and request.principal else None
    resources = _lower_type(query_all(client, RESOURCES_QUERY, subscriptions, page_size=page_size, sleep=sleep,
                                      turns=turns))
    containers = _lower_type(query_all(client, CONTAINERS_QUERY, subscriptions, page_size=page_size, sleep=sleep,
                                       turns=turns))
    data: dict[str, Any] = {"resources": resources, "resource_containers": containers}
    missing: dict[str, str] = {}
    for key, query, scope in (("recovery_services", RECOVERY_QUERY, None),
                              ("policy_assignments", POLICY_QUERY, "AtScopeAboveAndBelow")):
        try:
            data[key] = _lower_type(query_all(client, query, subscriptions, page_size=page_size,
                                              scope_filter=scope, sleep=sleep, turns=turns))
        except NotCollectable as exc:
            missing[key] = exc.reason
    # Generated clients run a custom request through their whole pipeline (ReadOnlyArmPolicy included).
    budget = min(read_budget_s, max(0.0, TASK_BUDGET_SECONDS - (clock() - started)))
    reader = ArmReader(client._send_request, sleep=sleep, clock=clock, budget_s=budget)
    accounts = candidates(resources)
    data["management_policies"], unread = read_policies(reader, accounts)
    data["missing"] = missing
    data["reads"] = {**reader.stats(), "policy_candidates": len(accounts), "policies_unknown": unread}
    rows = sum(len(data.get(k) or []) for k in ("resources", "resource_containers", "recovery_services",
                                                "policy_assignments"))
    return Collected(data=data, row_count=rows,
                     api_versions={"resourcegraph": client._config.api_version or API_VERSION,
                                   "storage.managementPolicies": LIFECYCLE_API})
