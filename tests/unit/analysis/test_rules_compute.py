"""VM-1, VM-2, VM-3: stopped, long-deallocated and premium-disk virtual machines."""

from __future__ import annotations

from dataclasses import replace

from shared.analysis.rules.compute import long_deallocated, premium_disks_on_idle_vm, stopped_not_deallocated
from tests.unit.analysis.builders import a_disk, a_vm, context, cost_line, rid, scan

DISK = rid("Microsoft.Compute/disks", "os1")


def test_stopped_vm_flagged_with_compute_cost_when_power_state_stopped() -> None:
    vm = a_vm("vm1", power="stopped")
    found = list(stopped_not_deallocated(context(scan([vm], cost_rows=cost_line(vm["id"], 4.0, "Virtual Machines")))))
    assert [(f.rule, f.basis, f.monthly_savings) for f in found] == [("VM-1", "actual_cost", 120.0)]


def test_running_vm_not_flagged_when_power_state_running() -> None:
    assert not list(stopped_not_deallocated(context(scan([a_vm("vm1")]))))


def test_deallocated_vm_priced_with_disks_when_no_compute_in_30_days() -> None:
    vm = a_vm("vm1", power="deallocated", disks=[DISK])
    rows = cost_line(vm["id"], 4.0, "Virtual Machines", days=(89, 40)) + cost_line(DISK, 0.5)
    found = list(long_deallocated(context(scan([vm, a_disk("os1", state="Reserved", managed_by=vm["id"])],
                                               cost_rows=rows))))
    assert [(f.rule, f.monthly_savings) for f in found] == [("VM-2", 15.0)]


def test_recently_deallocated_vm_not_flagged_when_compute_billed_within_30_days() -> None:
    vm = a_vm("vm1", power="deallocated", disks=[DISK])
    rows = cost_line(vm["id"], 4.0, "Virtual Machines", days=(89, 9))
    assert not list(long_deallocated(context(scan([vm], cost_rows=rows))))


def test_premium_disk_flagged_when_its_vm_is_deallocated() -> None:
    # Deallocated nine days ago (compute billed until then): not VM-2's long-deallocated VM.
    vm = a_vm("vm1", power="deallocated", disks=[DISK])
    disk = a_disk("os1", sku="Premium_LRS", state="Reserved", managed_by=vm["id"])
    rows = cost_line(DISK, 1.0) + cost_line(vm["id"], 4.0, "Virtual Machines", days=(89, 9))
    found = list(premium_disks_on_idle_vm(context(scan([vm, disk], cost_rows=rows))))
    assert [(f.rule, f.resource_id, f.basis, f.monthly_savings) for f in found] == [("VM-3", DISK, "estimate", 15.0)]


def test_premium_disk_left_to_vm2_when_its_vm_is_long_deallocated() -> None:
    vm = a_vm("vm1", power="deallocated", disks=[DISK])
    disk = a_disk("os1", sku="Premium_LRS", state="Reserved", managed_by=vm["id"])
    ctx = context(scan([vm, disk], cost_rows=cost_line(DISK, 1.0)))
    assert ([f.rule for f in premium_disks_on_idle_vm(ctx)], [f.rule for f in long_deallocated(ctx)]) == ([], ["VM-2"])


def test_long_deallocated_vm_deletes_disks_and_ips_explicitly_and_lists_hdd_alternative() -> None:
    vm = a_vm("vm1", power="deallocated", disks=[DISK])
    disk = a_disk("os1", sku="Premium_LRS", state="Reserved", managed_by=vm["id"])
    found = next(iter(long_deallocated(context(scan([vm, disk], cost_rows=cost_line(DISK, 1.0))))))
    assert f"az disk delete --yes --ids '{DISK}'" in [c.standalone() for c in found.commands]
    assert [(a.title.startswith("Keep the VM"), a.monthly_savings) for a in found.alternatives] == [(True, 21.0)]


def test_deallocated_vm_not_judged_long_deallocated_when_its_bill_was_not_collected() -> None:
    inputs = scan([a_vm("vm1", power="deallocated", disks=[DISK])])
    sub = inputs.subscriptions[0]
    no_cost = replace(inputs, subscriptions=[replace(sub, raw={k: v for k, v in sub.raw.items() if k != "cost"})])
    assert not list(long_deallocated(context(no_cost)))


def test_standard_disk_not_flagged_when_its_vm_is_deallocated() -> None:
    vm = a_vm("vm1", power="deallocated", disks=[DISK])
    disk = a_disk("os1", sku="Standard_LRS", state="Reserved", managed_by=vm["id"])
    assert not list(premium_disks_on_idle_vm(context(scan([vm, disk]))))
