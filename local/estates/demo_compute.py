"""Compute resources for hand-written estates: VMs with NICs and disks, scale sets, SQL VMs, snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from local.estates.demo_kit import SubscriptionBuilder, days_ago, guid, ref
from local.estates.demo_network import nic

COMPUTE = "Microsoft.Compute"
# GBP per day, pay-as-you-go UK South list prices rounded (Linux; Windows adds the licence).
VM_DAILY = {"Standard_B2s": 0.9485, "Standard_D2s_v5": 2.0736, "Standard_D4s_v5": 4.1472,
            "Standard_D8s_v5": 8.2944, "Standard_E4s_v5": 5.4384}
WINDOWS_LICENCE_DAILY_PER_VCPU = 1.1040
SQL_LICENCE_DAILY_PER_VCPU = {"Enterprise": 7.0870, "Standard": 1.8898}
VCPUS = {"Standard_B2s": 2, "Standard_D2s_v5": 2, "Standard_D4s_v5": 4, "Standard_D8s_v5": 8, "Standard_E4s_v5": 4}
SERIES = {"Standard_B2s": "BS Series", "Standard_D2s_v5": "Dsv5 Series", "Standard_D4s_v5": "Dsv5 Series",
          "Standard_D8s_v5": "Dsv5 Series", "Standard_E4s_v5": "Esv5 Series"}
# Disk tier letter by storage account type, size -> (tier number, GBP per month).
DISK_TIERS: dict[str, tuple[str, str, dict[int, tuple[int, float]]]] = {
    "Premium_LRS": ("P", "Premium SSD Managed Disks", {128: (10, 17.30), 256: (15, 33.42), 512: (20, 64.52),
                                                       1024: (30, 119.03)}),
    "StandardSSD_LRS": ("E", "Standard SSD Managed Disks", {128: (10, 7.68), 256: (15, 15.36), 512: (20, 30.72),
                                                            1024: (30, 61.44)}),
    "Standard_LRS": ("S", "Standard HDD Managed Disks", {128: (10, 4.61), 256: (15, 8.90), 512: (20, 17.20),
                                                         1024: (30, 33.64)}),
}
POWER = {"running": "VM running", "stopped": "VM stopped", "deallocated": "VM deallocated"}
IMAGES = {
    "ubuntu": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2",
               "version": "latest"},
    "windows": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022-datacenter-azure-edition",
                "version": "latest"},
    "sql-enterprise": {"publisher": "MicrosoftSQLServer", "offer": "sql2019-ws2019", "sku": "enterprise",
                       "version": "latest"},
    "sql-standard": {"publisher": "MicrosoftSQLServer", "offer": "sql2019-ws2019", "sku": "standard",
                     "version": "latest"},
    "sql-developer": {"publisher": "MicrosoftSQLServer", "offer": "sql2019-ws2019", "sku": "sqldev",
                      "version": "latest"},
}


def disk_daily(sku: str, size_gb: int) -> float:
    """Daily GBP cost of a managed disk."""
    return DISK_TIERS[sku][2][size_gb][1] / 30.44


def disk(
    sb: SubscriptionBuilder, rg: str, name: str, size_gb: int, sku: str, *, managed_by: str = "",
    state: str = "Unattached", os_type: str | None = None, created: int = 400, bill_days: tuple[int, int] = (90, 1),
    tags: dict[str, str] | None = None, location: str | None = None,
) -> str:
    """A managed disk; diskState is Attached, Reserved (VM deallocated) or Unattached."""
    letter, subcategory, sizes = DISK_TIERS[sku]
    tier = f"{letter}{sizes[size_gb][0]}"
    props: dict[str, Any] = {
        "diskSizeGB": size_gb, "diskSizeBytes": size_gb * 1024**3, "diskState": state, "tier": tier,
        "timeCreated": days_ago(created), "provisioningState": "Succeeded", "networkAccessPolicy": "AllowAll",
        "publicNetworkAccess": "Enabled", "uniqueId": guid(rg, name),
        "creationData": {"createOption": "FromImage" if os_type else "Empty"},
        "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
    }
    if os_type:
        props["osType"] = os_type
        props["hyperVGeneration"] = "V2"
    disk_id = sb.add(rg, f"{COMPUTE}/disks", name, sku={"name": sku, "tier": sku.split("_")[0].replace("SSD", "")},
                     managed_by=managed_by, properties=props, tags=tags, location=location)
    meter = ("Storage", subcategory, f"{tier} LRS Disk")
    sb.bill(disk_id, meter, disk_daily(sku, size_gb), days=bill_days, location=location)
    return disk_id


@dataclass
class VmSpec:
    """What a VM looks like; the builder derives NIC, disks and bills from it."""

    name: str
    size: str
    subnet_id: str
    private_ip: str
    image: str = "ubuntu"
    power: str = "running"
    license_type: str | None = None
    os_disk_sku: str = "Premium_LRS"
    data_disks: list[tuple[int, str]] = field(default_factory=list)
    public_ip_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    compute_days: tuple[int, int] | None = (90, 1)
    weekend_factor: float = 1.0
    reserved: bool = False


@dataclass(frozen=True)
class VmIds:
    """Ids of a VM and the resources created with it."""

    vm: str
    nic: str
    ip_config: str
    os_disk: str
    data_disks: list[str]


def vm(sb: SubscriptionBuilder, rg: str, spec: VmSpec) -> VmIds:
    """A VM with its NIC, OS disk and data disks, as Resource Graph shows them, and their bills."""
    vm_id = sb.rid(rg, f"{COMPUTE}/virtualMachines", spec.name)
    windows = spec.image != "ubuntu"
    os_type = "Windows" if windows else "Linux"
    disk_state = "Reserved" if spec.power == "deallocated" else "Attached"
    nic_id, config_id = nic(sb, rg, f"{spec.name}-nic01", spec.subnet_id, spec.private_ip, vm_id=vm_id,
                            public_ip_id=spec.public_ip_id, tags=spec.tags)
    os_disk = disk(sb, rg, f"{spec.name}-osdisk", 128, spec.os_disk_sku, managed_by=vm_id, state=disk_state,
                   os_type=os_type, tags=spec.tags)
    data_ids = [disk(sb, rg, f"{spec.name}-data{n:02d}", size, sku, managed_by=vm_id, state=disk_state,
                     tags=spec.tags) for n, (size, sku) in enumerate(spec.data_disks, start=1)]
    os_profile: dict[str, Any] = {"computerName": spec.name[:15], "adminUsername": "pfadmin"}
    if windows:
        os_profile["windowsConfiguration"] = {"provisionVMAgent": True, "enableAutomaticUpdates": True}
    else:
        os_profile["linuxConfiguration"] = {"disablePasswordAuthentication": True, "provisionVMAgent": True}
    props: dict[str, Any] = {
        "vmId": guid(vm_id), "provisioningState": "Succeeded", "timeCreated": days_ago(420),
        "hardwareProfile": {"vmSize": spec.size},
        "storageProfile": {
            "imageReference": IMAGES[spec.image],
            "osDisk": {"osType": os_type, "name": f"{spec.name}-osdisk", "createOption": "FromImage",
                       "caching": "ReadWrite", "diskSizeGB": 128, "deleteOption": "Detach",
                       "managedDisk": {"id": os_disk, "storageAccountType": spec.os_disk_sku}},
            "dataDisks": [{"lun": n, "name": d.rsplit("/", 1)[-1], "createOption": "Attach", "caching": "ReadOnly",
                           "diskSizeGB": size, "managedDisk": {"id": d, "storageAccountType": sku}}
                          for n, (d, (size, sku)) in enumerate(zip(data_ids, spec.data_disks, strict=True))],
        },
        "osProfile": os_profile,
        "networkProfile": {"networkInterfaces": [{"id": nic_id, "properties": {"primary": True}}]},
        "diagnosticsProfile": {"bootDiagnostics": {"enabled": True}},
        "extended": {"instanceView": {
            "computerName": spec.name[:15], "osName": "Windows Server 2022 Datacenter" if windows else "ubuntu",
            "osVersion": "10.0.20348" if windows else "22.04", "hyperVGeneration": "V2",
            "powerState": {"code": f"PowerState/{spec.power}", "level": "Info", "displayStatus": POWER[spec.power]}}},
    }
    if spec.license_type:
        props["licenseType"] = spec.license_type
    sb.add(rg, f"{COMPUTE}/virtualMachines", spec.name, properties=props, tags=spec.tags, zones=["1"])
    if spec.compute_days:
        # With Hybrid Benefit (licenseType set) Azure bills the base compute meter only.
        bill_compute(sb, vm_id, spec.size, windows and not spec.license_type, 1, days=spec.compute_days,
                     weekend_factor=spec.weekend_factor, reserved=spec.reserved)
    return VmIds(vm_id, nic_id, config_id, os_disk, data_ids)


def bill_compute(
    sb: SubscriptionBuilder, resource_id: str, size: str, windows: bool, count: int, *, days: tuple[int, int],
    weekend_factor: float = 1.0, reserved: bool = False,
) -> None:
    """Compute meter for `count` instances; reserved usage costs 0 actual and the amortised rate."""
    daily = VM_DAILY[size] * count
    if windows:
        daily += WINDOWS_LICENCE_DAILY_PER_VCPU * VCPUS[size] * count
    series = SERIES[size] + (" Windows" if windows else "")
    meter = ("Virtual Machines", series, size.removeprefix("Standard_").replace("_", " "))
    if reserved:
        sb.bill(resource_id, meter, 0.0, amortized=daily * 0.62, days=days, pricing_model="Reservation")
    else:
        sb.bill(resource_id, meter, daily, days=days, weekend_factor=weekend_factor)


def scale_set(
    sb: SubscriptionBuilder, rg: str, name: str, size: str, capacity: int, subnet_id: str, *, image: str = "ubuntu",
    license_type: str | None = None, tags: dict[str, str] | None = None, reserved: bool = False,
) -> str:
    """A Uniform VM scale set and its compute bill."""
    windows = image != "ubuntu"
    vm_profile: dict[str, Any] = {
        "storageProfile": {"imageReference": IMAGES[image], "osDisk": {
            "osType": "Windows" if windows else "Linux", "createOption": "FromImage", "caching": "ReadWrite",
            "diskSizeGB": 128, "managedDisk": {"storageAccountType": "Premium_LRS"}}},
        "osProfile": {"computerNamePrefix": name[:9], "adminUsername": "pfadmin"},
        "networkProfile": {"networkInterfaceConfigurations": [{"name": f"{name}-nic", "properties": {
            "primary": True, "ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": ref(subnet_id)}}]}}]},
    }
    if license_type:
        vm_profile["licenseType"] = license_type
    props = {"virtualMachineProfile": vm_profile, "upgradePolicy": {"mode": "Manual"}, "orchestrationMode": "Uniform",
             "overprovision": False, "singlePlacementGroup": True, "provisioningState": "Succeeded",
             "uniqueId": guid(rg, name), "timeCreated": days_ago(300)}
    vmss_id = sb.add(rg, f"{COMPUTE}/virtualMachineScaleSets", name, properties=props, tags=tags,
                     sku={"name": size, "tier": "Standard", "capacity": capacity}, zones=["1", "2", "3"])
    bill_compute(sb, vmss_id, size, windows and not license_type, capacity, days=(90, 1), reserved=reserved)
    disk_meter = ("Storage", "Premium SSD Managed Disks", "P10 LRS Disk")
    sb.bill(vmss_id, disk_meter, disk_daily("Premium_LRS", 128) * capacity)
    return vmss_id


def sql_vm(sb: SubscriptionBuilder, rg: str, vm_id: str, name: str, license_type: str, image: str, vcpus: int) -> str:
    """The Microsoft.SqlVirtualMachine resource for SQL Server on a VM; a PAYG licence bills on the VM's id."""
    offer = IMAGES[image]
    sku = {"enterprise": "Enterprise", "standard": "Standard", "sqldev": "Developer"}[offer["sku"]]
    per_vcpu = SQL_LICENCE_DAILY_PER_VCPU.get(sku, 0.0)
    if license_type == "PAYG" and per_vcpu:
        meter = ("Virtual Machines Licenses", f"SQL Server {sku}", f"{vcpus} vCPU VM License")
        sb.bill(vm_id, meter, per_vcpu * vcpus)
    return sb.add(rg, "Microsoft.SqlVirtualMachine/SqlVirtualMachines", name, properties={
        "virtualMachineResourceId": vm_id, "sqlImageOffer": "SQL2019-WS2019", "sqlServerLicenseType": license_type,
        "sqlManagement": "Full", "sqlImageSku": sku, "leastPrivilegeMode": "Enabled",
        "provisioningState": "Succeeded"})


def snapshot(
    sb: SubscriptionBuilder, rg: str, name: str, source_disk_id: str, size_gb: int, sku: str, age_days: int,
    *, tags: dict[str, str] | None = None,
) -> str:
    """A full managed snapshot of a disk (which may no longer exist), billed since it was taken."""
    props = {"creationData": {"createOption": "Copy", "sourceResourceId": source_disk_id,
                              "sourceUniqueId": guid(source_disk_id)},
             "diskSizeGB": size_gb, "diskSizeBytes": size_gb * 1024**3, "diskState": "Unattached",
             "incremental": False, "timeCreated": days_ago(age_days), "provisioningState": "Succeeded",
             "networkAccessPolicy": "AllowAll", "encryption": {"type": "EncryptionAtRestWithPlatformKey"}}
    tier = "Premium" if sku.startswith("Premium") else "Standard"
    snap_id = sb.add(rg, f"{COMPUTE}/snapshots", name, sku={"name": sku, "tier": tier}, properties=props, tags=tags)
    per_gb_month = 0.1078 if tier == "Premium" else 0.0416
    subcategory = "Premium SSD Managed Disks" if tier == "Premium" else "Standard HDD Managed Disks"
    sb.bill(snap_id, ("Storage", subcategory, f"{'Premium' if tier == 'Premium' else 'LRS'} Snapshots"),
            size_gb * per_gb_month / 30.44, days=(min(age_days, 90), 1))
    return snap_id
