"""Every link in every e-mail Caleta sends answers a click: a GET without any header gets 200 on the local stack.

Each template of shared/notify/emails.py is rendered with the ids of real things on the stack (a scanned
customer, an issued deletion certificate) and the stack's PUBLIC_BASE_URL; a template added later is rendered
too (its parameters are filled by name), so its links are followed as well. A fragment (`#customer=…`) is what
a browser keeps to itself, so the request carries none. tests/e2e/test_browser.py follows the same links in
Chromium and checks what the page then shows.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import time
import urllib.request
from typing import Any

import pytest

from local.estates.model import load_estate
from shared.notify import emails
from shared.notify.model import Email
from tests.conftest import DEMO_ESTATE, Api
from tests.e2e.onboarding_support import signed_body

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
FINAL = ("complete", "partial", "failed")
_URL = re.compile(r"https?://[^\s)\"'<>]+")


@pytest.fixture(scope="module")
def things(api: Api) -> dict[str, Any]:
    """A customer with a finished scan, and another offboarded until its deletion certificate was issued."""
    estate = load_estate(DEMO_ESTATE)
    answers = [api.post("/api/onboarding", signed_body(api, t, estate)) for t in estate.tenants[:2]]
    assert [a.status for a in answers] == [202, 202], [a.body[:300] for a in answers]
    kept, leaving = (a.json() for a in answers)
    for customer in (kept, leaving):
        deadline = time.monotonic() + 180
        path = f"/api/customers/{customer['customer_id']}/scans/{customer['first_scan_id']}"
        while api.get(path, api_key=customer["api_key"]).json()["status"] not in FINAL:
            assert time.monotonic() < deadline
            time.sleep(0.5)
    offboarded = api.request("DELETE", f"/api/customers/{leaving['customer_id']}", api_key=leaving["api_key"])
    request_id = offboarded.json()["request_id"]
    deadline = time.monotonic() + 120
    while api.get(f"/api/deletion-certificates/{request_id}").status != 200:
        assert time.monotonic() < deadline, "no certificate"
        time.sleep(0.5)
    return {"customer": kept, "certificate_id": request_id}


def rendered(things: dict[str, Any]) -> list[Email]:
    """Every e-mail template, its parameters filled by name with the stack's ids."""
    now = dt.datetime.now(dt.UTC)
    values: dict[str, Any] = {
        "to": "finance@example.test", "customer_id": things["customer"]["customer_id"],
        "scan_id": things["customer"]["first_scan_id"], "findings": 3, "monthly_savings": 12.5, "currency": "GBP",
        "status": "partial", "reason": "HTTP 403", "request_id": things["certificate_id"], "deadline": now,
        "certificate_id": things["certificate_id"], "completed_at": now, "when": now, "auth_mode": "federated",
        "readable": 2, "awaiting": 1, "subscription_ids": ["00000000-0000-4000-8000-000000000001"],
        "waited_minutes": 60, "every_minutes": 5}
    out = []
    for template in vars(emails).values():
        if inspect.isfunction(template) and template.__module__ == emails.__name__ and \
                inspect.signature(template).return_annotation in ("Email", Email):
            parameters = inspect.signature(template).parameters
            out.append(template(**{p: values[p] for p in parameters}))  # a new parameter: add it to `values`
    assert {e.kind for e in out} >= {"review_ready", "access_revoked", "offboarding_confirmed", "certificate_issued",
                                     "tenant_onboarded_again", "roles_ready", "roles_still_missing"}
    return out


def test_every_link_in_every_email_answers_200_without_any_header(things: dict[str, Any], stack: Any,
                                                                  in_process: None) -> None:
    base = stack.endpoints["http_base"]
    links = [(e.kind, url.rstrip(".,;")) for e in rendered(things) for url in _URL.findall(e.body)]
    assert {kind for kind, _ in links} >= {"review_ready", "access_revoked", "offboarding_confirmed",
                                           "certificate_issued", "roles_ready", "roles_still_missing"}
    for kind, url in links:
        assert url.startswith(f"{base}/api/"), (kind, url)
        assert things["customer"]["api_key"] not in url
        request = urllib.request.Request(url.split("#", 1)[0])  # noqa: S310 - the stack's loopback http
        with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310
            assert answer.status == 200, (kind, url)
            if "#" in url:
                assert answer.headers["Content-Type"].startswith("text/html"), (kind, url)
