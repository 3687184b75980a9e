"""The customer controls end to end on the local stack: export, offboarding and the verified purge, a purge
crashed half-way, one scheduled scan per period, revocation in the middle of a scan, the admin API."""

from __future__ import annotations

import dataclasses
import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from local.demo import onboarding_body
from local.estates.model import Estate, Tenant, load_estate
from shared.messages import QUEUES
from tests.conftest import DEMO_ESTATE, Api
from tests.e2e.onboarding_support import signed_body

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
FINAL = ("complete", "partial", "failed")
STOP_BOUND_SECONDS = 30.0


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(DEMO_ESTATE)


def tenant(estate: Estate, name: str) -> Tenant:
    return next(t for t in estate.tenants if t.display_name.startswith(name))


def onboard(api: Api, estate: Estate, name: str) -> dict[str, Any]:
    answer = api.post("/api/onboarding", signed_body(api, tenant(estate, name), estate))
    assert answer.status == 202, answer.body[:500]
    out: dict[str, Any] = answer.json()
    out["contact_email"] = onboarding_body(tenant(estate, name), estate)["contact_email"]
    return out


def scan_of(api: Api, customer: dict[str, Any], scan_id: str) -> dict[str, Any]:
    answer = api.get(f"/api/customers/{customer['customer_id']}/scans/{scan_id}", api_key=customer["api_key"])
    assert answer.status == 200, answer.body[:300]
    out: dict[str, Any] = answer.json()
    return out


def wait_for_scan(api: Api, customer: dict[str, Any], scan_id: str, timeout: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        scan = scan_of(api, customer, scan_id)
        if scan["status"] in FINAL or time.monotonic() > deadline:
            return scan
        time.sleep(0.3)


def admin_headers(stack: Any) -> dict[str, str]:
    """An operator's token from the simulated tenant, as `az account get-access-token` gets it in Azure."""
    return {"Authorization": f"Bearer {stack.admin_token()}"}


@pytest.fixture(scope="module")
def pair(api: Api, estate: Estate) -> dict[str, dict[str, Any]]:
    """Two customers onboarded over HTTP, each first scan finished (bounded)."""
    out = {"a": onboard(api, estate, "Pennine"), "b": onboard(api, estate, "Tamar")}
    for customer in out.values():
        customer["scan"] = wait_for_scan(api, customer, customer["first_scan_id"])
        assert customer["scan"]["status"] in ("complete", "partial"), customer["scan"]
    return out


def everything_of(customer_id: str, stack: Any) -> dict[str, int]:
    """What every store holds for one customer: blobs, table rows naming it, the secret, queued messages, and
    e-mails about it in the local outbox."""
    from shared.storage.clients import blob_service, table_service

    found: dict[str, int] = {}
    container = blob_service().get_container_client(f"c-{customer_id}")
    found["blobs"] = len(list(container.list_blobs())) if container.exists() else 0
    for info in table_service().list_tables():
        rows = table_service().get_table_client(info.name).list_entities()
        found[f"table:{info.name}"] = sum(1 for r in rows if customer_id in json.dumps(dict(r), default=str))
    found["secret"] = int((Path(stack.state_dir) / "secrets" / f"customer-{customer_id}.secret").exists())
    found["outbox"] = sum(1 for m in outbox(stack) if m.get("customer_id") == customer_id or customer_id in m["body"])
    found["messages"] = 0
    for spec in QUEUES:
        snap = stack.broker.snapshot(spec.name)
        for view in [*snap.active, *snap.scheduled, *snap.deadletter, *snap.locked, *snap.deferred]:
            found["messages"] += int(customer_id.encode() in view.body)
    return found


def settled(customer_id: str, stack: Any, timeout: float = 15.0) -> dict[str, int]:
    """everything_of once the broker has settled the purge's own message (locked until the function returns)."""
    deadline = time.monotonic() + timeout
    while True:
        found = everything_of(customer_id, stack)
        if not found["messages"] or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def outbox(stack: Any) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((Path(stack.state_dir) / "outbox").glob("*.json"))]


def wait_for_certificate(api: Api, certificate_id: str, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        answer = api.get(f"/api/deletion-certificates/{certificate_id}")
        if answer.status == 200:
            out: dict[str, Any] = answer.json()
            return out
        assert answer.status == 404 and time.monotonic() < deadline, answer.status
        time.sleep(0.5)


def test_export_zip_holds_exactly_the_customers_data_when_requested(
        api: Api, pair: dict[str, dict[str, Any]], in_process: None) -> None:
    from shared.storage.clients import blob_service

    a, b = pair["a"], pair["b"]
    started = api.post(f"/api/customers/{a['customer_id']}/export", api_key=a["api_key"])
    assert started.status == 202, started.body[:300]
    answer = api.get(started.json()["href"], api_key=a["api_key"])
    assert answer.status == 200 and answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.body))
    held = {b_.name for b_ in blob_service().get_container_client(f"c-{a['customer_id']}").list_blobs()
            if not b_.name.startswith("exports/")}
    assert {n[len("blobs/"):] for n in archive.namelist() if n.startswith("blobs/")} == held
    assert f"scans/{a['first_scan_id']}.json" in archive.namelist()
    assert json.loads(archive.read("customer.json"))["customer_id"] == a["customer_id"]
    events = [e["event"] for e in json.loads(archive.read("audit.json"))]
    assert {"onboarded", "scan_started", "scan_ended", "export"} <= set(events), events
    text = b"".join(archive.read(n) for n in archive.namelist() if not n.endswith(".gz"))
    assert b["customer_id"].encode() not in text and b["first_scan_id"].encode() not in text
    assert api.get(started.json()["href"], api_key=b["api_key"]).status == 404


def test_review_ready_email_carries_figures_and_link_only_when_the_first_scan_completes(
        stack: Any, pair: dict[str, dict[str, Any]]) -> None:
    a = pair["a"]
    link = f"/api/account#customer={a['customer_id']}&scan={a['first_scan_id']}"
    mails = [m for m in outbox(stack) if m["kind"] == "review_ready" and link in m["body"]]
    assert len(mails) == 1 and mails[0]["to"] == a["contact_email"]
    subscriptions = [s["display_name"] for s in a["validation"]["subscriptions"] if s.get("display_name")]
    assert subscriptions and not [n for n in subscriptions if n in mails[0]["body"]]


def test_offboarding_purges_every_store_while_other_customer_is_untouched(
        api: Api, stack: Any, pair: dict[str, dict[str, Any]], in_process: None) -> None:
    a, b = pair["a"], pair["b"]
    # B's first scan is complete before its last messages are settled (the analysis writes the status, then
    # returns, then the broker completes the locked message): B is read at rest, then A is offboarded.
    before_b = {k: v for k, v in settled(b["customer_id"], stack, timeout=60.0).items() if v}
    assert everything_of(a["customer_id"], stack)["blobs"] > 0
    answer = api.request("DELETE", f"/api/customers/{a['customer_id']}", api_key=a["api_key"])
    assert answer.status == 202, answer.body[:300]
    certificate = wait_for_certificate(api, answer.json()["request_id"])
    assert certificate["verification"]["result"] == "nothing found" and certificate["within_deadline"]
    assert certificate["deleted"]["blobs"] > 0 and certificate["deleted"]["secret"] == 1
    assert a["customer_id"] not in json.dumps(certificate)
    left = settled(a["customer_id"], stack)
    assert not any(left.values()), left
    assert {k: v for k, v in everything_of(b["customer_id"], stack).items() if v} == before_b
    assert api.get(f"/api/customers/{b['customer_id']}", api_key=b["api_key"]).status == 200
    assert api.get(f"/api/customers/{a['customer_id']}", api_key=a["api_key"]).status == 404
    # The purge deleted the outbox's e-mails about the customer (offboarding_confirmed among them); the
    # certificate's e-mail is sent after the purge and names no customer id.
    kinds = [m["kind"] for m in outbox(stack) if m["to"] == a["contact_email"]]
    assert "certificate_issued" in kinds
    assert not [m for m in outbox(stack) if m.get("customer_id") == a["customer_id"]]


def test_purge_completes_when_rerun_after_crashing_half_way(
        api: Api, stack: Any, estate: Estate, in_process: None) -> None:
    from shared.pipeline import purge
    from shared.services import get_services
    from shared.storage.secrets import CustomerSecrets

    customer = onboard(api, estate, "Pennine")
    wait_for_scan(api, customer, customer["first_scan_id"])
    cid = customer["customer_id"]
    services = get_services()
    services.customers.transition(cid, {"active"}, "offboarding", "test")
    request, _ = services.purges.open(services.customers.get(cid), "admin", services.clock(),
                                      services.deletion_deadline)

    class Killed(Exception):
        pass

    class Crashing(CustomerSecrets):
        def delete(self, customer_id: str) -> None:
            raise Killed("process killed half-way through the purge")

    crashing = dataclasses.replace(services, secrets=Crashing(services.secrets.store))
    with pytest.raises(Killed):
        purge.purge_customer(crashing, cid)
    half = everything_of(cid, stack)
    assert half["blobs"] == 0 and half["secret"] == 1 and half["table:customers"] == 1
    # The backstop resumes the first pass; its scheduled message runs the second once the grace has run.
    answer = api.post("/api/manage/purge", headers=admin_headers(stack))
    assert answer.status == 200 and answer.json()["counts"]["waiting"] >= 1, answer.body[:300]
    assert services.purges.get(cid) is not None and services.purges.get(cid).first_pass_at is not None  # type: ignore[union-attr]
    certificate = wait_for_certificate(api, request.request_id, timeout=services.purge_grace.total_seconds() + 60)
    assert certificate["verification"]["result"] == "nothing found"
    left = settled(cid, stack)
    assert not any(left.values()), left


def scheduled_runs(stack: Any) -> int:
    return Path(stack.host_log).read_text(errors="replace").count("functions.lifecycle: schedule: ")


def fire_schedule(stack: Any, api: Api) -> None:
    before = scheduled_runs(stack)
    answer = api.post("/admin/functions/schedule_scans", {"input": None}, headers=stack.admin_headers())
    assert answer.status == 202
    deadline = time.monotonic() + 60
    while scheduled_runs(stack) == before:
        assert time.monotonic() < deadline, "the schedule timer did not run"
        time.sleep(0.2)


def test_scheduled_scan_fires_once_per_period_when_timer_fires_twice(
        api: Api, stack: Any, estate: Estate) -> None:
    customer = onboard(api, estate, "Tamar")
    wait_for_scan(api, customer, customer["first_scan_id"])
    fire_schedule(stack, api)
    fire_schedule(stack, api)
    scans = api.get(f"/api/customers/{customer['customer_id']}/scans", api_key=customer["api_key"]).json()["scans"]
    scheduled = [s for s in scans if s["requested_by"].startswith("schedule ")]
    assert len(scheduled) == 1, [s["requested_by"] for s in scans]
    assert wait_for_scan(api, customer, scheduled[0]["scan_id"])["status"] in ("complete", "partial")


def test_revocation_mid_scan_stops_it_within_bound_when_principal_is_revoked(
        api: Api, stack: Any, estate: Estate) -> None:
    customer = onboard(api, estate, "Tamar")
    wait_for_scan(api, customer, customer["first_scan_id"])
    body = onboarding_body(tenant(estate, "Tamar"), estate)
    client_id = body["auth"].get("client_id") or estate.caleta.app_client_id
    sim = stack.simulator
    try:
        # Slow the tenant's answers so the revocation lands while tasks are still collecting.
        sim.inject("POST", r".*", latency=0.5, times=200)
        scan_id = api.post(f"/api/customers/{customer['customer_id']}/scans", api_key=customer["api_key"]).json()[
            "scan_id"]
        deadline = time.monotonic() + 60
        while scan_of(api, customer, scan_id)["status"] != "collecting":
            assert time.monotonic() < deadline, "the scan never started collecting"
            time.sleep(0.05)
        sim.revoke(body["tenant_id"], client_id)
        revoked_at = time.monotonic()
        while True:
            scan = scan_of(api, customer, scan_id)
            record = api.get(f"/api/customers/{customer['customer_id']}", api_key=customer["api_key"]).json()
            if scan["status"] in FINAL and record["state"] == "access_revoked":
                break
            assert time.monotonic() - revoked_at < STOP_BOUND_SECONDS * 2, (scan["status"], record["state"])
            time.sleep(0.1)
        stopped_after = time.monotonic() - revoked_at
    finally:
        sim.reset()
    print(f"\nrevocation -> scan stopped in {stopped_after:.2f}s (bound {STOP_BOUND_SECONDS:.0f}s)")
    assert stopped_after < STOP_BOUND_SECONDS
    assert record["state_reason"]
    assert any(t["outcome"] == "failed" and t["reason"] for t in scan["tasks"])
    again = api.post(f"/api/customers/{customer['customer_id']}/scans", api_key=customer["api_key"])
    assert again.status == 409
    deadline = time.monotonic() + 10  # the e-mail follows the state change
    while not [m for m in outbox(stack) if m["kind"] == "access_revoked" and customer["customer_id"] in m["body"]]:
        assert time.monotonic() < deadline, "no access_revoked e-mail"
        time.sleep(0.1)
    restored = api.post(f"/api/customers/{customer['customer_id']}/validate", api_key=customer["api_key"])
    assert restored.status == 200 and restored.json()["state"] == "active", restored.body[:300]


def test_admin_api_refuses_without_a_token_and_lists_without_secrets_with_one(
        api: Api, stack: Any, estate: Estate) -> None:
    onboard(api, estate, "Tamar")  # at least one customer to list, whichever tests ran before
    assert api.get("/api/manage/customers").status == 401
    assert api.get("/api/manage/customers", headers={"X-Caleta-Local-Admin": "x" * 43}).status == 401
    headers = admin_headers(stack)
    listed = api.get("/api/manage/customers", headers=headers)
    assert listed.status == 200 and listed.json()["customers"]
    secrets = [s.value.encode() for t in estate.tenants for app in t.applications for s in app.secrets]
    assert b"api_key" not in listed.body and not [s for s in secrets if s in listed.body]
    dead = api.get("/api/manage/dead-letters", headers=headers)
    assert dead.status == 200 and set(dead.json()["dead_letters"]) == {q.name for q in QUEUES}
    certificates = api.get("/api/manage/deletion-certificates", headers=headers)
    assert certificates.status == 200
