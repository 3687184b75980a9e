"""DSK-1, DSK-3, DSK-4, DSK-5: detached disks (with their exclusions) and snapshots."""

from __future__ import annotations

from typing import Any

import pytest

from shared.analysis.rules.disks import old_snapshots, orphaned_snapshots, premium_snapshots, unattached_disks
from tests.unit.analysis.builders import a_disk, a_row, context, cost_line, rid, scan


def a_snapshot(name: str, *, created: str = "2026-11-20T00:00:00Z", sku: str = "Standard_LRS",
               source: str | None = None) -> dict[str, Any]:
    return a_row("Microsoft.Compute/snapshots", name, sku={"name": sku, "tier": sku.split("_")[0]},
                 properties={"timeCreated": created,
                             "creationData": {"sourceResourceId": source or rid("Microsoft.Compute/disks", "src")}})


def test_unattached_disk_flagged_with_actual_cost_when_managed_by_nobody() -> None:
    disk = a_disk("d1")
    found = list(unattached_disks(context(scan([disk], cost_rows=cost_line(disk["id"], 2.0)))))
    assert [(f.rule, f.basis, f.monthly_savings) for f in found] == [("DSK-1", "actual_cost", 60.0)]


def test_attached_disk_not_flagged_when_managed_by_a_vm() -> None:
    assert not list(unattached_disks(context(scan([a_disk("d1", state="Attached", managed_by="/x/vm")]))))


@pytest.mark.parametrize(("name", "tags"), [
    ("data-ASRReplica", {}),
    ("ms-asr-abc", {}),
    ("asrseeddisk-1", {}),
    ("d1", {"ASR-ReplicaDisk": "vm1-osdisk"}),
    ("pvc-1", {"kubernetes.io-created-for-pvc-name": "data-0"}),
    ("d2", {"RSVaultBackup": "vault1"}),
])
def test_detached_disk_not_flagged_when_it_is_an_asr_aks_or_backup_disk(name: str, tags: dict[str, str]) -> None:
    assert not list(unattached_disks(context(scan([a_disk(name, tags=tags)]))))


def test_old_snapshot_flagged_when_older_than_90_days() -> None:
    found = list(old_snapshots(context(scan([a_snapshot("s1", created="2026-04-01T00:00:00Z")]))))
    assert [f.rule for f in found] == ["DSK-3"]


def test_recent_snapshot_not_flagged_when_younger_than_90_days() -> None:
    assert not list(old_snapshots(context(scan([a_snapshot("s1")]))))


def test_premium_snapshot_priced_at_60_percent_when_on_premium_storage() -> None:
    snap = a_snapshot("s1", sku="Premium_LRS")
    found = list(premium_snapshots(context(scan([snap], cost_rows=cost_line(snap["id"], 1.0)))))
    assert [(f.rule, f.basis, f.monthly_savings) for f in found] == [("DSK-4", "estimate", 18.0)]


def test_standard_snapshot_not_flagged_when_on_standard_storage() -> None:
    assert not list(premium_snapshots(context(scan([a_snapshot("s1")]))))


def test_snapshot_flagged_when_its_source_disk_is_gone() -> None:
    assert [f.rule for f in orphaned_snapshots(context(scan([a_snapshot("s1")])))] == ["DSK-5"]


def test_snapshot_not_flagged_when_its_source_disk_exists() -> None:
    rows = [a_snapshot("s1"), a_disk("src", state="Attached", managed_by="/x/vm")]
    assert not list(orphaned_snapshots(context(scan(rows))))


def test_unattached_disk_says_since_when_and_what_it_cost_since_when_detached_in_the_window() -> None:
    disk = a_disk("d1")
    disk["properties"]["LastOwnershipUpdateTime"] = "2026-11-15T08:00:00Z"
    found = next(iter(unattached_disks(context(scan([disk], cost_rows=cost_line(disk["id"], 2.0))))))
    assert (found.evidence["detached_since"], found.evidence["cost_since_detached"]) == ("2026-11-15", 20.0)
