"""Every trigger on its happy path, with fake services: real binding objects, the functions as indexed.

STYLE §24: `use_services(fake)` then `FunctionBuilder.build().get_user_function()(binding)`; the fakes record
what each trigger did (messages published, rows written, e-mails sent).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import azure.functions as func
import pytest
from azure.functions.decorators.function_app import FunctionBuilder
from azure.functions.timer import TimerRequest

from functions import admin, customers, lifecycle, onboarding, pipeline, web
from shared.messages import SOURCES, AnalyseScan, CollectTask, PurgeCustomer, ScanRequested
from shared.pipeline.principal_roles import COST_MANAGEMENT_READER, READER
from shared.redaction import redact, subscription_tag
from shared.services import use_services
from tests.unit.fakes import API_KEY, CUSTOMER_ID, SUB, World, make_world
from tests.unit.functions.conftest import AdminHeaders

FUNCTIONS = {b.build().get_function_name(): b.build() for m in (admin, customers, lifecycle, onboarding,
                                                                 pipeline, web)
             for b in vars(m).values() if isinstance(b, FunctionBuilder)}


def call(name: str, binding: Any) -> Any:
    return FUNCTIONS[name].get_user_function()(binding)


def http(method: str, route: dict[str, str] | None = None, body: bytes = b"", key: str | None = API_KEY,
         headers: dict[str, str] | None = None, params: dict[str, str] | None = None) -> func.HttpRequest:
    all_headers = {"Authorization": f"Bearer {key}"} if key else {}
    all_headers.update(headers or {})
    return func.HttpRequest(method=method, url="http://localhost/api/x", headers=all_headers,
                            route_params={"customer_id": CUSTOMER_ID, **(route or {})}, body=body,
                            params=params or {})


def bus_message(message: Any) -> func.ServiceBusMessage:
    return func.ServiceBusMessage(body=message.model_dump_json().encode(), content_type="application/json",
                                  correlation_id=message.correlation_id())


@pytest.fixture
def world() -> Iterator[World]:
    """Fake services with one active customer whose tenant passes validation."""
    fake = make_world()
    fake.probe.add_subscription(SUB)
    fake.probe.assign(READER, f"/subscriptions/{SUB}")
    fake.probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{SUB}")
    with use_services(fake.services):
        yield fake


def scanned(world: World) -> str:
    """A scan run through plan, collect and analyse by the queue triggers; its id."""
    response = call("start_scan", http("POST"))
    scan_id = str(json.loads(response.get_body())["scan_id"])
    call("plan_scan", bus_message(ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id)))
    for task in world.bus.of(CollectTask):
        call("collect_source", bus_message(task))
    call("analyse_scan", bus_message(AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id)))
    return scan_id


def test_start_scan_answers_202_and_records_scan_requested_when_the_customer_is_active(world: World) -> None:
    # when
    response = call("start_scan", http("POST"))
    # then
    scan_id = json.loads(response.get_body())["scan_id"]
    assert response.status_code == 202
    assert world.bus.sent == [ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id)]
    assert world.scans.get(CUSTOMER_ID, scan_id).requested_by == "api"


def test_start_scan_answers_409_when_the_customer_is_not_active(world: World) -> None:
    world.customers.transition(CUSTOMER_ID, {"active"}, "access_revoked", "HTTP 403")
    response = call("start_scan", http("POST"))
    assert response.status_code == 409 and world.bus.sent == []


def test_queue_triggers_plan_collect_and_analyse_a_scan_to_its_report_when_messages_arrive(world: World) -> None:
    # when
    scan_id = scanned(world)
    # then
    assert len(world.bus.of(CollectTask)) == len(SOURCES) and len(world.bus.of(AnalyseScan)) == 1
    status = call("get_scan_status", http("GET", {"scan_id": scan_id}))
    assert json.loads(status.get_body())["status"] == "complete"
    listed = json.loads(call("list_customer_scans", http("GET")).get_body())
    assert [s["scan_id"] for s in listed["scans"]] == [scan_id]
    report = call("get_scan_report", http("GET", {"scan_id": scan_id, "report_name": "report.html"}))
    assert report.status_code == 200 and report.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_customer_record_is_answered_without_secrets_when_the_key_matches(world: World) -> None:
    response = call("get_customer_record", http("GET"))
    record = json.loads(response.get_body())
    assert response.status_code == 200 and record["customer_id"] == CUSTOMER_ID
    assert "api_key_sha256" not in record


def test_onboarding_answers_202_with_the_key_once_when_a_subscription_passes(world: World) -> None:
    tenant = "11111111-1111-1111-1111-111111111111"
    proof = world.services.proofs.issue(tenant, "44444444-4444-4444-4444-444444444444", world.clock())
    body = json.dumps({"company": "Acme Ltd", "contact_email": "ops@acme.example",
                       "tenant_id": tenant, "auth": {"mode": "federated", "proof": proof},
                       "subscription_ids": [SUB]}).encode()
    response = call("onboard_customer", func.HttpRequest(method="POST", url="http://localhost/api/onboarding",
                                                         body=body))
    answer = json.loads(response.get_body())
    assert response.status_code == 202 and answer["validation"]["subscriptions"][0]["ok"] is True
    assert world.customers.authenticate_key(answer["customer_id"], answer["api_key"]).is_active
    assert world.bus.sent == [ScanRequested(customer_id=answer["customer_id"], scan_id=answer["first_scan_id"])]


def test_validate_answers_the_customer_active_again_when_the_principal_passes(world: World) -> None:
    world.customers.transition(CUSTOMER_ID, {"active"}, "access_revoked", "HTTP 403")
    response = call("validate_customer", http("POST"))
    assert response.status_code == 200 and json.loads(response.get_body())["state"] == "active"
    assert world.customers.get(CUSTOMER_ID).is_active


def test_export_is_built_then_downloaded_when_asked(world: World) -> None:
    started = call("start_export", http("POST"))
    export_id = json.loads(started.get_body())["export_id"]
    assert started.status_code == 202
    download = call("get_export", http("GET", {"export_id": export_id}))
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert "customer.json" in zipfile.ZipFile(io.BytesIO(download.get_body())).namelist()


def test_offboarding_then_the_purge_trigger_end_with_a_certificate_when_the_customer_leaves(world: World) -> None:
    # given
    scanned(world)
    # when
    answer = json.loads(call("offboard_customer", http("DELETE")).get_body())
    (purge,) = world.bus.of(PurgeCustomer)
    call("purge_customer", bus_message(purge))  # the first pass, which schedules the second
    (second, due), = world.bus.scheduled
    world.clock.now = due
    call("purge_customer", bus_message(second))
    # then
    certificate = call("get_deletion_certificate", func.HttpRequest(
        method="GET", url="http://localhost/api/x", body=b"", route_params={"certificate_id": answer["request_id"]}))
    assert certificate.status_code == 200
    assert json.loads(certificate.get_body())["verification"]["result"] == "nothing found"
    assert not world.blobs and not world.tables["scans"].rows


def test_report_viewer_shows_the_report_when_the_form_carries_the_key(world: World) -> None:
    scan_id = scanned(world)
    form = urlencode({"customer_id": CUSTOMER_ID, "api_key": API_KEY, "scan_id": scan_id}).encode()
    response = call("web_view_report", func.HttpRequest(method="POST", url="http://localhost/api/account/report",
                                                        body=form))
    assert response.status_code == 200 and response.get_body() == b"<html></html>"


def test_report_viewer_answers_404_when_the_key_is_another_customers(world: World) -> None:
    form = urlencode({"customer_id": CUSTOMER_ID, "api_key": "x" * 43, "scan_id": "0" * 24}).encode()
    response = call("web_view_report", func.HttpRequest(method="POST", url="http://localhost/api/account/report",
                                                        body=form))
    assert response.status_code == 404


def test_admin_routes_answer_when_the_token_carries_the_admin_role(world: World, admin_headers: AdminHeaders) -> None:
    # given: an operator's token (settings are read afresh per test)
    vouched = admin_headers()
    world.dead.held.append(CUSTOMER_ID)
    # when
    listed = call("admin_list_customers", http("GET", key=None, headers=vouched))
    dead = call("admin_dead_letters", http("GET", key=None, headers=vouched))
    offboarded = call("admin_offboard", http("POST", key=None, headers=vouched, params={"reason": "closure"}))
    first = call("admin_run_purge", http("POST", key=None, headers=vouched))
    world.clock.now += world.services.purge_grace  # the second pass waits for work in flight to end
    purged = call("admin_run_purge", http("POST", key=None, headers=vouched))
    certificates = call("admin_list_certificates", http("GET", key=None, headers=vouched))
    # then
    assert [c["customer_id"] for c in json.loads(listed.get_body())["customers"]] == [CUSTOMER_ID]
    assert json.loads(dead.get_body())["dead_letters"] == {"queue": 1}
    assert offboarded.status_code == 202
    assert json.loads(first.get_body())["counts"]["waiting"] == 1
    assert json.loads(purged.get_body())["counts"]["completed"] == 1
    assert len(json.loads(certificates.get_body())["certificates"]) == 1


def test_timers_schedule_sweep_and_run_the_backstop_when_they_fire(world: World) -> None:
    call("schedule_scans", TimerRequest(past_due=False))
    (scheduled,) = world.scans.for_customer(CUSTOMER_ID)
    assert scheduled.requested_by.startswith("schedule ")
    world.clock.advance(minutes=61)
    call("watchdog_sweep", TimerRequest(past_due=False))
    assert world.scans.get(CUSTOMER_ID, scheduled.scan_id).status == "failed"  # never planned: ended
    call("purge_backstop", TimerRequest(past_due=False))
    assert world.customers.get(CUSTOMER_ID).is_active  # nobody is leaving: the backstop touched no one


def test_unreadable_purge_message_is_refused_when_its_body_is_not_json(world: World) -> None:
    with pytest.raises(Exception, match="invalid input"):
        call("purge_customer", func.ServiceBusMessage(body=b"\x00"))


def test_operators_get_the_pseudonyms_the_logs_use_when_they_post_subscription_ids(
        world: World, admin_headers: AdminHeaders) -> None:
    body = json.dumps({"subscription_ids": [SUB, SUB.upper()]}).encode()
    answer = call("admin_pseudonyms", http("POST", key=None, headers=admin_headers(), body=body))
    pseudonyms = json.loads(answer.get_body())["pseudonyms"]
    assert answer.status_code == 200 and pseudonyms[SUB] == pseudonyms[SUB.upper()]
    assert pseudonyms[SUB] == subscription_tag(SUB, world.services.pseudonym_key())
    assert redact(f"/subscriptions/{SUB}/x") == f"/subscriptions/{pseudonyms[SUB]}/x"


@pytest.mark.parametrize(("body", "field"), [(b"[1]", "subscription_ids"), (b"{}", "subscription_ids"),
                                             (json.dumps({"subscription_ids": [SUB, "x"]}).encode(),
                                              "subscription_ids[1]")])
def test_pseudonyms_answer_400_naming_the_field_when_the_ids_are_bad(
        body: bytes, field: str, world: World, admin_headers: AdminHeaders) -> None:
    answer = call("admin_pseudonyms", http("POST", key=None, headers=admin_headers(), body=body))
    assert answer.status_code == 400 and field in json.loads(answer.get_body())["fields"]


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "Bearer"])
def test_the_api_key_scheme_is_case_insensitive(scheme: str, world: World) -> None:
    request = http("GET", key=None, headers={"Authorization": f"{scheme} {API_KEY}"})
    assert call("get_customer_record", request).status_code == 200


def test_report_csv_is_served_as_an_attachment(world: World) -> None:
    scan_id = scanned(world)
    report = call("get_scan_report", http("GET", {"scan_id": scan_id, "report_name": "report.csv"}))
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert report.headers["Content-Disposition"] == f'attachment; filename="caleta-findings-{scan_id}.csv"'
    html = call("get_scan_report", http("GET", {"scan_id": scan_id, "report_name": "report.html"}))
    assert "Content-Disposition" not in html.headers


@pytest.mark.parametrize(("fields", "field"), [
    ({"customer_id": CUSTOMER_ID, "api_key": API_KEY, "theme": "dark"}, "theme"),
    ({"customer_id": CUSTOMER_ID, "api_key": API_KEY, "<script>": "1"}, "body"),
    ({"customer_id": CUSTOMER_ID, "api_key": API_KEY, "scan_id": "0" * 24, **dict.fromkeys("abcdef", "1")}, "body")])
def test_report_viewer_answers_400_when_the_form_has_fields_it_does_not(fields: dict[str, str], field: str,
                                                                        world: World) -> None:
    form = urlencode(fields)
    response = call("web_view_report", func.HttpRequest(method="POST", url="http://localhost/api/account/report",
                                                        body=form.encode()))
    assert response.status_code == 400 and field in json.loads(response.get_body())["fields"]


def test_operators_list_the_reviews_whose_summary_fell_back_when_they_ask(world: World,
                                                                          admin_headers: AdminHeaders) -> None:
    # given: a review published without a model (the fake analysis falls back: no_model)
    scan_id = scanned(world)
    # when
    listed = call("admin_narrative_fallbacks", http("GET", key=None, headers=admin_headers()))
    other = call("admin_narrative_fallbacks", http("GET", key=None, headers=admin_headers(),
                                                   params={"reason": "timeout", "days": "7"}))
    # then: ids, the reason and the time; nothing of the summary
    body = json.loads(listed.get_body())
    assert (body["days"], body["reason"]) == (30, None)
    assert [(f["customer_id"], f["scan_id"], f["reason"]) for f in body["fallbacks"]] == [
        (CUSTOMER_ID, scan_id, "no_model")]
    assert set(body["fallbacks"][0]) == {"customer_id", "scan_id", "reason", "at"}
    assert json.loads(other.get_body())["fallbacks"] == []


@pytest.mark.parametrize(("params", "field"), [({"days": "0"}, "days"), ({"days": "x"}, "days"),
                                               ({"days": "401"}, "days"), ({"reason": "bored"}, "reason")])
def test_fallback_listing_answers_400_naming_the_field_when_the_query_is_bad(
        params: dict[str, str], field: str, world: World, admin_headers: AdminHeaders) -> None:
    answer = call("admin_narrative_fallbacks", http("GET", key=None, headers=admin_headers(), params=params))
    assert answer.status_code == 400 and field in json.loads(answer.get_body())["fields"]
