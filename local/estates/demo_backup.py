"""The production subscription's backups and DR: snapshots, vaults, replica and restore disks, a DR gateway."""

from __future__ import annotations

from local.estates import demo_network as net
from local.estates.demo_compute import disk, snapshot
from local.estates.demo_kit import SubscriptionBuilder
from local.estates.demo_platform import simple


def tags(app: str) -> dict[str, str]:
    """The company's standard production tags."""
    return {"env": "prod", "app": app, "costCentre": "CC-1040", "owner": "platform-team"}


def backups_and_dr(sb: SubscriptionBuilder) -> None:
    """Snapshots (old, premium, orphaned, fine), backup and ASR vaults, replica disks, an idle DR gateway."""
    rg = sb.rg("rg-backup-prod", tags=tags("backup"))
    t = tags("backup")
    tms_os = sb.rid("rg-tms-prod", "Microsoft.Compute/disks", "vm-tms-app-01-osdisk")
    old = snapshot(sb, rg, "snap-vm-tms-app-01-os-pre-upgrade", tms_os, 128, "Standard_LRS", 212, tags=t)
    sb.expect("DSK-3", old, "flagged", "actual_cost", "snapshot taken 212 days ago")
    sql_data = sb.rid("rg-erp-prod", "Microsoft.Compute/disks", "vm-erp-sql-01-data01")
    premium = snapshot(sb, rg, "snap-erp-sql-01-data01-month-end", sql_data, 1024, "Premium_LRS", 26, tags=t)
    sb.expect("DSK-4", premium, "flagged", "estimate", "premium snapshot: Standard storage costs about 60% less")
    gone = sb.rid("rg-tms-prod", "Microsoft.Compute/disks", "vm-ftp-gateway-01-data01")
    orphan = snapshot(sb, rg, "snap-vm-ftp-gateway-01-data01-final", gone, 512, "Standard_LRS", 47, tags=t)
    sb.expect("DSK-5", orphan, "flagged", "actual_cost", "source disk was deleted")
    weekly_src = sb.rid("rg-tms-prod", "Microsoft.Compute/disks", "vm-tms-app-02-osdisk")
    fine = snapshot(sb, rg, "snap-vm-tms-app-02-os-weekly", weekly_src, 128, "Standard_LRS", 5, tags=t)
    for rule in ("DSK-3", "DSK-4", "DSK-5"):
        sb.expect(rule, fine, "not_flagged", None, "recent standard snapshot of an existing disk")
    simple(sb, rg, "Microsoft.RecoveryServices/vaults", "rsv-pennine-prod",
           ("Backup", "", "Azure VM Protected Instances"), 4.7310, sku={"name": "RS0", "tier": "Standard"},
           props={"redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant"}}, tags=t)
    restored = disk(sb, rg, "vm-erp-app-01-osdisk-restore-20261015", 128, "StandardSSD_LRS", created=43,
                    bill_days=(43, 1), tags={**t, "RSVaultBackup": "rsv-pennine-prod"})
    sb.expect("DSK-1", restored, "not_flagged", None, "disk created by Azure Backup restore (RSVaultBackup tag)")
    dr = sb.rg("rg-dr-ukwest", "ukwest", tags=tags("dr"))
    t = tags("dr")
    dr_net = net.vnet(sb, dr, "vnet-dr-ukwest", "10.110.0.0/22", {"GatewaySubnet": "10.110.0.0/27",
                      "snet-recovery": "10.110.1.0/24"}, tags=t)
    idle = net.vpn_gateway(sb, dr, "vgw-dr-ukwest", dr_net["GatewaySubnet"], "pip-vgw-dr-ukwest", "51.141.9.40",
                           tags=t)
    sb.expect("NET-8", idle, "flagged", "actual_cost", "VNet gateway with no connection and no point-to-site config")
    simple(sb, dr, "Microsoft.RecoveryServices/vaults", "rsv-pennine-asr-ukwest",
           ("Azure Site Recovery", "", "VM Replicated to Azure"), 1.3140, sku={"name": "RS0", "tier": "Standard"},
           tags=t)
    asr_tags = {**t, "ASR-ReplicaDisk": "vm-erp-app-01-osdisk"}
    for name, size in (("vm-erp-app-01-osdisk-ASRReplica", 128), ("vm-erp-sql-01-data01-ASRReplica", 1024)):
        replica = disk(sb, dr, name, size, "StandardSSD_LRS", tags=asr_tags)
        sb.expect("DSK-1", replica, "not_flagged", None, "Site Recovery replica disk (-ASRReplica, ASR-ReplicaDisk)")
