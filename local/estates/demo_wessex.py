"""The demo's third customer: Wessex Larder Ltd, a regional food distributor onboarded in federated mode.

One ordinary EA subscription with a little waste worth a review, and five whose Cost Management access fails
the ways real customers' does (issue 14 B5): view charges off (AccountCostDisabled), a bare 401, a subscription
created days ago (SubscriptionNotFound), an indirect enrollment without published prices (IndirectCostDisabled),
and one where the principal holds no role at all (AuthorizationFailed). Resources are few and plainly named so a
later review can change them (issue 15).
"""

from __future__ import annotations

from typing import Any

from local.estates import demo_network as net
from local.estates.demo_compute import VmSpec, disk, vm
from local.estates.demo_config import wessex_backups
from local.estates.demo_kit import SubscriptionBuilder, guid
from local.estates.demo_platform import sql_database, sql_server, storage_account

NAME = "Wessex Larder Ltd"
EA = "EnterpriseAgreement_2014-09-01"


def tags(app: str, env: str = "prod") -> dict[str, str]:
    """Wessex Larder's tagging standard."""
    return {"env": env, "app": app, "costCentre": "WL-100", "owner": "it-operations"}


def build_operations(tenant_id: str) -> SubscriptionBuilder:
    """Wessex Larder Operations (EA): the warehouse system, its data, and what was left behind."""
    sb = SubscriptionBuilder(tenant_id, guid("subscription", "wessex-operations"), "Wessex Larder Operations", EA)
    rg_net = sb.rg("rg-network-ops", tags=tags("network"))
    subnets = net.vnet(sb, rg_net, "vnet-ops-uksouth", "10.60.0.0/22", {
        "GatewaySubnet": "10.60.0.0/27", "snet-app": "10.60.1.0/24", "snet-data": "10.60.2.0/24"},
        tags=tags("network"))
    gateway = net.vpn_gateway(sb, rg_net, "vgw-depot-bristol", subnets["GatewaySubnet"], "pip-vgw-depot-bristol",
                              "51.140.160.9", tags=tags("network"))
    sb.expect("NET-8", gateway, "flagged", "actual_cost", "VPN gateway with no connection since the depot closed")
    wms = sb.rg("rg-wms-ops", tags=tags("wms"))
    for n in (1, 2):
        vm(sb, wms, VmSpec(f"vm-wms-app-0{n}", "Standard_D4s_v5", subnets["snet-app"], f"10.60.1.{10 + n}",
                           tags=tags("wms")))
    data = sb.rg("rg-data-ops", tags=tags("data"))
    sql_server(sb, data, "sql-wessex-wms", tags=tags("data"))
    sql_database(sb, data, "sql-wessex-wms", "sqldb-wms", objective="S2", tags=tags("data"))
    storage_account(sb, data, "stwessexwms", "StorageV2", 0.6480, lifecycle=True, tags=tags("data"))
    wessex_backups(sb, sb.rg("rg-backup-ops", tags=tags("backup")), tags("backup"))
    old = disk(sb, wms, "disk-wms-old-data", 256, "Premium_LRS", created=120, tags=tags("wms"))
    sb.expect("DSK-1", old, "flagged", "actual_cost", "third tenant: unattached P15 from the old WMS server")
    temp = disk(sb, wms, "disk-label-printer-temp", 128, "StandardSSD_LRS", created=50, tags=tags("wms"))
    sb.expect("DSK-1", temp, "flagged", "actual_cost", "third tenant: unattached E10 left after a test")
    for name, address in (("pip-depot-exeter-old", "51.140.160.21"), ("pip-wms-test", "51.140.160.22")):
        pip = net.public_ip(sb, rg_net, name, address, tags=tags("network"))
        sb.expect("NET-1", pip, "flagged", "actual_cost", "third tenant: public IP attached to nothing")
    return sb


def _small(tenant_id: str, key: str, display_name: str, quota_id: str, app: str, account: str,
           daily: float, days: tuple[int, int] = (90, 1)) -> SubscriptionBuilder:
    """A subscription holding one healthy storage account (its costs exist; reading them may fail)."""
    sb = SubscriptionBuilder(tenant_id, guid("subscription", key), display_name, quota_id)
    rg = sb.rg(f"rg-{app}", tags=tags(app))
    storage_account(sb, rg, account, "StorageV2", daily, lifecycle=True, tags=tags(app))
    if days != (90, 1):
        for line in sb.costs:
            line["from_days_ago"], line["to_days_ago"] = days
    return sb


def build_refusing(tenant_id: str) -> list[tuple[SubscriptionBuilder, dict[str, Any] | None, bool]]:
    """(subscription, cost_error, principal holds Reader + Cost Management Reader) for the five refusing ones."""
    return [
        (_small(tenant_id, "wessex-finance", "Wessex Larder Finance", EA, "finance", "stwessexfinance", 0.2210),
         {"code": "AccountCostDisabled"}, True),
        (_small(tenant_id, "wessex-retail", "Wessex Larder Retail", EA, "retail", "stwessexretail", 0.1840),
         {"code": "401"}, True),
        (_small(tenant_id, "wessex-analytics", "Wessex Larder Analytics", EA, "analytics", "stwessexanalytics",
                0.0950, days=(3, 1)),
         {"code": "SubscriptionNotFound"}, True),
        (_small(tenant_id, "wessex-hosting", "Wessex Larder Hosting", EA, "hosting", "stwessexhosting", 0.1310),
         {"code": "IndirectCostDisabled"}, True),
        (_small(tenant_id, "wessex-sandbox", "Wessex Larder Sandbox", "PayAsYouGo_2014-09-01", "sandbox",
                "stwessexsandbox", 0.0420),
         None, False),
    ]


def wessex_tenant(app_client_id: str) -> tuple[dict[str, Any], list[SubscriptionBuilder]]:
    """Wessex Larder Ltd: Caleta's multi-tenant app consented, Reader and Cost Management Reader granted on all
    subscriptions but the sandbox (forgotten there, so its cost query fails with AuthorizationFailed)."""
    tenant_id = guid("tenant", "wessex-larder")
    principal_oid = guid("wessex", "caleta-sp", "object")
    principal = {"client_id": app_client_id, "object_id": principal_oid,
                 "display_name": "Caleta Cost Review", "secrets": [], "federated": True, "enabled": True}
    operations = build_operations(tenant_id)
    refusing = build_refusing(tenant_id)
    subscriptions = [operations.to_estate(_reader_roles(principal_oid, operations))]
    for sb, cost_error, granted in refusing:
        entry = sb.to_estate(_reader_roles(principal_oid, sb) if granted else [])
        if cost_error is not None:
            entry["cost_error"] = cost_error
        subscriptions.append(entry)
    tenant = {
        "tenant_id": tenant_id, "display_name": NAME, "default_domain": "wessexlarder.onmicrosoft.com",
        "applications": [principal], "management_groups": [], "custom_roles": [], "subscriptions": subscriptions,
    }
    return tenant, [operations, *(sb for sb, _, _ in refusing)]


def _reader_roles(principal_id: str, sb: SubscriptionBuilder) -> list[dict[str, str]]:
    return [{"principal_id": principal_id, "role": role, "scope": sb.scope}
            for role in ("Reader", "Cost Management Reader")]


def second_review_changes() -> dict[str, Any]:
    """What happens in Wessex Larder's estate between its first and second review (issue 15), as the simulator's
    /_sim/estate hooks take it: the old WMS data disk is deleted (its DSK-1 resolved, the saving realised once the
    bill settles), the second WMS server shrinks from D4s_v5 to D2s_v5 (half the compute bill), and a migration
    scratch disk is created and left unattached (a new DSK-1)."""
    tenant_id = guid("tenant", "wessex-larder")
    operations = build_operations(tenant_id)
    ids = {str(row["name"]): str(row["id"]) for row in operations.resources}
    later = SubscriptionBuilder(tenant_id, operations.subscription_id, operations.display_name, EA)
    scratch = disk(later, later.rg("rg-wms-ops", tags=tags("wms")), "disk-wms-migration-scratch", 512, "Premium_LRS",
                   created=0, tags=tags("wms"))
    row = next(r for r in later.resources if r["id"] == scratch)
    # Billed from the day it is added: the hook sets the days, so drop the builder's 90-day window.
    costs = [{k: v for k, v in line.items() if k not in ("from_days_ago", "to_days_ago", "resource_id")}
             for line in later.costs]
    return {
        "delete": [ids["disk-wms-old-data"]],
        "resize": [{"resource_id": ids["vm-wms-app-02"], "size": "Standard_D2s_v5", "daily_cost_factor": 0.5}],
        "add": [{"subscription_id": operations.subscription_id, "resource": row, "costs": costs}],
    }
