"""Onboarding and the customer routes over HTTP, through the local Functions host on the whole local stack."""

from __future__ import annotations

import copy
import gzip
import json
import time
from typing import Any

import pytest

from local.demo import onboarding_body
from local.estates.model import Estate, Tenant, load_estate
from tests.conftest import DEMO_ESTATE, Api
from tests.e2e.onboarding_support import signed_body

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(DEMO_ESTATE)


def tenant(estate: Estate, name: str) -> Tenant:
    return next(t for t in estate.tenants if t.display_name.startswith(name))


@pytest.fixture(scope="module")
def pennine(api: Api, estate: Estate) -> dict[str, Any]:
    """Pennine Freight onboarded once for the module: the 202 answer."""
    response = api.post("/api/onboarding", onboarding_body(tenant(estate, "Pennine"), estate))
    assert response.status == 202, response.body[:500]
    answer: dict[str, Any] = response.json()
    return answer


def with_key(answer: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {answer['api_key']}"}


def test_onboarding_answers_202_with_key_validation_and_scan_when_principal_is_valid(
        pennine: dict[str, Any]) -> None:
    assert len(pennine["customer_id"]) == 32 and len(pennine["api_key"]) >= 40
    assert pennine["first_scan_id"] and pennine["state"] == "active"
    assert [s["ok"] for s in pennine["validation"]["subscriptions"]] == [True, True, True]


def test_customer_record_is_returned_without_secrets_when_key_matches(api: Api, estate: Estate,
                                                                       pennine: dict[str, Any]) -> None:
    response = api.get(f"/api/customers/{pennine['customer_id']}", headers=with_key(pennine))
    secret = onboarding_body(tenant(estate, "Pennine"), estate)["auth"]["client_secret"]
    assert response.status == 200
    assert response.json()["state"] == "active"
    assert secret.encode() not in response.body and pennine["api_key"].encode() not in response.body
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_customer_routes_answer_401_when_no_or_malformed_key(api: Api, pennine: dict[str, Any]) -> None:
    path = f"/api/customers/{pennine['customer_id']}"
    assert api.get(path).status == 401
    assert api.get(path, headers={"Authorization": "Basic abc"}).status == 401


def test_customer_routes_answer_404_when_id_is_not_the_callers(api: Api, estate: Estate,
                                                               pennine: dict[str, Any]) -> None:
    tamar = api.post("/api/onboarding", signed_body(api, tenant(estate, "Tamar"), estate)).json()
    assert api.get(f"/api/customers/{tamar['customer_id']}", headers=with_key(pennine)).status == 404
    assert api.get(f"/api/customers/{'0' * 32}", headers=with_key(pennine)).status == 404
    assert api.get(f"/api/customers/{tamar['customer_id']}/scans", headers=with_key(pennine)).status == 404


def test_over_privileged_federated_principal_is_warned_when_onboarded(api: Api, estate: Estate) -> None:
    response = api.post("/api/onboarding", signed_body(api, tenant(estate, "Tamar"), estate))
    assert response.status == 202
    (sub,) = response.json()["validation"]["subscriptions"]
    assert (sub["ok"], sub["excess"]) == (True, ["Contributor"])


def test_wrong_secret_answers_400_naming_the_field_when_entra_refuses(api: Api, estate: Estate,
                                                                      stack: Any) -> None:
    body = onboarding_body(tenant(estate, "Pennine"), estate)
    body["auth"]["client_secret"] = "CANARY-E2E-wrong-secret-7c1d"
    response = api.post("/api/onboarding", body)
    assert response.status == 400
    assert "wrong secret" in response.json()["fields"]["auth.client_secret"]
    assert b"CANARY-E2E" not in response.body
    assert b"CANARY-E2E" not in stack.host_log.read_bytes()


@pytest.mark.parametrize(("change", "field"), [
    ({"tenant_id": "not-a-guid"}, "tenant_id"), ({"contact_email": "nobody"}, "contact_email"),
    ({"company": "Evil\u202eoC Ltd"}, "company"), ({"contact_email": "<script>@x.com"}, "contact_email"),
    ({"auth": {"mode": "federated"}}, "auth.proof"),
    ({"surprise": True}, "surprise"), ({"subscription_ids": []}, "subscription_ids"),
])
def test_malformed_request_answers_400_naming_the_field_when_shape_is_wrong(
        api: Api, estate: Estate, change: dict[str, Any], field: str) -> None:
    body = copy.deepcopy(onboarding_body(tenant(estate, "Pennine"), estate))
    body.update(change)
    response = api.post("/api/onboarding", body)
    assert response.status == 400
    assert field in response.json()["fields"]


def test_oversized_body_answers_400_when_over_64_kb(api: Api) -> None:
    response = api.post("/api/onboarding", b'{"company": "' + b"x" * 70_000 + b'"}')
    assert (response.status, list(response.json()["fields"])) == (400, ["body"])


def test_scans_are_listed_and_status_shown_when_customer_asks(api: Api, pennine: dict[str, Any]) -> None:
    base = f"/api/customers/{pennine['customer_id']}/scans"
    listed = api.get(base, headers=with_key(pennine))
    assert listed.status == 200
    assert pennine["first_scan_id"] in [s["scan_id"] for s in listed.json()["scans"]]
    status = api.get(f"{base}/{pennine['first_scan_id']}", headers=with_key(pennine))
    assert status.status == 200
    assert status.json()["status"] in ("queued", "collecting", "analysing", "complete", "partial", "failed")
    assert api.get(f"{base}/nosuchscan", headers=with_key(pennine)).status == 404


def test_scan_now_answers_202_with_a_scan_id_when_customer_is_active(api: Api,
                                                                      pennine: dict[str, Any]) -> None:
    response = api.post(f"/api/customers/{pennine['customer_id']}/scans", headers=with_key(pennine))
    assert response.status == 202
    assert response.json()["scan_id"]


def test_report_answers_404_when_it_does_not_exist(api: Api, pennine: dict[str, Any]) -> None:
    base = f"/api/customers/{pennine['customer_id']}/scans"
    for path in (f"{base}/0123456789abcdef01234567/report.json", f"{base}/{pennine['first_scan_id']}/report.xml",
                 f"{base}/{pennine['first_scan_id']}/findings.csv"):
        assert api.get(path, headers=with_key(pennine)).status == 404


def test_openapi_document_is_served_when_asked(api: Api) -> None:
    response = api.get("/api/openapi.json")
    assert response.status == 200
    assert response.json()["openapi"] == "3.1.0"


REPORT_WAIT_SECONDS = 240.0


def test_reports_are_served_with_their_content_types_when_the_scan_ends(api: Api,
                                                                        pennine: dict[str, Any]) -> None:
    # given: the onboarding scan, left to run through the pipeline
    base = f"/api/customers/{pennine['customer_id']}/scans/{pennine['first_scan_id']}"
    deadline = time.monotonic() + REPORT_WAIT_SECONDS
    status: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status = api.get(base, headers=with_key(pennine)).json()
        if status["status"] in ("complete", "partial", "failed"):
            break
        time.sleep(0.2)
    assert status.get("status") == "complete", status
    # when
    report = api.get(f"{base}/report.json", headers=with_key(pennine))
    html = api.get(f"{base}/report.html", headers=with_key(pennine))
    csv = api.get(f"{base}/report.csv", headers=with_key(pennine))
    # then
    assert (report.status, html.status, csv.status) == (200, 200, 200)
    assert report.headers["content-type"].startswith("application/json")
    json.loads(report.body)
    assert html.headers["content-type"].startswith("text/html")
    assert "script-src" not in html.headers["content-security-policy"]
    assert csv.headers["content-type"].startswith("text/csv")


def test_secret_and_api_key_are_nowhere_in_storage_when_the_scan_has_run(
        stack: Any, estate: Estate, pennine: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # given: Caleta's identity, as the app uses it, to read everything stored
    from azure.data.tables import TableServiceClient
    from azure.identity import ManagedIdentityCredential
    from azure.storage.blob import BlobServiceClient

    settings = stack.app_settings
    for name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "REQUESTS_CA_BUNDLE"):
        monkeypatch.setenv(name, settings[name])
    credential = ManagedIdentityCredential(client_id=settings["MANAGED_IDENTITY_CLIENT_ID"])
    secret = onboarding_body(tenant(estate, "Pennine"), estate)["auth"]["client_secret"].encode()
    needles = (secret, pennine["api_key"].encode())
    # when
    tables = TableServiceClient(settings["STORAGE_TABLE_ENDPOINT"], credential=credential)
    stored = [json.dumps(list(tables.get_table_client(t.name).list_entities()), default=str).encode()
              for t in tables.list_tables()]
    container = BlobServiceClient(settings["STORAGE_BLOB_ENDPOINT"], credential=credential).get_container_client(
        f"c-{pennine['customer_id']}")
    for blob in container.list_blobs():
        data = container.download_blob(blob.name).readall()
        stored.append(gzip.decompress(data) if blob.name.endswith(".gz") else data)
    # then
    assert len(stored) > 3
    assert not [n for n in needles for s in stored if n in s]
    assert not [n for n in needles if n in stack.host_log.read_bytes()]
