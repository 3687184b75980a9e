"""Awaiting roles -> active on the whole local stack: POST …/validate seconds after a role was granted answers
awaiting_roles (no refusal); once ARM honours the role, the re-check timer makes the customer active, starts its
first scan and tells the contact (issue 14 B4)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from local.estates.model import Estate, Tenant, load_estate
from local.simulator.control_arm import grant_role
from shared.pipeline.revalidate import mark_access_revoked
from shared.services import get_services
from tests.conftest import DEMO_ESTATE, Api
from tests.e2e.onboarding_support import signed_body

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
FINAL = ("complete", "partial", "failed")


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(DEMO_ESTATE)


def tenant(estate: Estate, name: str) -> Tenant:
    return next(t for t in estate.tenants if t.display_name.startswith(name))


def until(what: str, check: Any, timeout: float = 90.0) -> Any:
    """Poll `check()` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)
    return found


def outbox(stack: Any) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((Path(stack.state_dir) / "outbox").glob("*.json"))]


def test_revalidated_customer_awaits_fresh_roles_then_the_timer_activates_and_scans_it(
        api: Api, stack: Any, estate: Estate, in_process: None) -> None:
    # given: Tamar onboarded and its first scan done; then its access revoked and its roles (Reader, Cost
    # Management Reader, Contributor) replaced by Reader alone, granted just now
    tamar = tenant(estate, "Tamar")
    onboarded = api.post("/api/onboarding", signed_body(api, tamar, estate))
    assert onboarded.status == 202, onboarded.body[:300]
    customer = onboarded.json()
    cid, key = customer["customer_id"], customer["api_key"]
    until("the first scan", lambda: api.get(f"/api/customers/{cid}/scans/{customer['first_scan_id']}",
                                           api_key=key).json()["status"] in FINAL, timeout=180)
    oid = next(a for a in tamar.applications if a.client_id == estate.caleta.app_client_id).object_id
    subscription = tamar.subscriptions[0].subscription_id
    sim = stack.simulator
    try:
        assert mark_access_revoked(get_services(), cid, "test: roles being changed")
        for role in ("Reader", "Cost Management Reader", "Contributor"):
            assert sim.remove_role(tamar.tenant_id, oid, role) == 1
        grant_role(sim.state, tamar.tenant_id, oid, "Reader", f"/subscriptions/{subscription}")
        sim.state.clock.advance(10)
        # when: the customer asks Caleta to check again
        answer = api.post(f"/api/customers/{cid}/validate", api_key=key)
        # then: not refused; awaiting, with the "few minutes" note
        assert answer.status == 200, answer.body[:300]
        (sub,) = answer.json()["validation"]["subscriptions"]
        assert (answer.json()["state"], sub["status"], sub["ok"]) == ("awaiting_roles", "awaiting_roles", False)
        assert any("few minutes to appear" in n for n in sub["notes"])
        # when: ARM honours the role, and the re-check timer fires
        sim.state.clock.advance(700)
        fired = api.post("/admin/functions/recheck_roles", {"input": None}, headers=stack.admin_headers())
        assert fired.status == 202
        record = until("the customer to become active", lambda: (
            r := api.get(f"/api/customers/{cid}", api_key=key).json())["state"] == "active" and r)
        # then: active on the subscription, first scan requested by the re-check and finished, the contact told
        assert record["subscription_ids"] == [subscription]
        assert record["validation"]["subscriptions"][0]["roles_found"] == ["Reader"]
        # (the state moves first, then the scan is requested: wait for it)
        (rechecked,) = until("the re-check's scan request", lambda: [
            s for s in api.get(f"/api/customers/{cid}/scans", api_key=key).json()["scans"]
            if s["requested_by"] == "roles_visible"])
        done = until("the re-check's scan", lambda: (s := api.get(
            f"/api/customers/{cid}/scans/{rechecked['scan_id']}", api_key=key).json())["status"] in FINAL and s,
            timeout=180)
        assert done["status"] in ("complete", "partial"), done
        mails = until("the roles_ready e-mail", lambda: [m for m in outbox(stack)
                                                        if m["kind"] == "roles_ready" and cid in m["body"]])
        assert rechecked["scan_id"] in mails[0]["body"]
    finally:
        sim.reset()
