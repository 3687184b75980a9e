"""Every `az` command the report may print, the flags it may carry, where azure-cli defines each flag, and the
command group for each resource type (D6.2).

Checked by reading azure-cli's own source, not its help text: the wheels azure_cli-2.91.0, azure_cli_core-2.91.0
and knack-0.14.0 (the knack release azure-cli-core 2.91.0 requires), unpacked. Paths are inside the wheels:
`cm/` = `azure/cli/command_modules/`, `core/` = `azure/cli/core/`; `aaz:` = a generated command class in
`cm/<module>/aaz/latest/...`. The report never runs these commands; tests/unit/analysis/test_commands.py builds
every command of every rule and fails when one carries a flag that is not listed here (report-design D6.4).

Global flags, cited once:
  `--ids`: core/commands/arm.py:286 (`add_id_parameters`, added to every command whose name arguments have an
  `id_part`; for aaz commands the `id_part` is on the argument schema, cited per command).
  `--subscription`: core/commands/arm.py:431.
  `--yes`: knack/commands.py:107, added to every command registered with `confirmation` (cited per command);
  knack/commands.py:160 refuses to prompt without a terminal, so a script must always pass it.
  `--set`: core/commands/command_operation.py:292 (generic update commands); core/aaz/_arg.py:636 (aaz commands
  with AZ_SUPPORT_GENERIC_UPDATE).

Commands azure-cli 2.91.0 does not ship, replaced: `az network ip-group` (an extension: `az resource delete`),
`az reservations` (an extension: the price is asked with `az rest`, report-design D6.3's "flags to confirm").
`az sql db update` and `az sql elastic-pool update` have no `--license-type` (cm/sql/custom.py:1906 and :4174
take none): the licence type is set with the generic `--set licenseType=BasePrice`.
"""

from __future__ import annotations

AZURE_CLI_VERSION = "2.91.0"
IDS = "core/commands/arm.py:286"
SUBSCRIPTION = "core/commands/arm.py:431"
YES = "knack/commands.py:107"
SET_CLASSIC = "core/commands/command_operation.py:292"
SET_AAZ = "core/aaz/_arg.py:636"
RESOURCE_GROUP = "core/commands/parameters.py:237"

# command -> flag -> where azure-cli 2.91.0 defines it (the first entry of each command is its registration).
FLAGS: dict[str, dict[str, str]] = {
    "vm deallocate": {"--ids": "aaz: cm/vm/aaz/latest/vm/_deallocate.py:14 (vm_name id_part)"},
    "vm delete": {"--ids": "aaz: cm/vm/aaz/latest/vm/_delete.py:14", "--yes": "cm/vm/aaz/latest/vm/_delete.py:16"},
    "vm resize": {"--ids": "cm/vm/commands.py:177 resize_vm", "--size": "cm/vm/custom.py:1673 (size)"},
    "vm update": {"--ids": "cm/vm/commands.py:181", "--license-type": "cm/vm/_params.py:1441"},
    "vm auto-shutdown": {"--ids": "cm/vm/commands.py:167 auto_shutdown_vm", "--time": "cm/vm/_params.py:1355"},
    "vm convert": {"--ids": "aaz: cm/vm/aaz/latest/vm/_convert.py:14"},
    "vm availability-set delete": {"--ids": "aaz: cm/vm/aaz/latest/vm/availability_set/_delete.py:14"},
    "vmss deallocate": {"--ids": "cm/vm/commands.py:281 deallocate_vmss"},
    "vmss update": {"--ids": "cm/vm/commands.py:295", "--license-type": "cm/vm/_params.py:1416",
                    "--set": SET_CLASSIC},
    "vmss update-instances": {"--ids": "cm/vm/commands.py:296", "--instance-ids": "cm/vm/_params.py:1004"},
    "disk delete": {"--ids": "aaz: cm/vm/aaz/latest/disk/_delete.py:14",
                    "--yes": "cm/vm/aaz/latest/disk/_delete.py:16"},
    "disk update": {"--ids": "aaz: cm/vm/aaz/latest/disk/_update.py:14", "--sku": "cm/vm/aaz/latest/disk/_update.py:63",
                    "--disk-iops-read-write": "cm/vm/aaz/latest/disk/_update.py:128",
                    "--disk-mbps-read-write": "cm/vm/aaz/latest/disk/_update.py:140",
                    "--set": "cm/vm/aaz/latest/disk/_update.py:36 + " + SET_AAZ},
    "snapshot create": {"--subscription": SUBSCRIPTION, "--resource-group": RESOURCE_GROUP,
                        "--name": "cm/vm/_params.py:242 (snapshot_name)", "--source": "cm/vm/_params.py:188",
                        "--incremental": "cm/vm/_params.py:245", "--sku": "cm/vm/_params.py:244"},
    "snapshot delete": {"--ids": "aaz: cm/vm/aaz/latest/snapshot/_delete.py:14"},
    "snapshot update": {"--ids": "cm/vm/commands.py:157", "--sku": "cm/vm/aaz/latest/snapshot/_update.py:63"},
    "sql vm update": {"--ids": "cm/sqlvm/commands.py:44", "--license-type": "cm/sqlvm/_params.py:189"},
    "sql elastic-pool delete": {"--ids": "cm/sql/commands.py:485"},
    "sql elastic-pool update": {"--ids": "cm/sql/commands.py:494", "--set": SET_CLASSIC},
    "sql db update": {"--ids": "cm/sql/commands.py:157", "--compute-model": "cm/sql/_params.py:460",
                      "--auto-pause-delay": "cm/sql/_params.py:463", "--set": SET_CLASSIC},
    "sql mi update": {"--ids": "cm/sql/commands.py:829", "--license-type": "cm/sql/custom.py:5551 (license_type)"},
    "network public-ip delete": {"--ids": "aaz: cm/network/aaz/latest/network/public_ip/_delete.py:14"},
    "network public-ip update": {"--ids": "aaz: cm/network/aaz/latest/network/public_ip/_update.py:14",
                                 "--sku": "cm/network/aaz/latest/network/public_ip/_update.py:118"},
    "network nic delete": {"--ids": "aaz: cm/network/aaz/latest/network/nic/_delete.py:14"},
    "network lb delete": {"--ids": "aaz: cm/network/aaz/latest/network/lb/_delete.py:14"},
    "network lb rule delete": {"--subscription": SUBSCRIPTION, "--resource-group": RESOURCE_GROUP,
                               "--lb-name": "cm/network/aaz/latest/network/lb/rule/_delete.py:50",
                               "--name": "cm/network/aaz/latest/network/lb/rule/_delete.py:58"},
    "network application-gateway delete": {
        "--ids": "aaz: cm/network/aaz/latest/network/application_gateway/_delete.py:14"},
    "network vnet-gateway delete": {"--ids": "aaz: cm/network/aaz/latest/network/vnet_gateway/_delete.py:14"},
    "network nat gateway delete": {"--ids": "aaz: cm/network/aaz/latest/network/nat/gateway/_delete.py:14"},
    "network private-endpoint delete": {"--ids": "aaz: cm/network/aaz/latest/network/private_endpoint/_delete.py:14"},
    "network private-dns zone delete": {"--ids": "aaz: cm/privatedns/aaz/latest/network/private_dns/zone/_delete.py:14",
                                        "--yes": "cm/privatedns/aaz/latest/network/private_dns/zone/_delete.py:16"},
    "network ddos-protection delete": {"--ids": "aaz: cm/network/aaz/latest/network/ddos_protection/_delete.py:14"},
    "network express-route delete": {"--ids": "aaz: cm/network/aaz/latest/network/express_route/_delete.py:14"},
    "network nsg delete": {"--ids": "aaz: cm/network/aaz/latest/network/nsg/_delete.py:14"},
    "network route-table delete": {"--ids": "aaz: cm/network/aaz/latest/network/route_table/_delete.py:14"},
    "network traffic-manager profile delete": {
        "--ids": "aaz: cm/network/aaz/latest/network/traffic_manager/profile/_delete.py:14"},
    "network vnet delete": {"--ids": "aaz: cm/network/aaz/latest/network/vnet/_delete.py:14"},
    "network vnet subnet delete": {"--ids": "aaz: cm/network/aaz/latest/network/vnet/subnet/_delete.py:14"},
    "appservice plan delete": {"--ids": "cm/appservice/commands.py:488", "--yes": "cm/appservice/commands.py:488"},
    "webapp config ssl delete": {"--resource-group": RESOURCE_GROUP,
                                 "--certificate-thumbprint": "cm/appservice/_params.py:562; "
                                                             "cm/appservice/custom.py:8277"},
    "storage account update": {"--ids": "cm/storage/commands.py:108", "--set": SET_CLASSIC,
                               "--access-tier": "cm/storage/operations/account.py:423 (access_tier)"},
    "storage account management-policy create": {
        "--subscription": SUBSCRIPTION, "--resource-group": RESOURCE_GROUP,
        "--account-name": "cm/storage/_params.py:667",
        "--policy": "cm/storage/_params.py:661; inline JSON read by cm/storage/operations/account.py:906"},
    "group delete": {"--subscription": SUBSCRIPTION, "--name": "cm/resource/_params.py:229",
                     "--yes": "cm/resource/commands.py:314"},
    "resource delete": {"--ids": "cm/resource/_params.py:157 (resource_ids)"},
    "backup protection disable": {"--ids": "cm/backup/_params.py:334-335 (container and item id parts)",
                                  "--yes": "cm/backup/commands.py:91",
                                  "--delete-backup-data": "cm/backup/_params.py:345"},
    "backup vault backup-properties set": {"--ids": "cm/backup/_params.py:102 (vault_name id_part)",
                                           "--backup-storage-redundancy": "cm/backup/_params.py:134"},
    "aks nodepool add": {"--subscription": SUBSCRIPTION, "--resource-group": RESOURCE_GROUP,
                         "--cluster-name": "cm/acs/_params.py:1236", "--name": "cm/acs/_params.py:1237",
                         "--priority": "cm/acs/_params.py:1259", "--eviction-policy": "cm/acs/_params.py:1260",
                         "--spot-max-price": "cm/acs/_params.py:1261", "--node-vm-size": "cm/acs/_params.py:1245"},
    "cosmosdb update": {"--ids": "cm/cosmosdb/commands.py:175", "--backup-policy-type": "cm/cosmosdb/_params.py:155",
                        "--continuous-tier": "cm/cosmosdb/_params.py:161"},
    "synapse workspace delete": {"--ids": "cm/synapse/manual/commands.py:231",
                                 "--yes": "cm/synapse/manual/commands.py:231"},
    "rest": {"--method": "cm/util/_params.py:12", "--url": "cm/util/_params.py:15", "--body": "cm/util/_params.py:27"},
    # The governance recommendations (report-design D10.2).
    "policy assignment create": {
        "--name": "cm/resource/commands.py:173; aaz: cm/resource/aaz/latest/policy/assignment/_create.py:65",
        "--scope": "aaz: cm/resource/aaz/latest/policy/assignment/_create.py:73",
        "--mi-system-assigned": "aaz: cm/resource/aaz/latest/policy/assignment/_create.py:82",
        "--location": "aaz: cm/resource/aaz/latest/policy/assignment/_create.py:100 (AAZResourceLocationArg, "
                      "core/aaz/_arg.py:527)",
        "--params": "aaz: cm/resource/aaz/latest/policy/assignment/_create.py:146",
        "--policy": "cm/resource/policy.py:408", "--identity-scope": "cm/resource/policy.py:411",
        "--role": "cm/resource/policy.py:414"},
    "policy remediation create": {"--subscription": SUBSCRIPTION + " (no --scope: cm/policyinsights/custom.py:445)",
                                  "--name": "cm/policyinsights/commands.py:48; cm/policyinsights/_params.py:133",
                                  "--policy-assignment": "cm/policyinsights/_params.py:144"},
}

# Commands registered with `confirmation`: knack adds `--yes`, which every printed command passes.
CONFIRMS: frozenset[str] = frozenset(name for name, flags in FLAGS.items() if "--yes" in flags)

# report-design D6.2: the az command group for each resource type a command may target.
GROUP_OF_TYPE: dict[str, tuple[str, ...]] = {
    "microsoft.compute/virtualmachines": ("vm",),
    "microsoft.compute/virtualmachinescalesets": ("vmss",),
    "microsoft.compute/disks": ("disk",),
    "microsoft.compute/snapshots": ("snapshot",),
    "microsoft.compute/availabilitysets": ("vm availability-set",),
    "microsoft.network/publicipaddresses": ("network public-ip",),
    "microsoft.network/networkinterfaces": ("network nic",),
    "microsoft.network/loadbalancers": ("network lb",),
    "microsoft.network/loadbalancers/loadbalancingrules": ("network lb rule",),
    "microsoft.network/applicationgateways": ("network application-gateway",),
    "microsoft.network/virtualnetworkgateways": ("network vnet-gateway",),
    "microsoft.network/natgateways": ("network nat gateway",),
    "microsoft.network/privateendpoints": ("network private-endpoint",),
    "microsoft.network/privatednszones": ("network private-dns zone",),
    "microsoft.network/ddosprotectionplans": ("network ddos-protection",),
    "microsoft.network/expressroutecircuits": ("network express-route",),
    "microsoft.network/networksecuritygroups": ("network nsg",),
    "microsoft.network/routetables": ("network route-table",),
    "microsoft.network/ipgroups": ("resource",),
    "microsoft.network/trafficmanagerprofiles": ("network traffic-manager profile",),
    "microsoft.network/virtualnetworks": ("network vnet",),
    "microsoft.network/virtualnetworks/subnets": ("network vnet subnet",),
    "microsoft.network/frontdoorwebapplicationfirewallpolicies": ("resource",),
    "microsoft.web/serverfarms": ("appservice plan",),
    "microsoft.web/connections": ("resource",),
    "microsoft.web/certificates": ("webapp config ssl",),
    "microsoft.sql/servers/elasticpools": ("sql elastic-pool",),
    "microsoft.sql/servers/databases": ("sql db",),
    "microsoft.sql/managedinstances": ("sql mi",),
    "microsoft.sqlvirtualmachine/sqlvirtualmachines": ("sql vm",),
    "microsoft.storage/storageaccounts": ("storage account", "storage account management-policy"),
    "microsoft.resources/resourcegroups": ("group",),
    "microsoft.recoveryservices/vaults": ("backup vault backup-properties",),
    "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems": ("backup protection",),
    "microsoft.containerservice/managedclusters/agentpools": ("aks nodepool",),
    "microsoft.documentdb/databaseaccounts": ("cosmosdb",),
    "microsoft.synapse/workspaces": ("synapse workspace",),
    "subscription": ("rest", "policy assignment", "policy remediation"),
}
