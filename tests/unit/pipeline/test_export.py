"""Export archive and audit log on in-memory stores."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from local.memtable import MemoryTable
from shared.ids import customer_hash
from shared.pipeline.export import build_zip, create_export, get_export
from shared.storage.audit import AuditLog
from shared.storage.blobs import CustomerBlobs
from shared.storage.certificates import CertificateStore, DeletionCertificate
from tests.unit.fakes import MemoryContainer, a_customer, make_world

CID = "a" * 32
NOW = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def archive() -> zipfile.ZipFile:
    account = {f"c-{CID}": {"raw/s1/sub/cost.json.gz": b"raw", "reports/s1/report.json": b"{}",
                            "exports/old.zip": b"zip"},
               f"c-{'b' * 32}": {"raw/s9/sub/cost.json.gz": b"other"}}
    data = build_zip(a_customer(CID), [{"scan_id": "s1", "status": "complete"}],
                     [{"event": "export", "at": "t", "details": {}}],
                     CustomerBlobs(CID, MemoryContainer(account, f"c-{CID}")), NOW)
    return zipfile.ZipFile(io.BytesIO(data))


def test_export_zip_holds_record_scans_audit_and_blobs_when_built() -> None:
    names = set(archive().namelist())
    assert names == {"customer.json", "scans/s1.json", "audit.json", "blobs/raw/s1/sub/cost.json.gz",
                     "blobs/reports/s1/report.json", "manifest.json"}


def test_export_zip_leaves_out_earlier_exports_when_built() -> None:
    assert not any(n.startswith("blobs/exports/") for n in archive().namelist())


def test_export_customer_record_has_no_key_hash_when_built() -> None:
    record = json.loads(archive().read("customer.json"))
    assert record["customer_id"] == CID and "api_key_sha256" not in record


def test_export_is_stored_in_the_customers_container_and_read_back_when_created() -> None:
    # given
    world = make_world()
    customer = world.customers.get(world.customers.list_all()[0].customer_id)
    # when
    accepted = create_export(world.services, customer)
    # then
    assert accepted.status == "ready" and accepted.href.endswith(f"/export/{accepted.export_id}")
    data = get_export(world.services, customer.customer_id, accepted.export_id)
    assert "customer.json" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert [e["event"] for e in world.services.audit.events(customer.customer_id)] == ["export"]


def test_audit_event_round_trips_with_details_when_recorded() -> None:
    log = AuditLog(MemoryTable(), clock=lambda: NOW)
    log.record(CID, "export", {"export_id": "e1"})
    assert log.events(CID) == [{"event": "export", "at": NOW.isoformat(), "details": {"export_id": "e1"}}]


def test_audit_refuses_unknown_event_when_recorded() -> None:
    with pytest.raises(ValueError):
        AuditLog(MemoryTable()).record(CID, "looked_at_costs")


def test_certificate_kept_as_first_issued_when_issued_twice() -> None:
    store = CertificateStore(MemoryTable())
    cert = DeletionCertificate("f" * 32, customer_hash(CID), "r", "d", "c1", {"blobs": 2}, {"blobs": 0})
    assert store.issue(cert) is True
    assert store.issue(DeletionCertificate("f" * 32, "h", "r", "d", "c2", {}, {})) is False
    stored = store.get("f" * 32)
    assert stored.completed_at == "c1" and stored.to_dict()["verification"]["result"] == "nothing found"
