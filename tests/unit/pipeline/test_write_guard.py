"""Writers against the purge: a collector, an analysis or an export still running when the customer leaves
writes nothing that outlives the purge, and never brings the container back."""

from __future__ import annotations

from typing import Any

import pytest

from shared.analysis.model import ReportBundle, ScanInputs
from shared.collectors import Collected, CollectRequest
from shared.errors import Conflict
from shared.messages import AnalyseScan, CollectTask, ScanRequested
from shared.pipeline.analyse import analyse_scan
from shared.pipeline.collect import collect_task
from shared.pipeline.export import create_export
from shared.pipeline.offboard import request_offboarding
from shared.pipeline.plan import plan_scan
from shared.pipeline.purge import purge_customer
from shared.pipeline.scan import request_scan
from shared.storage.blobs import BlobStore, ContainerMissing
from tests.unit.fakes import CUSTOMER_ID, FakeAnalysis, MemoryContainer, World, make_world


def planned(world: World) -> tuple[str, list[CollectTask]]:
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "api")
    return scan_id, plan_scan(ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services)


def leave_and_run_first_pass(world: World) -> None:
    """The customer offboards and the purge's first pass runs to its end (tombstone, container gone)."""
    request_offboarding(world.services, CUSTOMER_ID, "customer")
    assert purge_customer(world.services, CUSTOMER_ID) is None


def racing_blobs(world: World) -> None:
    """Blobs whose every upload lets the purge lay its tombstone first (it has not deleted anything yet)."""
    services = world.services

    class Racing(MemoryContainer):
        def upload_blob(self, name: str, data: bytes, **kwargs: Any) -> None:
            services.tombstones.set(CUSTOMER_ID, services.clock())
            super().upload_blob(name, data, **kwargs)

    services.blobs = BlobStore(lambda cid: Racing(world.account, f"c-{cid}"), lambda: list(world.account))


def test_collector_in_flight_keeps_nothing_when_the_purge_ran_during_its_call() -> None:
    # given: a collector whose tenant answers only after the customer left and the first pass ran
    world = make_world()
    _, tasks = planned(world)

    def slow_collector(request: CollectRequest) -> Collected:
        leave_and_run_first_pass(world)
        return Collected(data={"rows": [1]}, row_count=1, api_versions={"fake": "1"})

    world.services.collectors = {**world.services.collectors, tasks[0].source: slow_collector}
    # when
    result = collect_task(tasks[0], world.services)
    # then: refused, completed (no retry), and the container stays gone
    assert result == "dropped"
    assert f"c-{CUSTOMER_ID}" not in world.account


def test_collector_removes_its_blob_when_the_purge_began_while_it_wrote() -> None:
    world = make_world()
    _, tasks = planned(world)
    racing_blobs(world)
    assert collect_task(tasks[0], world.services) == "dropped"
    assert world.account[f"c-{CUSTOMER_ID}"] == {}


def test_collector_raises_when_an_active_customer_has_no_container() -> None:
    world = make_world()
    _, tasks = planned(world)
    del world.account[f"c-{CUSTOMER_ID}"]  # a fault, not a departure: it must surface, not be dropped
    with pytest.raises(ContainerMissing):
        collect_task(tasks[0], world.services)
    assert f"c-{CUSTOMER_ID}" not in world.account


def analysing(world: World) -> str:
    scan_id, tasks = planned(world)
    for task in tasks:
        collect_task(task, world.services)
    assert world.scans.get(CUSTOMER_ID, scan_id).status == "analysing"
    return scan_id


def test_analysis_in_flight_keeps_no_report_when_the_purge_ran_during_the_model_call() -> None:
    # given: the model answers only after the customer left and the first pass ran
    world = make_world()
    scan_id = analysing(world)
    inner = FakeAnalysis()

    def slow_analysis(inputs: ScanInputs) -> ReportBundle:
        leave_and_run_first_pass(world)
        return inner(inputs)

    world.services.analyse = slow_analysis
    # when
    result = analyse_scan(AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services)
    # then: no report, no container, no e-mail, no audit line
    assert result == "dropped"
    assert f"c-{CUSTOMER_ID}" not in world.account
    assert not [e for e in world.outbox.sent if e.kind == "review_ready"]
    assert "scan_ended" not in [e["event"] for e in world.services.audit.events(CUSTOMER_ID)]


def test_analysis_removes_every_report_file_when_the_purge_began_while_it_wrote() -> None:
    world = make_world()
    scan_id = analysing(world)
    racing_blobs(world)
    assert analyse_scan(AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services) == "dropped"
    assert not [n for n in world.account[f"c-{CUSTOMER_ID}"] if n.startswith("reports/")]


def test_export_is_refused_when_the_customer_is_leaving() -> None:
    world = make_world(state="offboarding")
    with pytest.raises(Conflict):
        create_export(world.services, world.customers.get(CUSTOMER_ID))
    assert world.account[f"c-{CUSTOMER_ID}"] == {}


def test_export_is_removed_when_the_purge_began_while_it_was_stored() -> None:
    world = make_world()
    customer = world.customers.get(CUSTOMER_ID)
    racing_blobs(world)
    with pytest.raises(Conflict):
        create_export(world.services, customer)
    assert not [n for n in world.account[f"c-{CUSTOMER_ID}"] if n.startswith("exports/")]


def test_blobs_carry_the_tag_of_their_kind_when_written() -> None:
    world = make_world()
    containers: list[MemoryContainer] = []

    def tracked(cid: str) -> MemoryContainer:
        containers.append(MemoryContainer(world.account, f"c-{cid}"))
        return containers[-1]

    world.services.blobs = BlobStore(tracked, lambda: list(world.account))
    blobs = world.services.blobs.for_customer(CUSTOMER_ID)
    blobs.put_raw("s1", "aaaaaaaa-0000-0000-0000-000000000001", "cost", b"raw")
    blobs.put_report("s1", "report.json", b"{}", "application/json")
    blobs.put_export("f" * 32, b"zip")
    tags = {name: t["caleta-data"] for c in containers for name, t in c.tags.items()}
    assert sorted(tags.values()) == ["export", "raw", "report"]
