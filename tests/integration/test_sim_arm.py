"""The ARM front door, faults and the /_sim/ control endpoints, with the real SDK pipeline over HTTPS."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.costmanagement import CostManagementClient
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest

from tests.integration.sim_fixtures import (
    CONTOSO,
    DEV,
    FABRIKAM_SUB,
    PROD,
    READER,
    SANDBOX,
    secret_credential,
    sim,
    sim_certs,
    sim_server,
)

pytestmark = pytest.mark.integration
__all__ = ["sim", "sim_certs", "sim_server"]
ARG = r"/providers/Microsoft\.ResourceGraph/resources"


def client(sim, certs, **kwargs) -> ResourceGraphClient:
    cred = secret_credential(sim, certs, CONTOSO, READER[0], READER[1])
    kwargs.setdefault("retry_total", 0)
    return ResourceGraphClient(cred, base_url=sim.base_url, connection_verify=str(certs.ca), **kwargs)


def raw(sim, certs) -> CostManagementClient:
    """A management client whose send_request goes through the ARM pipeline (bearer, retries off)."""
    cred = secret_credential(sim, certs, CONTOSO, READER[0], READER[1])
    return CostManagementClient(cred, base_url=sim.base_url, connection_verify=str(certs.ca), retry_total=0)


def query(rg: ResourceGraphClient):
    return rg.resources(QueryRequest(subscriptions=[PROD], query="Resources | project id"))


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", f"/subscriptions/{PROD}/resourceGroups/rg-new?api-version=2021-04-01"),
    ("PATCH", f"/subscriptions/{PROD}/resourceGroups/rg-web-prod?api-version=2021-04-01"),
    ("DELETE", f"/subscriptions/{PROD}/resourceGroups/rg-web-prod?api-version=2021-04-01"),
    ("POST", f"/subscriptions/{PROD}/providers/Microsoft.Advisor/generateRecommendations?api-version=2020-01-01"),
])
def test_write_is_refused_403_and_counted_when_sent(sim, sim_certs, method, path):
    response = raw(sim, sim_certs).send_request(HttpRequest(method, path, json={}))
    assert (response.status_code, response.json()["error"]["code"], sim.refused_writes) == (
        403, "AuthorizationFailed", 1)


def test_missing_api_version_is_400_when_omitted(sim, sim_certs):
    response = raw(sim, sim_certs).send_request(HttpRequest("GET", f"/subscriptions/{PROD}"))
    assert (response.status_code, response.json()["error"]["code"]) == (400, "MissingApiVersionParameter")


def test_missing_token_is_401_when_no_authorization_header(sim, sim_certs):
    response = requests.post(f"{sim.base_url}/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01",
                             json={"query": "Resources"}, verify=str(sim_certs.ca), timeout=10)
    assert (response.status_code, response.json()["error"]["code"]) == (401, "AuthenticationFailed")
    assert "WWW-Authenticate" in response.headers


def test_token_for_other_tenant_is_401_when_subscription_is_elsewhere(sim, sim_certs):
    response = raw(sim, sim_certs).send_request(
        HttpRequest("GET", f"/subscriptions/{FABRIKAM_SUB}/providers/Microsoft.Advisor/recommendations"
                           "?api-version=2020-01-01"))
    assert (response.status_code, response.json()["error"]["code"]) == (401, "InvalidAuthenticationTokenTenant")


def test_existing_token_is_refused_401_when_principal_is_revoked_mid_scan(sim, sim_certs):
    rg = client(sim, sim_certs)
    query(rg)
    sim.revoke(CONTOSO, READER[0])
    with pytest.raises(ClientAuthenticationError):
        query(rg)
    assert sim.request_log[-1].status == 401


def test_injected_status_is_returned_then_cleared_when_times_is_one(sim, sim_certs):
    sim.inject("POST", ARG, status=500, times=1)
    rg = client(sim, sim_certs)
    with pytest.raises(HttpResponseError):
        query(rg)
    assert query(rg).count == 5


def test_client_retries_through_injected_503_when_retries_are_enabled(sim, sim_certs):
    sim.inject("POST", ARG, status=503, times=1)
    query(client(sim, sim_certs, retry_total=2, retry_backoff_factor=0.01))
    assert [e.status for e in sim.request_log if e.path.endswith("/resources")] == [503, 200]


def test_injected_headers_and_body_are_sent_when_given(sim, sim_certs):
    sim.inject("POST", ARG, status=429, headers={"Retry-After": "7"},
               body={"error": {"code": "RateLimiting", "message": "slow down"}})
    with pytest.raises(HttpResponseError) as caught:
        query(client(sim, sim_certs))
    assert caught.value.error is not None
    assert (caught.value.status_code, caught.value.error.code) == (429, "RateLimiting")


def test_truncated_body_fails_the_client_when_injected(sim, sim_certs):
    sim.inject("POST", ARG, truncate=True)
    with pytest.raises(AzureError):
        query(client(sim, sim_certs))


def test_latency_delays_the_answer_when_injected(sim, sim_certs):
    rg = client(sim, sim_certs)
    query(rg)
    sim.inject("POST", ARG, latency=0.4)
    started = time.monotonic()
    query(rg)
    assert time.monotonic() - started >= 0.4


def test_stats_count_calls_per_api_when_queried(sim, sim_certs):
    query(client(sim, sim_certs))
    assert sim.stats()["arm_calls"] == {"resource_graph": 1}


def _control(sim, certs, method: str, name: str, body: dict[str, Any] | None = None) -> requests.Response:
    return requests.request(method, f"{sim.base_url}/_sim/{name}", json=body, verify=str(certs.ca), timeout=10)


def test_control_inject_takes_effect_when_posted(sim, sim_certs):
    assert _control(sim, sim_certs, "POST", "inject", {"method": "POST", "path_regex": ARG, "status": 500}).ok
    with pytest.raises(HttpResponseError):
        query(client(sim, sim_certs))


def test_control_revoke_blocks_tokens_when_posted(sim, sim_certs):
    _control(sim, sim_certs, "POST", "revoke", {"tenant_id": CONTOSO, "client_id": READER[0]})
    with pytest.raises(ClientAuthenticationError):
        query(client(sim, sim_certs))


def test_control_remove_role_reports_removed_count_when_posted(sim, sim_certs):
    response = _control(sim, sim_certs, "POST", "remove-role",
                        {"tenant_id": CONTOSO, "principal_id": READER[2], "role": "Reader"})
    assert response.json() == {"removed": 2}


def test_control_stats_and_requests_report_activity_when_fetched(sim, sim_certs):
    raw(sim, sim_certs).send_request(HttpRequest("DELETE", f"/subscriptions/{PROD}?api-version=2022-12-01"))
    stats = _control(sim, sim_certs, "GET", "stats").json()
    logged = _control(sim, sim_certs, "GET", "requests").json()["requests"]
    assert (stats["refused_writes"], logged[-1]["method"], logged[-1]["status"]) == (1, "DELETE", 403)


def test_control_reset_restores_estate_when_posted(sim, sim_certs):
    sim.remove_role(CONTOSO, READER[2], "Reader")
    _control(sim, sim_certs, "POST", "reset", {})
    assert query(client(sim, sim_certs)).count == 5


def test_control_rejects_unknown_ai_mode_when_posted(sim, sim_certs):
    assert _control(sim, sim_certs, "POST", "ai-mode", {"mode": "chaos"}).status_code == 400


def test_subscription_list_shows_readable_ones_when_listed(sim, sim_certs):
    body = raw(sim, sim_certs).send_request(HttpRequest("GET", "/subscriptions?api-version=2022-12-01")).json()
    assert sorted(s["subscriptionId"] for s in body["value"]) == [PROD, DEV]


def test_subscription_read_is_403_when_principal_has_no_role_on_it(sim, sim_certs):
    response = raw(sim, sim_certs).send_request(HttpRequest("GET", f"/subscriptions/{SANDBOX}?api-version=2022-12-01"))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "AuthorizationFailed")


def test_subscription_read_carries_quota_id_when_readable(sim, sim_certs):
    response = raw(sim, sim_certs).send_request(HttpRequest("GET", f"/subscriptions/{PROD}?api-version=2022-12-01"))
    assert response.json()["subscriptionPolicies"]["quotaId"] == "EnterpriseAgreement_2014-09-01"
