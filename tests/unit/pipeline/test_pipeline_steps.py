"""Collect, analyse and watchdog steps over fakes: permanent vs transient failures, idempotent reports, never stuck."""

from __future__ import annotations

import json

import azure.functions as func
import pytest

from functions.pipeline import parse
from shared.errors import AccessDenied, InvalidInput, NotCollectable, TransientError
from shared.messages import SOURCES, AnalyseScan, CollectTask, ScanRequested
from shared.pipeline.analyse import analyse_scan, build_inputs
from shared.pipeline.collect import collect_task
from shared.pipeline.plan import plan_scan
from shared.pipeline.scan import request_scan
from shared.pipeline.watchdog import sweep
from shared.rawdata import decode
from shared.services import use_services
from tests.unit.fakes import CUSTOMER_ID, World, make_world

SUB_A = "aaaaaaaa-0000-0000-0000-000000000001"
SUB_B = "aaaaaaaa-0000-0000-0000-000000000002"


def planned(world: World) -> tuple[str, list[CollectTask]]:
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    return scan_id, plan_scan(ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services)


def test_collect_writes_the_envelope_and_succeeds_when_the_source_answers():
    world = make_world(SUB_A)
    scan_id, tasks = planned(world)
    assert collect_task(tasks[0], world.services) == "succeeded"
    blob = world.blobs[(CUSTOMER_ID, f"raw/{scan_id}/{SUB_A}/{tasks[0].source}.json.gz")]
    envelope = decode(blob)
    assert (envelope.source, envelope.row_count, envelope.subscription_id) == (tasks[0].source, 2, SUB_A)


def test_sign_in_refused_fails_the_task_and_revokes_the_customer_without_retry():
    # given
    world = make_world(SUB_A)
    scan_id, tasks = planned(world)
    cost = next(t for t in tasks if t.source == "cost")
    world.collectors["cost"].fail = AccessDenied("sign-in refused (AADSTS7000112): principal disabled", code="aadsts")
    # when
    result = collect_task(cost, world.services)
    # then
    assert result == "failed"
    task = world.services.scans.task(CUSTOMER_ID, scan_id, SUB_A, "cost")
    assert (task.outcome, task.reason) == ("failed", "sign-in refused (AADSTS7000112): principal disabled")
    revoked = world.customers.get(CUSTOMER_ID)
    assert (revoked.state, revoked.state_reason) == ("access_revoked", task.reason)


def test_one_subscriptions_denial_fails_its_task_without_retry_and_the_customer_stays_active():
    # given: ARM refuses the cost query of one subscription (audit B5: not revocation)
    world = make_world(SUB_A, SUB_B)
    scan_id, tasks = planned(world)
    world.collectors["cost"].fail = AccessDenied("the principal may not read this subscription's costs "
                                                 "(AuthorizationFailed)", code="AuthorizationFailed")
    # when: every task runs
    results = [collect_task(t, world.services) for t in tasks]
    # then: the two cost tasks failed with the reason, the rest succeeded, the customer is still active
    assert results.count("failed") == 2 and results.count("succeeded") == 2 * (len(SOURCES) - 1)
    task = world.services.scans.task(CUSTOMER_ID, scan_id, SUB_A, "cost")
    assert (task.outcome, "AuthorizationFailed" in (task.reason or "")) == ("failed", True)
    assert world.customers.get(CUSTOMER_ID).state == "active"


def test_the_customer_is_revoked_when_every_subscription_refused_the_principal():
    # given: every source of every subscription answers 403
    world = make_world(SUB_A, SUB_B)
    scan_id, tasks = planned(world)
    for collector in world.collectors.values():
        collector.fail = AccessDenied("access denied for this subscription (HTTP 403 AuthorizationFailed)",
                                      code="AuthorizationFailed")
    # when
    results = [collect_task(t, world.services) for t in tasks]
    # then: the scan failed and, as nothing could be read anywhere, the customer is access_revoked
    assert results == ["failed"] * 2 * len(SOURCES)
    assert world.services.scans.get(CUSTOMER_ID, scan_id).status == "failed"
    revoked = world.customers.get(CUSTOMER_ID)
    assert (revoked.state, revoked.state_reason) == ("access_revoked", "every subscription refused the principal")


def test_later_tasks_fail_fast_when_access_was_revoked_mid_scan():
    world = make_world(SUB_A)
    _, tasks = planned(world)
    world.customers.transition(CUSTOMER_ID, {"active"}, "access_revoked", "403")
    assert [collect_task(t, world.services) for t in tasks] == ["failed"] * len(SOURCES)
    assert all(not c.calls for c in world.collectors.values())


def test_transient_failure_raises_and_leaves_the_task_pending_when_the_source_is_down():
    world = make_world(SUB_A)
    scan_id, tasks = planned(world)
    world.collectors["advisor"].fail = TransientError("HTTP 503")
    advisor = next(t for t in tasks if t.source == "advisor")
    with pytest.raises(TransientError):
        collect_task(advisor, world.services)
    assert world.services.scans.task(CUSTOMER_ID, scan_id, SUB_A, "advisor").outcome == "pending"


def test_tasks_are_dropped_when_the_customer_is_offboarding():
    world = make_world(SUB_A)
    _, tasks = planned(world)
    world.customers.transition(CUSTOMER_ID, {"active"}, "offboarding", "asked")
    assert collect_task(tasks[0], world.services) == "dropped"
    assert world.blobs == {}


def collected_and_failed(world: World) -> str:
    scan_id, tasks = planned(world)
    world.collectors["cost"].fail = NotCollectable("no cost data for this offer")
    for t in tasks:
        collect_task(t, world.services)
    return scan_id


def test_analysis_writes_three_reports_and_ends_partial_when_a_task_failed():
    # given
    world = make_world(SUB_A, SUB_B)
    scan_id = collected_and_failed(world)
    # when
    status = analyse_scan(AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services)
    # then
    assert status == "partial"
    names = {n for (_, n) in world.blobs if n.startswith("reports/")}
    assert names == {f"reports/{scan_id}/{n}" for n in ("report.json", "report.html", "findings.csv")}
    inputs = world.analysis.inputs[0]
    assert {s.subscription_id: sorted(s.raw) for s in inputs.subscriptions} == {
        SUB_A: ["advisor", "cost-config", "resource-graph"], SUB_B: ["advisor", "cost-config", "resource-graph"]}
    assert inputs.subscriptions[0].missing == {"cost": "no cost data for this offer"}
    scan = world.services.scans.get(CUSTOMER_ID, scan_id)
    assert scan.reports == ("report.json", "report.html", "findings.csv")


def test_duplicate_analysis_is_a_no_op_when_the_scan_is_already_complete():
    world = make_world(SUB_A)
    scan_id, tasks = planned(world)
    for t in tasks:
        collect_task(t, world.services)
    message = AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id)
    assert analyse_scan(message, world.services) == "complete"
    assert analyse_scan(message, world.services) == "complete"
    assert len(world.analysis.inputs) == 1


def test_redelivered_analysis_renders_the_same_bytes_when_still_analysing():
    world = make_world(SUB_A)
    scan_id, tasks = planned(world)
    for t in tasks:
        collect_task(t, world.services)
    scan = world.services.scans.get(CUSTOMER_ID, scan_id)
    first = world.services.analyse(build_inputs(scan, "Example Ltd", world.services.blobs.for_customer(CUSTOMER_ID)))
    world.clock.advance(minutes=5)
    analyse_scan(AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services)
    assert world.blobs[(CUSTOMER_ID, f"reports/{scan_id}/report.json")] == first.report_json


def test_watchdog_ends_lost_tasks_and_requests_a_partial_report_when_collection_stalls():
    # given: one task's message was lost (never delivered)
    world = make_world(SUB_A)
    scan_id, tasks = planned(world)
    for t in tasks[1:]:
        collect_task(t, world.services)
    # when
    world.clock.advance(minutes=61)
    counts = sweep(world.services)
    # then
    assert counts["lost_tasks"] == 1
    assert world.services.scans.get(CUSTOMER_ID, scan_id).status == "analysing"
    assert len(world.bus.of(AnalyseScan)) == 1
    assert analyse_scan(AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services) == "partial"


def test_watchdog_leaves_scans_alone_when_they_are_still_making_progress():
    world = make_world(SUB_A)
    planned(world)
    world.clock.advance(minutes=30)
    assert sum(sweep(world.services).values()) == 0


def test_watchdog_fails_the_scan_when_it_was_never_planned():
    world = make_world(SUB_A)
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    world.clock.advance(minutes=61)
    sweep(world.services)
    assert world.services.scans.get(CUSTOMER_ID, scan_id).status == "failed"


def test_watchdog_resends_analysis_with_the_same_id_then_gives_up_when_it_never_completes():
    world = make_world(SUB_A)
    scan_id, tasks = planned(world)
    for t in tasks:
        collect_task(t, world.services)
    for _ in range(4):
        world.clock.advance(minutes=61)
        sweep(world.services)
    sent = world.bus.of(AnalyseScan)
    assert len(sent) == 1 + world.services.max_analyse_sends
    assert {m.message_id() for m in sent} == {f"analyse:{scan_id}"}
    assert world.services.scans.get(CUSTOMER_ID, scan_id).status == "failed"


def test_unreadable_message_raises_invalid_input_when_the_body_is_not_json():
    with pytest.raises(InvalidInput):
        parse(func.ServiceBusMessage(body=b"\x00not json"), CollectTask)


def test_unknown_schema_version_raises_invalid_input_when_a_newer_sender_wrote_it():
    body = b'{"schema_version": 2, "customer_id": "x", "scan_id": "y!"}'
    with pytest.raises(InvalidInput) as caught:
        parse(func.ServiceBusMessage(body=body), AnalyseScan)
    assert caught.value.fields == {"message": "unknown schema version"}


def test_unreadable_message_fails_its_scan_when_the_body_still_names_it():
    # given: a scan in flight, then a message for it from an unknown (newer) schema
    world = make_world(SUB_A)
    scan_id, _ = planned(world)
    body = json.dumps({"schema_version": 9, "customer_id": CUSTOMER_ID, "scan_id": scan_id}).encode()
    # when
    with use_services(world.services), pytest.raises(InvalidInput):
        parse(func.ServiceBusMessage(body=body), CollectTask)
    # then: the scan ends instead of waiting for a task that will only ever dead-letter
    scan = world.services.scans.get(CUSTOMER_ID, scan_id)
    assert (scan.status, scan.reason) == ("failed", "a pipeline message could not be read (unknown schema version)")
