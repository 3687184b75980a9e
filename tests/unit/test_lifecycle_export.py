"""Export archive and audit log on in-memory stores."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from shared import audit
from shared.pipeline.certificates import DeletionCertificate, get_certificate, issue
from shared.pipeline.export import build_zip
from tests.unit.lifecycle_fakes import Container, Table, customer

CID = "a" * 32
NOW = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def archive() -> zipfile.ZipFile:
    account = {f"c-{CID}": {"raw/s1/sub/cost.json.gz": b"raw", "reports/s1/report.json": b"{}",
                            "exports/old.zip": b"zip"},
               f"c-{'b' * 32}": {"raw/s9/sub/cost.json.gz": b"other"}}
    data = build_zip(customer(CID), [{"scan_id": "s1", "status": "complete"}],
                     [{"event": "export", "at": "t", "details": {}}], Container(account, f"c-{CID}"), NOW)
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


def test_audit_event_round_trips_with_details_when_recorded() -> None:
    table = Table()
    audit.record(CID, "export", {"export_id": "e1"}, store=table, clock=lambda: NOW)
    assert audit.events(CID, store=table) == [{"event": "export", "at": NOW.isoformat(),
                                               "details": {"export_id": "e1"}}]


def test_audit_refuses_unknown_event_when_recorded() -> None:
    with pytest.raises(ValueError):
        audit.record(CID, "looked_at_costs", store=Table())


def test_certificate_kept_as_first_issued_when_issued_twice() -> None:
    table = Table()
    cert = DeletionCertificate("f" * 32, audit.customer_hash(CID), "r", "d", "c1", {"blobs": 2}, {"blobs": 0})
    assert issue(cert, store=table) is True
    assert issue(DeletionCertificate("f" * 32, "h", "r", "d", "c2", {}, {}), store=table) is False
    stored = get_certificate("f" * 32, store=table)
    assert stored.completed_at == "c1" and stored.to_dict()["verification"]["result"] == "nothing found"
