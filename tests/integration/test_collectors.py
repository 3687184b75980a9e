"""Each collector against the simulated tenant with the real SDK clients: paging, quotas, 403, revocation,
the write enforcement point; and the scan store's ETag fan-in and the customer blobs on Azurite."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, cast

import pytest
from azure.core.rest import HttpRequest
from azure.data.tables import TableServiceClient
from azure.storage.blob import BlobServiceClient

from local.certs import CertPaths
from local.memtable import MemoryTable
from local.simulator import SimOptions, Simulator
from shared.arm import ARM_SCOPE, advisor_client, cost_management_client, resource_graph_client
from shared.collectors import CollectRequest, advisor, cost, cost_config, resource_graph
from shared.collectors.graph_turns import GraphTurnsFor
from shared.collectors.quota import LIMITS, QpuLedger
from shared.errors import AccessDenied, ArmWriteRefused, NotFound
from shared.messages import SOURCES, AnalyseScan, ScanRequested
from shared.pipeline.collect import collect_task
from shared.pipeline.complete import record_outcome
from shared.pipeline.plan import plan_scan
from shared.pipeline.scan import request_scan
from shared.storage.blobs import BlobStore, ContainerMissing, container_name
from shared.storage.quota import principal_row
from shared.storage.scans import ScanStore
from tests.integration.sim_fixtures import CONTOSO, PROD, READER, SMALL_ESTATE, secret_credential
from tests.tokens import UnsignedToken
from tests.unit.fakes import CUSTOMER_ID, a_customer, make_world

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

TIME_SCALE = 0.2  # the simulator's Cost Management windows shrink fivefold: 12 QPU per 2 s, 60 per 12 s
SCALED_LIMITS = tuple((window * TIME_SCALE, cap) for window, cap in LIMITS)
UNLIMITED = ((1.0, 10_000), (2.0, 10_000), (3.0, 10_000))


@pytest.fixture(scope="module")
def tenant(certs: CertPaths) -> Iterator[Simulator]:
    options = SimOptions(time_scale=TIME_SCALE, cost_page_size=50, advisor_page_size=1)
    sim = Simulator(SMALL_ESTATE, certs, options=options).start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def sim(tenant: Simulator) -> Iterator[Simulator]:
    tenant.reset()
    yield tenant
    tenant.reset()


@pytest.fixture(scope="module")
def tables(azurite: Any, certs: CertPaths) -> TableServiceClient:
    return TableServiceClient(azurite.table_endpoint, credential=UnsignedToken(), connection_verify=str(certs.bundle))


def fresh_table(tables: TableServiceClient) -> Any:
    return tables.create_table(f"t{uuid.uuid4().hex[:16]}")


def arm_kwargs(sim: Simulator, certs: CertPaths) -> dict[str, Any]:
    return {"base_url": sim.base_url, "connection_verify": str(certs.ca), "retry_total": 0}


def request_for(sim: Simulator, certs: CertPaths, subscription_id: str = PROD) -> CollectRequest:
    credential = secret_credential(sim, certs, CONTOSO, READER[0], READER[1])
    return CollectRequest(scan_id="s1", subscription_id=subscription_id, tenant_id=CONTOSO, credential=credential)


def cost_calls(sim: Simulator) -> list[Any]:
    return [r for r in sim.request_log if "Microsoft.CostManagement/query" in r.path]


def test_resource_graph_reads_every_page_when_pages_are_small(sim: Simulator, certs: CertPaths) -> None:
    request = request_for(sim, certs)
    client = resource_graph_client(request.credential, **arm_kwargs(sim, certs))
    collected = resource_graph.collect(request, client=client, page_size=2)
    assert len(collected.data["resources"]) == 5
    subscription = [c for c in collected.data["resource_containers"]
                    if c["type"] == "microsoft.resources/subscriptions"]
    assert subscription and subscription[0]["properties"]["subscriptionPolicies"]["quotaId"]
    assert sum(1 for r in sim.request_log if "ResourceGraph" in r.path) >= 4


def inventories_at_once(sim: Simulator, certs: CertPaths, principal: str = "",
                        turns_for: GraphTurnsFor | None = None) -> list[int]:
    """Three Resource Graph collections at one row per page, in three threads: the row count each read."""
    results: list[int] = []

    def run() -> None:
        request = replace(request_for(sim, certs), principal=principal)
        client = resource_graph_client(request.credential, **arm_kwargs(sim, certs))
        results.append(resource_graph.collect(request, client=client, page_size=1, turns_for=turns_for).row_count)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    return results


def test_resource_graph_collections_finish_under_the_principals_quota_when_they_run_together(
        sim: Simulator, certs: CertPaths) -> None:
    # given: three collections at one row per page: more queries than the 15 per 5 s the principal gets
    # when
    started = time.monotonic()
    results = inventories_at_once(sim, certs)
    # then: all finished with the same inventory, having been held back by the quota (the 16th query
    # cannot start before the first leaves its 5-second window)
    graph = [r for r in sim.request_log if "ResourceGraph" in r.path]
    assert len(results) == 3 and len(set(results)) == 1
    assert len(graph) > 15 and time.monotonic() - started >= 4.0


def test_resource_graph_collections_meet_no_429_when_they_take_turns_in_the_principals_ledger(
        sim: Simulator, certs: CertPaths, tables: TableServiceClient) -> None:
    # given: the same three collections, each taking the principal's turn in one ledger table on Azurite
    turns_for = GraphTurnsFor(fresh_table(tables))
    # when
    results = inventories_at_once(sim, certs, principal_row(CONTOSO, READER[0]), turns_for)
    # then: all finished, more queries than one window allows went out, and none was answered 429
    graph = [r for r in sim.request_log if "ResourceGraph" in r.path]
    assert len(results) == 3 and len(set(results)) == 1 and len(graph) > 15
    assert "resource_graph" not in cast(dict[str, int], sim.stats()["throttled"])


def test_cost_reads_every_page_of_every_step_when_pages_are_small(sim: Simulator, certs: CertPaths) -> None:
    # given: no subscription may read every resource's days (the summary steps)
    request = request_for(sim, certs)
    client = cost_management_client(request.credential, **arm_kwargs(sim, certs))
    collected = cost.collect(request, history_days=90, client=client, arm_endpoint=sim.base_url,
                             budget=QpuLedger(MemoryTable(), limits=SCALED_LIMITS), every_day_max_pages=0)
    sections = collected.data["sections"]
    daily, totals = sections["daily"], sections["totals"]
    at = {c["name"]: i for i, c in enumerate(daily["columns"])}
    keys = {(r[at["UsageDate"]], r[at["MeterCategory"]]) for r in daily["rows"]}
    assert len(keys) == len(daily["rows"]) > 50  # one row per day and category, every day of the window
    at = {c["name"]: i for i, c in enumerate(totals["columns"])}
    assert len({(r[at["ResourceId"]], r[at["MeterCategory"]]) for r in totals["rows"]}) == len(totals["rows"]) > 0
    assert collected.data["currency"] == "GBP"
    steps = collected.data["steps"]
    assert any(v["pages"] > 1 for v in steps.values())  # pages of 50 rows: some steps span several
    assert len(cost_calls(sim)) == sum(v["pages"] for v in steps.values())  # every page read once


def test_cost_reads_every_page_of_every_resources_days_when_pages_are_small(sim: Simulator,
                                                                           certs: CertPaths) -> None:
    # given: a small subscription, read every day
    request = request_for(sim, certs)
    client = cost_management_client(request.credential, **arm_kwargs(sim, certs))
    collected = cost.collect(request, history_days=90, client=client, arm_endpoint=sim.base_url,
                             budget=QpuLedger(MemoryTable(), limits=SCALED_LIMITS))
    days = collected.data["sections"]["resource_days"]
    at = {c["name"]: i for i, c in enumerate(days["columns"])}
    keys = {(r[at["UsageDate"]], r[at["ResourceId"]], r[at["MeterCategory"]]) for r in days["rows"]}
    assert len(keys) == len(days["rows"]) > 50  # one row per day, resource and category
    assert "daily" not in collected.data["sections"]
    steps = collected.data["steps"]
    assert any(v["pages"] > 1 for name, v in steps.items() if name.startswith("resource_days:"))  # pages of 50 rows
    assert len(cost_calls(sim)) == sum(v["pages"] for v in steps.values())  # every page read once


def test_advisor_reads_every_page_of_cost_recommendations_when_pages_hold_one(sim: Simulator,
                                                                              certs: CertPaths) -> None:
    request = request_for(sim, certs)
    client = advisor_client(request.credential, PROD, **arm_kwargs(sim, certs))
    collected = advisor.collect(request, client=client)
    recs = collected.data["recommendations"]
    assert collected.row_count >= 2
    assert all(r["properties"]["category"] == "Cost" for r in recs)
    assert all("suppressionIds" in r["properties"] for r in recs)
    assert sum(1 for r in sim.request_log if "Microsoft.Advisor" in r.path) >= collected.row_count


def test_concurrent_cost_collections_stay_under_the_tenant_quota_when_they_share_a_ledger(
        sim: Simulator, certs: CertPaths, tables: TableServiceClient) -> None:
    # given: three collections of one tenant on two "instances" (two ledgers over one Azurite table)
    table = fresh_table(tables)
    ledgers = [QpuLedger(table, limits=SCALED_LIMITS), QpuLedger(table, limits=SCALED_LIMITS)]
    results: list[int] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        request = request_for(sim, certs)
        # Sign in first: a token fetch inside the first query would delay its arrival past its grant.
        request.credential.get_token(ARM_SCOPE)
        client = cost_management_client(request.credential, **arm_kwargs(sim, certs))
        try:
            results.append(cost.collect(request, history_days=90, client=client, budget=ledgers[i % 2],
                                        arm_endpoint=sim.base_url).row_count)
        except BaseException as exc:  # reported below
            errors.append(exc)

    # when
    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=90)
    # then: every collection finished, the same rows each time, and the tenant never saw a 429
    assert not errors and len(results) == 3 and len(set(results)) == 1
    assert not any(r.status == 429 for r in cost_calls(sim))
    assert len(cost_calls(sim)) > 12  # more than one window's worth: the budget really was shared


def test_cost_waits_out_the_qpu_retry_after_when_nothing_paces_it(sim: Simulator, certs: CertPaths) -> None:
    results: list[int] = []

    def run() -> None:
        request = request_for(sim, certs)
        client = cost_management_client(request.credential, **arm_kwargs(sim, certs))
        results.append(cost.collect(request, history_days=90, client=client, arm_endpoint=sim.base_url,
                                    budget=QpuLedger(MemoryTable(), limits=UNLIMITED, hard_limits=UNLIMITED)).row_count)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=90)
    assert len(results) == 3 and len(set(results)) == 1
    assert any(r.status == 429 for r in cost_calls(sim))


def test_cost_and_advisor_raise_access_denied_when_the_roles_are_removed(sim: Simulator, certs: CertPaths) -> None:
    for role in ("Reader", "Cost Management Reader"):
        sim.remove_role(CONTOSO, READER[2], role)
    request = request_for(sim, certs)
    with pytest.raises(AccessDenied):
        cost.collect(request, history_days=90, arm_endpoint=sim.base_url,
                     client=cost_management_client(request.credential, **arm_kwargs(sim, certs)),
                     budget=QpuLedger(MemoryTable()))
    with pytest.raises(AccessDenied):
        advisor.collect(request, client=advisor_client(request.credential, PROD, **arm_kwargs(sim, certs)))


def test_revocation_mid_scan_fails_the_rest_and_marks_the_customer_when_the_principal_is_disabled(
        sim: Simulator, certs: CertPaths) -> None:
    # given: a scan over fakes for storage, the real collectors and credential against the simulated tenant
    world = make_world(with_customer=False)
    world.add_customer(a_customer(CUSTOMER_ID, tenant=CONTOSO, subscriptions=(PROD,)))
    world.credentials.credential = secret_credential(sim, certs, CONTOSO, READER[0], READER[1])
    kw = arm_kwargs(sim, certs)
    world.services.collectors = {
        "resource-graph": lambda r: resource_graph.collect(r, client=resource_graph_client(r.credential, **kw)),
        "cost": lambda r: cost.collect(r, history_days=90, client=cost_management_client(r.credential, **kw),
                                       budget=QpuLedger(MemoryTable()), arm_endpoint=sim.base_url),
        "advisor": lambda r: advisor.collect(r, client=advisor_client(r.credential, r.subscription_id, **kw)),
        "cost-config": lambda r: cost_config.collect(r, client=cost_management_client(r.credential, **kw)),
    }
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    tasks = {t.source: t for t in plan_scan(ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id),
                                            world.services)}
    assert collect_task(tasks["resource-graph"], world.services) == "succeeded"
    # when: the customer disables the principal between two tasks
    sim.revoke(CONTOSO, READER[0])
    results = [collect_task(tasks[source], world.services) for source in ("cost", "advisor", "cost-config")]
    # then
    assert results == ["failed", "failed", "failed"]
    assert world.customers.get(CUSTOMER_ID).state == "access_revoked"
    scan = world.services.scans.get(CUSTOMER_ID, scan_id)
    assert scan.status == "analysing" and len(world.bus.of(AnalyseScan)) == 1
    assert sum(1 for r in sim.request_log if "Microsoft.Advisor" in r.path) == 0


def test_a_write_never_leaves_the_process_when_a_collector_client_attempts_one(sim: Simulator,
                                                                               certs: CertPaths) -> None:
    request = request_for(sim, certs)
    client = cost_management_client(request.credential, **arm_kwargs(sim, certs))
    with pytest.raises(ArmWriteRefused):
        client.send_request(HttpRequest("DELETE", f"/subscriptions/{PROD}/resourceGroups/rg-web-prod"
                                                  "?api-version=2021-04-01"))
    with pytest.raises(ArmWriteRefused):
        client.send_request(HttpRequest("POST", f"/subscriptions/{PROD}/providers/Microsoft.Advisor/"
                                                "generateRecommendations?api-version=2020-01-01"))
    assert all(r.method in ("GET", "POST") for r in sim.request_log)
    assert not any("generateRecommendations" in r.path or "resourceGroups/rg-web-prod?" in r.path
                   for r in sim.request_log)
    assert sim.refused_writes == 0


def test_analysis_is_requested_once_when_workers_race_on_azurite(tables: TableServiceClient) -> None:
    # given: the real Table service (Azurite) under the scan store, every completion delivered twice
    world = make_world(*(f"aaaaaaaa-0000-0000-0000-00000000000{i}" for i in range(1, 5)))
    world.services.scans = ScanStore(fresh_table(tables), clock=world.clock)
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    work = plan_scan(ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services) * 2
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not work:
                    return
                t = work.pop()
            record_outcome(world.services, CUSTOMER_ID, scan_id, t.subscription_id, t.source, "succeeded")

    # when
    threads = [threading.Thread(target=worker) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    # then
    assert len(world.bus.of(AnalyseScan)) == 1
    scan = world.services.scans.get(CUSTOMER_ID, scan_id)
    tasks = 4 * len(SOURCES)
    assert (scan.status, scan.progress) == ("analysing", f"{tasks} of {tasks}")


def test_customer_blobs_round_trip_in_the_customers_own_container_on_azurite(azurite: Any, certs: CertPaths) -> None:
    service = BlobServiceClient(azurite.blob_endpoint, credential=UnsignedToken(), connection_verify=str(certs.bundle))
    customer_id = uuid.uuid4().hex
    store = BlobStore(lambda cid: service.get_container_client(container_name(cid)), lambda: ())
    store.create_container(customer_id)  # onboarding creates it; nothing else does
    blobs = store.for_customer(customer_id)
    blobs.put_raw("0123abcd", PROD, "cost", b"\x1f\x8bdata")
    blobs.put_raw("0123abcd", PROD, "cost", b"\x1f\x8bdata2")  # a redelivery overwrites
    blobs.put_report("0123abcd", "report.json", b"{}", "application/json")
    assert blobs.get_raw("0123abcd", PROD, "cost") == b"\x1f\x8bdata2"
    assert blobs.get_report("0123abcd", "report.json") == b"{}"
    assert blobs.list_names() == ["raw/0123abcd/" + PROD + "/cost.json.gz", "reports/0123abcd/report.json"]
    assert service.get_container_client(f"c-{customer_id}").exists()
    with pytest.raises(NotFound):
        blobs.get_report("0123abcd", "report.html")


def test_replanning_on_azurite_keeps_finished_outcomes_when_a_batch_meets_existing_rows(
        tables: TableServiceClient) -> None:
    store = ScanStore(fresh_table(tables))
    store.create(CUSTOMER_ID, "01a2", [PROD], "manual")
    pairs = [(f"{i:08d}-0000-0000-0000-000000000000", s) for i in range(70) for s in ("cost", "advisor")]
    store.ensure_tasks(CUSTOMER_ID, "01a2", pairs)
    store.finish_task(CUSTOMER_ID, "01a2", pairs[0][0], "cost", "succeeded", None)
    store.ensure_tasks(CUSTOMER_ID, "01a2", pairs)  # a redelivered plan: the first batch of 100 meets a row
    tasks = store.tasks(CUSTOMER_ID, "01a2")
    assert len(tasks) == 140 and sum(t.outcome == "succeeded" for t in tasks) == 1
    assert store.has_pending(CUSTOMER_ID, "01a2")


def test_raw_blobs_carry_the_lifecycle_backstop_tag_when_written_on_azurite(azurite: Any, certs: CertPaths) -> None:
    # given: the infra lifecycle rules select by this tag: raw data and exports expire, reports never do
    service = BlobServiceClient(azurite.blob_endpoint, credential=UnsignedToken(), connection_verify=str(certs.bundle))
    customer_id = uuid.uuid4().hex
    store = BlobStore(lambda cid: service.get_container_client(container_name(cid)),
                      lambda: (c.name for c in service.list_containers(name_starts_with="c-")))
    store.create_container(customer_id)  # onboarding
    blobs = store.for_customer(customer_id)
    # when
    raw = blobs.put_raw("0123abcd", PROD, "advisor", b"\x1f\x8bdata")
    report = blobs.put_report("0123abcd", "report.json", b"{}", "application/json")
    export = blobs.put_export("f" * 32, b"zip")
    # then
    container = service.get_container_client(f"c-{customer_id}")
    assert container.get_blob_client(raw).get_blob_tags() == {"caleta-data": "raw"}
    assert container.get_blob_client(report).get_blob_tags() == {"caleta-data": "report"}
    assert container.get_blob_client(export).get_blob_tags() == {"caleta-data": "export"}
    assert customer_id in store.customer_ids()


def test_a_write_after_the_purge_is_refused_and_never_recreates_the_container_on_azurite(azurite: Any,
                                                                                         certs: CertPaths) -> None:
    # given: a customer whose container the purge has deleted
    service = BlobServiceClient(azurite.blob_endpoint, credential=UnsignedToken(), connection_verify=str(certs.bundle))
    customer_id = uuid.uuid4().hex
    store = BlobStore(lambda cid: service.get_container_client(container_name(cid)), lambda: ())
    store.create_container(customer_id)
    store.create_container(customer_id)  # idempotent
    blobs = store.for_customer(customer_id)
    blobs.put_raw("0123abcd", PROD, "advisor", b"early")
    blobs.delete_all()
    # when / then: a late collector and a late analysis write after it
    with pytest.raises(ContainerMissing):
        blobs.put_raw("0123abcd", PROD, "cost", b"late")
    with pytest.raises(ContainerMissing):
        blobs.put_report("0123abcd", "report.json", b"{}", "application/json")
    assert not service.get_container_client(container_name(customer_id)).exists()
